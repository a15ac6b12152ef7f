import { and, desc, eq, isNull, sql } from 'drizzle-orm'
import type { DbOrTx } from '../../db/client'
import { referralCodes, referralPolicies, referrals } from './referrals.schema'

export type PolicyRow = typeof referralPolicies.$inferSelect
export type CodeRow = typeof referralCodes.$inferSelect
export type ReferralRow = typeof referrals.$inferSelect

// ---- policy -----------------------------------------------------------------------------------

export async function findPolicy(db: DbOrTx, merchantId: string): Promise<PolicyRow | null> {
  const [p] = await db.select().from(referralPolicies).where(eq(referralPolicies.merchantId, merchantId))
  return p ?? null
}

export async function upsertPolicy(db: DbOrTx, v: PolicyRow): Promise<PolicyRow> {
  const { merchantId, ...rest } = v
  const [p] = await db.insert(referralPolicies).values(v).onConflictDoUpdate({ target: referralPolicies.merchantId, set: rest }).returning()
  return p!
}

// ---- codes ------------------------------------------------------------------------------------

export async function findCodeByOwner(db: DbOrTx, merchantId: string, ownerUserId: string, kind: 'user' | 'guide'): Promise<CodeRow | null> {
  const [c] = await db
    .select()
    .from(referralCodes)
    .where(and(eq(referralCodes.merchantId, merchantId), eq(referralCodes.ownerUserId, ownerUserId), eq(referralCodes.kind, kind)))
  return c ?? null
}

export async function findCode(db: DbOrTx, merchantId: string, code: string): Promise<CodeRow | null> {
  const [c] = await db.select().from(referralCodes).where(and(eq(referralCodes.merchantId, merchantId), eq(referralCodes.code, code)))
  return c ?? null
}

/** Inserts unless the owner already has a code of this kind (then null); a code collision throws (23505 on the code index). */
export async function insertCode(db: DbOrTx, v: typeof referralCodes.$inferInsert): Promise<CodeRow | null> {
  const [c] = await db
    .insert(referralCodes)
    .values(v)
    .onConflictDoNothing({ target: [referralCodes.merchantId, referralCodes.ownerUserId, referralCodes.kind] })
    .returning()
  return c ?? null
}

export async function saveQr(db: DbOrTx, id: string, image: Buffer, contentType: string) {
  await db.update(referralCodes).set({ qrImage: image, qrContentType: contentType }).where(eq(referralCodes.id, id))
}

// ---- daily cap --------------------------------------------------------------------------------

/**
 * Takes one of the inviter's invitations of `day` if fewer than `cap` were taken; false at the cap.
 * The row lock also serialises concurrent bindings of one inviter (the suspicious-pattern count relies on it).
 */
export async function takeDailySlot(db: DbOrTx, merchantId: string, inviterId: string, day: string, cap: number): Promise<boolean> {
  const r = await db.execute(sql`
    INSERT INTO referral_daily_counts AS c (merchant_id, inviter_id, day, count) VALUES (${merchantId}, ${inviterId}, ${day}, 1)
    ON CONFLICT (merchant_id, inviter_id, day) DO UPDATE SET count = c.count + 1 WHERE c.count < ${cap}
    RETURNING c.count`)
  return r.rows.length > 0
}

// ---- referrals --------------------------------------------------------------------------------

export async function findByInvitee(db: DbOrTx, merchantId: string, inviteeId: string): Promise<ReferralRow | null> {
  const [r] = await db.select().from(referrals).where(and(eq(referrals.merchantId, merchantId), eq(referrals.inviteeId, inviteeId)))
  return r ?? null
}

export async function findById(db: DbOrTx, merchantId: string, id: string): Promise<ReferralRow | null> {
  const [r] = await db.select().from(referrals).where(and(eq(referrals.merchantId, merchantId), eq(referrals.id, id)))
  return r ?? null
}

/** Null when the invitee already has an inviter (a concurrent binding won). */
export async function insertReferral(db: DbOrTx, v: typeof referrals.$inferInsert): Promise<ReferralRow | null> {
  const [r] = await db
    .insert(referrals)
    .values(v)
    .onConflictDoNothing({ target: [referrals.merchantId, referrals.inviteeId] })
    .returning()
  return r ?? null
}

/** The inviter's consumer invitees bound in [since, ∞) from this IP or device (the new one not yet inserted). */
export async function countSameSource(db: DbOrTx, merchantId: string, inviterId: string, since: Date, ip: string | null, deviceId: string | null) {
  if (!ip && !deviceId) return 0
  const r = await db.execute<{ n: number }>(sql`
    SELECT count(*)::int AS n FROM referrals
    WHERE merchant_id = ${merchantId} AND inviter_id = ${inviterId} AND kind = 'user' AND review <> 'rejected'
      AND bound_at >= ${since.toISOString()}::timestamptz
      AND (${ip !== null ? sql`ip = ${ip}` : sql`false`} OR ${deviceId !== null ? sql`device_id = ${deviceId}` : sql`false`})`)
  return r.rows[0]?.n ?? 0
}

/** Holds the not-yet-paid, unreviewed referrals of that cluster (the pattern taints them all). */
export async function holdSameSource(db: DbOrTx, merchantId: string, inviterId: string, since: Date, ip: string | null, deviceId: string | null, reason: string) {
  await db.execute(sql`
    UPDATE referrals SET review = 'held', review_reason = ${reason}
    WHERE merchant_id = ${merchantId} AND inviter_id = ${inviterId} AND kind = 'user' AND review = 'clear' AND rewarded_at IS NULL
      AND bound_at >= ${since.toISOString()}::timestamptz
      AND (${ip !== null ? sql`ip = ${ip}` : sql`false`} OR ${deviceId !== null ? sql`device_id = ${deviceId}` : sql`false`})`)
}

/** Marks the invitee's milestone as reached (first time only); returns the row if it matches the referral's milestone. */
export async function markMilestone(db: DbOrTx, merchantId: string, inviteeId: string, milestone: string, now: Date): Promise<ReferralRow | null> {
  const [r] = await db
    .update(referrals)
    .set({ milestoneAt: sql`coalesce(${referrals.milestoneAt}, ${now.toISOString()}::timestamptz)` })
    .where(and(eq(referrals.merchantId, merchantId), eq(referrals.inviteeId, inviteeId), eq(referrals.milestone, milestone)))
    .returning()
  return r ?? null
}

/** Sets customer_at once; returns the row only the first time. */
export async function markCustomer(db: DbOrTx, merchantId: string, inviteeId: string, now: Date): Promise<ReferralRow | null> {
  const [r] = await db
    .update(referrals)
    .set({ customerAt: now })
    .where(and(eq(referrals.merchantId, merchantId), eq(referrals.inviteeId, inviteeId), isNull(referrals.customerAt)))
    .returning()
  return r ?? null
}

/** The one conditional update that decides a payout: only one caller ever gets the row back. */
export async function claimPayout(db: DbOrTx, merchantId: string, id: string, now: Date): Promise<ReferralRow | null> {
  const r = await db.execute<{ id: string }>(sql`
    UPDATE referrals SET rewarded_at = ${now.toISOString()}::timestamptz
    WHERE merchant_id = ${merchantId} AND id = ${id} AND rewarded_at IS NULL AND milestone_at IS NOT NULL AND review IN ('clear', 'approved')
    RETURNING id`)
  return r.rows[0] ? findById(db, merchantId, id) : null
}

/** Moves review `from` -> `to`; null when the row is not in `from` (someone decided first). */
export async function setReview(db: DbOrTx, merchantId: string, id: string, from: readonly string[], to: string, reason: string | null, now: Date) {
  const r = await db.execute<{ id: string }>(sql`
    UPDATE referrals SET review = ${to}, review_reason = coalesce(${reason}, review_reason), reviewed_at = ${now.toISOString()}::timestamptz
    WHERE merchant_id = ${merchantId} AND id = ${id} AND rewarded_at IS NULL
      AND review IN (${sql.join(from.map((f) => sql`${f}`), sql`, `)})
    RETURNING id`)
  return r.rows[0] ? findById(db, merchantId, id) : null
}

export async function listByReview(db: DbOrTx, merchantId: string, review: string, limit: number): Promise<ReferralRow[]> {
  return db
    .select()
    .from(referrals)
    .where(and(eq(referrals.merchantId, merchantId), eq(referrals.review, review)))
    .orderBy(desc(referrals.boundAt), desc(referrals.id))
    .limit(limit)
}

export async function listByInviter(db: DbOrTx, merchantId: string, inviterId: string, limit: number): Promise<ReferralRow[]> {
  return db
    .select()
    .from(referrals)
    .where(and(eq(referrals.merchantId, merchantId), eq(referrals.inviterId, inviterId)))
    .orderBy(desc(referrals.boundAt), desc(referrals.id))
    .limit(limit)
}

export async function inviterCounts(db: DbOrTx, merchantId: string, inviterId: string) {
  const r = await db.execute<{ invited: number; rewarded: number }>(sql`
    SELECT count(*) FILTER (WHERE review <> 'rejected')::int AS invited, count(rewarded_at)::int AS rewarded
    FROM referrals WHERE merchant_id = ${merchantId} AND inviter_id = ${inviterId}`)
  return r.rows[0] ?? { invited: 0, rewarded: 0 }
}

/** Invitees bound in [from, to) and not held or rejected (task progress). */
export async function countCountedInvitees(db: DbOrTx, merchantId: string, inviterId: string, from: Date, to: Date): Promise<number> {
  const r = await db.execute<{ n: number }>(sql`
    SELECT count(*)::int AS n FROM referrals
    WHERE merchant_id = ${merchantId} AND inviter_id = ${inviterId} AND review IN ('clear', 'approved')
      AND bound_at >= ${from.toISOString()}::timestamptz AND bound_at < ${to.toISOString()}::timestamptz`)
  return r.rows[0]?.n ?? 0
}

export async function findReciprocal(db: DbOrTx, merchantId: string, inviterId: string, inviteeId: string): Promise<boolean> {
  const [r] = await db
    .select({ id: referrals.id })
    .from(referrals)
    .where(and(eq(referrals.merchantId, merchantId), eq(referrals.inviterId, inviteeId), eq(referrals.inviteeId, inviterId)))
  return !!r
}
