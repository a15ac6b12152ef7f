import { sql } from 'drizzle-orm'
import { bigint, check, foreignKey, index, integer, pgTable, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { users } from '../members/members.schema'
import { merchants } from '../tenancy/tenancy.schema'

/**
 * Points ledger. Invariants (checked by constraints where a single row suffices, by tests for the rest):
 *   balance >= 0, debt >= 0, and never both > 0 (a credit pays debt first; debt only grows at balance 0)
 *   balance - debt == sum(points_entries.amount)            (the ledger's net position)
 *   debt           == sum(points_entries.debt_change)
 *   balance        == sum(points_lots.remaining)            (at all times)
 *   after expireDue(now): no lot with expires_at <= now has remaining > 0
 *   lot.amount - lot.remaining == sum(points_lot_consumptions.amount of that lot)
 */

/** Expiry policy per merchant; a missing row means the default (end of the 12th month after earning). */
export const pointsPolicies = pgTable(
  'points_policies',
  {
    merchantId: uuid('merchant_id')
      .primaryKey()
      .references(() => merchants.id),
    expiryMode: text('expiry_mode').notNull(),
    /** months or days, per mode; null for 'never' */
    expiryValue: integer('expiry_value'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check(
      'points_policies_expiry_ck',
      sql`(${t.expiryMode} = 'never' and ${t.expiryValue} is null) or (${t.expiryMode} in ('months_after_earn','days_after_earn') and ${t.expiryValue} > 0)`,
    ),
  ],
)

/** One account per (merchant, user). Balance and debt are the serialisation point: every write locks this row first. */
export const pointsAccounts = pgTable(
  'points_accounts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    merchantId: uuid('merchant_id').notNull(),
    userId: uuid('user_id').notNull(),
    balance: bigint('balance', { mode: 'number' }).notNull().default(0),
    debt: bigint('debt', { mode: 'number' }).notNull().default(0),
    /** Gross points ever earned (kind 'earn' entries, including the part that paid debt). */
    lifetimeEarned: bigint('lifetime_earned', { mode: 'number' }).notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('points_accounts_merchant_user_uq').on(t.merchantId, t.userId),
    // a constraint, not an index: drizzle-kit emits it inside CREATE TABLE, before the foreign keys that reference it
    unique('points_accounts_merchant_id_uq').on(t.merchantId, t.id),
    // the user must belong to the same merchant as the account
    foreignKey({ name: 'points_accounts_user_fk', columns: [t.merchantId, t.userId], foreignColumns: [users.merchantId, users.id] }),
    check('points_accounts_balance_ck', sql`${t.balance} >= 0`),
    check('points_accounts_debt_ck', sql`${t.debt} >= 0`),
    check('points_accounts_balance_or_debt_ck', sql`${t.balance} = 0 or ${t.debt} = 0`),
    check('points_accounts_lifetime_ck', sql`${t.lifetimeEarned} >= 0`),
  ],
)

/**
 * The ledger: append-only. `amount` is the signed nominal amount of the operation (earn +E, spend -S,
 * expire -X, adjust ±A, clawback -C); `debt_change` is how the debt moved (an earn paying debt: < 0,
 * a clawback beyond the balance: > 0). The balance moved by amount + debt_change.
 */
export const pointsEntries = pgTable(
  'points_entries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Insertion order: the tie-break of the ledger's (created_at, seq) ordering. */
    seq: bigint('seq', { mode: 'number' }).notNull().generatedAlwaysAsIdentity(),
    merchantId: uuid('merchant_id').notNull(),
    accountId: uuid('account_id').notNull(),
    userId: uuid('user_id').notNull(),
    kind: text('kind').notNull(),
    amount: integer('amount').notNull(),
    debtChange: integer('debt_change').notNull().default(0),
    balanceAfter: bigint('balance_after', { mode: 'number' }).notNull(),
    debtAfter: bigint('debt_after', { mode: 'number' }).notNull(),
    reasonCode: text('reason_code').notNull(),
    reason: text('reason'),
    idempotencyKey: text('idempotency_key').notNull(),
    sourceType: text('source_type'),
    sourceId: text('source_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('points_entries_idempotency_uq').on(t.merchantId, t.idempotencyKey),
    uniqueIndex('points_entries_seq_uq').on(t.seq),
    index('points_entries_user_idx').on(t.merchantId, t.userId, t.createdAt, t.seq),
    index('points_entries_source_idx').on(t.merchantId, t.sourceType, t.sourceId),
    foreignKey({ name: 'points_entries_account_fk', columns: [t.merchantId, t.accountId], foreignColumns: [pointsAccounts.merchantId, pointsAccounts.id] }),
    check('points_entries_kind_ck', sql`${t.kind} in ('earn','spend','expire','adjust','clawback')`),
    check(
      'points_entries_amount_ck',
      sql`case ${t.kind}
        when 'earn' then ${t.amount} > 0 and ${t.debtChange} <= 0 and -${t.debtChange} <= ${t.amount}
        when 'adjust' then ${t.amount} <> 0 and ${t.debtChange} <= 0 and -${t.debtChange} <= greatest(${t.amount}, 0)
        when 'clawback' then ${t.amount} < 0 and ${t.debtChange} >= 0 and ${t.debtChange} <= -${t.amount}
        else ${t.amount} < 0 and ${t.debtChange} = 0 end`,
    ),
    check('points_entries_after_ck', sql`${t.balanceAfter} >= 0 and ${t.debtAfter} >= 0`),
  ],
)

/** What a credit added, and what of it is left; debits consume lots oldest-expiry-first. */
export const pointsLots = pgTable(
  'points_lots',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    merchantId: uuid('merchant_id').notNull(),
    accountId: uuid('account_id').notNull(),
    entryId: uuid('entry_id')
      .notNull()
      .references(() => pointsEntries.id),
    amount: integer('amount').notNull(),
    remaining: integer('remaining').notNull(),
    /** null = never expires */
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('points_lots_live_idx')
      .on(t.accountId, t.expiresAt, t.createdAt)
      .where(sql`${t.remaining} > 0`),
    index('points_lots_due_idx')
      .on(t.expiresAt)
      .where(sql`${t.remaining} > 0 and ${t.expiresAt} is not null`),
    foreignKey({ name: 'points_lots_account_fk', columns: [t.merchantId, t.accountId], foreignColumns: [pointsAccounts.merchantId, pointsAccounts.id] }),
    check('points_lots_amount_ck', sql`${t.amount} > 0`),
    check('points_lots_remaining_ck', sql`${t.remaining} >= 0 and ${t.remaining} <= ${t.amount}`),
  ],
)

/** Which lots each debit (spend, expire, negative adjust, clawback) took, and how much from each. */
export const pointsLotConsumptions = pgTable(
  'points_lot_consumptions',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    merchantId: uuid('merchant_id').notNull(),
    entryId: uuid('entry_id')
      .notNull()
      .references(() => pointsEntries.id),
    lotId: uuid('lot_id')
      .notNull()
      .references(() => pointsLots.id),
    amount: integer('amount').notNull(),
  },
  (t) => [
    index('points_lot_consumptions_entry_idx').on(t.entryId),
    index('points_lot_consumptions_lot_idx').on(t.lotId),
    check('points_lot_consumptions_amount_ck', sql`${t.amount} > 0`),
  ],
)
