import { z } from 'zod'
import { FUNNEL_STAGES, type FunnelStage } from '../funnel'

export const LOTTERY_KINDS = ['wheel', 'grid', 'scratch'] as const
export const LotteryKind = z.enum(LOTTERY_KINDS)
export type LotteryKind = z.infer<typeof LotteryKind>

export const PRIZE_TYPES = ['none', 'points', 'coupon', 'physical', 'red_packet'] as const
export const PrizeType = z.enum(PRIZE_TYPES)
export type PrizeType = z.infer<typeof PrizeType>

/** Total weight stays far below crypto.randomInt's 2^48 range. */
export const MAX_PRIZE_WEIGHT = 1_000_000_000
export const MAX_PRIZES = 20

const prizeCommon = {
  name: z.string().trim().min(1).max(32),
  weight: z.number().int().min(0).max(MAX_PRIZE_WEIGHT),
  imageUrl: z.url().max(512).optional(),
}
/** Stock: how many can be won; absent = unlimited. */
const Stock = z.number().int().min(0).max(100_000_000).optional()

/**
 * A prize slot. The `none` outcome ("谢谢参与") has unlimited stock; when a prize is out of stock its
 * probability goes to `none`. A lottery without a `none` slot gets one of weight 0.
 */
export const PrizeInput = z.discriminatedUnion('type', [
  z.strictObject({ ...prizeCommon, type: z.literal('none') }),
  z.strictObject({ ...prizeCommon, type: z.literal('points'), stock: Stock, points: z.number().int().min(1).max(1_000_000) }),
  z.strictObject({ ...prizeCommon, type: z.literal('coupon'), stock: Stock, couponTemplateId: z.uuid() }),
  z.strictObject({ ...prizeCommon, type: z.literal('physical'), stock: Stock }),
  z.strictObject({ ...prizeCommon, type: z.literal('red_packet'), stock: Stock, amountFen: z.number().int().min(30).max(20_000) }),
])
export type PrizeInput = z.infer<typeof PrizeInput>

/**
 * Who may draw: every condition given must hold. minStage: funnel stage at least this; minTier:
 * membership tier level at least this (0 = the first tier); tags: carries any one of them.
 */
export const LotteryEligibility = z.strictObject({
  minStage: z.enum(FUNNEL_STAGES).optional(),
  minTier: z.number().int().min(0).max(20).optional(),
  tags: z.array(z.string().trim().min(1).max(32)).min(1).max(20).optional(),
})
export type LotteryEligibility = z.infer<typeof LotteryEligibility>

const lotteryFields = {
  name: z.string().trim().min(1).max(64),
  description: z.string().max(1000).optional(),
  kind: LotteryKind,
  startAt: z.iso.datetime({ offset: true }),
  endAt: z.iso.datetime({ offset: true }),
  enabled: z.boolean(),
  eligibility: LotteryEligibility,
  /** Points per draw beyond the free ones; null = draws cannot be bought with points. */
  costPoints: z.number().int().min(0).max(1_000_000).nullable(),
  freeDrawsPerDay: z.number().int().min(0).max(100),
  /** Per user; null = no limit. */
  limitPerDay: z.number().int().min(1).max(1000).nullable(),
  limitTotal: z.number().int().min(1).max(100_000).nullable(),
  prizes: z.array(PrizeInput).min(1).max(MAX_PRIZES),
}

function checkLottery(
  v: Partial<{ startAt: string; endAt: string; costPoints: number | null; freeDrawsPerDay: number; prizes: PrizeInput[] }>,
  ctx: z.RefinementCtx,
) {
  if (v.startAt && v.endAt && !(Date.parse(v.startAt) < Date.parse(v.endAt)))
    ctx.addIssue({ code: 'custom', path: ['endAt'], message: '`endAt` must be after `startAt`' })
  if (v.costPoints === null && v.freeDrawsPerDay === 0)
    ctx.addIssue({ code: 'custom', path: ['freeDrawsPerDay'], message: 'with no points price there must be free draws' })
  if (v.prizes) {
    if (v.prizes.filter((p) => p.type === 'none').length > 1) ctx.addIssue({ code: 'custom', path: ['prizes'], message: 'at most one "none" outcome' })
    if (v.prizes.reduce((s, p) => s + p.weight, 0) <= 0) ctx.addIssue({ code: 'custom', path: ['prizes'], message: 'the weights must not all be 0' })
  }
}

/** POST /admin/v1/lotteries */
export const CreateLotteryInput = z
  .strictObject({
    ...lotteryFields,
    enabled: lotteryFields.enabled.default(false),
    eligibility: lotteryFields.eligibility.default({}),
    costPoints: lotteryFields.costPoints.default(null),
    freeDrawsPerDay: lotteryFields.freeDrawsPerDay.default(0),
    limitPerDay: lotteryFields.limitPerDay.default(null),
    limitTotal: lotteryFields.limitTotal.default(null),
  })
  .superRefine(checkLottery)
export type CreateLotteryInput = z.infer<typeof CreateLotteryInput>

/** PATCH /admin/v1/lotteries/:id — `prizes` (a full replacement) only before the first draw. */
export const UpdateLotteryInput = z
  .strictObject({
    name: lotteryFields.name.optional(),
    description: z.string().max(1000).nullable().optional(),
    kind: lotteryFields.kind.optional(),
    startAt: lotteryFields.startAt.optional(),
    endAt: lotteryFields.endAt.optional(),
    enabled: lotteryFields.enabled.optional(),
    eligibility: lotteryFields.eligibility.optional(),
    costPoints: lotteryFields.costPoints.optional(),
    freeDrawsPerDay: lotteryFields.freeDrawsPerDay.optional(),
    limitPerDay: lotteryFields.limitPerDay.optional(),
    limitTotal: lotteryFields.limitTotal.optional(),
    prizes: lotteryFields.prizes.optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'nothing to update')
  .superRefine(checkLottery)
export type UpdateLotteryInput = z.infer<typeof UpdateLotteryInput>

/** PATCH /admin/v1/lotteries/:id/prizes/:prizeId — weights change the published odds from the next draw on. */
export const UpdatePrizeInput = z
  .strictObject({
    name: z.string().trim().min(1).max(32).optional(),
    weight: z.number().int().min(0).max(MAX_PRIZE_WEIGHT).optional(),
    /** Adds to a limited stock (race-free with concurrent draws). */
    addStock: z.number().int().min(1).max(100_000_000).optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'nothing to update')
export type UpdatePrizeInput = z.infer<typeof UpdatePrizeInput>

/** Chosen by the client per tap: a retried request with the same key returns the same draw. */
export const DrawIdempotencyKey = z.string().regex(/^[A-Za-z0-9._:@\-]{8,64}$/, 'letters, digits and . _ : @ - (8-64 chars)')

export const DrawInput = z.strictObject({ idempotencyKey: DrawIdempotencyKey })
export type DrawInput = z.infer<typeof DrawInput>

export const RedeemPrizeInput = z.strictObject({
  code: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z0-9]{6,32}$/, 'a prize code'),
})
export type RedeemPrizeInput = z.infer<typeof RedeemPrizeInput>

/** A prize with its published odds: `probability` is the current chance (0 when out of stock). */
export type PublishedPrize = {
  id: string
  position: number
  name: string
  type: PrizeType
  imageUrl: string | null
  weight: number
  /** Current chance of winning it per draw, 0..1 (out-of-stock prizes: 0, their share goes to "none"). */
  probability: number
  /** e.g. "1.00%" */
  probabilityText: string
  /** Remaining stock; null = unlimited. */
  stock: number | null
  points: number | null
  amountFen: number | null
  couponTemplateId: string | null
}

export type LotteryAdminView = {
  id: string
  name: string
  description: string | null
  kind: LotteryKind
  startAt: string
  endAt: string
  enabled: boolean
  eligibility: { minStage?: FunnelStage; minTier?: number; tags?: string[] }
  costPoints: number | null
  freeDrawsPerDay: number
  limitPerDay: number | null
  limitTotal: number | null
  prizes: (PublishedPrize & { won: number })[]
  drawCount: number
  createdAt: string
  updatedAt: string
}

export type MyDrawsView = {
  /** Draws made today (merchant business day) and in total. */
  today: number
  total: number
  /** Draws still allowed by the limits; null = unlimited. */
  remainingToday: number | null
  remainingTotal: number | null
  freeRemainingToday: number
  eligible: boolean
}

/** GET /api/v1/lotteries/:id */
export type LotteryPublicView = Omit<LotteryAdminView, 'prizes' | 'drawCount' | 'eligibility' | 'createdAt' | 'updatedAt'> & {
  prizes: PublishedPrize[]
  active: boolean
  /** The odds as a sentence, for the page footer (published odds). */
  oddsText: string
  me: MyDrawsView
}

export type DrawOutcome = 'prize' | 'none'

/** POST /api/v1/lotteries/:id/draws (201 new, 200 replay of the same idempotency key). */
export type DrawResult = {
  drawId: string
  lotteryId: string
  outcome: DrawOutcome
  /** Why no prize: the "none" slot was drawn, or the drawn prize had just run out. */
  reason: 'won' | 'no_prize' | 'out_of_stock'
  /** The slot the pointer stops at (the "none" slot when the drawn prize ran out). */
  prize: {
    id: string
    position: number
    name: string
    type: PrizeType
    points: number | null
    couponCode: string | null
    /** Shown to staff to collect a physical prize. */
    redeemCode: string | null
  }
  free: boolean
  costPoints: number
  replayed: boolean
  createdAt: string
}

export type MyDrawView = DrawResult & { collectedAt: string | null }
