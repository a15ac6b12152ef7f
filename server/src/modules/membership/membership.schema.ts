import { sql } from 'drizzle-orm'
import { bigint, boolean, check, foreignKey, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { users } from '../members/members.schema'
import { merchants } from '../tenancy/tenancy.schema'

/**
 * Membership programme of a merchant, seeded lazily with defaults. member_code_secret keys the HMAC of
 * the rotating member codes (never returned by the API; rotating it invalidates codes in flight).
 */
export const membershipPolicies = pgTable(
  'membership_policies',
  {
    merchantId: uuid('merchant_id')
      .primaryKey()
      .references(() => merchants.id),
    phoneRequired: boolean('phone_required').notNull(),
    pointsPerYuan: integer('points_per_yuan').notNull(),
    growthPerYuan: integer('growth_per_yuan').notNull(),
    memberCodeSecret: text('member_code_secret').notNull(),
    /** null while the seeded defaults were never changed by the admin */
    updatedAt: timestamp('updated_at', { withTimezone: true }),
  },
  (t) => [
    check('membership_policies_rates_ck', sql`${t.pointsPerYuan} >= 0 and ${t.growthPerYuan} >= 0`),
  ],
)

/** Tiers of a merchant by position: level 0 (threshold 0) upwards. Multiplier in per-mille (integers only). */
export const membershipTiers = pgTable(
  'membership_tiers',
  {
    merchantId: uuid('merchant_id')
      .notNull()
      .references(() => merchants.id),
    level: integer('level').notNull(),
    name: text('name').notNull(),
    threshold: integer('threshold').notNull(),
    multiplierPermille: integer('multiplier_permille').notNull(),
    checkinBonus: integer('checkin_bonus').notNull(),
  },
  (t) => [
    primaryKey({ name: 'membership_tiers_pk', columns: [t.merchantId, t.level] }),
    check('membership_tiers_values_ck', sql`${t.level} >= 0 and ${t.threshold} >= 0 and ${t.multiplierPermille} > 0 and ${t.checkinBonus} >= 0`),
    check('membership_tiers_first_ck', sql`${t.level} <> 0 or ${t.threshold} = 0`),
  ],
)

/**
 * One row per (merchant, user) once the user earns growth or claims the card: growth and tier accrue
 * before the card is claimed, so "claim the card" keeps what was already earned. The row is the
 * serialisation point of growth and tier changes (locked by every update).
 */
export const memberships = pgTable(
  'memberships',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    merchantId: uuid('merchant_id').notNull(),
    userId: uuid('user_id').notNull(),
    /** 12 digits (11 random + Luhn check digit); null until the card is claimed. */
    cardNo: text('card_no'),
    claimedAt: timestamp('claimed_at', { withTimezone: true }),
    /** Growth ever earned (display); tiers are graded on growth_entries of the last 12 months. */
    growth: bigint('growth', { mode: 'number' }).notNull().default(0),
    tierLevel: integer('tier_level').notNull().default(0),
    tierReachedAt: timestamp('tier_reached_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('memberships_merchant_user_uq').on(t.merchantId, t.userId),
    uniqueIndex('memberships_merchant_card_uq').on(t.merchantId, t.cardNo),
    index('memberships_merchant_claimed_idx').on(t.merchantId, t.claimedAt),
    index('memberships_tier_review_idx')
      .on(t.tierReachedAt)
      .where(sql`${t.tierLevel} > 0`),
    foreignKey({ name: 'memberships_user_fk', columns: [t.merchantId, t.userId], foreignColumns: [users.merchantId, users.id] }),
    check('memberships_card_ck', sql`${t.cardNo} is null or ${t.cardNo} ~ '^[0-9]{12}$'`),
    check('memberships_claimed_ck', sql`(${t.cardNo} is null) = (${t.claimedAt} is null)`),
    check('memberships_values_ck', sql`${t.growth} >= 0 and ${t.tierLevel} >= 0`),
  ],
)

/**
 * Every growth credit, and every take-back of one (a refund: negative, reason `refund`, after the
 * credit it reverses, so a member's running total never goes below zero); unique per source so a
 * replayed operation never counts twice.
 */
export const growthEntries = pgTable(
  'growth_entries',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    merchantId: uuid('merchant_id').notNull(),
    userId: uuid('user_id').notNull(),
    amount: integer('amount').notNull(),
    reason: text('reason').notNull(),
    sourceType: text('source_type'),
    sourceId: text('source_id'),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('growth_entries_user_at_idx').on(t.merchantId, t.userId, t.at),
    uniqueIndex('growth_entries_source_uq').on(t.merchantId, t.sourceType, t.sourceId),
    check('growth_entries_amount_ck', sql`${t.amount} > 0 or (${t.amount} < 0 and ${t.reason} = 'refund')`),
  ],
)

/** Audit of every tier change (upgrade on growth, downgrade at evaluation). Names are snapshots. */
export const tierChanges = pgTable(
  'tier_changes',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    merchantId: uuid('merchant_id').notNull(),
    userId: uuid('user_id').notNull(),
    fromLevel: integer('from_level').notNull(),
    toLevel: integer('to_level').notNull(),
    fromName: text('from_name'),
    toName: text('to_name'),
    reason: text('reason').notNull(),
    /** Qualifying growth (last 12 months) when the change was decided. */
    qualifyingGrowth: bigint('qualifying_growth', { mode: 'number' }).notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('tier_changes_user_idx').on(t.merchantId, t.userId, t.at),
    check('tier_changes_reason_ck', sql`${t.reason} in ('upgrade', 'evaluation')`),
  ],
)
