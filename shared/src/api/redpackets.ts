import { z } from 'zod'
import { FUNNEL_STAGES } from '../funnel'

/**
 * Group (fission) red packets. A merchant campaign funds a pool (`budgetFen`); an eligible user
 * opens a share packet of `packetTotalFen` pre-split into `slicesPerPacket` slices (double-mean,
 * integer fen, each >= `floorFen`); friends grab one slice each; unclaimed slices return to the
 * pool when the packet expires. Winnings go to the cash wallet.
 */

export const MAX_SLICES_PER_PACKET = 1000
export const MAX_PACKET_TOTAL_FEN = 100_000_000
export const MAX_CAMPAIGN_BUDGET_FEN = 10_000_000_000
export const DEFAULT_PACKET_TTL_MINUTES = 24 * 60

export const RedpacketEligibility = z.strictObject({
  /** Funnel stage the opener must have reached (default: anyone logged in). */
  minStage: z.enum(FUNNEL_STAGES).optional(),
  /** Share packets one user may open in this campaign. */
  maxPacketsPerUser: z.number().int().min(1).max(1000).default(1),
})
export type RedpacketEligibility = z.infer<typeof RedpacketEligibility>

/** POST /admin/v1/redpacket-campaigns */
export const CreateRedpacketCampaignInput = z
  .strictObject({
    name: z.string().trim().min(1).max(64),
    budgetFen: z.number().int().min(1).max(MAX_CAMPAIGN_BUDGET_FEN),
    packetTotalFen: z.number().int().min(1).max(MAX_PACKET_TOTAL_FEN),
    slicesPerPacket: z.number().int().min(1).max(MAX_SLICES_PER_PACKET),
    /** Smallest slice, in fen. */
    floorFen: z.number().int().min(1).max(MAX_PACKET_TOTAL_FEN).default(1),
    /** Whether the sharer may grab a slice of their own packet. */
    sharerCanGrab: z.boolean().default(false),
    /** Whether this budget also pays lottery cash (red-packet) prizes. */
    fundsLotteryPrizes: z.boolean().default(false),
    eligibility: RedpacketEligibility.default({ maxPacketsPerUser: 1 }),
    /** Default: now. */
    startsAt: z.iso.datetime({ offset: true }).optional(),
    endsAt: z.iso.datetime({ offset: true }),
    /** A packet's unclaimed slices return to the pool this long after it was opened. */
    packetTtlMinutes: z
      .number()
      .int()
      .min(5)
      .max(7 * 24 * 60)
      .default(DEFAULT_PACKET_TTL_MINUTES),
  })
  .superRefine((v, ctx) => {
    if (v.packetTotalFen < v.slicesPerPacket * v.floorFen) {
      ctx.addIssue({ code: 'custom', path: ['packetTotalFen'], message: 'must be at least slicesPerPacket × floorFen' })
    }
    if (v.budgetFen < v.packetTotalFen) ctx.addIssue({ code: 'custom', path: ['budgetFen'], message: 'must cover at least one packet' })
    if (v.startsAt && Date.parse(v.endsAt) <= Date.parse(v.startsAt)) ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'must be after startsAt' })
  })
export type CreateRedpacketCampaignInput = z.infer<typeof CreateRedpacketCampaignInput>

export const REDPACKET_CAMPAIGN_STATUSES = ['active', 'ended'] as const
export type RedpacketCampaignStatus = (typeof REDPACKET_CAMPAIGN_STATUSES)[number]

/**
 * Money of a campaign. grantedFen: committed now (packets' slices not returned + cash prizes);
 * returnedFen: what expired packets gave back. grantedFen <= budgetFen always;
 * funded (sum of packet totals + cash prizes) = claimed + unclaimed + returned.
 */
export const RedpacketCampaignStats = z.strictObject({
  packets: z.number().int(),
  fundedFen: z.number().int(),
  claimedFen: z.number().int(),
  unclaimedFen: z.number().int(),
  returnedFen: z.number().int(),
  prizeGrantsFen: z.number().int(),
})
export type RedpacketCampaignStats = z.infer<typeof RedpacketCampaignStats>

export const RedpacketCampaign = z.strictObject({
  id: z.uuid(),
  name: z.string(),
  status: z.enum(REDPACKET_CAMPAIGN_STATUSES),
  budgetFen: z.number().int(),
  grantedFen: z.number().int(),
  returnedFen: z.number().int(),
  /** budgetFen - grantedFen: what new packets and prizes may still take. */
  availableFen: z.number().int(),
  packetTotalFen: z.number().int(),
  slicesPerPacket: z.number().int(),
  floorFen: z.number().int(),
  sharerCanGrab: z.boolean(),
  fundsLotteryPrizes: z.boolean(),
  eligibility: z.strictObject({ minStage: z.enum(FUNNEL_STAGES).nullable(), maxPacketsPerUser: z.number().int() }),
  startsAt: z.iso.datetime(),
  endsAt: z.iso.datetime(),
  packetTtlMinutes: z.number().int(),
  createdAt: z.iso.datetime(),
  /** GET one only. */
  stats: RedpacketCampaignStats.optional(),
})
export type RedpacketCampaign = z.infer<typeof RedpacketCampaign>

/** POST /api/v1/redpackets */
export const OpenRedpacketInput = z.strictObject({ campaignId: z.uuid() })
export type OpenRedpacketInput = z.infer<typeof OpenRedpacketInput>

export const REDPACKET_STATUSES = ['active', 'empty', 'expired'] as const
export type RedpacketStatus = (typeof REDPACKET_STATUSES)[number]

export const RedpacketGrab = z.strictObject({
  /** Masked nickname (张*丰), or null when the grabber set none. */
  name: z.string().nullable(),
  avatarUrl: z.string().nullable(),
  amountFen: z.number().int(),
  grabbedAt: z.iso.datetime(),
  /** The largest slice of an emptied packet (手气最佳). */
  best: z.boolean(),
})
export type RedpacketGrab = z.infer<typeof RedpacketGrab>

/** GET /api/v1/redpackets/:id (also the answer of POST /api/v1/redpackets). */
export const Redpacket = z.strictObject({
  id: z.uuid(),
  campaignId: z.uuid(),
  campaignName: z.string(),
  sharer: z.strictObject({ name: z.string().nullable(), avatarUrl: z.string().nullable() }),
  isSharer: z.boolean(),
  totalFen: z.number().int(),
  sliceCount: z.number().int(),
  claimedCount: z.number().int(),
  claimedFen: z.number().int(),
  status: z.enum(REDPACKET_STATUSES),
  expiresAt: z.iso.datetime(),
  createdAt: z.iso.datetime(),
  myGrab: z.strictObject({ amountFen: z.number().int(), grabbedAt: z.iso.datetime() }).nullable(),
  canGrab: z.boolean(),
  /** Most recent first, at most 50. */
  grabs: z.array(RedpacketGrab),
})
export type Redpacket = z.infer<typeof Redpacket>

/** POST /api/v1/redpackets/:id/grabs → 201 */
export const RedpacketGrabResult = z.strictObject({
  packetId: z.uuid(),
  amountFen: z.number().int(),
  walletBalanceFen: z.number().int(),
  grabbedAt: z.iso.datetime(),
})
export type RedpacketGrabResult = z.infer<typeof RedpacketGrabResult>
