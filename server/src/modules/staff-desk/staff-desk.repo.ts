import { and, eq, inArray, sql } from 'drizzle-orm'
import type { DbOrTx } from '../../db/client'
import { staffPurchases, staffRedemptions } from './staff-desk.schema'

export type PurchaseRow = typeof staffPurchases.$inferSelect
export type RedemptionRow = typeof staffRedemptions.$inferSelect

export async function insertRedemption(db: DbOrTx, v: typeof staffRedemptions.$inferInsert): Promise<RedemptionRow | null> {
  const [r] = await db
    .insert(staffRedemptions)
    .values(v)
    .onConflictDoNothing({ target: [staffRedemptions.merchantId, staffRedemptions.idempotencyKey] })
    .returning()
  return r ?? null
}

export async function findRedemptionByKey(db: DbOrTx, merchantId: string, key: string): Promise<RedemptionRow | null> {
  const [r] = await db.select().from(staffRedemptions).where(and(eq(staffRedemptions.merchantId, merchantId), eq(staffRedemptions.idempotencyKey, key)))
  return r ?? null
}

export async function finishRedemption(db: DbOrTx, id: string, balanceAfter: number): Promise<RedemptionRow> {
  const [r] = await db.update(staffRedemptions).set({ balanceAfter }).where(eq(staffRedemptions.id, id)).returning()
  return r!
}

/** Last in-store purchase per user (any staff). */
export async function lastPurchaseAt(db: DbOrTx, merchantId: string, userIds: string[]): Promise<Map<string, Date>> {
  if (userIds.length === 0) return new Map()
  const rows = await db
    .select({ userId: staffPurchases.userId, at: sql<string>`max(${staffPurchases.createdAt})` })
    .from(staffPurchases)
    .where(and(eq(staffPurchases.merchantId, merchantId), inArray(staffPurchases.userId, userIds)))
    .groupBy(staffPurchases.userId)
  return new Map(rows.map((r) => [r.userId, new Date(r.at)]))
}

const range = (col: typeof staffPurchases.createdAt | typeof staffRedemptions.createdAt, from: Date, to: Date) =>
  sql`${col} >= ${from.toISOString()}::timestamptz AND ${col} < ${to.toISOString()}::timestamptz`

export async function purchaseStats(db: DbOrTx, merchantId: string, staffId: string, from: Date, to: Date) {
  const [r] = await db
    .select({
      count: sql<number>`count(*)::int`,
      amountFen: sql<number>`coalesce(sum(${staffPurchases.amountFen}), 0)::int8`,
      points: sql<number>`coalesce(sum(${staffPurchases.points}), 0)::int8`,
    })
    .from(staffPurchases)
    .where(and(eq(staffPurchases.merchantId, merchantId), eq(staffPurchases.staffId, staffId), range(staffPurchases.createdAt, from, to)))
  return { count: r?.count ?? 0, amountFen: Number(r?.amountFen ?? 0), points: Number(r?.points ?? 0) }
}

export async function redemptionStats(db: DbOrTx, merchantId: string, staffId: string, from: Date, to: Date) {
  const [r] = await db
    .select({ count: sql<number>`count(*)::int`, points: sql<number>`coalesce(sum(${staffRedemptions.points}), 0)::int8` })
    .from(staffRedemptions)
    .where(and(eq(staffRedemptions.merchantId, merchantId), eq(staffRedemptions.staffId, staffId), range(staffRedemptions.createdAt, from, to)))
  return { count: r?.count ?? 0, points: Number(r?.points ?? 0) }
}

/** In-store purchases of one user (RFM's wallet value). */
export async function purchaseTotals(db: DbOrTx, merchantId: string, userId: string) {
  const r = await db.execute<{ count: number; amount: number; last_at: Date | null }>(sql`
    SELECT count(*)::int AS count, coalesce(sum(amount_fen), 0)::bigint AS amount, max(created_at) AS last_at
    FROM staff_purchases WHERE merchant_id = ${merchantId} AND user_id = ${userId}`)
  const row = r.rows[0]!
  return { count: row.count, amountFen: Number(row.amount), lastAt: row.last_at ? new Date(row.last_at) : null }
}
