import { z } from 'zod'
import { CLIENT_EVENT_TYPES, FUNNEL_MILESTONES, FUNNEL_STAGES, type FunnelMilestone } from '../funnel'

export const EventInput = z.strictObject({
  type: z.enum(CLIENT_EVENT_TYPES),
  channel: z.string().min(1).max(32).optional(),
  storeId: z.uuid().optional(),
  guideId: z.uuid().optional(),
  sharerId: z.uuid().optional(),
  props: z.record(z.string().max(64), z.unknown()).optional(),
  /** Client time; the server keeps its own receipt time too. */
  occurredAt: z.iso.datetime({ offset: true }).optional(),
})
export type EventInput = z.infer<typeof EventInput>

export const MAX_EVENT_BATCH = 100
/** A batch of up to 100 events; POST /api/v1/events also takes a single event. */
export const EventsBatchInput = z.strictObject({ events: z.array(EventInput).min(1).max(MAX_EVENT_BATCH) })
export type EventsBatchInput = z.infer<typeof EventsBatchInput>

const milestones = Object.keys(FUNNEL_MILESTONES) as [FunnelMilestone, ...FunnelMilestone[]]
export const AdminFunnelEventInput = z.strictObject({
  userId: z.uuid(),
  type: z.enum(milestones),
  channel: z.string().min(1).max(32).optional(),
  storeId: z.uuid().optional(),
  guideId: z.uuid().optional(),
})
export type AdminFunnelEventInput = z.infer<typeof AdminFunnelEventInput>

const DateOrDateTime = z.union([z.iso.datetime({ offset: true }), z.iso.date()])
export const FunnelQuery = z.strictObject({
  from: DateOrDateTime,
  to: DateOrDateTime,
  groupBy: z.enum(['channel', 'store', 'guide']).optional(),
})
export type FunnelQuery = z.infer<typeof FunnelQuery>

export type FunnelStageFigures = {
  stage: (typeof FUNNEL_STAGES)[number]
  reached: number
  /** Of those who reached this stage in the window, the share who reached the next one by `to` (0..1); null for the last stage. */
  conversionToNext: number | null
  /** Median seconds from this stage to the next among those who made it; null when nobody did. */
  medianSecondsToNext: number | null
}
export type FunnelGroup = { key: string | null; stages: FunnelStageFigures[] }
export type FunnelReport = { from: string; to: string; groupBy: string | null; groups: FunnelGroup[] }
