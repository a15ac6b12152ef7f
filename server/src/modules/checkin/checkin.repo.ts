import { and, eq, sql } from 'drizzle-orm'
import type { DbOrTx } from '../../db/client'
import { one, statement } from '../../db/raw'
import { checkinPolicies, checkins } from './checkin.schema'

export type PolicyRow = typeof checkinPolicies.$inferSelect
export type CheckinRow = typeof checkins.$inferSelect

export async function findPolicy(db: DbOrTx, merchantId: string): Promise<PolicyRow | null> {
  const [p] = await db.select().from(checkinPolicies).where(eq(checkinPolicies.merchantId, merchantId))
  return p ?? null
}

export async function insertPolicyIfMissing(db: DbOrTx, v: typeof checkinPolicies.$inferInsert) {
  await db.insert(checkinPolicies).values(v).onConflictDoNothing({ target: checkinPolicies.merchantId })
}

export async function updatePolicy(db: DbOrTx, merchantId: string, v: Omit<typeof checkinPolicies.$inferInsert, 'merchantId'>) {
  const [p] = await db.update(checkinPolicies).set(v).where(eq(checkinPolicies.merchantId, merchantId)).returning()
  return p ?? null
}

/**
 * Serialises one user's check-ins and make-ups for the rest of the transaction, so the streak and the
 * monthly make-up count read under it are exact. (The unique index alone already guarantees one row per day.)
 */
const lockStatement = statement('checkin_lock_user', 'SELECT pg_advisory_xact_lock(hashtextextended($1, 0))')

export async function lockUser(db: DbOrTx, merchantId: string, userId: string) {
  await one(db, lockStatement, [`checkin:${merchantId}:${userId}`])
}

// every check-in writes one: a prepared statement, not a query built each time
const insertStatement = statement<CheckinRow>(
  'checkin_insert',
  `INSERT INTO checkins (merchant_id, user_id, day, made_up, points, bonus, cost, bonus_streak, created_at)
   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
   ON CONFLICT (merchant_id, user_id, day) DO NOTHING
   RETURNING id, merchant_id AS "merchantId", user_id AS "userId", to_char(day, 'YYYY-MM-DD') AS day, made_up AS "madeUp", points, bonus, cost,
             bonus_streak AS "bonusStreak", created_at AS "createdAt"`,
)

/** The row, unless the day is taken (then null: ALREADY_CHECKED_IN). */
export async function insertCheckin(db: DbOrTx, v: typeof checkins.$inferInsert): Promise<CheckinRow | null> {
  return one(db, insertStatement, [v.merchantId, v.userId, v.day, v.madeUp ?? false, v.points, v.bonus, v.cost ?? 0, v.bonusStreak, v.createdAt])
}

/**
 * Length of the run of consecutive checked days ending at `endDay` (an SQL date expression; 0 when that
 * day is not checked), for user $2 of merchant $1: the database function checkin_streak
 * (server/drizzle/0008_checkin_function.sql), which checkin_apply uses too.
 */
function streakSql(endDay: string): string {
  return `checkin_streak($1, $2, ${endDay})`
}

const streakStatement = statement<{ n: number }>('checkin_streak', `SELECT ${streakSql('$3::date')} AS n`)

/** Length of the run of consecutive checked days ending at `day` (0 when `day` is not checked). */
export async function streakEndingAt(db: DbOrTx, merchantId: string, userId: string, day: string): Promise<number> {
  return (await one(db, streakStatement, [merchantId, userId, day]))!.n
}

export type CheckinContext = { checked: boolean; streak: number; tierLevel: number }

// what today's check-in is priced on, in one round trip: is `day` taken, the run of consecutive days
// ending the day before, and the member's tier level (read without a lock: checkin_apply checks it again)
const contextStatement = statement<CheckinContext>(
  'checkin_context',
  `SELECT EXISTS (SELECT 1 FROM checkins c WHERE c.merchant_id = $1 AND c.user_id = $2 AND c.day = $3::date) AS checked,
     ${streakSql('($3::date - 1)')} AS streak,
     coalesce((SELECT m.tier_level FROM memberships m WHERE m.merchant_id = $1 AND m.user_id = $2), 0) AS "tierLevel"`,
)

export async function checkinContext(db: DbOrTx, merchantId: string, userId: string, day: string): Promise<CheckinContext> {
  return (await one(db, contextStatement, [merchantId, userId, day]))!
}

export type ApplyCheckinInput = {
  merchantId: string
  userId: string
  day: string
  /** What the reward was priced on: the streak ending the day before and the tier level. */
  streak: number
  tierLevel: number
  points: number
  bonus: number
  bonusStreak: number
  reason: string
  now: Date
  expiresAt: Date | null
  growth: number
  /** membership.tierRuleArgs */
  tierRule: [Date, string, string[]]
  stages: string
}

/**
 * `checked`: the day is taken. `stale`: the streak or tier level under the lock differ from what the
 * reward was priced on (both answered; nothing written). `ok`: written, with the balance after and the
 * interaction's event id and funnel signal for the listeners.
 */
export type ApplyCheckinRow = {
  status: 'ok' | 'checked' | 'stale'
  checkinId: string | null
  balance: number | null
  eventId: number | null
  signal: boolean
  promoted: boolean
  streak: number
  tierLevel: number
}

// the database function checkin_apply (server/drizzle/0008_checkin_function.sql): lock, context check and
// every write of a check-in in one round trip
const applyStatement = statement<ApplyCheckinRow>(
  'checkin_apply',
  `SELECT status, checkin_id AS "checkinId", balance, event_id AS "eventId", signal, promoted, streak, tier_level AS "tierLevel"
   FROM checkin_apply($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
)

export async function applyCheckin(db: DbOrTx, v: ApplyCheckinInput): Promise<ApplyCheckinRow> {
  return (await one(db, applyStatement, [
    v.merchantId,
    v.userId,
    v.day,
    v.streak,
    v.tierLevel,
    v.points,
    v.bonus,
    v.bonusStreak,
    v.reason,
    v.now,
    v.expiresAt,
    v.growth,
    ...v.tierRule,
    v.stages,
  ]))!
}

export type CalendarContext = {
  days: { day: string; madeUp: boolean; points: number; bonus: number }[]
  streakToday: number
  streakYesterday: number
  makeupsUsed: number
  tierLevel: number
}

// everything the calendar reads, in one round trip: the month's rows ($3..$4), the runs ending today
// ($5) and yesterday, the make-ups done since the month's start ($6), the member's tier level
const calendarStatement = statement<CalendarContext>(
  'checkin_calendar',
  `SELECT coalesce((SELECT json_agg(json_build_object('day', to_char(c.day, 'YYYY-MM-DD'), 'madeUp', c.made_up, 'points', c.points, 'bonus', c.bonus) ORDER BY c.day)
                    FROM checkins c WHERE c.merchant_id = $1 AND c.user_id = $2 AND c.day BETWEEN $3::date AND $4::date), '[]'::json) AS days,
     ${streakSql('$5::date')} AS "streakToday",
     ${streakSql('($5::date - 1)')} AS "streakYesterday",
     (SELECT count(*)::int FROM checkins c WHERE c.merchant_id = $1 AND c.user_id = $2 AND c.made_up AND c.created_at >= $6) AS "makeupsUsed",
     coalesce((SELECT m.tier_level FROM memberships m WHERE m.merchant_id = $1 AND m.user_id = $2), 0) AS "tierLevel"`,
)

export async function calendarContext(db: DbOrTx, merchantId: string, userId: string, from: string, to: string, today: string, makeupsSince: Date): Promise<CalendarContext> {
  return (await one(db, calendarStatement, [merchantId, userId, from, to, today, makeupsSince]))!
}

export async function findDay(db: DbOrTx, merchantId: string, userId: string, day: string): Promise<CheckinRow | null> {
  const [r] = await db.select().from(checkins).where(and(eq(checkins.merchantId, merchantId), eq(checkins.userId, userId), eq(checkins.day, day)))
  return r ?? null
}

/** Make-ups the user did at or after `since` (the quota counts by when the make-up was done). */
export async function countMakeupsSince(db: DbOrTx, merchantId: string, userId: string, since: Date): Promise<number> {
  const [r] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(checkins)
    .where(
      and(
        eq(checkins.merchantId, merchantId),
        eq(checkins.userId, userId),
        eq(checkins.madeUp, true),
        sql`${checkins.createdAt} >= ${since.toISOString()}::timestamptz`,
      ),
    )
  return r?.n ?? 0
}
