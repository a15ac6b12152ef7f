import { z } from 'zod'

/**
 * Social value beside wallet value (SEEDS §3). score = reach·1 + invitees·5 + inviteeCustomers·20 + content·10.
 * reach: distinct people who opened the user's shares; invitees: people bound to them as inviter
 * (rejected referrals excluded); inviteeCustomers: those invitees who later bought; content: UGC (reserved).
 */
export const SOCIAL_SCORE_WEIGHTS = { reach: 1, invitees: 5, inviteeCustomers: 20, content: 10 } as const

export type SocialValue = {
  reach: number
  shares: number
  invitees: number
  inviteeCustomers: number
  content: number
  score: number
}

/** Wallet value. recency: whole days since the last purchase; null fields: no purchase data (see docs). */
export type Rfm = {
  recencyDays: number | null
  frequency: number
  monetaryFen: number
  lastPurchaseAt: string | null
}

export const SocialLeaderboardQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(100).default(20) })
export type SocialLeaderboardQuery = z.infer<typeof SocialLeaderboardQuery>

export type SocialLeaderboardItem = SocialValue & {
  rank: number
  userId: string
  nickname: string | null
  avatarUrl: string | null
  stage: string
}
