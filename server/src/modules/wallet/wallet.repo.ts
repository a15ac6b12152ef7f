import { and, desc, eq, or, sql } from 'drizzle-orm'
import type { DbOrTx } from '../../db/client'
import { walletAccounts, walletEntries } from './wallet.schema'

export type EntryRow = typeof walletEntries.$inferSelect

export type EntryValues = {
  merchantId: string
  userId: string
  kind: 'credit' | 'withdraw_hold' | 'withdraw_refund'
  amountFen: number
  reasonCode: string
  idempotencyKey: string
  sourceType: string | null
  sourceId: string | null
  now: Date
}

type Inserted = { id: string; account_id: string; balance_after_fen: number; created_at: string }

/**
 * Credit step 1, one statement: create-or-lock the account (ON CONFLICT DO UPDATE takes the row
 * lock and returns the latest balance) and insert the entry unless its key exists. Returns null
 * for an existing key (the caller resolves the replay); the balance is then left untouched.
 */
export async function lockAccountAndInsertCredit(db: DbOrTx, v: EntryValues): Promise<Inserted | null> {
  const at = v.now.toISOString()
  const r = await db.execute<Inserted>(sql`
    WITH acc AS (
      INSERT INTO wallet_accounts (merchant_id, user_id, balance_fen, created_at, updated_at)
      VALUES (${v.merchantId}, ${v.userId}, 0, ${at}::timestamptz, ${at}::timestamptz)
      ON CONFLICT (merchant_id, user_id) DO UPDATE SET updated_at = EXCLUDED.updated_at
      RETURNING id, balance_fen)
    INSERT INTO wallet_entries (merchant_id, account_id, user_id, kind, amount_fen, balance_after_fen, reason_code, idempotency_key, source_type, source_id, created_at)
    SELECT ${v.merchantId}, acc.id, ${v.userId}, ${v.kind}, ${v.amountFen}, acc.balance_fen + ${v.amountFen}, ${v.reasonCode}, ${v.idempotencyKey},
           ${v.sourceType}, ${v.sourceId}, ${at}::timestamptz
    FROM acc
    ON CONFLICT (merchant_id, idempotency_key) DO NOTHING
    RETURNING id, account_id, balance_after_fen, created_at`)
  return r.rows[0] ?? null
}

/**
 * A credit under a key never used before, in ONE statement: create-or-update the account (the upsert
 * takes the row lock and adds the amount; the CHECK keeps it >= 0) and insert the entry with the new
 * balance. A key that exists after all violates wallet_entries_idempotency_uq and aborts the caller's
 * transaction, so the balance can never move without its entry.
 */
export async function creditFreshKey(db: DbOrTx, v: EntryValues): Promise<Inserted> {
  const at = v.now.toISOString()
  const r = await db.execute<Inserted>(sql`
    WITH acc AS (
      INSERT INTO wallet_accounts (merchant_id, user_id, balance_fen, created_at, updated_at)
      VALUES (${v.merchantId}, ${v.userId}, ${v.amountFen}, ${at}::timestamptz, ${at}::timestamptz)
      ON CONFLICT (merchant_id, user_id) DO UPDATE
        SET balance_fen = wallet_accounts.balance_fen + EXCLUDED.balance_fen, updated_at = EXCLUDED.updated_at
      RETURNING id, balance_fen)
    INSERT INTO wallet_entries (merchant_id, account_id, user_id, kind, amount_fen, balance_after_fen, reason_code, idempotency_key, source_type, source_id, created_at)
    SELECT ${v.merchantId}, acc.id, ${v.userId}, ${v.kind}, ${v.amountFen}, acc.balance_fen, ${v.reasonCode}, ${v.idempotencyKey},
           ${v.sourceType}, ${v.sourceId}, ${at}::timestamptz
    FROM acc
    RETURNING id, account_id, balance_after_fen, created_at`)
  return r.rows[0]!
}

/** Moves the (locked) account's balance by a signed amount; the CHECK keeps it >= 0. */
export async function addToBalance(db: DbOrTx, accountId: string, deltaFen: number, now: Date): Promise<number> {
  const r = await db.execute<{ balance_fen: number }>(sql`
    UPDATE wallet_accounts SET balance_fen = balance_fen + ${deltaFen}, updated_at = ${now.toISOString()}::timestamptz
    WHERE id = ${accountId} RETURNING balance_fen`)
  return Number(r.rows[0]!.balance_fen)
}

/** The conditional debit: nothing happens (null) unless the balance covers `amountFen`. */
export async function debitIfCovered(db: DbOrTx, merchantId: string, userId: string, amountFen: number, now: Date) {
  const r = await db.execute<{ id: string; balance_fen: number }>(sql`
    UPDATE wallet_accounts SET balance_fen = balance_fen - ${amountFen}, updated_at = ${now.toISOString()}::timestamptz
    WHERE merchant_id = ${merchantId} AND user_id = ${userId} AND balance_fen >= ${amountFen}
    RETURNING id, balance_fen`)
  const row = r.rows[0]
  return row ? { accountId: row.id, balanceFen: Number(row.balance_fen) } : null
}

export async function insertEntry(db: DbOrTx, v: EntryValues & { accountId: string; balanceAfterFen: number }): Promise<EntryRow> {
  const [e] = await db
    .insert(walletEntries)
    .values({
      merchantId: v.merchantId,
      accountId: v.accountId,
      userId: v.userId,
      kind: v.kind,
      amountFen: v.amountFen,
      balanceAfterFen: v.balanceAfterFen,
      reasonCode: v.reasonCode,
      idempotencyKey: v.idempotencyKey,
      sourceType: v.sourceType,
      sourceId: v.sourceId,
      createdAt: v.now,
    })
    .returning()
  return e!
}

export async function findEntryByKey(db: DbOrTx, merchantId: string, idempotencyKey: string): Promise<EntryRow | null> {
  const [e] = await db
    .select()
    .from(walletEntries)
    .where(and(eq(walletEntries.merchantId, merchantId), eq(walletEntries.idempotencyKey, idempotencyKey)))
  return e ?? null
}

export async function findBalance(db: DbOrTx, merchantId: string, userId: string): Promise<number | null> {
  const [a] = await db
    .select({ balanceFen: walletAccounts.balanceFen })
    .from(walletAccounts)
    .where(and(eq(walletAccounts.merchantId, merchantId), eq(walletAccounts.userId, userId)))
  return a ? a.balanceFen : null
}

export type EntryCursor = { createdAt: Date; seq: number }

/** A user's ledger, newest first, keyset-paginated on (created_at, seq). */
export async function listEntries(db: DbOrTx, merchantId: string, userId: string, limit: number, after: EntryCursor | null) {
  return db
    .select()
    .from(walletEntries)
    .where(
      and(
        eq(walletEntries.merchantId, merchantId),
        eq(walletEntries.userId, userId),
        after
          ? or(
              sql`${walletEntries.createdAt} < ${after.createdAt.toISOString()}::timestamptz`,
              and(sql`${walletEntries.createdAt} = ${after.createdAt.toISOString()}::timestamptz`, sql`${walletEntries.seq} < ${after.seq}`),
            )
          : undefined,
      ),
    )
    .orderBy(desc(walletEntries.createdAt), desc(walletEntries.seq))
    .limit(limit)
}
