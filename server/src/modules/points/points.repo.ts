import { and, asc, desc, eq, gt, lte, or, sql } from 'drizzle-orm'
import type { DbOrTx } from '../../db/client'
import { pointsAccounts, pointsEntries, pointsLots, pointsPolicies } from './points.schema'

export type AccountRow = typeof pointsAccounts.$inferSelect
export type EntryRow = typeof pointsEntries.$inferSelect
export type PolicyRow = typeof pointsPolicies.$inferSelect

// ---- accounts ---------------------------------------------------------------------------------

export async function lockAccountById(db: DbOrTx, accountId: string): Promise<AccountRow | null> {
  const [a] = await db.select().from(pointsAccounts).where(eq(pointsAccounts.id, accountId)).for('update')
  return a ?? null
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
