import { and, asc, eq, gt, inArray, isNotNull, lte, sql } from 'drizzle-orm'
import type { DbOrTx } from '../../db/client'
import { growthEntries, membershipPolicies, memberships, membershipTiers, tierChanges } from './membership.schema'

export type PolicyRow = typeof membershipPolicies.$inferSelect
export type TierRow = typeof membershipTiers.$inferSelect
export type MembershipRow = typeof memberships.$inferSelect

// ---- policy and tiers -------------------------------------------------------------------------

export async function findPolicy(db: DbOrTx, merchantId: string): Promise<PolicyRow | null> {
  const [p] = await db.select().from(membershipPolicies).where(eq(membershipPolicies.merchantId, merchantId))
  return p ?? null
}

/** Inserts the policy unless present; true when this call inserted it (then the caller seeds the tiers). */
export async function insertPolicyIfMissing(db: DbOrTx, v: typeof membershipPolicies.$inferInsert): Promise<boolean> {
  const rows = await db.insert(membershipPolicies).values(v).onConflictDoNothing({ target: membershipPolicies.merchantId }).returning({ m: membershipPolicies.merchantId })
  return rows.length > 0
}

export async function updatePolicy(db: DbOrTx, merchantId: string, v: { phoneRequired: boolean; pointsPerYuan: number; growthPerYuan: number; updatedAt: Date }) {
  const [p] = await db.update(membershipPolicies).set(v).where(eq(membershipPolicies.merchantId, merchantId)).returning()
  return p ?? null
}

export async function listTiers(db: DbOrTx, merchantId: string): Promise<TierRow[]> {
  return db.select().from(membershipTiers).where(eq(membershipTiers.merchantId, merchantId)).orderBy(asc(membershipTiers.level))
}

export async function replaceTiers(db: DbOrTx, merchantId: string, tiers: Omit<TierRow, 'merchantId'>[]) {
  await db.delete(membershipTiers).where(eq(membershipTiers.merchantId, merchantId))
  await db.insert(membershipTiers).values(tiers.map((t) => ({ ...t, merchantId })))
}

// ---- memberships ------------------------------------------------------------------------------

export async function findMembership(db: DbOrTx, merchantId: string, userId: string): Promise<MembershipRow | null> {
  const [m] = await db.select().from(memberships).where(and(eq(memberships.merchantId, merchantId), eq(memberships.userId, userId)))
  return m ?? null
}

export async function findByCardNo(db: DbOrTx, merchantId: string, cardNo: string): Promise<MembershipRow | null> {
  const [m] = await db.select().from(memberships).where(and(eq(memberships.merchantId, merchantId), eq(memberships.cardNo, cardNo)))
  return m ?? null
}

export async function membershipsOf(db: DbOrTx, merchantId: string, userIds: string[]): Promise<MembershipRow[]> {
  if (userIds.length === 0) return []
  return db.select().from(memberships).where(and(eq(memberships.merchantId, merchantId), inArray(memberships.userId, userIds)))
}

/** Creates the (cardless) membership row if missing; concurrent creators wait on each other, none fails. */
export async function ensureMembership(db: DbOrTx, merchantId: string, userId: string, now: Date) {
  await db
    .insert(memberships)
    .values({ merchantId, userId, tierReachedAt: now, createdAt: now, updatedAt: now })
    .onConflictDoNothing({ target: [memberships.merchantId, memberships.userId] })
}

/** Gives the row its card number unless it has one (the row lock makes a concurrent second claim a no-op). */
export async function claimCard(db: DbOrTx, merchantId: string, userId: string, cardNo: string, now: Date): Promise<MembershipRow | null> {
  const [m] = await db
    .update(memberships)
    .set({ cardNo, claimedAt: now, updatedAt: now })
    .where(and(eq(memberships.merchantId, merchantId), eq(memberships.userId, userId), sql`${memberships.cardNo} is null`))
    .returning()
  return m ?? null
}

export async function lockMembershipById(db: DbOrTx, id: string): Promise<MembershipRow | null> {
  const [m] = await db.select().from(memberships).where(eq(memberships.id, id)).for('update')
  return m ?? null
}

export async function setTier(db: DbOrTx, id: string, level: number, now: Date) {
  await db.update(memberships).set({ tierLevel: level, tierReachedAt: now, updatedAt: now }).where(eq(memberships.id, id))
}

/** Growth credited in (since, until]. */
export async function growthBetween(db: DbOrTx, merchantId: string, userId: string, since: Date, until: Date): Promise<number> {
  const [r] = await db
    .select({ total: sql<number>`coalesce(sum(${growthEntries.amount}), 0)::int8` })
    .from(growthEntries)
    .where(and(eq(growthEntries.merchantId, merchantId), eq(growthEntries.userId, userId), gt(growthEntries.at, since), lte(growthEntries.at, until)))
  return Number(r?.total ?? 0)
}

export async function insertTierChange(db: DbOrTx, v: typeof tierChanges.$inferInsert) {
  await db.insert(tierChanges).values(v)
}

/** Members above the first tier whose tier was reached at or before `reachedBefore` (any merchant), keyset by id. */
export async function tierReviewCandidates(db: DbOrTx, reachedBefore: Date, afterId: string | null, limit: number) {
  return db
    .select({ id: memberships.id })
    .from(memberships)
    .where(
      and(
        gt(memberships.tierLevel, 0),
        lte(memberships.tierReachedAt, reachedBefore),
        afterId ? gt(memberships.id, afterId) : undefined,
      ),
    )
    .orderBy(asc(memberships.id))
    .limit(limit)
}

/** How many of `userIds` claimed their card in [from, to). */
export async function countClaimedAmong(db: DbOrTx, merchantId: string, userIds: string[], from: Date, to: Date): Promise<number> {
  if (userIds.length === 0) return 0
  const [r] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(memberships)
    .where(
      and(
        eq(memberships.merchantId, merchantId),
        inArray(memberships.userId, userIds),
        isNotNull(memberships.claimedAt),
        sql`${memberships.claimedAt} >= ${from.toISOString()}::timestamptz`,
        sql`${memberships.claimedAt} < ${to.toISOString()}::timestamptz`,
      ),
    )
  return r?.n ?? 0
}
