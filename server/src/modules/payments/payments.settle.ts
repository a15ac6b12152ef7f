import { mulDivFloor } from '@siyu/shared'
import type { Tx } from '../../db/client'
import { AppError } from '../../http/errors'
import * as coupons from '../coupons/coupons.service'
import * as funnel from '../funnel/funnel.service'
import * as membership from '../membership/membership.service'
import * as points from '../points/points.service'
import type { MerchantApp } from '../tenancy/tenancy.repo'
import * as repo from './payments.repo'
import type { PaidTransaction, PaymentsDeps } from './payments.wechat'

/**
 * Applying WeChat Pay results to our state, each in ONE transaction with conditional updates, so a
 * result applied twice (redelivered notification, notification + reconciliation, ten parallel
 * deliveries) changes state once:
 * - the payment attempt row is locked first (FOR UPDATE): every path settling one out_trade_no queues there;
 * - a notification id is inserted before anything else is written; a conflict means "already applied";
 * - orders move only through `UPDATE ... WHERE status = <expected>`; points use idempotency keys
 *   derived from WeChat's ids (transaction_id, out_refund_no).
 * Nothing here calls WeChat; callers do that before the transaction or after commit.
 */

export type NotificationSource = { notificationId: string; eventType: string; summary: string | null; receivedAt: Date }

export type SettleOutcome = 'settled' | 'duplicate' | 'replayed' | 'needs_review'

export type SettleResult = { outcome: SettleOutcome; orderId: string | null; membershipPurchased: { userId: string } | null }

/**
 * A successful payment (checked against our attempt: mchid, appid, out_trade_no, amount) becomes a paid
 * order with its effects. `source` is the notification (recorded, idempotent by id) or null for reconciliation.
 * Mismatches throw PAY_NOTIFY_* before anything is written.
 */
export async function settlePayment(deps: PaymentsDeps, app: MerchantApp, txn: PaidTransaction, source: NotificationSource | null): Promise<SettleResult> {
  const now = deps.clock.now()
  const result = await deps.db.transaction(async (tx): Promise<SettleResult> => {
    const attempt = await repo.lockAttemptByOutTradeNo(tx, txn.outTradeNo)
    if (!attempt || attempt.merchantId !== app.merchantId) throw new AppError('PAY_NOTIFY_UNKNOWN_ORDER', { outTradeNo: txn.outTradeNo })
    checkMatches(deps, attempt, txn)

    const notification = source
      ? await repo.insertNotification(tx, {
          notificationId: source.notificationId,
          merchantId: attempt.merchantId,
          eventType: source.eventType,
          summary: source.summary,
          reference: txn.outTradeNo,
          transactionId: txn.transactionId,
          amountFen: txn.totalFen,
          outcome: 'pending',
          receivedAt: source.receivedAt,
        })
      : null
    if (source && !notification) return { outcome: 'replayed', orderId: attempt.orderId, membershipPurchased: null }

    let r: SettleResult
    if (attempt.status === 'paid') {
      // Already applied by another notification id or by reconciliation.
      if (attempt.transactionId !== txn.transactionId) {
        await repo.flagOrder(tx, attempt.orderId, 'conflicting_transaction_ids', now)
        deps.logger.error({ alert: 'pay_conflicting_transaction', outTradeNo: txn.outTradeNo, ours: attempt.transactionId, theirs: txn.transactionId }, 'ALERT: one out_trade_no reported with two transaction ids')
        r = { outcome: 'needs_review', orderId: attempt.orderId, membershipPurchased: null }
      } else {
        r = { outcome: 'duplicate', orderId: attempt.orderId, membershipPurchased: null }
      }
    } else {
      const paidAt = txn.successTime ?? now
      await repo.markAttemptPaid(tx, attempt.id, txn.transactionId, paidAt, now)
      const order = await repo.markOrderPaid(tx, attempt.orderId, { paidFen: txn.totalFen, transactionId: txn.transactionId, paidAt, now })
      if (!order) {
        // Money arrived for an order that is closed or already paid through another attempt: never
        // drop it. The attempt records the money; the order is flagged for a refund or manual review.
        const current = (await repo.lockOrder(tx, attempt.orderId))!
        const reason = current.status === 'closed' ? 'paid_after_close' : 'paid_twice'
        await repo.flagOrder(tx, current.id, reason, now)
        deps.logger.error({ alert: 'pay_needs_review', reason, orderId: current.id, outTradeNo: txn.outTradeNo, transactionId: txn.transactionId, amountFen: txn.totalFen }, `ALERT: payment needs review (${reason})`)
        r = { outcome: 'needs_review', orderId: current.id, membershipPurchased: null }
      } else {
        await coupons.consumeForOrder(tx, order.id, now)
        await applyPaidEffects(tx, deps, order, now)
        r = { outcome: 'settled', orderId: order.id, membershipPurchased: order.kind === 'membership' ? { userId: order.userId } : null }
      }
    }
    if (notification) await repo.setNotificationOutcome(tx, notification.id, r.outcome)
    return r
  })
  return result
}

function checkMatches(deps: PaymentsDeps, attempt: repo.AttemptRow, txn: PaidTransaction) {
  const mismatch: Record<string, { ours: string | number; theirs: string | number }> = {}
  if (txn.mchid !== attempt.mchid) mismatch.mchid = { ours: attempt.mchid, theirs: txn.mchid }
  if (txn.appid !== attempt.appid) mismatch.appid = { ours: attempt.appid, theirs: txn.appid }
  if (txn.totalFen !== attempt.amountFen) mismatch.amount = { ours: attempt.amountFen, theirs: txn.totalFen }
  if (txn.currency !== 'CNY') mismatch.currency = { ours: 'CNY', theirs: txn.currency }
  if (Object.keys(mismatch).length > 0) {
    deps.logger.error({ alert: 'pay_mismatch', outTradeNo: attempt.outTradeNo, orderId: attempt.orderId, mismatch }, 'ALERT: WeChat Pay result does not match our payment attempt; not applied')
    throw new AppError('PAY_NOTIFY_MISMATCH', { fields: Object.keys(mismatch) })
  }
}

/**
 * Points a purchase earns: the membership policy's rule (points per yuan, floor, then the tier
 * multiplier) and the growth that goes with it.
 */
async function purchaseRewards(tx: Tx, merchantId: string, userId: string, amountFen: number) {
  const { policy } = await membership.loadConfig(tx, merchantId)
  const tier = await membership.tierOf(tx, merchantId, userId)
  return membership.purchaseRewards(policy, tier.multiplierPermille, amountFen)
}

/** The first settlement of an order: stage customer, points (+ growth), paid membership. */
async function applyPaidEffects(tx: Tx, deps: PaymentsDeps, order: repo.OrderRow, now: Date) {
  const { merchantId, userId } = order
  const rewards = await purchaseRewards(tx, merchantId, userId, order.paidFen)
  // Lock order across modules, as check-in and draws take them: points account first, membership
  // second (membership.addGrowth), the user's row (funnel stage) last — otherwise a payment and a
  // draw of the same user could deadlock.
  if (rewards.points > 0) {
    await points.earn(tx, {
      merchantId,
      userId,
      amount: rewards.points,
      reasonCode: 'order_paid',
      reason: order.description.slice(0, 100),
      idempotencyKey: `order_paid:${order.transactionId}`,
      source: { type: 'order', id: order.id },
      now,
    })
  }
  if (rewards.growth > 0) {
    await membership.addGrowth(tx, merchantId, userId, rewards.growth, { reason: 'purchase', source: { type: 'order', id: order.id }, now })
  }
  if (rewards.points > 0 || rewards.growth > 0) await repo.setOrderRewards(tx, order.id, rewards)
  await funnel.advanceStage(tx, merchantId, userId, 'customer', { cause: 'order_paid' })
  if (order.kind === 'membership' && order.membershipPlanId && order.membershipDays) {
    // Consecutive purchases extend: the new period starts where the live one ends.
    const startsAt = (await repo.paidMembershipEnd(tx, merchantId, userId, now)) ?? now
    const endsAt = new Date(startsAt.getTime() + order.membershipDays * 86_400_000)
    await repo.insertPaidMembership(tx, { merchantId, userId, planId: order.membershipPlanId, orderId: order.id, startsAt, endsAt, createdAt: now })
    await funnel.advanceStage(tx, merchantId, userId, 'member', { cause: 'membership_purchased' })
  }
}

// ---- refunds -------------------------------------------------------------------------------------

export type RefundResultInput = { status: 'SUCCESS' | 'CLOSED' | 'ABNORMAL' | 'PROCESSING'; refundId: string | null; successTime: Date | null }

export type RefundOutcome = 'refund_succeeded' | 'refund_closed' | 'refund_abnormal' | 'refund_processing' | 'duplicate'

/**
 * Applies WeChat's word on a refund (notification, submit answer or query) inside `tx`.
 * SUCCESS: refunded_fen grows, points are clawed back in proportion (cumulative, so rounding never
 * drifts: after a full refund exactly the earned points are back), a full refund revokes a paid
 * membership. CLOSED releases the reserved amount. ABNORMAL is not final (WeChat staff): kept reserved.
 */
export async function applyRefundResult(tx: Tx, deps: PaymentsDeps, refund: repo.RefundRow, r: RefundResultInput, now: Date): Promise<RefundOutcome> {
  if (r.status === 'PROCESSING') {
    const moved = await repo.setRefundStatus(tx, refund.id, ['pending'], { status: 'processing', refundId: r.refundId, now })
    return moved ? 'refund_processing' : 'duplicate'
  }
  if (r.status === 'CLOSED') {
    const moved = await repo.setRefundStatus(tx, refund.id, ['pending', 'processing', 'abnormal'], { status: 'closed', refundId: r.refundId, now })
    if (moved) deps.logger.warn({ refundId: refund.id, outRefundNo: refund.outRefundNo }, 'refund closed by WeChat Pay (failed); amount released')
    return moved ? 'refund_closed' : 'duplicate'
  }
  if (r.status === 'ABNORMAL') {
    const moved = await repo.setRefundStatus(tx, refund.id, ['pending', 'processing'], { status: 'abnormal', refundId: r.refundId, now })
    if (moved) deps.logger.error({ alert: 'refund_abnormal', refundId: refund.id, outRefundNo: refund.outRefundNo }, 'ALERT: refund abnormal at WeChat Pay; needs the merchant portal')
    return moved ? 'refund_abnormal' : 'duplicate'
  }

  const moved = await repo.setRefundStatus(tx, refund.id, ['pending', 'processing', 'abnormal'], {
    status: 'succeeded',
    refundId: r.refundId,
    succeededAt: r.successTime ?? now,
    now,
  })
  if (!moved) return 'duplicate'
  const order = (await repo.lockOrder(tx, refund.orderId))!
  const refundedAfter = order.refundedFen + refund.amountFen
  // what refunds take back, cumulatively exact: the share of points and growth the refunded amount paid for
  const share = (earned: number) => (refundedAfter >= order.paidFen ? earned : mulDivFloor(earned, refundedAfter, order.paidFen))
  const claw = Math.max(0, share(order.pointsEarned) - order.pointsClawed)
  let clawed = 0
  let debt = 0
  if (claw > 0) {
    const c = await points.clawback(tx, {
      merchantId: order.merchantId,
      userId: order.userId,
      amount: claw,
      reasonCode: 'order_refunded',
      reason: refund.reason ?? undefined,
      idempotencyKey: `order_refund:${refund.outRefundNo}`,
      source: { type: 'refund', id: refund.id },
      now,
    })
    clawed = c.clawed
    debt = c.debt
  }
  // after the points: the lock order of every growth write (points account, then membership)
  const growth = Math.max(0, share(order.growthEarned) - order.growthClawed)
  if (growth > 0) {
    await membership.takeBackGrowth(tx, order.merchantId, order.userId, growth, { source: { type: 'refund', id: refund.id }, now })
  }
  const updated = await repo.applyRefund(tx, order.id, refund.amountFen, { points: claw, growth }, now)
  // Refunds are reserved against paid_fen when requested, so this cannot exceed it; if it does, stop.
  if (!updated) throw new Error(`refund ${refund.id} would exceed what order ${order.id} paid`)
  await repo.setRefundStatus(tx, refund.id, ['succeeded'], { status: 'succeeded', pointsClawed: clawed, pointsDebt: debt, now })
  if (updated.status === 'refunded' && updated.kind === 'membership') await repo.revokePaidMembership(tx, order.id, now)
  if (debt > 0) deps.logger.info({ orderId: order.id, userId: order.userId, clawed, debt }, 'refund clawback exceeded the balance; debt recorded')
  return 'refund_succeeded'
}
