import {
  FUNNEL_MILESTONES,
  FUNNEL_STAGES,
  PASSIVE_EVENT_TYPES,
  type InteractionEventType,
  stageRank,
  type EventInput,
  type FunnelMilestone,
  type FunnelReport,
  type FunnelStage,
  type FunnelStageFigures,
} from '@siyu/shared'
import type { Db, DbOrTx } from '../../db/client'
import * as membersService from '../members/members.service'
import * as tenancyRepo from '../tenancy/tenancy.repo'
import { AppError } from '../../http/errors'
import { one, statement } from '../../db/raw'
import * as repo from './funnel.repo'

export type StageCause = {
  cause: string
  causeEventId?: number | null
  channel?: string | null
  storeId?: string | null
  guideId?: string | null
}

/**
 * The one function through which every module moves a person down the funnel
 * (login -> visitor, interactions -> interactor, follow -> fan, WeCom contact -> friend,
 * paid order -> customer, card claimed -> member). Stages never go down; each promotion
 * writes one transition row. Runs in the caller's transaction; one statement (the database
 * function funnel_advance, server/drizzle/0003_growth_and_funnel_functions.sql, redefined in 0006), plus the
 * listeners the first time this stage is asked for this user.
 */
export async function advanceStage(tx: DbOrTx, merchantId: string, userId: string, to: FunnelStage, cause: StageCause): Promise<boolean> {
  const r = await one(tx, advanceStatement, advanceValues(merchantId, userId, to, cause, cause.causeEventId ?? null))
  if (!r) return false
  if (r.signal) await notifyStage(tx, { merchantId, userId, stage: to, promoted: r.promoted, cause })
  return r.promoted
}

type AdvanceRow = { promoted: boolean; signal: boolean }
/** The stage order as a PostgreSQL array literal: what the database functions taking `p_stages` expect. */
export const STAGES_PARAM = `{${FUNNEL_STAGES.join(',')}}`
const advanceStatement = statement<AdvanceRow>('funnel_advance', 'SELECT promoted, signal FROM funnel_advance($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)')
function advanceValues(merchantId: string, userId: string, to: FunnelStage, cause: StageCause, eventId: number | null) {
  return [merchantId, userId, to, stageRank(to), STAGES_PARAM, cause.cause, eventId, cause.channel ?? null, cause.storeId ?? null, cause.guideId ?? null]
}

/**
 * Listeners of other modules (referrals, tasks, social value) told, inside the caller's transaction,
 * the first time a stage is asked for a user — promoted or not: a member who buys for the first time
 * is asked for `customer` and stays a member, yet it is their first purchase. Later asks (repeat
 * purchases) are not told: users.stages_signalled remembers, so repeat purchases cost listeners
 * nothing. The flag is set in the same transaction, so a listener that fails leaves it unset and the
 * next ask tells it again; listeners must be idempotent (unique keys) and must not call anything
 * external. Registered by name at app creation (re-registering replaces).
 */
export type StageSignal = { merchantId: string; userId: string; stage: FunnelStage; promoted: boolean; cause: StageCause }
export type StageListener = (tx: DbOrTx, s: StageSignal) => Promise<void>
const stageListeners = new Map<string, { stages: readonly FunnelStage[]; listener: StageListener }>()
export function onStageReached(name: string, stages: readonly FunnelStage[], listener: StageListener) {
  stageListeners.set(name, { stages, listener })
}
/**
 * For a database function that raised the stage itself (staff_purchase, through funnel_advance) and
 * answered `signal`: tells the listeners, in the same transaction.
 */
export async function notifyStage(tx: DbOrTx, s: StageSignal) {
  for (const l of stageListeners.values()) if (l.stages.includes(s.stage)) await l.listener(tx, s)
}

/**
 * Recorded events, told to listeners (social reach, task facts) inside the recording transaction.
 * origin: `client` = posted to /api/v1/events (the client's word), `server` = recordInteraction by a module.
 */
export type RecordedEvent = { id: number; type: string; sharerId: string | null; props: Record<string, unknown> | null; origin: 'client' | 'server' }
export type EventsListener = (tx: DbOrTx, merchantId: string, userId: string, events: RecordedEvent[]) => Promise<void>
const eventListeners = new Map<string, { types: readonly string[]; listener: EventsListener }>()
/** `types`: the event types the listener acts on; it is told only of batches holding one of them. */
export function onEventsRecorded(name: string, types: readonly string[], listener: EventsListener) {
  eventListeners.set(name, { types, listener })
}
async function notifyEvents(tx: DbOrTx, merchantId: string, userId: string, events: RecordedEvent[]) {
  for (const l of eventListeners.values()) if (events.some((e) => l.types.includes(e.type))) await l.listener(tx, merchantId, userId, events)
}

/**
 * No listener would be told of an interaction of this type (none for the interactor stage, none for
 * the event type): a database function may then record it on its own (lottery_draw), with no
 * transaction left open for TypeScript.
 */
export function interactionIsQuiet(type: InteractionEventType): boolean {
  for (const l of stageListeners.values()) if (l.stages.includes('interactor')) return false
  for (const l of eventListeners.values()) if (l.types.includes(type)) return false
  return true
}

/** How many events of these types a user has, received in [from, to) (task progress). */
export async function countEvents(db: DbOrTx, merchantId: string, userId: string, types: readonly string[], from: Date, to: Date): Promise<number> {
  return repo.countEvents(db, merchantId, userId, types, from, to)
}

/** The first transition of a new user (none -> visitor), written at their first login. */
export async function recordFirstVisit(tx: DbOrTx, merchantId: string, userId: string, cause: StageCause) {
  await repo.insertTransition(tx, {
    merchantId,
    userId,
    fromStage: null,
    toStage: 'visitor',
    toRank: 1,
    cause: cause.cause,
    channel: cause.channel ?? null,
    storeId: cause.storeId ?? null,
    guideId: cause.guideId ?? null,
  })
}

/** Records a batch of interaction events; any non-passive event makes the user an interactor. */
export async function recordEvents(db: Db, merchantId: string, userId: string, events: EventInput[], now: Date) {
  return db.transaction(async (tx) => {
    const rows = await repo.insertEvents(
      tx,
      merchantId,
      userId,
      events.map((e) => ({
        type: e.type,
        channel: e.channel ?? null,
        storeId: e.storeId ?? null,
        guideId: e.guideId ?? null,
        sharerId: e.sharerId ?? null,
        props: e.props ?? null,
        occurredAt: e.occurredAt ? new Date(e.occurredAt) : now,
      })),
    )
    const first = events[0]!
    await membersService.touch(tx, merchantId, userId, {
      channel: first.channel,
      storeId: first.storeId,
      guideId: first.guideId,
      sharerId: first.sharerId,
    })
    const idx = events.findIndex((e) => !PASSIVE_EVENT_TYPES.includes(e.type))
    let promoted = false
    if (idx >= 0) {
      const e = events[idx]!
      promoted = await advanceStage(tx, merchantId, userId, 'interactor', {
        cause: `event:${e.type}`,
        causeEventId: rows[idx]!.id,
        channel: e.channel,
        storeId: e.storeId,
        guideId: e.guideId,
      })
    }
    // after the user's own row is locked (touch, stage): listeners then lock other rows in one order
    await notifyEvents(
      tx,
      merchantId,
      userId,
      rows.map((r, i) => ({ id: r.id, type: r.type, sharerId: events[i]!.sharerId ?? null, props: events[i]!.props ?? null, origin: 'client' as const })),
    )
    return { accepted: rows.length, promoted }
  })
}

/** Records an interaction that happened inside another module (check-in, draw...), in its transaction. */
export async function recordInteraction(tx: DbOrTx, merchantId: string, userId: string, type: InteractionEventType, props?: Record<string, unknown>, at?: Date) {
  // the event and the stage raise in one statement (hot: every check-in and draw)
  const cause: StageCause = { cause: `event:${type}` }
  const r = (await one(tx, interactionStatement, [...advanceValues(merchantId, userId, 'interactor', cause, null), type, props ? JSON.stringify(props) : null, at ?? new Date()]))!
  await interactionRecorded(tx, merchantId, userId, type, r, props)
}

/**
 * The listeners' part of recordInteraction, for a database function that wrote the event and raised
 * the stage itself (lottery_draw) and answered its event id, `signal` and `promoted`: same transaction.
 */
export async function interactionRecorded(
  tx: DbOrTx,
  merchantId: string,
  userId: string,
  type: InteractionEventType,
  r: { eventId: number; signal: boolean; promoted: boolean },
  props?: Record<string, unknown>,
) {
  if (r.signal) await notifyStage(tx, { merchantId, userId, stage: 'interactor', promoted: r.promoted, cause: { cause: `event:${type}`, causeEventId: r.eventId } })
  await notifyEvents(tx, merchantId, userId, [{ id: r.eventId, type, sharerId: null, props: props ?? null, origin: 'server' }])
}

const interactionStatement = statement<AdvanceRow & { eventId: number }>(
  'funnel_record_interaction',
  `WITH e AS (
     INSERT INTO funnel_events (merchant_id, user_id, type, props, occurred_at) VALUES ($1, $2, $11, $12::jsonb, $13) RETURNING id)
   SELECT e.id AS "eventId", coalesce(a.promoted, false) AS promoted, coalesce(a.signal, false) AS signal
   FROM e LEFT JOIN LATERAL funnel_advance($1, $2, $3, $4, $5, $6, coalesce($7::bigint, e.id), $8, $9, $10) a ON true`,
)

/** Milestones from modules not built yet (official-account follow, WeCom contact) and the admin test hook. */
export async function applyMilestone(db: Db, merchantId: string, userId: string, milestone: FunnelMilestone, cause: Omit<StageCause, 'cause'>) {
  await membersService.getUser(db, merchantId, userId)
  const to = FUNNEL_MILESTONES[milestone]
  const promoted = await db.transaction((tx) => advanceStage(tx, merchantId, userId, to, { ...cause, cause: `milestone:${milestone}` }))
  const user = await membersService.getUser(db, merchantId, userId)
  return { promoted, stage: user.stage as FunnelStage }
}

async function resolveBound(db: Db, value: string, tz: string, end: boolean): Promise<Date> {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const start = await repo.startOfLocalDay(db, value, tz)
    return end ? new Date(start.getTime() + 24 * 3600 * 1000) : start
  }
  return new Date(value)
}

/** Dates are the merchant's business days (a `to` date includes that whole day). */
export async function report(db: Db, merchantId: string, q: { from: string; to: string; groupBy?: 'channel' | 'store' | 'guide' }): Promise<FunnelReport> {
  const merchant = await tenancyRepo.findMerchant(db, merchantId)
  const tz = merchant?.timezone ?? 'Asia/Shanghai'
  const from = await resolveBound(db, q.from, tz, false)
  const to = await resolveBound(db, q.to, tz, true)
  if (!(from < to)) throw new AppError('VALIDATION_FAILED', { issues: [{ path: 'to', message: '`to` must be after `from`', code: 'custom' }] })
  const rows = await repo.funnelReport(db, merchantId, from, to, q.groupBy ?? null)
  const groups = new Map<string | null, Map<number, repo.ReachRow>>()
  for (const r of rows) {
    if (!groups.has(r.key)) groups.set(r.key, new Map())
    groups.get(r.key)!.set(r.rank, r)
  }
  if (groups.size === 0 && !q.groupBy) groups.set(null, new Map())
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    groupBy: q.groupBy ?? null,
    groups: [...groups.entries()].map(([key, byRank]) => ({
      key,
      stages: FUNNEL_STAGES.map((stage, i): FunnelStageFigures => {
        const r = byRank.get(i + 1)
        const reached = r?.reached ?? 0
        const last = i === FUNNEL_STAGES.length - 1
        return {
          stage,
          reached,
          conversionToNext: last ? null : reached === 0 ? 0 : Math.round(((r?.reached_next ?? 0) / reached) * 10000) / 10000,
          medianSecondsToNext: last || r?.median_seconds == null ? null : Math.round(Number(r.median_seconds)),
        }
      }),
    })),
  }
}
