import { z } from 'zod'
import { FUNNEL_STAGES } from '../funnel'

export const COUPON_KINDS = ['amount_off', 'percent_off', 'free_item'] as const
export const CouponKind = z.enum(COUPON_KINDS)
export type CouponKind = z.infer<typeof CouponKind>

/** How a coupon was issued. */
export const COUPON_SOURCES = ['claim', 'lottery', 'checkin', 'task', 'admin'] as const
export type CouponSource = (typeof COUPON_SOURCES)[number]

/** What a consumer sees: `expired` is derived (issued but past validTo), never stored. */
export const COUPON_VIEW_STATUSES = ['available', 'locked', 'used', 'expired'] as const
export const CouponViewStatus = z.enum(COUPON_VIEW_STATUSES)
export type CouponViewStatus = z.infer<typeof CouponViewStatus>

const MAX_FEN = 100_000_000 // 1,000,000 yuan: far above any coupon, far inside int4
const Fen = z.number().int().min(1).max(MAX_FEN)

/**
 * Validity: fixed dates [from, to), or `days` business days from issue (1 = until the end of the
 * issue day in the merchant's time zone, 7 = the issue day and the six after it).
 */
export const CouponValidity = z.discriminatedUnion('type', [
  z
    .strictObject({ type: z.literal('fixed'), from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) })
    .refine((v) => Date.parse(v.from) < Date.parse(v.to), { message: '`to` must be after `from`', path: ['to'] }),
  z.strictObject({ type: z.literal('relative'), days: z.number().int().min(1).max(3650) }),
])
export type CouponValidity = z.infer<typeof CouponValidity>

const templateCommon = {
  name: z.string().trim().min(1).max(64),
  description: z.string().max(500).optional(),
  validity: CouponValidity,
  /** Coupons that can ever be issued; absent = unlimited. */
  totalStock: z.number().int().min(1).max(100_000_000).optional(),
  /** How many a user may take from the claim centre; absent = unlimited. */
  perUserLimit: z.number().int().min(1).max(1000).optional(),
  /** Listed in the claim centre (false: only lotteries, rewards and admin issue it). */
  claimable: z.boolean().default(true),
  active: z.boolean().default(true),
}

/** POST /admin/v1/coupons/templates. Discount terms are immutable once created (issued coupons rely on them). */
export const CreateCouponTemplateInput = z.discriminatedUnion('kind', [
  z.strictObject({ ...templateCommon, kind: z.literal('amount_off'), amountOffFen: Fen, minSpendFen: z.number().int().min(0).max(MAX_FEN).default(0) }),
  z.strictObject({
    ...templateCommon,
    kind: z.literal('percent_off'),
    /** 20 = 20% off (八折). */
    percentOff: z.number().int().min(1).max(99),
    maxDiscountFen: Fen.optional(),
    minSpendFen: z.number().int().min(0).max(MAX_FEN).default(0),
  }),
  z.strictObject({
    ...templateCommon,
    kind: z.literal('free_item'),
    itemName: z.string().trim().min(1).max(64),
    /** When set, an order containing this SKU gets one unit free. */
    itemSku: z.string().trim().min(1).max(64).optional(),
    minSpendFen: z.number().int().min(0).max(MAX_FEN).default(0),
  }),
])
export type CreateCouponTemplateInput = z.infer<typeof CreateCouponTemplateInput>

/** PATCH /admin/v1/coupons/templates/:id — presentation, availability and stock only. */
export const UpdateCouponTemplateInput = z
  .strictObject({
    name: z.string().trim().min(1).max(64).optional(),
    description: z.string().max(500).nullable().optional(),
    claimable: z.boolean().optional(),
    active: z.boolean().optional(),
    /** Adds to the total stock (a limited template stays limited). */
    addStock: z.number().int().min(1).max(100_000_000).optional(),
    perUserLimit: z.number().int().min(1).max(1000).nullable().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'nothing to update')
export type UpdateCouponTemplateInput = z.infer<typeof UpdateCouponTemplateInput>

export type CouponTerms = {
  kind: CouponKind
  amountOffFen: number | null
  percentOff: number | null
  maxDiscountFen: number | null
  minSpendFen: number
  itemName: string | null
  itemSku: string | null
}

export type CouponTemplateView = CouponTerms & {
  id: string
  name: string
  description: string | null
  validity: { type: 'fixed'; from: string; to: string } | { type: 'relative'; days: number }
  totalStock: number | null
  /** Coupons issued so far (of an unlimited template: counted when read). */
  issued: number
  /** null = unlimited */
  remaining: number | null
  perUserLimit: number | null
  claimable: boolean
  active: boolean
  createdAt: string
}

/** The claim centre's entry: the template (without the admin's `issued` figure) plus what this user took already. */
export type ClaimableCouponView = Omit<CouponTemplateView, 'issued'> & { claimedByMe: number }

export const ClaimCouponInput = z.strictObject({ templateId: z.uuid() })
export type ClaimCouponInput = z.infer<typeof ClaimCouponInput>

export const ListCouponsQuery = z.strictObject({
  status: CouponViewStatus.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
})
export type ListCouponsQuery = z.infer<typeof ListCouponsQuery>

export type CouponView = CouponTerms & {
  id: string
  code: string
  templateId: string
  name: string
  status: CouponViewStatus
  validFrom: string
  validTo: string
  source: { type: CouponSource; id: string | null }
  issuedAt: string
  usedAt: string | null
}

/** Coupon codes: 12 characters of the no-0/O/1/I alphabet, case-insensitive on input. */
export const CouponCode = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9]{6,32}$/, 'a coupon code')

/** POST /staff/v1/coupons/redeem — at the counter; storeId must be the staff member's store. */
export const RedeemCouponInput = z.strictObject({ code: CouponCode, storeId: z.uuid() })
export type RedeemCouponInput = z.infer<typeof RedeemCouponInput>

export type RedeemedCouponView = CouponView & { userId: string; storeId: string; staffId: string }

const BatchKey = z.string().regex(/^[A-Za-z0-9._:@\-]{1,64}$/, 'letters, digits and . _ : @ - (1-64 chars)')

/**
 * POST /admin/v1/coupons/templates/:id/issue — to a list of users or a segment, as a background job.
 * Idempotent per (template, user, batchKey): resubmitting with the same batchKey issues nothing twice.
 */
export const BulkIssueCouponsInput = z.union([
  z.strictObject({ userIds: z.array(z.uuid()).min(1).max(10_000), batchKey: BatchKey.optional() }),
  z.strictObject({
    segment: z
      .strictObject({ stage: z.enum(FUNNEL_STAGES).optional(), tag: z.string().trim().min(1).max(32).optional() })
      .refine((s) => s.stage !== undefined || s.tag !== undefined, 'give a stage, a tag, or both'),
    batchKey: BatchKey.optional(),
  }),
])
export type BulkIssueCouponsInput = z.infer<typeof BulkIssueCouponsInput>
