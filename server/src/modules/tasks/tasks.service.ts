/**
 * Tasks: the brand asks, the users respond. A merchant defines tasks (share N times, invite N friends,
 * complete the profile, first purchase, claim the card, check in on N days) with a reward.
 *
 * Progress is computed on read from what the user did, so it is always right and needs no counters:
 *   share_n                   funnel events `share` received inside the task's window
 *   checkin_n_days            business days checked in inside the window (recorded from the check-in
 *                             module's server-side interactions; client-posted `checkin` events don't count)
 *   invite_n                  invitees bound inside the window that are neither held nor rejected
 *   complete_profile          nickname, avatar and phone set (target 3)
 *   first_purchase / claim_card  facts recorded by the funnel stage listener (or the stage itself)
 * Completion is a claim: POST /api/v1/tasks/:id/claim re-checks progress server-side and records one row
 * per (merchant, task, user) — the unique key makes concurrent claims pay once — with the reward in the
 * same transaction (points with idempotency key `task:<task>:<user>`, or a coupon with that issue key).
 */
import { FIXED_TASK_TARGETS, type CreateTaskInput, type MyTask, type TaskClaimResult, type TaskKind, type TaskReward, type TaskView, type UpdateTaskInput } from '@siyu/shared'
import type { Db, DbOrTx } from '../../db/client'
import { AppError } from '../../http/errors'
import type { Clock } from '../../lib/clock'
import { businessDay } from '../../lib/time'
import * as coupons from '../coupons/coupons.service'
import * as funnel from '../funnel/funnel.service'
import * as members from '../members/members.service'
import * as points from '../points/points.service'
import * as referrals from '../referrals/referrals.service'
import * as tenancy from '../tenancy/tenancy.service'
import * as repo from './tasks.repo'

const END_OF_TIME = new Date('9999-12-31T00:00:00Z')

// ---- admin ------------------------------------------------------------------------------------

function rewardOf(t: repo.TaskRow): TaskReward {
  if (t.rewardType === 'coupon') return { type: 'coupon', templateId: t.rewardTemplateId! }
  if (t.rewardType === 'cash') return { type: 'cash', amountFen: t.rewardAmountFen! }
  return { type: 'points', points: t.rewardPoints! }
}

function rewardColumns(r: TaskReward) {
  return {
    rewardType: r.type,
    rewardPoints: r.type === 'points' ? r.points : null,
    rewardTemplateId: r.type === 'coupon' ? r.templateId : null,
    rewardAmountFen: r.type === 'cash' ? r.amountFen : null,
  }
}

/** Cash waits for the wallet module; a coupon template must exist in this merchant. */
async function checkReward(db: DbOrTx, merchantId: string, r: TaskReward) {
  if (r.type === 'cash') throw new AppError('REWARD_TYPE_UNAVAILABLE', { type: 'cash', reason: 'cash rewards arrive with the wallet' })
  if (r.type === 'coupon') await coupons.getTemplateRow(db, merchantId, r.templateId)
}

export function taskView(t: repo.TaskRow): TaskView {
  return {
    id: t.id,
    title: t.title,
    description: t.description,
    kind: t.kind as TaskKind,
    target: t.target,
    reward: rewardOf(t),
    startsAt: t.startsAt.toISOString(),
    endsAt: t.endsAt?.toISOString() ?? null,
    active: t.active,
    createdAt: t.createdAt.toISOString(),
  }
}

function invalid(path: string, message: string): never {
  throw new AppError('VALIDATION_FAILED', { issues: [{ path, message, code: 'custom' }] })
}

export async function createTask(db: Db, merchantId: string, input: CreateTaskInput, now: Date): Promise<TaskView> {
  await checkReward(db, merchantId, input.reward)
  const startsAt = input.startsAt ? new Date(input.startsAt) : now
  const endsAt = input.endsAt ? new Date(input.endsAt) : null
  if (endsAt && endsAt <= startsAt) invalid('endsAt', '`endsAt` must be after `startsAt`')
  const row = await repo.insertTask(db, {
    merchantId,
    title: input.title,
    description: input.description ?? null,
    kind: input.kind,
    target: input.target ?? FIXED_TASK_TARGETS[input.kind] ?? 1,
    ...rewardColumns(input.reward),
    startsAt,
    endsAt,
    active: input.active,
    createdAt: now,
    updatedAt: now,
  })
  return taskView(row)
}

export async function listTasks(db: Db, merchantId: string) {
  return { items: (await repo.listTasks(db, merchantId)).map(taskView) }
}

async function findTask(db: DbOrTx, merchantId: string, id: string) {
  const t = await repo.findTask(db, merchantId, id)
  if (!t) throw new AppError('TASK_NOT_FOUND')
  return t
}

export async function getTask(db: Db, merchantId: string, id: string) {
  return taskView(await findTask(db, merchantId, id))
}

/** Title, description, reward, end and activity may change; claims already made keep their reward. */
export async function updateTask(db: Db, merchantId: string, id: string, input: UpdateTaskInput, now: Date): Promise<TaskView> {
  const t = await findTask(db, merchantId, id)
  if (input.reward) await checkReward(db, merchantId, input.reward)
  const endsAt = input.endsAt === undefined ? undefined : input.endsAt === null ? null : new Date(input.endsAt)
  if (endsAt && endsAt <= t.startsAt) invalid('endsAt', '`endsAt` must be after `startsAt`')
  const row = await repo.updateTask(db, merchantId, id, {
    ...(input.title !== undefined ? { title: input.title } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.reward ? rewardColumns(input.reward) : {}),
    ...(endsAt !== undefined ? { endsAt } : {}),
    ...(input.active !== undefined ? { active: input.active } : {}),
    updatedAt: now,
  })
  if (!row) throw new AppError('TASK_NOT_FOUND')
  return taskView(row)
}

/** Archived tasks disappear for everyone; their completions stay (the rewards were paid). */
export async function archiveTask(db: Db, merchantId: string, id: string, now: Date) {
  const row = await repo.updateTask(db, merchantId, id, { archivedAt: now, active: false, updatedAt: now })
  if (!row) throw new AppError('TASK_NOT_FOUND')
}

// ---- progress ---------------------------------------------------------------------------------

function isOpen(t: repo.TaskRow, now: Date) {
  return t.active && t.startsAt <= now && (!t.endsAt || t.endsAt > now)
}

/** How far the user is, capped at the target. */
async function progressOf(db: DbOrTx, t: repo.TaskRow, user: members.UserRow, facts: Set<string>): Promise<number> {
  const from = t.startsAt
  const to = t.endsAt ?? END_OF_TIME
  let n: number
  switch (t.kind as TaskKind) {
    case 'share_n':
      n = await funnel.countEvents(db, t.merchantId, user.id, ['share'], from, to)
      break
    case 'checkin_n_days': {
      // business days of the task's window, both ends included
      const tz = await tenancy.merchantTimezone(db, t.merchantId)
      const last = t.endsAt ? businessDay(new Date(t.endsAt.getTime() - 1), tz) : '9999-12-31'
      n = await repo.countCheckinDays(db, t.merchantId, user.id, businessDay(from, tz), last)
      break
    }
    case 'invite_n':
      n = await referrals.countInvitees(db, t.merchantId, user.id, from, to)
      break
    case 'complete_profile':
      n = [user.nickname, user.avatarUrl, user.phone].filter((v) => v !== null && v !== '').length
      break
    case 'first_purchase':
      // `customer` is reached only by buying; a member who bought is known by the recorded fact
      n = facts.has('first_purchase') || user.stage === 'customer' ? 1 : 0
      break
    case 'claim_card':
      n = facts.has('card_claimed') || user.stage === 'member' ? 1 : 0
      break
  }
  return Math.min(n, t.target)
}

/** GET /api/v1/tasks: the open tasks with my progress and whether I claimed them. */
export async function myTasks(db: Db, merchantId: string, userId: string, now: Date): Promise<{ items: MyTask[] }> {
  const user = await members.getUser(db, merchantId, userId)
  const open = await repo.listTasks(db, merchantId, { openAt: now })
  const claimed = new Map((await repo.completionsOf(db, merchantId, userId, open.map((t) => t.id))).map((c) => [c.taskId, c]))
  const facts = await repo.milestonesOf(db, merchantId, userId)
  const items: MyTask[] = []
  for (const t of open) {
    const c = claimed.get(t.id)
    const progress = c ? t.target : await progressOf(db, t, user, facts)
    items.push({ ...taskView(t), progress, completed: progress >= t.target, claimed: !!c, claimedAt: c?.claimedAt.toISOString() ?? null })
  }
  return { items }
}

/** Claims a complete task's reward, once. */
export async function claim(db: Db, merchantId: string, userId: string, taskId: string, now: Date): Promise<TaskClaimResult> {
  return db.transaction(async (tx) => {
    const t = await findTask(tx, merchantId, taskId)
    if (await repo.findCompletion(tx, merchantId, taskId, userId)) throw new AppError('TASK_ALREADY_CLAIMED')
    if (!isOpen(t, now)) throw new AppError('TASK_NOT_ACTIVE')
    const user = await members.getUser(tx, merchantId, userId)
    const progress = await progressOf(tx, t, user, await repo.milestonesOf(tx, merchantId, userId))
    if (progress < t.target) throw new AppError('TASK_NOT_COMPLETE', { progress, target: t.target })
    const reward = rewardOf(t)
    if (reward.type === 'cash') throw new AppError('REWARD_TYPE_UNAVAILABLE', { type: 'cash' })
    const c = await repo.insertCompletion(tx, {
      merchantId,
      taskId,
      userId,
      rewardType: reward.type,
      rewardPoints: reward.type === 'points' ? reward.points : null,
      claimedAt: now,
    })
    if (!c) throw new AppError('TASK_ALREADY_CLAIMED')
    const key = `task:${taskId}:${userId}`
    let pointsBalance: number | null = null
    let couponId: string | null = null
    if (reward.type === 'points') {
      const r = await points.earn(tx, { merchantId, userId, amount: reward.points, reasonCode: 'task', reason: t.title, idempotencyKey: key, source: { type: 'task', id: taskId }, now })
      pointsBalance = r.balance
    } else {
      const r = await coupons.issueCoupon(tx, { merchantId, userId, templateId: reward.templateId, source: { type: 'task', id: taskId }, issueKey: key, now })
      // nothing is recorded (the transaction rolls back): the user can claim again when stock returns
      if (!r.ok) throw new AppError('TASK_REWARD_UNAVAILABLE', { reason: r.reason })
      couponId = r.coupon.id
      await repo.setCompletionCoupon(tx, c.id, couponId)
    }
    await funnel.recordInteraction(tx, merchantId, userId, 'task_complete', { taskId }, now)
    return { taskId, reward, pointsBalance, couponId, claimedAt: now.toISOString() }
  })
}

// ---- facts from the funnel --------------------------------------------------------------------

/** `customer` asked = a purchase, `member` asked = the card claimed: recorded once per user. */
export function stageListener(clock: Clock): funnel.StageListener {
  return async (tx, s) => {
    const milestone = s.stage === 'customer' ? 'first_purchase' : s.stage === 'member' ? 'card_claimed' : null
    if (milestone) await repo.insertMilestone(tx, s.merchantId, s.userId, milestone, clock.now())
  }
}

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/

/** Check-ins as the check-in module records them (server origin, props.day = the business day checked in). */
export const eventsListener: funnel.EventsListener = async (tx, merchantId, userId, events) => {
  for (const e of events) {
    const day = e.props?.['day']
    if (e.origin === 'server' && e.type === 'checkin' && typeof day === 'string' && DAY_RE.test(day)) await repo.insertCheckinDay(tx, merchantId, userId, day)
  }
}

export function registerHooks(clock: Clock) {
  funnel.onStageReached('tasks', ['customer', 'member'], stageListener(clock))
  funnel.onEventsRecorded('tasks', ['checkin'], eventsListener)
}
