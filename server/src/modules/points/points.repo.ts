import { and, asc, desc, eq, gt, isNotNull, lte, or, sql } from 'drizzle-orm'
import type { DbOrTx } from '../../db/client'
import { pointsAccounts, pointsEntries, pointsLots, pointsPolicies } from './points.schema'

export type AccountRow = typeof pointsAccounts.$inferSelect
export type EntryRow = typeof pointsEntries.$inferSelect
export type LotRow = typeof pointsLots.$inferSelect
export type PolicyRow = typeof pointsPolicies.$inferSelect

// ---- accounts ---------------------------------------------------------------------------------

/** Creates the account if missing (concurrent creators wait on each other's insert, none fails). */
export async function ensureAccount(db: DbOrTx, merchantId: string, userId: string) {
  await db.insert(pointsAccounts).values({ merchantId, userId }).onConflictDoNothing({ target: [pointsAccounts.merchantId, pointsAccounts.userId] })
}

/** Locks the account row: every write to an account's ledger is serialised here. */
export async function lockAccount(db: DbOrTx, merchantId: string, userId: string): Promise<AccountRow | null> {
  const [a] = await db
    .select()
    .from(pointsAccounts)
    .where(and(eq(pointsAccounts.merchantId, merchantId), eq(pointsAccounts.userId, userId)))
    .for('update')
  return a ?? null
}

export async function lockAccountById(db: DbOrTx, accountId: string): Promise<AccountRow | null> {
  const [a] = await db.select().from(pointsAccounts).where(eq(pointsAccounts.id, accountId)).for('update')
  return a ?? null
}

export async function updateAccount(db: DbOrTx, id: string, v: { balance: number; debt: number; lifetimeEarned: number; updatedAt: Date }) {
  await db.update(pointsAccounts).set(v).where(eq(pointsAccounts.id, id))
}

export type AccountSnapshot = { balance: number; debt: number; lifetimeEarned: number; due: number; accountId: string }

/** The account and its expired-but-not-yet-processed points, in one statement (one snapshot). */
export async function accountSnapshot(db: DbOrTx, merchantId: string, userId: string, now: Date): Promise<AccountSnapshot | null> {
  const r = await db.execute<{ account_id: string; balance: number; debt: number; lifetime_earned: number; due: number }>(sql`
    SELECT a.id AS account_id, a.balance, a.debt, a.lifetime_earned,
      coalesce((SELECT sum(l.remaining) FROM points_lots l
                WHERE l.account_id = a.id AND l.remaining > 0 AND l.expires_at <= ${now.toISOString()}::timestamptz), 0)::int8 AS due
    FROM points_accounts a WHERE a.merchant_id = ${merchantId} AND a.user_id = ${userId}`)
  const row = r.rows[0]
  if (!row) return null
  return { accountId: row.account_id, balance: Number(row.balance), debt: Number(row.debt), lifetimeEarned: Number(row.lifetime_earned), due: Number(row.due) }
}

// ---- entries ----------------------------------------------------------------------------------

export async function findEntryByKey(db: DbOrTx, merchantId: string, idempotencyKey: string): Promise<EntryRow | null> {
  const [e] = await db
    .select()
    .from(pointsEntries)
    .where(and(eq(pointsEntries.merchantId, merchantId), eq(pointsEntries.idempotencyKey, idempotencyKey)))
  return e ?? null
}

/** Inserts the entry unless its idempotency key exists (then null: the caller resolves the replay). */
export async function insertEntry(db: DbOrTx, v: Omit<typeof pointsEntries.$inferInsert, 'seq'>): Promise<EntryRow | null> {
  const [e] = await db
    .insert(pointsEntries)
    .values(v)
    .onConflictDoNothing({ target: [pointsEntries.merchantId, pointsEntries.idempotencyKey] })
    .returning()
  return e ?? null
}

export type EntryCursor = { createdAt: Date; seq: number }

/** A user's ledger, newest first, keyset-paginated on (created_at, seq). */
export async function listEntries(db: DbOrTx, merchantId: string, userId: string, limit: number, after: EntryCursor | null) {
  return db
    .select()
    .from(pointsEntries)
    .where(
      and(
        eq(pointsEntries.merchantId, merchantId),
        eq(pointsEntries.userId, userId),
        after
          ? or(
              sql`${pointsEntries.createdAt} < ${after.createdAt.toISOString()}::timestamptz`,
              and(sql`${pointsEntries.createdAt} = ${after.createdAt.toISOString()}::timestamptz`, sql`${pointsEntries.seq} < ${after.seq}`),
            )
          : undefined,
      ),
    )
    .orderBy(desc(pointsEntries.createdAt), desc(pointsEntries.seq))
    .limit(limit)
}

// ---- lots -------------------------------------------------------------------------------------

export async function insertLot(db: DbOrTx, v: typeof pointsLots.$inferInsert) {
  await db.insert(pointsLots).values(v)
}

const consumeOrder = [sql`${pointsLots.expiresAt} asc nulls last`, asc(pointsLots.createdAt), asc(pointsLots.id)]

/** Lots past their expiry that still hold points, locked (the account row is already locked). */
export async function dueLotsForUpdate(db: DbOrTx, accountId: string, now: Date, limit?: number): Promise<LotRow[]> {
  const q = db
    .select()
    .from(pointsLots)
    .where(and(eq(pointsLots.accountId, accountId), gt(pointsLots.remaining, 0), isNotNull(pointsLots.expiresAt), lte(pointsLots.expiresAt, now)))
    .orderBy(...consumeOrder)
    .for('update')
  return limit ? q.limit(limit) : q
}

/** Every lot still holding points (due ones included), locked, in consumption order: soonest expiry first, never-expiring last. */
export async function heldLotsForUpdate(db: DbOrTx, accountId: string): Promise<LotRow[]> {
  return db
    .select()
    .from(pointsLots)
    .where(and(eq(pointsLots.accountId, accountId), gt(pointsLots.remaining, 0)))
    .orderBy(...consumeOrder)
    .for('update')
}

export type Take = { lotId: string; amount: number }

/** Lowers the lots' remaining and records which debit took what. */
export async function consumeLots(db: DbOrTx, merchantId: string, entryId: string, takes: Take[]) {
  if (takes.length === 0) return
  const ids = `{${takes.map((t) => t.lotId).join(',')}}`
  const amounts = `{${takes.map((t) => t.amount).join(',')}}`
  // one round trip: lower the lots and record the consumptions
  await db.execute(sql`
    WITH v AS (SELECT * FROM unnest(${ids}::uuid[], ${amounts}::int[]) AS v(id, take)),
    u AS (UPDATE points_lots l SET remaining = l.remaining - v.take FROM v WHERE l.id = v.id RETURNING l.id)
    INSERT INTO points_lot_consumptions (merchant_id, entry_id, lot_id, amount)
    SELECT ${merchantId}::uuid, ${entryId}::uuid, v.id, v.take FROM v`)
}

/** Points expiring in (now, until], grouped by expiry instant. */
export async function expiringBetween(db: DbOrTx, accountId: string, now: Date, until: Date) {
  return db
    .select({ at: pointsLots.expiresAt, amount: sql<number>`sum(${pointsLots.remaining})::int8` })
    .from(pointsLots)
    .where(and(eq(pointsLots.accountId, accountId), gt(pointsLots.remaining, 0), gt(pointsLots.expiresAt, now), lte(pointsLots.expiresAt, until)))
    .groupBy(pointsLots.expiresAt)
    .orderBy(asc(pointsLots.expiresAt))
}

/** Accounts (any merchant) holding lots due at `now`: the expiry job's work list. */
export async function accountsWithDueLots(db: DbOrTx, now: Date, limit: number): Promise<string[]> {
  const r = await db.execute<{ account_id: string }>(sql`
    SELECT DISTINCT account_id FROM points_lots
    WHERE remaining > 0 AND expires_at IS NOT NULL AND expires_at <= ${now.toISOString()}::timestamptz
    LIMIT ${limit}`)
  return r.rows.map((x) => x.account_id)
}

// ---- policy -----------------------------------------------------------------------------------

export async function findPolicy(db: DbOrTx, merchantId: string): Promise<PolicyRow | null> {
  const [p] = await db.select().from(pointsPolicies).where(eq(pointsPolicies.merchantId, merchantId))
  return p ?? null
}

export async function insertPolicyIfMissing(db: DbOrTx, v: { merchantId: string; expiryMode: string; expiryValue: number | null; updatedAt: Date }) {
  await db.insert(pointsPolicies).values(v).onConflictDoNothing({ target: pointsPolicies.merchantId })
}

export async function upsertPolicy(db: DbOrTx, v: { merchantId: string; expiryMode: string; expiryValue: number | null; updatedAt: Date }) {
  const [p] = await db
    .insert(pointsPolicies)
    .values(v)
    .onConflictDoUpdate({ target: pointsPolicies.merchantId, set: { expiryMode: v.expiryMode, expiryValue: v.expiryValue, updatedAt: v.updatedAt } })
    .returning()
  return p!
}
