import { AppError } from '../../http/errors'
import * as membership from '../membership/membership.service'
import type { MerchantApp } from '../tenancy/tenancy.repo'
import * as repo from './payments.repo'
import { applyRefundResult, settlePayment, type NotificationSource } from './payments.settle'
import { openNotification, type NotifyRequest } from './payments.open-notification'
import { paidTransactionOf, RefundNotice, Transaction, type PaymentsDeps } from './payments.wechat'

/**
 * POST /wechat/pay/notify: every WeChat Pay notification of every merchant (TRANSACTION.SUCCESS,
 * REFUND.*). Order of checks, each failure a 4xx so WeChat retries and nothing is written:
 * 1. signature over the RAW body, Wechatpay-Serial → the key of a merchant holding it, 300 s window,
 *    probe signatures rejected (pay-verify);
 * 2. the envelope's shape;
 * 3. AEAD_AES_256_GCM decryption with that merchant's APIv3 key, tag checked (this also tells which
 *    merchant it is when several hold the same platform key: only the right APIv3 key authenticates);
 * 4. the plaintext against our records: mchid, appid, out_trade_no, amount (payments.settle);
 * then the state change in one transaction, idempotent by notification id. The caller replies 204
 * only after that transaction committed.
 */

export type { NotifyRequest }

export type NotifyOutcome = { eventType: string; outcome: string }

export async function handlePayNotification(deps: PaymentsDeps, req: NotifyRequest): Promise<NotifyOutcome> {
  const receivedAt = deps.clock.now()
  const { app, envelope, resource } = await openNotification(deps, req, deps.pay.nowSeconds(), 'pay')
  const source: NotificationSource = { notificationId: envelope.id, eventType: envelope.event_type, summary: envelope.summary ?? null, receivedAt }

  // 4. Apply.
  if (envelope.event_type === 'TRANSACTION.SUCCESS') {
    const t = Transaction.safeParse(resource)
    if (!t.success) throw new AppError('PAY_NOTIFY_MALFORMED', { reason: 'not a transaction' })
    if (t.data.mchid !== app.mchid) throw mismatch(deps, 'mchid', envelope.id)
    if (t.data.trade_state !== 'SUCCESS') throw mismatch(deps, 'trade_state', envelope.id)
    const r = await settlePayment(deps, app, paidTransactionOf(t.data), source)
    if (r.membershipPurchased) await claimCardAfterPurchase(deps, app.merchantId, r.membershipPurchased.userId)
    return { eventType: envelope.event_type, outcome: r.outcome }
  }
  if (envelope.event_type.startsWith('REFUND.')) {
    const n = RefundNotice.safeParse(resource)
    if (!n.success) throw new AppError('PAY_NOTIFY_MALFORMED', { reason: 'not a refund' })
    if (n.data.mchid !== app.mchid) throw mismatch(deps, 'mchid', envelope.id)
    if (envelope.event_type !== `REFUND.${n.data.refund_status}`) throw mismatch(deps, 'refund_status', envelope.id)
    const outcome = await settleRefundNotice(deps, app, n.data, source)
    return { eventType: envelope.event_type, outcome }
  }
  // Another product's event on our URL: recorded and acknowledged, so WeChat stops resending it.
  await repo.insertNotification(deps.db, { notificationId: envelope.id, merchantId: app.merchantId, eventType: envelope.event_type, summary: source.summary, reference: '', outcome: 'ignored', receivedAt })
  deps.logger.warn({ notificationId: envelope.id, eventType: envelope.event_type }, 'pay notification of an unhandled event type acknowledged')
  return { eventType: envelope.event_type, outcome: 'ignored' }
}

async function settleRefundNotice(deps: PaymentsDeps, app: MerchantApp, n: RefundNotice, source: NotificationSource): Promise<string> {
  const now = deps.clock.now()
  return deps.db.transaction(async (tx) => {
    const refund = await repo.lockRefundByOutRefundNo(tx, n.out_refund_no)
    if (!refund || refund.merchantId !== app.merchantId) throw new AppError('PAY_NOTIFY_UNKNOWN_ORDER', { outRefundNo: n.out_refund_no })
    const attempt = (await repo.findAttempt(tx, refund.attemptId))!
    const wrong = [
      n.mchid !== attempt.mchid && 'mchid',
      n.out_trade_no !== attempt.outTradeNo && 'out_trade_no',
      n.transaction_id !== attempt.transactionId && 'transaction_id',
      n.amount.refund !== refund.amountFen && 'amount.refund',
      n.amount.total !== attempt.amountFen && 'amount.total',
    ].filter((f): f is string => typeof f === 'string')
    if (wrong.length > 0) {
      deps.logger.error({ alert: 'refund_mismatch', outRefundNo: n.out_refund_no, fields: wrong }, 'ALERT: refund notification does not match our refund; not applied')
      throw new AppError('PAY_NOTIFY_MISMATCH', { fields: wrong })
    }
    const inserted = await repo.insertNotification(tx, {
      notificationId: source.notificationId,
      merchantId: refund.merchantId,
      eventType: source.eventType,
      summary: source.summary,
      reference: n.out_refund_no,
      transactionId: n.transaction_id,
      amountFen: n.amount.refund,
      outcome: 'pending',
      receivedAt: source.receivedAt,
    })
    if (!inserted) return 'replayed'
    const outcome = await applyRefundResult(tx, deps, refund, { status: n.refund_status, refundId: n.refund_id, successTime: n.success_time ? new Date(n.success_time) : null }, now)
    await repo.setNotificationOutcome(tx, inserted.id, outcome)
    return outcome
  })
}

/**
 * A paid membership also gives the membership card. membership.claimCard opens its own transaction,
 * so it runs after the payment committed; it is idempotent, and a failure (e.g. the policy needs a
 * bound phone first) leaves the user to claim the card later: the payment is never undone for it.
 */
export async function claimCardAfterPurchase(deps: PaymentsDeps, merchantId: string, userId: string) {
  try {
    await membership.claimCard(deps.db, merchantId, userId, deps.clock.now())
  } catch (err) {
    deps.logger.info({ err, merchantId, userId }, 'membership card not claimed automatically after a paid plan')
  }
}

function mismatch(deps: PaymentsDeps, field: string, notificationId: string): AppError {
  deps.logger.error({ alert: 'pay_mismatch', field, notificationId }, 'ALERT: pay notification does not match this merchant; not applied')
  return new AppError('PAY_NOTIFY_MISMATCH', { fields: [field] })
}
