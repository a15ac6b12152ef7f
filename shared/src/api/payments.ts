import { z } from 'zod'
import { CouponCode } from './coupons'

/** Catalogue and orders (WeChat Pay). Money is integer fen everywhere. */

/** Largest price of one product or plan: ¥1,000,000 (keeps every order total a safe int4). */
export const MAX_PRICE_FEN = 100_000_000
/** Largest order total WeChat will be asked for (int4 column, far below WeChat's own cap). */
export const MAX_ORDER_TOTAL_FEN = 1_000_000_000
export const MAX_ORDER_LINES = 50
export const MAX_LINE_QTY = 999

export const ORDER_STATUSES = ['created', 'paid', 'partially_refunded', 'refunded', 'closed'] as const
export const OrderStatus = z.enum(ORDER_STATUSES)
export type OrderStatus = z.infer<typeof OrderStatus>

export const REFUND_STATUSES = ['pending', 'processing', 'succeeded', 'closed', 'abnormal', 'failed'] as const
export type RefundStatus = (typeof REFUND_STATUSES)[number]

/** UTF-8 byte length without TextEncoder (absent from some mini-program runtimes). */
export function utf8Length(s: string): number {
  let n = 0
  for (const ch of s) {
    const c = ch.codePointAt(0)!
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4
  }
  return n
}

const Fen = z.number().int().min(1).max(MAX_PRICE_FEN)
const Sku = z.string().trim().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits and . _ - (1-64 chars)')

export const CreateProductInput = z.strictObject({
  sku: Sku,
  name: z.string().trim().min(1).max(64),
  description: z.string().max(500).optional(),
  priceFen: Fen,
  active: z.boolean().optional(),
})
export type CreateProductInput = z.infer<typeof CreateProductInput>

export const UpdateProductInput = z
  .strictObject({
    name: z.string().trim().min(1).max(64).optional(),
    description: z.string().max(500).nullable().optional(),
    priceFen: Fen.optional(),
    active: z.boolean().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'nothing to update')
export type UpdateProductInput = z.infer<typeof UpdateProductInput>

export const Product = z.strictObject({
  id: z.uuid(),
  sku: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  priceFen: z.number().int(),
  active: z.boolean(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
})
export type Product = z.infer<typeof Product>

export const CreateMembershipPlanInput = z.strictObject({
  name: z.string().trim().min(1).max(64),
  description: z.string().max(500).optional(),
  durationDays: z.number().int().min(1).max(3660),
  priceFen: Fen,
  active: z.boolean().optional(),
})
export type CreateMembershipPlanInput = z.infer<typeof CreateMembershipPlanInput>

export const UpdateMembershipPlanInput = z
  .strictObject({
    name: z.string().trim().min(1).max(64).optional(),
    description: z.string().max(500).nullable().optional(),
    durationDays: z.number().int().min(1).max(3660).optional(),
    priceFen: Fen.optional(),
    active: z.boolean().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'nothing to update')
export type UpdateMembershipPlanInput = z.infer<typeof UpdateMembershipPlanInput>

export const MembershipPlan = z.strictObject({
  id: z.uuid(),
  name: z.string(),
  description: z.string().nullable(),
  durationDays: z.number().int(),
  priceFen: z.number().int(),
  active: z.boolean(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
})
export type MembershipPlan = z.infer<typeof MembershipPlan>

export const CatalogueQuery = z.strictObject({ active: z.enum(['true', 'false']).optional() })
export type CatalogueQuery = z.infer<typeof CatalogueQuery>

/** POST /api/v1/orders: products by SKU, or one membership plan. Prices come from the server, never the client. */
export const CreateOrderInput = z.union([
  z.strictObject({
    items: z
      .array(z.strictObject({ sku: Sku, qty: z.number().int().min(1).max(MAX_LINE_QTY) }))
      .min(1)
      .max(MAX_ORDER_LINES),
    /** A coupon of the buyer's (coupons module): validated and valued on the server. */
    couponCode: CouponCode.optional(),
  }),
  z.strictObject({ membershipPlanId: z.uuid() }),
])
export type CreateOrderInput = z.infer<typeof CreateOrderInput>

export const OrderLine = z.strictObject({
  productId: z.uuid(),
  sku: z.string(),
  name: z.string(),
  unitPriceFen: z.number().int(),
  qty: z.number().int(),
  amountFen: z.number().int(),
})

export const RefundView = z.strictObject({
  id: z.uuid(),
  outRefundNo: z.string(),
  amountFen: z.number().int(),
  reason: z.string().nullable(),
  status: z.enum(REFUND_STATUSES),
  pointsClawed: z.number().int(),
  pointsDebt: z.number().int(),
  createdAt: z.iso.datetime(),
  succeededAt: z.iso.datetime().nullable(),
})
export type RefundView = z.infer<typeof RefundView>

export const OrderView = z.strictObject({
  id: z.uuid(),
  userId: z.uuid(),
  kind: z.enum(['products', 'membership']),
  status: OrderStatus,
  description: z.string(),
  items: z.array(OrderLine),
  membershipPlanId: z.uuid().nullable(),
  subtotalFen: z.number().int(),
  discountFen: z.number().int(),
  totalFen: z.number().int(),
  paidFen: z.number().int(),
  refundedFen: z.number().int(),
  pointsEarned: z.number().int(),
  pointsClawed: z.number().int(),
  /** Membership growth the payment credited, and what refunds took back of it (in proportion). */
  growthEarned: z.number().int(),
  growthClawed: z.number().int(),
  expiresAt: z.iso.datetime(),
  paidAt: z.iso.datetime().nullable(),
  closedAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
  /** Admin views only. */
  needsReview: z.boolean().optional(),
  reviewReason: z.string().nullable().optional(),
  transactionId: z.string().nullable().optional(),
  refunds: z.array(RefundView).optional(),
})
export type OrderView = z.infer<typeof OrderView>

/** POST /api/v1/orders/:id/pay → what the mini-program passes to wx.requestPayment (§2.5). */
export const RequestPaymentParams = z.strictObject({
  timeStamp: z.string(),
  nonceStr: z.string(),
  package: z.string(),
  signType: z.literal('RSA'),
  paySign: z.string(),
})
export type RequestPaymentParams = z.infer<typeof RequestPaymentParams>

export const PayOrderOutput = z.strictObject({ orderId: z.uuid(), totalFen: z.number().int(), payment: RequestPaymentParams })
export type PayOrderOutput = z.infer<typeof PayOrderOutput>

export const OrdersQuery = z.strictObject({
  status: OrderStatus.optional(),
  needsReview: z.enum(['true', 'false']).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
})
export type OrdersQuery = z.infer<typeof OrdersQuery>

/** POST /admin/v1/orders/:id/refunds — partial refunds allowed; all refunds together never exceed what was paid. */
export const CreateRefundInput = z.strictObject({
  amountFen: z.number().int().min(1).max(MAX_ORDER_TOTAL_FEN),
  /** Shown to the payer by WeChat; WeChat Pay limits it to 80 bytes of UTF-8 (26 Chinese characters). */
  reason: z
    .string()
    .trim()
    .min(1)
    .refine((s) => utf8Length(s) <= 80, 'at most 80 bytes of UTF-8')
    .optional(),
})
export type CreateRefundInput = z.infer<typeof CreateRefundInput>
