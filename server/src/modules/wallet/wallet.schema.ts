import { sql } from 'drizzle-orm'
import { bigint, check, foreignKey, index, pgTable, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { users } from '../members/members.schema'

/**
 * Cash wallet ledger, integer fen. Invariants (constraints where one row suffices, tests for the rest):
 *   balance_fen >= 0                                  (CHECK; debits are conditional updates)
 *   balance_fen == sum(wallet_entries.amount_fen)     (per account, at all times)
 *   an idempotency key is applied once per merchant   (UNIQUE)
 */
export const walletAccounts = pgTable(
  'wallet_accounts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    merchantId: uuid('merchant_id').notNull(),
    userId: uuid('user_id').notNull(),
    balanceFen: bigint('balance_fen', { mode: 'number' }).notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('wallet_accounts_merchant_user_uq').on(t.merchantId, t.userId),
    unique('wallet_accounts_merchant_id_uq').on(t.merchantId, t.id),
    foreignKey({ name: 'wallet_accounts_user_fk', columns: [t.merchantId, t.userId], foreignColumns: [users.merchantId, users.id] }),
    check('wallet_accounts_balance_ck', sql`${t.balanceFen} >= 0`),
  ],
)

/** Append-only. `amount_fen` is signed: credit +, withdraw_hold -, withdraw_refund +. */
export const walletEntries = pgTable(
  'wallet_entries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Insertion order: the tie-break of the ledger's (created_at, seq) ordering. */
    seq: bigint('seq', { mode: 'number' }).notNull().generatedAlwaysAsIdentity(),
    merchantId: uuid('merchant_id').notNull(),
    accountId: uuid('account_id').notNull(),
    userId: uuid('user_id').notNull(),
    kind: text('kind').notNull(),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    balanceAfterFen: bigint('balance_after_fen', { mode: 'number' }).notNull(),
    reasonCode: text('reason_code').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    sourceType: text('source_type'),
    sourceId: text('source_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('wallet_entries_idempotency_uq').on(t.merchantId, t.idempotencyKey),
    index('wallet_entries_account_idx').on(t.accountId, t.createdAt, t.seq),
    foreignKey({ name: 'wallet_entries_account_fk', columns: [t.merchantId, t.accountId], foreignColumns: [walletAccounts.merchantId, walletAccounts.id] }),
    check('wallet_entries_kind_ck', sql`${t.kind} in ('credit','withdraw_hold','withdraw_refund')`),
    check('wallet_entries_amount_ck', sql`case ${t.kind} when 'withdraw_hold' then ${t.amountFen} < 0 else ${t.amountFen} > 0 end`),
    check('wallet_entries_after_ck', sql`${t.balanceAfterFen} >= 0`),
  ],
)
