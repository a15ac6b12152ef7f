import {
  DEFAULT_CHECKIN_POLICY,
  type CheckinCalendar,
  type CheckinCalendarDay,
  type CheckinCycle,
  type CheckinMakeupResult,
  type CheckinPolicy,
  type CheckinPolicyInput,
  type CheckinResult,
  type Tier,
} from '@siyu/shared'
import type { Db, DbOrTx } from '../../db/client'
import { AppError } from '../../http/errors'
import { MerchantCache, merchantConfigChanged } from '../../lib/cache'
import { addDays, businessDay, daysBetween, startOfBusinessDay } from '../../lib/time'
import * as funnel from '../funnel/funnel.service'
import * as membership from '../membership/membership.service'
import * as points from '../points/points.service'
import * as tenancy from '../tenancy/tenancy.service'
import * as repo from './checkin.repo'

// ---- policy ------------------------------------------------------------------------------------------

function policyView(p: repo.PolicyRow): CheckinPolicy {
  return {
    basePoints: p.basePoints,
    streakBonuses: p.streakBonuses,
    cycle: p.cycle as CheckinCycle,
    makeupWindowDays: p.makeupWindowDays,
    makeupCost: p.makeupCost,
    makeupPerMonth: p.makeupPerMonth,
    growthPerCheckin: p.growthPerCheckin,
    updatedAt: p.updatedAt?.toISOString() ?? null,
  }
}

// read by every check-in: cached per process, dropped by setPolicy (lib/cache.ts)
const policies = new MerchantCache<CheckinPolicy>(60_000)

/** The merchant's rule (a shared, cached object: don't mutate), seeding the defaults on first use. */
export async function getPolicy(db: DbOrTx, merchantId: string): Promise<CheckinPolicy> {
  return policies.get(merchantId, async () => {
    let p = await repo.findPolicy(db, merchantId)
    if (!p) {
      await repo.insertPolicyIfMissing(db, { merchantId, ...DEFAULT_CHECKIN_POLICY, updatedAt: null })
      p = (await repo.findPolicy(db, merchantId))!
    }
    return policyView(p)
  })
}

/** Applies from now on; rewards already paid are never rewritten. */
export async function setPolicy(db: Db, merchantId: string, input: CheckinPolicyInput, now: Date): Promise<CheckinPolicy> {
  await getPolicy(db, merchantId)
  const row = (await repo.updatePolicy(db, merchantId, { ...input, updatedAt: now }))!
  await merchantConfigChanged(db, merchantId)
  return policyView(row)
}

// ---- the reward rule (pure) ----------------------------------------------------------------------------

/** First day of the cycle `day` falls in: Monday (ISO week) or the 1st; null when streaks never reset. */
export function cycleStart(day: string, cycle: CheckinCycle): string | null {
  if (cycle === 'monthly') return `${day.slice(0, 8)}01`
  if (cycle === 'weekly') {
    const dow = new Date(`${day}T00:00:00Z`).getUTCDay() // 0 = Sunday
    return addDays(day, -((dow + 6) % 7))
  }
  return null
}

/** The streak counted for bonuses: the real streak, cut at the start of the current cycle. */
export function bonusStreak(streak: number, day: string, cycle: CheckinCycle): number {
  const start = cycleStart(day, cycle)
  return start === null ? streak : Math.min(streak, daysBetween(start, day) + 1)
}

export type DayReward = { points: number; bonus: number; bonusStreak: number }

/** points = base × tier multiplier (per-mille, floor) + the tier's check-in bonus; bonus = the streak bonus of that day. */
export function rewardFor(policy: Pick<CheckinPolicyInput, 'basePoints' | 'streakBonuses' | 'cycle'>, tier: Pick<Tier, 'multiplierPermille' | 'checkinBonus'>, streak: number, day: string): DayReward {
  const bs = bonusStreak(streak, day, policy.cycle)
  return {
    points: Math.floor((policy.basePoints * tier.multiplierPermille) / 1000) + tier.checkinBonus,
    bonus: policy.streakBonuses[String(bs)] ?? 0,
    bonusStreak: bs,
  }
}

// ---- check-in, make-up, calendar ---------------------------------------------------------------------------

async function context(db: Db, merchantId: string, now: Date) {
  const tz = await tenancy.merchantTimezone(db, merchantId)
  const today = businessDay(now, tz)
  return { tz, today, monthStart: startOfBusinessDay(`${today.slice(0, 8)}01`, tz) }
}

/** Consecutive days ending today, or yesterday when today is not checked (the streak is still alive). */
async function currentStreak(db: DbOrTx, merchantId: string, userId: string, today: string): Promise<{ streak: number; checkedToday: boolean }> {
  const t = await repo.streakEndingAt(db, merchantId, userId, today)
  if (t > 0) return { streak: t, checkedToday: true }
  return { streak: await repo.streakEndingAt(db, merchantId, userId, addDays(today, -1)), checkedToday: false }
}

/**
 * Today's check-in: one per user and business day (unique index), its reward earned in the same
 * transaction (ledger key checkin:<user>:<day>), growth credited, the interaction recorded.
 *
 * The context (day taken?, streak, tier) is read first without a lock, so a repeat tap costs one read;
 * the reward is priced from it here, and the database function checkin_apply takes the user's lock,
 * checks the context again and writes everything in one call. A make-up or tier change in between
 * answers `stale`: priced again on what it found and called again, under the lock the first call took.
 */
export async function checkIn(db: Db, merchantId: string, userId: string, now: Date): Promise<CheckinResult> {
  const { today } = await context(db, merchantId, now)
  const policy = await getPolicy(db, merchantId)
  const c = await repo.checkinContext(db, merchantId, userId, today)
  if (c.checked) throw new AppError('ALREADY_CHECKED_IN', { day: today })
  const tiers = await membership.tiersOf(db, merchantId)
  const common = {
    merchantId,
    userId,
    day: today,
    now,
    expiresAt: await points.policyExpiry(db, merchantId, now),
    growth: policy.growthPerCheckin,
    tierRule: membership.tierRuleArgs(tiers, now),
    stages: funnel.STAGES_PARAM,
  }
  const price = (on: { streak: number; tierLevel: number }) => {
    const r = rewardFor(policy, membership.tierAt(tiers, on.tierLevel), on.streak + 1, today)
    const reason = r.bonus > 0 ? `签到（连续第${r.bonusStreak}天奖励）` : '签到'
    return { ...common, streak: on.streak, tierLevel: on.tierLevel, points: r.points, bonus: r.bonus, bonusStreak: r.bonusStreak, reason }
  }
  // the listeners (tasks count check-in days) are told in the same transaction
  return db.transaction(async (tx) => {
    let p = price(c)
    let r = await repo.applyCheckin(tx, p)
    // the first call took the lock (held to COMMIT): the second one finds what it was priced on
    if (r.status === 'stale') r = await repo.applyCheckin(tx, (p = price(r)))
    if (r.status === 'checked') throw new AppError('ALREADY_CHECKED_IN', { day: today })
    if (r.status !== 'ok') throw new Error(`checkin_apply answered ${r.status} under the lock`)
    await funnel.interactionRecorded(tx, merchantId, userId, 'checkin', { eventId: r.eventId!, signal: r.signal, promoted: r.promoted }, { day: today })
    return { day: today, streak: p.streak + 1, reward: { points: p.points, bonus: p.bonus }, balance: r.balance! }
  })
}

/**
 * Make-up check-in (补签) of a missed day inside the window, paid in points in the same transaction
 * (insufficient → POINTS_INSUFFICIENT and nothing written). It earns nothing and pays no retroactive
 * bonus: it only fills the day, so the streak (computed from consecutive days) joins the runs around it.
 */
export async function makeUp(db: Db, merchantId: string, userId: string, day: string, now: Date): Promise<CheckinMakeupResult> {
  const { today, monthStart } = await context(db, merchantId, now)
  const policy = await getPolicy(db, merchantId)
  const age = daysBetween(day, today)
  if (age < 1 || age > policy.makeupWindowDays) throw new AppError('MAKEUP_DAY_INVALID', { day, today, windowDays: policy.makeupWindowDays })
  return db.transaction(async (tx) => {
    await repo.lockUser(tx, merchantId, userId)
    if (await repo.findDay(tx, merchantId, userId, day)) throw new AppError('ALREADY_CHECKED_IN', { day })
    const used = await repo.countMakeupsSince(tx, merchantId, userId, monthStart)
    if (used >= policy.makeupPerMonth) throw new AppError('MAKEUP_QUOTA_EXCEEDED', { perMonth: policy.makeupPerMonth, used })
    const cost = policy.makeupCost
    const row = await repo.insertCheckin(tx, { merchantId, userId, day, madeUp: true, points: 0, bonus: 0, cost, bonusStreak: 0, createdAt: now })
    if (!row) throw new AppError('ALREADY_CHECKED_IN', { day })
    const balance =
      cost > 0
        ? (
            await points.spend(tx, {
              merchantId,
              userId,
              amount: cost,
              reasonCode: 'checkin_makeup',
              reason: `补签 ${day}`,
              idempotencyKey: `checkin-makeup:${userId}:${day}`,
              source: { type: 'checkin', id: row.id },
              now,
            })
          ).balance
        : (await points.getSummary(tx, merchantId, userId, now)).balance
    await funnel.recordInteraction(tx, merchantId, userId, 'checkin', { day, madeUp: true }, now)
    const { streak } = await currentStreak(tx, merchantId, userId, today)
    return { day, cost, streak, balance, makeupLeft: Math.max(0, policy.makeupPerMonth - used - 1) }
  })
}

function daysInMonth(month: string): number {
  const [y, m] = month.split('-').map(Number) as [number, number]
  return new Date(Date.UTC(y, m, 0)).getUTCDate()
}

/** The month's calendar: what each day paid, what today and future days would pay if the streak continues. */
export async function calendar(db: Db, merchantId: string, userId: string, month: string | undefined, now: Date): Promise<CheckinCalendar> {
  const { today, monthStart } = await context(db, merchantId, now)
  const m = month ?? today.slice(0, 7)
  const policy = await getPolicy(db, merchantId)
  const first = `${m}-01`
  const n = daysInMonth(m)
  const c = await repo.calendarContext(db, merchantId, userId, first, addDays(first, n - 1), today, monthStart)
  const tier = membership.tierAt(await membership.tiersOf(db, merchantId), c.tierLevel)
  const rows = new Map(c.days.map((r) => [r.day, r]))
  // consecutive days ending today, or yesterday when today is not checked (the streak is still alive)
  const checkedToday = c.streakToday > 0
  const streak = checkedToday ? c.streakToday : c.streakYesterday
  const left = Math.max(0, policy.makeupPerMonth - c.makeupsUsed)
  // the streak a future day would have: today's (if checked) or yesterday's + 1, plus the days in between
  const streakOnToday = checkedToday ? streak : streak + 1
  const days: CheckinCalendarDay[] = []
  for (let i = 0; i < n; i++) {
    const day = addDays(first, i)
    const r = rows.get(day)
    if (r) {
      days.push({ day, checked: true, madeUp: r.madeUp, reward: { points: r.points, bonus: r.bonus }, projected: false, canMakeUp: false })
    } else if (day >= today) {
      const p = rewardFor(policy, tier, streakOnToday + daysBetween(today, day), day)
      days.push({ day, checked: false, madeUp: false, reward: { points: p.points, bonus: p.bonus }, projected: true, canMakeUp: false })
    } else {
      const age = daysBetween(day, today)
      days.push({ day, checked: false, madeUp: false, reward: null, projected: false, canMakeUp: left > 0 && age <= policy.makeupWindowDays })
    }
  }
  return {
    month: m,
    today,
    checkedToday,
    streak,
    makeup: { left, perMonth: policy.makeupPerMonth, cost: policy.makeupCost, windowDays: policy.makeupWindowDays },
    days,
  }
}
