import { z } from 'zod'
import { FUNNEL_STAGES } from '../funnel'

/** The code a member shows (GET /api/v1/membership/code): 20 digits; spaces/dashes from a scanner are tolerated. */
export const MemberCodeInput = z
  .string()
  .trim()
  .transform((s) => s.replace(/[\s-]/g, ''))
  .pipe(z.string().regex(/^\d{20}$/, 'a 20-digit member code'))

export const StaffScanInput = z.strictObject({ memberCode: MemberCodeInput })
export type StaffScanInput = z.infer<typeof StaffScanInput>

/** POST /staff/v1/purchases — an offline purchase; idempotent on receiptNo (per merchant). */
export const StaffPurchaseInput = z.strictObject({
  memberCode: MemberCodeInput,
  amountFen: z.number().int().min(1).max(100_000_000),
  receiptNo: z.string().trim().regex(/^[A-Za-z0-9._:\/\-]{1,64}$/, 'letters, digits and . _ : / - (1-64 chars)'),
  storeId: z.uuid(),
})
export type StaffPurchaseInput = z.infer<typeof StaffPurchaseInput>

/** POST /staff/v1/points/redeem — spend at the counter; idempotent on idempotencyKey (per merchant). */
export const StaffRedeemInput = z.strictObject({
  memberCode: MemberCodeInput,
  points: z.number().int().min(1).max(100_000_000),
  reason: z.string().trim().min(1).max(200),
  idempotencyKey: z.string().regex(/^[A-Za-z0-9._:@\-]{1,100}$/, 'letters, digits and . _ : @ - (1-100 chars)'),
})
export type StaffRedeemInput = z.infer<typeof StaffRedeemInput>

export const StaffStatsQuery = z.strictObject({ period: z.enum(['today', 'week']).default('today') })
export type StaffStatsQuery = z.infer<typeof StaffStatsQuery>

export type StaffTierRef = { level: number; name: string }

/** POST /staff/v1/scan */
export type StaffMemberSummary = {
  userId: string
  cardNo: string
  nameMasked: string | null
  phoneMasked: string | null
  stage: (typeof FUNNEL_STAGES)[number]
  tier: StaffTierRef & { multiplierPermille: number }
  growth: number
  points: { balance: number }
  guide: { staffId: string; isMe: boolean } | null
}

/** POST /staff/v1/purchases (201 first time, 200 on a replay). */
export type StaffPurchaseResult = {
  purchaseId: string
  userId: string
  receiptNo: string
  amountFen: number
  points: number
  growth: number
  balance: number
  tier: StaffTierRef
  upgraded: boolean
  replayed: boolean
  createdAt: string
}

/** POST /staff/v1/points/redeem (201 first time, 200 on a replay). */
export type StaffRedeemResult = { redemptionId: string; userId: string; points: number; balance: number; replayed: boolean }

/** GET /staff/v1/customers item: a customer whose guide is the caller. */
export type StaffCustomer = {
  userId: string
  nameMasked: string | null
  phoneMasked: string | null
  stage: (typeof FUNNEL_STAGES)[number]
  tier: StaffTierRef
  isMember: boolean
  /** Last in-store purchase (any staff), or null. */
  lastVisitAt: string | null
  /** Last time the customer opened the mini-program. */
  lastSeenAt: string
}

/** GET /staff/v1/stats */
export type StaffStats = {
  period: 'today' | 'week'
  from: string
  to: string
  /** My customers (guide = me) who claimed the membership card in the period. */
  newMembers: number
  purchases: { count: number; amountFen: number }
  pointsAwarded: number
  redemptions: { count: number; points: number }
}
