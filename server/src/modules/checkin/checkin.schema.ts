import { sql } from 'drizzle-orm'
import { boolean, check, date, foreignKey, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { users } from '../members/members.schema'
import { merchants } from '../tenancy/tenancy.schema'

/** Check-in reward rule of a merchant; seeded lazily with DEFAULT_CHECKIN_POLICY. */
export const checkinPolicies = pgTable(
  'checkin_policies',
  {
    merchantId: uuid('merchant_id')
      .primaryKey()
      .references(() => merchants.id),
    basePoints: integer('base_points').notNull(),
    /** {"3": 5, "7": 20}: bonus points on streak day N */
    streakBonuses: jsonb('streak_bonuses').$type<Record<string, number>>().notNull(),
    cycle: text('cycle').notNull(),
    makeupWindowDays: integer('makeup_window_days').notNull(),
    makeupCost: integer('makeup_cost').notNull(),
    makeupPerMonth: integer('makeup_per_month').notNull(),
    growthPerCheckin: integer('growth_per_checkin').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }),
  },
  (t) => [
    check('checkin_policies_cycle_ck', sql`${t.cycle} in ('none', 'weekly', 'monthly')`),
    check(
      'checkin_policies_values_ck',
      sql`${t.basePoints} >= 0 and ${t.makeupWindowDays} >= 0 and ${t.makeupCost} >= 0 and ${t.makeupPerMonth} >= 0 and ${t.growthPerCheckin} >= 0`,
    ),
  ],
)

/**
 * One row per user and business day (merchant time zone): the unique (merchant, user, day) is what makes
 * concurrent taps give one check-in. Streaks are not stored: they are computed from consecutive days,
 * so a make-up that bridges a gap joins the two runs with nothing to rewrite.
 */
export const checkins = pgTable(
  'checkins',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    merchantId: uuid('merchant_id').notNull(),
    userId: uuid('user_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    madeUp: boolean('made_up').notNull().default(false),
    /** base × tier multiplier + tier check-in bonus (0 for a make-up) */
    points: integer('points').notNull(),
    /** streak bonus (0 for a make-up) */
    bonus: integer('bonus').notNull(),
    /** points paid for a make-up */
    cost: integer('cost').notNull().default(0),
    /** the streak counted for the bonus (after the cycle reset), as it was at check-in time */
    bonusStreak: integer('bonus_streak').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('checkins_merchant_user_day_uq').on(t.merchantId, t.userId, t.day),
    foreignKey({ name: 'checkins_user_fk', columns: [t.merchantId, t.userId], foreignColumns: [users.merchantId, users.id] }),
    check('checkins_values_ck', sql`${t.points} >= 0 and ${t.bonus} >= 0 and ${t.cost} >= 0`),
    check('checkins_makeup_ck', sql`${t.madeUp} or ${t.cost} = 0`),
  ],
)
