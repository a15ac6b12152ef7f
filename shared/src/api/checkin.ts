import { z } from 'zod'

export const CHECKIN_CYCLES = ['none', 'weekly', 'monthly'] as const
export const CheckinCycle = z.enum(CHECKIN_CYCLES)
export type CheckinCycle = z.infer<typeof CheckinCycle>

const Points = z.number().int().min(0).max(100_000)

/**
 * Check-in reward rule of a merchant (PUT /admin/v1/checkin/policy body, GET adds updatedAt).
 * streakBonuses: extra points on streak day N, e.g. {"3": 5, "7": 20}. With cycle weekly/monthly the
 * streak counter used for bonuses restarts on Monday / the 1st; with none a bonus is paid once per run.
 */
export const CheckinPolicyInput = z.strictObject({
  basePoints: Points,
  streakBonuses: z
    .record(z.string().regex(/^[1-9]\d{0,2}$/, 'a streak day 1-999'), Points)
    .refine((r) => Object.keys(r).length <= 31, 'at most 31 bonus days'),
  cycle: CheckinCycle,
  /** How far back a missed day may be made up (1 = yesterday only; 0 disables make-ups). */
  makeupWindowDays: z.number().int().min(0).max(31),
  /** Points a make-up check-in costs (0 = free). */
  makeupCost: Points,
  /** Make-ups allowed per calendar month (merchant time zone). */
  makeupPerMonth: z.number().int().min(0).max(31),
  /** Growth value each (non-make-up) check-in adds. */
  growthPerCheckin: z.number().int().min(0).max(100_000),
})
export type CheckinPolicyInput = z.infer<typeof CheckinPolicyInput>
export type CheckinPolicy = CheckinPolicyInput & { updatedAt: string | null }

export const DEFAULT_CHECKIN_POLICY: CheckinPolicyInput = {
  basePoints: 5,
  streakBonuses: { '3': 5, '7': 20 },
  cycle: 'weekly',
  makeupWindowDays: 7,
  makeupCost: 20,
  makeupPerMonth: 2,
  growthPerCheckin: 1,
}

const Day = z.iso.date()

/** POST /api/v1/checkins/makeup */
export const CheckinMakeupInput = z.strictObject({ day: Day })
export type CheckinMakeupInput = z.infer<typeof CheckinMakeupInput>

/** GET /api/v1/checkins?month=YYYY-MM (default: the current month in the merchant's time zone). */
export const CheckinCalendarQuery = z.strictObject({
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'YYYY-MM')
    .optional(),
})
export type CheckinCalendarQuery = z.infer<typeof CheckinCalendarQuery>

/** points: base × tier multiplier + tier check-in bonus; bonus: the streak bonus of that day. */
export type CheckinReward = { points: number; bonus: number }

/** POST /api/v1/checkins (201) */
export type CheckinResult = { day: string; streak: number; reward: CheckinReward; balance: number }

/** POST /api/v1/checkins/makeup (201): a make-up earns nothing; it costs `cost` and restores the streak. */
export type CheckinMakeupResult = { day: string; cost: number; streak: number; balance: number; makeupLeft: number }

export type CheckinCalendarDay = {
  day: string
  checked: boolean
  madeUp: boolean
  /** Past checked days: what was paid; today (unchecked) and future days: what the rule would pay if the streak continues; missed days: null. */
  reward: CheckinReward | null
  projected: boolean
  canMakeUp: boolean
}

export type CheckinCalendar = {
  month: string
  today: string
  checkedToday: boolean
  /** Consecutive days ending today (or yesterday, when today is not checked yet). */
  streak: number
  makeup: { left: number; perMonth: number; cost: number; windowDays: number }
  days: CheckinCalendarDay[]
}
