import { z } from 'zod'

/**
 * Tasks: the brand asks, the users respond. Progress is computed from what the user did (events,
 * referrals, profile, purchases, card); a complete task is claimed once for its reward.
 * Counted kinds (share_n, invite_n, checkin_n_days) count inside the task's window; the others are states.
 */
export const TASK_KINDS = ['share_n', 'invite_n', 'complete_profile', 'first_purchase', 'claim_card', 'checkin_n_days'] as const
export const TaskKind = z.enum(TASK_KINDS)
export type TaskKind = z.infer<typeof TaskKind>

/** Kinds whose target the merchant sets; the others have a fixed one (profile: nickname, avatar, phone = 3). */
export const COUNTED_TASK_KINDS: readonly TaskKind[] = ['share_n', 'invite_n', 'checkin_n_days']
export const FIXED_TASK_TARGETS: Partial<Record<TaskKind, number>> = { complete_profile: 3, first_purchase: 1, claim_card: 1 }

export const TaskReward = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('points'), points: z.number().int().min(1).max(1_000_000) }),
  z.strictObject({ type: z.literal('coupon'), templateId: z.uuid() }),
  /** Cash arrives with the wallet; until then REWARD_TYPE_UNAVAILABLE. */
  z.strictObject({ type: z.literal('cash'), amountFen: z.number().int().min(1).max(100_000_000) }),
])
export type TaskReward = z.infer<typeof TaskReward>

const taskFields = {
  title: z.string().trim().min(1).max(64),
  description: z.string().max(500).optional(),
  reward: TaskReward,
  startsAt: z.iso.datetime({ offset: true }).optional(),
  endsAt: z.iso.datetime({ offset: true }).optional(),
  active: z.boolean().default(true),
}

/** POST /admin/v1/tasks */
export const CreateTaskInput = z
  .strictObject({ ...taskFields, kind: TaskKind, target: z.number().int().min(1).max(1000).optional() })
  .refine((v) => !COUNTED_TASK_KINDS.includes(v.kind) || v.target !== undefined, { message: 'target is required for this kind', path: ['target'] })
  .refine((v) => COUNTED_TASK_KINDS.includes(v.kind) || v.target === undefined, { message: 'this kind has a fixed target', path: ['target'] })
  .refine((v) => !v.startsAt || !v.endsAt || Date.parse(v.startsAt) < Date.parse(v.endsAt), { message: '`endsAt` must be after `startsAt`', path: ['endsAt'] })
export type CreateTaskInput = z.infer<typeof CreateTaskInput>

/** PATCH /admin/v1/tasks/:id — kind and target are fixed once created (progress and claims rely on them). */
export const UpdateTaskInput = z
  .strictObject({
    title: taskFields.title.optional(),
    description: z.string().max(500).nullable().optional(),
    reward: TaskReward.optional(),
    endsAt: z.iso.datetime({ offset: true }).nullable().optional(),
    active: z.boolean().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'nothing to update')
export type UpdateTaskInput = z.infer<typeof UpdateTaskInput>

export type TaskView = {
  id: string
  title: string
  description: string | null
  kind: TaskKind
  target: number
  reward: TaskReward
  startsAt: string
  endsAt: string | null
  active: boolean
  createdAt: string
}

/** GET /api/v1/tasks item. */
export type MyTask = TaskView & { progress: number; completed: boolean; claimed: boolean; claimedAt: string | null }

/** POST /api/v1/tasks/:id/claim (201) */
export type TaskClaimResult = {
  taskId: string
  reward: TaskReward
  pointsBalance: number | null
  couponId: string | null
  claimedAt: string
}
