import { and, desc, eq, gt, sql } from 'drizzle-orm'
import type { DbOrTx } from '../../db/client'
import { shareOpens, socialStats } from './social.schema'

export type StatsRow = typeof socialStats.$inferSelect
export type StatsDelta = { shares?: number; reach?: number; invitees?: number; inviteeCustomers?: number; content?: number }

/** Adds the deltas to the user's counters (creating the row); counters never go below zero. */
export async function bump(db: DbOrTx, merchantId: string, userId: string, d: StatsDelta, now: Date) {
  const shares = d.shares ?? 0
  const reach = d.reach ?? 0
  const invitees = d.invitees ?? 0
  const customers = d.inviteeCustomers ?? 0
  const content = d.content ?? 0
  await db.execute(sql`
    INSERT INTO social_stats AS s (merchant_id, user_id, shares, reach, invitees, invitee_customers, content, updated_at)
    VALUES (${merchantId}, ${userId}, greatest(0, ${shares}::int), greatest(0, ${reach}::int), greatest(0, ${invitees}::int),
            greatest(0, ${customers}::int), greatest(0, ${content}::int), ${now.toISOString()}::timestamptz)
    ON CONFLICT (merchant_id, user_id) DO UPDATE SET
      shares = greatest(0, s.shares + ${shares}::int),
      reach = greatest(0, s.reach + ${reach}::int),
      invitees = greatest(0, s.invitees + ${invitees}::int),
      invitee_customers = greatest(0, s.invitee_customers + ${customers}::int),
      content = greatest(0, s.content + ${content}::int),
      updated_at = excluded.updated_at`)
}

/** Records that `openerId` opened a share of `sharerId`; true only the first time (a new person reached). */
export async function insertOpen(db: DbOrTx, merchantId: string, sharerId: string, openerId: string, now: Date): Promise<boolean> {
  const r = await db.insert(shareOpens).values({ merchantId, sharerId, openerId, firstAt: now }).onConflictDoNothing().returning({ s: shareOpens.sharerId })
  return r.length > 0
}

export async function findStats(db: DbOrTx, merchantId: string, userId: string): Promise<StatsRow | null> {
  const [s] = await db
    .select()
    .from(socialStats)
    .where(and(eq(socialStats.merchantId, merchantId), eq(socialStats.userId, userId)))
  return s ?? null
}

/** Highest score first; ties by converted invitees, then a stable id order. */
export async function top(db: DbOrTx, merchantId: string, limit: number): Promise<StatsRow[]> {
  return db
    .select()
    .from(socialStats)
    .where(and(eq(socialStats.merchantId, merchantId), gt(socialStats.score, 0)))
    .orderBy(desc(socialStats.score), desc(socialStats.inviteeCustomers), socialStats.userId)
    .limit(limit)
}
