import { z } from 'zod'

/**
 * Referrals: every user and every shopping guide has an invite code. A new user who arrives through it
 * (login attribution `inviteCode`, or POST /api/v1/referrals/bind within the merchant's window) is bound
 * to that inviter once; rewards are paid when the invitee reaches the merchant's milestone.
 */
export const REFERRAL_MILESTONES = ['login', 'card_claimed', 'first_purchase'] as const
export const ReferralMilestone = z.enum(REFERRAL_MILESTONES)
export type ReferralMilestone = z.infer<typeof ReferralMilestone>

/** `clear` pays at the milestone; `held` waits for an admin (suspicious pattern); `approved` pays; `rejected` never pays. */
export const REFERRAL_REVIEWS = ['clear', 'held', 'approved', 'rejected'] as const
export type ReferralReview = (typeof REFERRAL_REVIEWS)[number]

/** Invite codes are 8 symbols of A-Z/2-9 (no I, O, 0, 1); case and spaces are forgiven. */
export const InviteCode = z
  .string()
  .trim()
  .transform((s) => s.toUpperCase())
  .pipe(z.string().regex(/^[A-HJ-NP-Z2-9]{8}$/, 'an 8-character invite code'))

/** The QR scene carrying an invite: `i=<code>` (WeChat allows 32 characters). */
export const INVITE_SCENE_PREFIX = 'i='
/** The mini-program page opened by invite links and QR codes. */
export const INVITE_PAGE = 'pages/index/index'

export const BindReferralInput = z.strictObject({ inviteCode: InviteCode })
export type BindReferralInput = z.infer<typeof BindReferralInput>

/** PUT /admin/v1/referrals/policy (GET adds updatedAt). */
export const ReferralPolicyInput = z.strictObject({
  active: z.boolean(),
  /** When the rewards are paid: the invitee logs in (at binding), claims the card, or buys for the first time. */
  milestone: ReferralMilestone,
  inviterPoints: z.number().int().min(0).max(100_000),
  inviteePoints: z.number().int().min(0).max(100_000),
  /** Invitees one (consumer) inviter may bind per business day. */
  dailyCap: z.number().int().min(1).max(10_000),
  /** An existing user may still be bound this long after their first visit (a new user always can). */
  bindWindowMinutes: z.number().int().min(0).max(30 * 24 * 60),
  /** More than `holdThreshold` invitees of one inviter sharing an IP or device within `holdWindowMinutes` are held for review. */
  holdThreshold: z.number().int().min(1).max(1000),
  holdWindowMinutes: z.number().int().min(1).max(7 * 24 * 60),
})
export type ReferralPolicyInput = z.infer<typeof ReferralPolicyInput>
export type ReferralPolicy = ReferralPolicyInput & { updatedAt: string | null }

export const DEFAULT_REFERRAL_POLICY: ReferralPolicyInput = {
  active: true,
  milestone: 'card_claimed',
  inviterPoints: 100,
  inviteePoints: 50,
  dailyCap: 20,
  bindWindowMinutes: 24 * 60,
  holdThreshold: 3,
  holdWindowMinutes: 60,
}

/** GET /api/v1/referrals/invite and GET /staff/v1/referrals/invite */
export type InviteView = {
  code: string
  kind: 'user' | 'guide'
  /** QR scene, `i=<code>`. */
  scene: string
  /** For onShareAppMessage: the page with the code as query. */
  path: string
  /** The WeChat mini-program code as a data URL; null when WeChat could not be reached (retry later). */
  qrCodeDataUrl: string | null
}

/** Outcome of a binding: at login (never fails the login) and from POST /api/v1/referrals/bind. */
export type ReferralBinding = { status: 'bound' | 'held'; referralId: string; replayed: boolean } | { status: 'rejected'; reason: string }

/** GET /api/v1/referrals: people I brought in. */
export type MyReferralItem = {
  nameMasked: string | null
  avatarUrl: string | null
  boundAt: string
  status: 'pending' | 'rewarded' | 'held' | 'rejected'
}
export type MyReferrals = { invited: number; rewarded: number; items: MyReferralItem[] }

export const ReferralReviewsQuery = z.strictObject({
  status: z.enum(['held', 'approved', 'rejected']).default('held'),
  limit: z.coerce.number().int().min(1).max(100).default(50),
})
export type ReferralReviewsQuery = z.infer<typeof ReferralReviewsQuery>

export const ReferralDecisionInput = z.strictObject({ decision: z.enum(['approve', 'reject']) })
export type ReferralDecisionInput = z.infer<typeof ReferralDecisionInput>

/** Admin view of one referral. */
export type ReferralView = {
  id: string
  inviterId: string
  inviteeId: string
  kind: 'user' | 'guide'
  guideStaffId: string | null
  milestone: ReferralMilestone
  inviterPoints: number
  inviteePoints: number
  review: ReferralReview
  reviewReason: string | null
  ip: string | null
  deviceId: string | null
  boundAt: string
  milestoneAt: string | null
  rewardedAt: string | null
  reviewedAt: string | null
}
