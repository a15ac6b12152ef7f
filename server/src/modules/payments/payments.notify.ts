import { AppError } from '../../http/errors'
import { decryptResource, readWechatpayHeaders, verifySignature, type VerifyFailure } from '../../wechat/pay-verify'
import * as membership from '../membership/membership.service'
import * as tenancy from '../tenancy/tenancy.service'
import type { MerchantApp } from '../tenancy/tenancy.repo'
import * as repo from './payments.repo'
import { applyRefundResult, settlePayment, type NotificationSource } from './payments.settle'
import { NotificationEnvelope, paidTransactionOf, RefundNotice, Transaction, type PaymentsDeps } from './payments.wechat'

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

export type NotifyRequest = { rawBody: string | undefined; header(name: string): string | undefined }

export type NotifyOutcome = { eventType: string; outcome: string }

const PROBE_OR_EXPECTED: VerifyFailure[] = ['probe']

export async function handlePayNotification(deps: PaymentsDeps, req: NotifyRequest): Promise<NotifyOutcome> {
  const receivedAt = deps.clock.now()
  const rawBody = req.rawBody
  if (rawBody === undefined || rawBody === '') throw new AppError('PAY_NOTIFY_MALFORMED', { reason: 'empty or non-JSON body' })
  const headers = readWechatpayHeaders(req.header)
  if (!headers.serial) throw signatureInvalid(deps, 'missing_headers')

  // 1. Signature, with the keys of the merchants that hold this serial.
  const candidates = await tenancy.payAppsBySerial(deps.db, headers.serial)
  if (candidates.length === 0) throw signatureInvalid(deps, 'unknown_serial', headers.serial)
  const nowSeconds = deps.pay.nowSeconds()
  const verified: MerchantApp[] = []
  let failure: VerifyFailure = 'unknown_serial'
  for (const app of candidates) {
    const r = verifySignature(headers, rawBody, app.wechatpayKeys, nowSeconds)
    if (r.ok) verified.push(app)
    else failure = r.reason
    // The verdict depends only on the headers, body and key: a probe or a stale stamp fails for all.
    if (!r.ok && (r.reason === 'probe' || r.reason === 'stale_timestamp' || r.reason === 'bad_timestamp' || r.reason === 'missing_headers')) break
  }
  if (verified.length === 0) throw signatureInvalid(deps, failure, headers.serial)

  // 2. Shape.
  let json: unknown
  try {
    json = JSON.parse(rawBody)
  } catch {
    throw new AppError('PAY_NOTIFY_MALFORMED', { reason: 'body is not JSON' })
  }
  const env = NotificationEnvelope.safeParse(json)
  if (!env.success) throw new AppError('PAY_NOTIFY_MALFORMED', { reason: 'not a notification envelope' })
  const envelope = env.data

  // 3. Decrypt and authenticate.
  let app: MerchantApp | null = null
  let plaintext = ''
  for (const candidate of verified) {
    try {
      plaintext = decryptResource(envelope.resource, candidate.apiV3Key!)
      app = candidate
      break
    } catch {
      /* not this merchant's key, or tampered: try the next, fail below */
    }
  }
  if (!app) {
    deps.logger.warn({ notificationId: envelope.id, eventType: envelope.event_type }, 'pay notification failed to decrypt (tampered, wrong key or wrong associated_data)')
    throw new AppError('PAY_NOTIFY_DECRYPT_FAILED')
  }
  let resource: unknown
  try {
    resource = JSON.parse(plaintext)
  } catch {
    throw new AppError('PAY_NOTIFY_MALFORMED', { reason: 'resource plaintext is not JSON' })
  }

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

function signatureInvalid(deps: PaymentsDeps, reason: VerifyFailure, serial?: string): AppError {
  // Probes are WeChat checking us: expected. Anything else may be an attack or a key problem.
  if (PROBE_OR_EXPECTED.includes(reason)) deps.logger.info({ reason }, 'pay notification probe rejected')
  else deps.logger.warn({ reason, serial }, 'pay notification signature rejected')
  return new AppError('PAY_NOTIFY_SIGNATURE_INVALID', { reason })
}

function mismatch(deps: PaymentsDeps, field: string, notificationId: string): AppError {
  deps.logger.error({ alert: 'pay_mismatch', field, notificationId }, 'ALERT: pay notification does not match this merchant; not applied')
  return new AppError('PAY_NOTIFY_MISMATCH', { fields: [field] })
}
