import {
  MAX_ORDER_TOTAL_FEN,
  type CreateOrderInput,
  type CreateRefundInput,
  type OrderView,
  type OrdersQuery,
  type PayOrderOutput,
  type RefundView,
} from '@siyu/shared'
import type { Db, DbOrTx } from '../../db/client'
import { AppError, isAppError } from '../../http/errors'
import { isPayApiError } from '../../wechat/pay-client'
import * as coupons from '../coupons/coupons.service'
import * as members from '../members/members.service'
import * as tenancy from '../tenancy/tenancy.service'
import type { OrderLine } from './payments.schema'
import * as repo from './payments.repo'
import { applyRefundResult, settlePayment } from './payments.settle'
import {
  newOutRefundNo,
  newOutTradeNo,
  paidTransactionOf,
  RefundAnswer,
  requirePayMerchant,
  rfc3339Cst,
  Transaction,
  truncateUtf8,
  type PaymentsDeps,
} from './payments.wechat'

/**
 * Orders and payments. An order is priced on the server (priceOrder), paid through payment attempts
 * (each with its own out_trade_no; the order id never changes), settled by the notification or by
 * reconciliation (payments.settle), refunded in parts.
 */

/** WeChat needs time_expire at least a minute ahead (§2.4): the last minute of an order is not payable. */
const PAY_MARGIN_MS = 60_000
/** prepay_id lives 2 hours (§2.4); re-request one (same parameters) a little before. */
const PREPAY_REUSE_MS = 100 * 60_000

// ---- views ---------------------------------------------------------------------------------------

function refundView(r: repo.RefundRow): RefundView {
  return {
    id: r.id,
    outRefundNo: r.outRefundNo,
    amountFen: r.amountFen,
    reason: r.reason,
    status: r.status as RefundView['status'],
    pointsClawed: r.pointsClawed,
    pointsDebt: r.pointsDebt,
    createdAt: r.createdAt.toISOString(),
    succeededAt: r.succeededAt?.toISOString() ?? null,
  }
}

export function orderView(o: repo.OrderRow, admin?: { refunds: repo.RefundRow[] }): OrderView {
  const v: OrderView = {
    id: o.id,
    userId: o.userId,
    kind: o.kind as OrderView['kind'],
    status: o.status as OrderView['status'],
    description: o.description,
    items: o.items,
    membershipPlanId: o.membershipPlanId,
    subtotalFen: o.subtotalFen,
    discountFen: o.discountFen,
    totalFen: o.totalFen,
    paidFen: o.paidFen,
    refundedFen: o.refundedFen,
    pointsEarned: o.pointsEarned,
    pointsClawed: o.pointsClawed,
    growthEarned: o.growthEarned,
    growthClawed: o.growthClawed,
    expiresAt: o.expiresAt.toISOString(),
    paidAt: o.paidAt?.toISOString() ?? null,
    closedAt: o.closedAt?.toISOString() ?? null,
    createdAt: o.createdAt.toISOString(),
  }
  if (admin) {
    v.needsReview = o.needsReview
    v.reviewReason = o.reviewReason
    v.transactionId = o.transactionId
    v.refunds = admin.refunds.filter((r) => r.orderId === o.id).map(refundView)
  }
  return v
}

// ---- pricing and creation ------------------------------------------------------------------------

export type PricedOrder = {
  kind: 'products' | 'membership'
  description: string
  items: OrderLine[]
  membershipPlanId: string | null
  membershipDays: number | null
  subtotalFen: number
  discountFen: number
  totalFen: number
  /** The buyer's coupon applied to the order (locked for it at creation), if any. */
  couponId: string | null
}

/**
 * The one place an order's price is decided, from the catalogue as it is now (never from the client).
 * A coupon is valued by the coupons module (owner, status, validity, minimum spend); total = subtotal - discount >= 1 fen.
 */
export async function priceOrder(db: DbOrTx, merchantId: string, userId: string, input: CreateOrderInput, now: Date): Promise<PricedOrder> {
  if ('membershipPlanId' in input) {
    const plan = await repo.findPlan(db, merchantId, input.membershipPlanId)
    if (!plan) throw new AppError('MEMBERSHIP_PLAN_NOT_FOUND')
    if (!plan.active) throw new AppError('MEMBERSHIP_PLAN_UNAVAILABLE', { membershipPlanId: plan.id })
    return {
      kind: 'membership',
      description: truncateUtf8(plan.name, 127),
      items: [],
      membershipPlanId: plan.id,
      membershipDays: plan.durationDays,
      subtotalFen: plan.priceFen,
      discountFen: 0,
      totalFen: plan.priceFen,
      couponId: null,
    }
  }
  // The same SKU twice is one line with the quantities added.
  const qty = new Map<string, number>()
  for (const it of input.items) qty.set(it.sku, (qty.get(it.sku) ?? 0) + it.qty)
  const found = new Map((await repo.productsBySku(db, merchantId, [...qty.keys()])).map((p) => [p.sku, p]))
  const unavailable = [...qty.keys()].filter((sku) => !found.get(sku)?.active)
  if (unavailable.length > 0) throw new AppError('PRODUCT_UNAVAILABLE', { skus: unavailable })
  const items: OrderLine[] = [...qty.entries()].map(([sku, n]) => {
    const p = found.get(sku)!
    return { productId: p.id, sku, name: p.name, unitPriceFen: p.priceFen, qty: n, amountFen: p.priceFen * n }
  })
  const subtotalFen = items.reduce((s, l) => s + l.amountFen, 0)
  if (subtotalFen > MAX_ORDER_TOTAL_FEN) throw new AppError('ORDER_TOTAL_TOO_LARGE', { totalFen: subtotalFen, maxFen: MAX_ORDER_TOTAL_FEN })
  const units = items.reduce((s, l) => s + l.qty, 0)
  const first = items[0]!
  const description = truncateUtf8(items.length === 1 && first.qty === 1 ? first.name : `${first.name} 等${units}件`, 127)
  let discountFen = 0
  let couponId: string | null = null
  if (input.couponCode) {
    const lines = items.map((l) => ({ sku: l.sku, unitPriceFen: l.unitPriceFen, quantity: l.qty }))
    const q = await coupons.quoteCoupon(db, { merchantId, userId, code: input.couponCode, amountFen: subtotalFen, items: lines, now })
    // WeChat Pay takes at least 1 fen: a coupon worth the whole order leaves 1 fen to pay
    discountFen = Math.min(q.discountFen, subtotalFen - 1)
    couponId = q.couponId
  }
  return { kind: 'products', description, items, membershipPlanId: null, membershipDays: null, subtotalFen, discountFen, totalFen: subtotalFen - discountFen, couponId }
}

export async function createOrder(deps: PaymentsDeps, merchantId: string, userId: string, input: CreateOrderInput): Promise<OrderView> {
  const now = deps.clock.now()
  const order = await deps.db.transaction(async (tx) => {
    const { couponId, ...priced } = await priceOrder(tx, merchantId, userId, input, now)
    const order = await repo.insertOrder(tx, { merchantId, userId, ...priced, expiresAt: new Date(now.getTime() + deps.orderTtlMs), createdAt: now, updatedAt: now })
    // held by this order until it is paid (consumed) or closed unpaid (released): see closeUnpaidOrder
    if (couponId) await coupons.lockForOrder(tx, { couponId, orderId: order.id, merchantId, now })
    return order
  })
  return orderView(order)
}

export async function getOrder(deps: PaymentsDeps, merchantId: string, orderId: string, userId?: string): Promise<OrderView> {
  const o = await repo.findOrder(deps.db, merchantId, orderId, userId)
  if (!o) throw new AppError('ORDER_NOT_FOUND')
  return userId ? orderView(o) : orderView(o, { refunds: await repo.refundsOfOrders(deps.db, [o.id]) })
}

function encodeCursor(o: repo.OrderRow): string {
  return Buffer.from(JSON.stringify([o.createdAt.toISOString(), o.id])).toString('base64url')
}

function decodeCursor(c: string | undefined): repo.OrderCursor | null {
  if (!c) return null
  try {
    const [at, id] = JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as [string, string]
    const createdAt = new Date(at)
    if (Number.isNaN(createdAt.getTime()) || !/^[0-9a-f-]{36}$/.test(id)) throw new Error('bad cursor')
    return { createdAt, id }
  } catch {
    throw new AppError('VALIDATION_FAILED', { issues: [{ path: 'cursor', message: 'invalid cursor', code: 'custom' }] })
  }
}

export async function listOrders(deps: PaymentsDeps, merchantId: string, q: OrdersQuery, userId?: string) {
  const rows = await repo.listOrders(deps.db, merchantId, {
    userId,
    status: q.status,
    needsReview: q.needsReview === undefined ? undefined : q.needsReview === 'true',
    after: decodeCursor(q.cursor),
    limit: q.limit,
  })
  const refunds = userId ? null : await repo.refundsOfOrders(deps.db, rows.map((r) => r.id))
  return {
    items: rows.map((o) => (refunds ? orderView(o, { refunds }) : orderView(o))),
    nextCursor: rows.length === q.limit ? encodeCursor(rows[rows.length - 1]!) : null,
  }
}

/** created -> closed (repo.closeOrder's conditions) and the order's coupon back to its owner, in one transaction. */
export async function closeUnpaidOrder(db: Db, orderId: string, reason: string, now: Date): Promise<boolean> {
  return db.transaction(async (tx) => {
    const closed = await repo.closeOrder(tx, orderId, reason, now)
    if (closed) await coupons.releaseForOrder(tx, orderId)
    return closed !== null
  })
}

// ---- paying --------------------------------------------------------------------------------------

function assertPayable(o: repo.OrderRow, now: Date) {
  if (o.status === 'closed') throw new AppError('ORDER_CLOSED')
  if (o.status !== 'created') throw new AppError('ORDER_ALREADY_PAID')
  if (now.getTime() >= o.expiresAt.getTime() - PAY_MARGIN_MS) throw new AppError('ORDER_EXPIRED', { expiresAt: o.expiresAt.toISOString() })
}

/**
 * The wx.requestPayment parameters for an order. The order's pending attempt is reused (its
 * prepay_id while fresh; otherwise a prepay with identical parameters, which WeChat answers with a
 * new prepay_id for the same out_trade_no), so one order never has two payable out_trade_nos open.
 * A new attempt (fresh out_trade_no) starts only after the previous one failed or was closed.
 */
export async function payOrder(deps: PaymentsDeps, merchantId: string, userId: string, orderId: string): Promise<PayOrderOutput> {
  const now = deps.clock.now()
  const order = await repo.findOrder(deps.db, merchantId, orderId, userId)
  if (!order) throw new AppError('ORDER_NOT_FOUND')
  assertPayable(order, now)
  const user = await members.getUser(deps.db, merchantId, userId)
  const app = await tenancy.findApp(deps.db, user.appid)
  if (app.merchantId !== merchantId) throw new AppError('PAY_NOT_CONFIGURED')
  const m = requirePayMerchant(app)

  let attempt = await repo.findPendingAttempt(deps.db, order.id)
  if (!attempt) {
    const notifyUrl = deps.notifyUrl()
    if (!notifyUrl) throw new AppError('PAY_NOT_CONFIGURED', { reason: 'no public URL for notifications (PUBLIC_BASE_URL)' })
    attempt =
      (await repo.insertAttempt(deps.db, {
        merchantId,
        orderId: order.id,
        outTradeNo: newOutTradeNo(),
        appid: m.appid,
        mchid: m.mchid,
        payerOpenid: user.openid,
        amountFen: order.totalFen,
        description: order.description,
        notifyUrl,
        timeExpire: rfc3339Cst(order.expiresAt),
        createdAt: now,
        updatedAt: now,
      })) ??
      // A concurrent request created it first: use that one.
      (await repo.findPendingAttempt(deps.db, order.id))
    if (!attempt) throw new AppError('CONFLICT', { reason: 'payment attempt changed concurrently; retry' })
  }

  let prepayId = attempt.prepayId
  if (!prepayId || !attempt.prepayAt || attempt.prepayAt.getTime() < now.getTime() - PREPAY_REUSE_MS) {
    try {
      prepayId = (
        await deps.pay.prepayJsapi(m, {
          description: attempt.description,
          out_trade_no: attempt.outTradeNo,
          time_expire: attempt.timeExpire,
          notify_url: attempt.notifyUrl,
          amount: { total: attempt.amountFen, currency: 'CNY' },
          payer: { openid: attempt.payerOpenid },
        })
      ).prepayId
    } catch (e) {
      if (!isPayApiError(e)) throw e
      if (e.code === 'ORDERPAID') {
        // Paid already (its notification not yet applied): settle from the query, then say so.
        await reconcileAttempt(deps, attempt).catch((err) => deps.logger.warn({ err, outTradeNo: attempt!.outTradeNo }, 'settle on ORDERPAID failed'))
        throw new AppError('ORDER_ALREADY_PAID')
      }
      if (e.status >= 500) throw new AppError('WECHAT_UNAVAILABLE', { api: 'pay', code: e.code })
      // A definite refusal: this out_trade_no is dead; the next try starts a fresh attempt.
      await repo.endAttempt(deps.db, attempt.id, 'failed', e.code, now)
      deps.logger.warn({ outTradeNo: attempt.outTradeNo, code: e.code, message: e.message }, 'WeChat Pay refused a prepay')
      throw new AppError('PAYMENT_REJECTED', { code: e.code, message: e.message })
    }
    await repo.setPrepay(deps.db, attempt.id, prepayId, now)
  }
  const { appId: _appId, ...payment } = deps.pay.requestPayment(m, prepayId)
  return { orderId: order.id, totalFen: order.totalFen, payment }
}

export type AttemptOutcome = 'settled' | 'duplicate' | 'needs_review' | 'replayed' | 'closed' | 'failed' | 'pending'

/**
 * Finds out at WeChat what became of an attempt and applies it: paid → settle; expired and unpaid →
 * close at WeChat first (a close refused with ORDERPAID means it was paid after all) and only then
 * locally. Used by reconciliation and whenever WeChat says an order is already paid.
 */
export async function reconcileAttempt(deps: PaymentsDeps, attempt: repo.AttemptRow): Promise<AttemptOutcome> {
  const now = deps.clock.now()
  const app = await tenancy.findApp(deps.db, attempt.appid)
  const m = requirePayMerchant(app)
  const order = (await repo.findOrder(deps.db, attempt.merchantId, attempt.orderId))!
  const expired = now.getTime() >= order.expiresAt.getTime()

  const query = async (): Promise<Transaction> => {
    const t = Transaction.safeParse(await deps.pay.queryByOutTradeNo(m, attempt.outTradeNo))
    if (!t.success) throw new AppError('WECHAT_UNAVAILABLE', { api: 'pay', reason: 'malformed transaction answer' })
    return t.data
  }
  const isPaid = (t: Transaction) => t.trade_state === 'SUCCESS' || t.trade_state === 'REFUND'
  const settle = async (t: Transaction) => (await settlePayment(deps, app, paidTransactionOf(t), null)).outcome
  const end = async (status: 'closed' | 'failed', code: string): Promise<AttemptOutcome> => {
    await repo.endAttempt(deps.db, attempt.id, status, code, now)
    if (expired) await closeUnpaidOrder(deps.db, order.id, 'expired', now)
    return status
  }

  let t: Transaction
  try {
    t = await query()
  } catch (e) {
    // The prepay never reached WeChat: nothing can be paid under this out_trade_no.
    if (isPayApiError(e) && e.code === 'ORDER_NOT_EXIST') return end('failed', 'ORDER_NOT_EXIST')
    throw e
  }
  if (isPaid(t)) return settle(t)
  if (t.trade_state === 'CLOSED' || t.trade_state === 'REVOKED') return end('closed', t.trade_state)
  // NOTPAY, USERPAYING, PAYERROR: still open at WeChat. Close it once the order expired (or the
  // payment failed for good), so nothing can be paid after we give up on it.
  if (!expired && t.trade_state !== 'PAYERROR') return 'pending'
  try {
    await deps.pay.closeOrder(m, attempt.outTradeNo)
  } catch (e) {
    // Paid between our query and the close: settle it.
    if (isPayApiError(e) && e.code === 'ORDERPAID') {
      const again = await query()
      return isPaid(again) ? settle(again) : 'pending'
    }
    throw e
  }
  return end(t.trade_state === 'PAYERROR' ? 'failed' : 'closed', t.trade_state)
}

// ---- refunds -------------------------------------------------------------------------------------

/**
 * Starts a refund of `amountFen` (partial allowed). The amount is reserved against what was paid in
 * the same transaction that records it (order row locked), so concurrent requests can never refund
 * more than was paid. WeChat is called after commit; an unknown outcome leaves the refund pending
 * for reconciliation, which resubmits it with the same out_refund_no (WeChat treats that as the same refund).
 */
export async function createRefund(deps: PaymentsDeps, merchantId: string, orderId: string, input: CreateRefundInput): Promise<RefundView> {
  const now = deps.clock.now()
  const notifyUrl = deps.notifyUrl()
  if (!notifyUrl) throw new AppError('PAY_NOT_CONFIGURED', { reason: 'no public URL for notifications (PUBLIC_BASE_URL)' })
  const refund = await deps.db.transaction(async (tx) => {
    const order = await repo.lockOrder(tx, orderId)
    if (!order || order.merchantId !== merchantId) throw new AppError('ORDER_NOT_FOUND')
    if (order.status !== 'paid' && order.status !== 'partially_refunded') throw new AppError('ORDER_NOT_REFUNDABLE', { status: order.status })
    const refundableFen = order.paidFen - (await repo.reservedRefundFen(tx, order.id))
    if (input.amountFen > refundableFen) throw new AppError('REFUND_EXCEEDS_PAID', { refundableFen })
    const attempt = await repo.paidAttemptOf(tx, order.id, order.transactionId!)
    if (!attempt) throw new Error(`paid order ${order.id} has no paid attempt with its transaction id`)
    return repo.insertRefund(tx, {
      merchantId,
      orderId: order.id,
      outRefundNo: newOutRefundNo(),
      attemptId: attempt.id,
      amountFen: input.amountFen,
      reason: input.reason ?? null,
      notifyUrl,
      createdAt: now,
      updatedAt: now,
    })
  })
  return refundView(await submitRefund(deps, refund, true))
}

/** Sends (or resends) a refund to WeChat and applies the answer. `strict`: a refusal is the caller's error. */
export async function submitRefund(deps: PaymentsDeps, refund: repo.RefundRow, strict: boolean): Promise<repo.RefundRow> {
  const attempt = (await repo.findAttempt(deps.db, refund.attemptId))!
  const m = requirePayMerchant(await tenancy.findApp(deps.db, attempt.appid))
  let answer: RefundAnswer
  try {
    const raw = await deps.pay.createRefund(m, {
      transaction_id: attempt.transactionId!,
      out_refund_no: refund.outRefundNo,
      ...(refund.reason ? { reason: refund.reason } : {}),
      notify_url: refund.notifyUrl,
      amount: { refund: refund.amountFen, total: attempt.amountFen, currency: 'CNY' },
    })
    const parsed = RefundAnswer.safeParse(raw)
    if (!parsed.success) throw new AppError('WECHAT_UNAVAILABLE', { api: 'pay', reason: 'malformed refund answer' })
    answer = parsed.data
  } catch (e) {
    const now = deps.clock.now()
    if (isPayApiError(e) && e.status < 500) {
      const failed = await repo.setRefundStatus(deps.db, refund.id, ['pending'], { status: 'failed', failureCode: e.code, now })
      deps.logger.warn({ outRefundNo: refund.outRefundNo, code: e.code, message: e.message }, 'WeChat Pay refused a refund')
      if (strict) throw new AppError('REFUND_REJECTED', { code: e.code, message: e.message })
      return failed ?? refund
    }
    // Unknown outcome: stays pending (amount reserved); reconciliation resubmits the same out_refund_no.
    if (isAppError(e) || isPayApiError(e)) {
      deps.logger.warn({ outRefundNo: refund.outRefundNo, err: e }, 'refund outcome unknown; left pending for reconciliation')
      return refund
    }
    throw e
  }
  return applyRefundAnswer(deps, refund.id, answer)
}

export async function applyRefundAnswer(deps: PaymentsDeps, refundId: string, answer: RefundAnswer): Promise<repo.RefundRow> {
  const now = deps.clock.now()
  await deps.db.transaction(async (tx) => {
    const r = await repo.lockRefundByOutRefundNo(tx, answer.out_refund_no)
    if (!r || r.id !== refundId) throw new Error(`refund answer for ${answer.out_refund_no} does not match refund ${refundId}`)
    await applyRefundResult(tx, deps, r, { status: answer.status, refundId: answer.refund_id, successTime: answer.success_time ? new Date(answer.success_time) : null }, now)
  })
  return (await repo.findRefund(deps.db, refundId))!
}

/** Paid orders of one user, net of refunds: the wallet value (RFM) the social module shows. */
export { purchaseTotals } from './payments.repo'
