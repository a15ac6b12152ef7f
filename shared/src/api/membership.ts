import { z } from 'zod'

/** PUT /admin/v1/membership/policy body (GET adds updatedAt). Earn rule of purchases: integers only. */
export const MembershipPolicyInput = z.strictObject({
  /** Claiming the card needs a bound phone number. */
  phoneRequired: z.boolean(),
  /** Points per whole yuan of a purchase (floor), before the tier multiplier. */
  pointsPerYuan: z.number().int().min(0).max(1000),
  /** Growth value per whole yuan of a purchase (floor). */
  growthPerYuan: z.number().int().min(0).max(1000),
})
export type MembershipPolicyInput = z.infer<typeof MembershipPolicyInput>
export type MembershipPolicy = MembershipPolicyInput & { updatedAt: string | null }

export const DEFAULT_MEMBERSHIP_POLICY: MembershipPolicyInput = { phoneRequired: false, pointsPerYuan: 1, growthPerYuan: 1 }

export const MAX_TIERS = 10

/**
 * One tier. multiplierPermille: points multiplier in per-mille (1000 = ×1.0, 1500 = ×1.5);
 * checkinBonus: extra points per check-in. A tier is identified by its position (level 0 = first).
 */
export const TierInput = z.strictObject({
  name: z.string().trim().min(1).max(32),
  threshold: z.number().int().min(0).max(100_000_000),
  multiplierPermille: z.number().int().min(100).max(10_000),
  checkinBonus: z.number().int().min(0).max(100_000),
})
export type TierInput = z.infer<typeof TierInput>

/** PUT /admin/v1/tiers: the whole list, first threshold 0, thresholds strictly ascending. */
export const TiersInput = z
  .strictObject({ tiers: z.array(TierInput).min(1).max(MAX_TIERS) })
  .superRefine((v, ctx) => {
    if (v.tiers[0] && v.tiers[0].threshold !== 0) ctx.addIssue({ code: 'custom', path: ['tiers', 0, 'threshold'], message: 'the first tier starts at 0' })
    for (let i = 1; i < v.tiers.length; i++) {
      if (v.tiers[i]!.threshold <= v.tiers[i - 1]!.threshold)
        ctx.addIssue({ code: 'custom', path: ['tiers', i, 'threshold'], message: 'thresholds must be strictly ascending' })
    }
  })
export type TiersInput = z.infer<typeof TiersInput>

export type Tier = TierInput & { level: number }

export const DEFAULT_TIERS: TierInput[] = [
  { name: '普通会员', threshold: 0, multiplierPermille: 1000, checkinBonus: 0 },
  { name: '银卡会员', threshold: 500, multiplierPermille: 1200, checkinBonus: 2 },
  { name: '金卡会员', threshold: 2000, multiplierPermille: 1500, checkinBonus: 5 },
]

/** GET /api/v1/membership */
export type MembershipView = {
  /** null until the card is claimed (growth and tier still accrue before). */
  card: { cardNo: string; claimedAt: string } | null
  tier: Tier
  growth: {
    /** Growth ever earned. */
    total: number
    /** Growth of the last 12 months: what tiers are graded on. */
    qualifying: number
  }
  nextTier: (Tier & { growthNeeded: number }) | null
  benefits: { pointsMultiplierPermille: number; checkinBonus: number }
  /** Tier kept at least until then (12 months after it was reached); null for the first tier. */
  tierKeptUntil: string | null
  points: { balance: number }
}

/** GET /api/v1/membership/code: a 20-digit code (card number + HMAC of the 60 s window), for QR and barcode. */
export type MemberCode = { code: string; expiresAt: string; refreshInSeconds: number }
