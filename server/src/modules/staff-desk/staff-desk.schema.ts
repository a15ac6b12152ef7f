import { sql } from 'drizzle-orm'
import { bigint, boolean, check, foreignKey, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { users } from '../members/members.schema'

/**
 * Offline purchases recorded by staff at the counter. UNIQUE (merchant, receipt_no) is the idempotency
 * key: the first request awards and inserts (staff_purchase, under an advisory lock on the receipt),
 * concurrent and later replays read this row back. points/growth/balance_after/tier_* are the result
 * returned to every replay. staff_id and store_id carry no foreign key: every purchase would lock the
 * same store and staff rows (README "Hot paths"); stores and staff are never deleted, and
 * staff_purchase checks the store.
 */
export const staffPurchases = pgTable(
  'staff_purchases',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    merchantId: uuid('merchant_id').notNull(),
    userId: uuid('user_id').notNull(),
    staffId: uuid('staff_id').notNull(),
    storeId: uuid('store_id').notNull(),
    receiptNo: text('receipt_no').notNull(),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    points: integer('points').notNull(),
    growth: integer('growth').notNull(),
    /** tier whose multiplier applied (the tier before this purchase's growth) */
    multiplierPermille: integer('multiplier_permille').notNull(),
    balanceAfter: bigint('balance_after', { mode: 'number' }),
    tierLevelAfter: integer('tier_level_after'),
    tierNameAfter: text('tier_name_after'),
    upgraded: boolean('upgraded').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('staff_purchases_receipt_uq').on(t.merchantId, t.receiptNo),
    index('staff_purchases_staff_idx').on(t.merchantId, t.staffId, t.createdAt),
    index('staff_purchases_user_idx').on(t.merchantId, t.userId, t.createdAt),
    foreignKey({ name: 'staff_purchases_user_fk', columns: [t.merchantId, t.userId], foreignColumns: [users.merchantId, users.id] }),
    check('staff_purchases_values_ck', sql`${t.amountFen} > 0 and ${t.points} >= 0 and ${t.growth} >= 0`),
  ],
)

/** Points spent at the counter; UNIQUE (merchant, idempotency_key) detects replays and conflicting reuse. */
export const staffRedemptions = pgTable(
  'staff_redemptions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    merchantId: uuid('merchant_id').notNull(),
    userId: uuid('user_id').notNull(),
    staffId: uuid('staff_id').notNull(),
    points: integer('points').notNull(),
    reason: text('reason').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    balanceAfter: bigint('balance_after', { mode: 'number' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('staff_redemptions_key_uq').on(t.merchantId, t.idempotencyKey),
    index('staff_redemptions_staff_idx').on(t.merchantId, t.staffId, t.createdAt),
    foreignKey({ name: 'staff_redemptions_user_fk', columns: [t.merchantId, t.userId], foreignColumns: [users.merchantId, users.id] }),
    check('staff_redemptions_points_ck', sql`${t.points} > 0`),
  ],
)
