import { AppError } from '../../http/errors'
import { TransferBill } from '../../wechat/transfer-client'
import { decryptResource, readWechatpayHeaders, verifySignature, type VerifyFailure } from '../../wechat/pay-verify'
import { NotificationEnvelope } from '../payments/payments.wechat'
import * as tenancy from '../tenancy/tenancy.service'
import type { MerchantApp } from '../tenancy/tenancy.repo'
import * as repo from './payouts.repo'
import { applyBillState, type PayoutsDeps } from './payouts.service'

/**
 * POST /wechat/transfer/notify: MCHTRANSFER.BILL.FINISHED (§2.11.1). The same checks as payment
 * notifications, with the same primitives (pay-verify, the payments envelope schema), each failure a
 * 4xx so WeChat retries and nothing is written:
 * 1. signature over the RAW body with the keys of the merchants holding Wechatpay-Serial (300 s
 *    window, probes rejected);
 * 2. envelope shape; 3. AEAD_AES_256_GCM with the merchant's APIv3 key (tag checked; the key that
 *    authenticates tells which merchant it is when several share the platform key);
 * 4. the bill against our withdrawal (mchid, out_bill_no, amount, openid);
 * then one transaction: the notification id recorded (a replay stops here), the state applied
 * (SUCCESS settles, FAIL / CANCELLED refund once). The caller answers 204 after the commit.
 */

export type NotifyRequest = { rawBody: string | undefined; header(name: string): string | undefined }
export type NotifyOutcome = { eventType: string; outcome: 'applied' | 'replayed' | 'already_final' | 'ignored'; status?: string }

const EVENT = 'MCHTRANSFER.BILL.FINISHED'

export async function handleTransferNotification(deps: PayoutsDeps, req: NotifyRequest): Promise<NotifyOutcome> {
  const receivedAt = deps.clock.now()
  const rawBody = req.rawBody
  if (rawBody === undefined || rawBody === '') throw new AppError('PAY_NOTIFY_MALFORMED', { reason: 'empty or non-JSON body' })
  const headers = readWechatpayHeaders(req.header)
  if (!headers.serial) throw signatureInvalid(deps, 'missing_headers')

  const candidates = (await tenancy.payAppsBySerial(deps.db, headers.serial)).filter((a) => a.apiV3Key)
  const nowSeconds = deps.nowSeconds()
  const verified: MerchantApp[] = []
  let failure: VerifyFailure = 'unknown_serial'
  for (const app of candidates) {
    const r = verifySignature(headers, rawBody, app.wechatpayKeys, nowSeconds)
    if (r.ok) verified.push(app)
    else failure = r.reason
    // these verdicts do not depend on the key: no need to try the others
    if (!r.ok && (r.reason === 'probe' || r.reason === 'stale_timestamp' || r.reason === 'bad_timestamp' || r.reason === 'missing_headers')) break
  }
  if (verified.length === 0) throw signatureInvalid(deps, failure)

  let json: unknown
  try {
    json = JSON.parse(rawBody)
  } catch {
    throw new AppError('PAY_NOTIFY_MALFORMED', { reason: 'body is not JSON' })
  }
  const env = NotificationEnvelope.safeParse(json)
  if (!env.success) throw new AppError('PAY_NOTIFY_MALFORMED', { reason: 'not a notification envelope' })
  const envelope = env.data

  let app: MerchantApp | null = null
  let plaintext = ''
  for (const candidate of verified) {
    try {
      plaintext = decryptResource(envelope.resource, candidate.apiV3Key!)
      app = candidate
      break
    } catch {
      /* another merchant's key, or tampered */
    }
  }
  if (!app) throw new AppError('PAY_NOTIFY_DECRYPT_FAILED')
  if (envelope.event_type !== EVENT) {
    deps.logger.warn({ notificationId: envelope.id, eventType: envelope.event_type }, 'transfer notification of another event type acknowledged')
    return { eventType: envelope.event_type, outcome: 'ignored' }
  }
  let resource: unknown
  try {
    resource = JSON.parse(plaintext)
  } catch {
    throw new AppError('PAY_NOTIFY_MALFORMED', { reason: 'resource plaintext is not JSON' })
  }
  const b = TransferBill.safeParse(resource)
  if (!b.success) throw new AppError('PAY_NOTIFY_MALFORMED', { reason: 'not a transfer bill' })
  const bill = b.data
  if (bill.mch_id !== app.mchid) throw mismatch(deps, ['mch_id'], envelope.id)
  const merchant = app

  return deps.db.transaction(async (tx) => {
    const row = await repo.findByOutBillNo(tx, merchant.merchantId, merchant.mchid!, bill.out_bill_no)
    if (!row) throw new AppError('PAY_NOTIFY_UNKNOWN_ORDER', { outBillNo: bill.out_bill_no })
    const wrong = [bill.transfer_amount !== row.amountFen && 'transfer_amount', bill.openid !== row.openid && 'openid'].filter((f): f is string => typeof f === 'string')
    if (wrong.length > 0) throw mismatch(deps, wrong, envelope.id)
    if (!(await repo.insertNotification(tx, { merchantId: merchant.merchantId, notificationId: envelope.id, outBillNo: bill.out_bill_no, state: bill.state, outcome: 'applied', receivedAt }))) {
      return { eventType: EVENT, outcome: 'replayed' as const, status: row.status }
    }
    const wasFinal = ['success', 'failed', 'cancelled'].includes(row.status)
    const next = await applyBillState(tx, row, { state: bill.state, transferBillNo: bill.transfer_bill_no, failReason: bill.fail_reason }, receivedAt, deps.logger)
    return { eventType: EVENT, outcome: wasFinal ? ('already_final' as const) : ('applied' as const), status: next.status }
  })
}

function signatureInvalid(deps: PayoutsDeps, reason: VerifyFailure): AppError {
  if (reason === 'probe') deps.logger.info({ reason }, 'transfer notification probe rejected')
  else deps.logger.warn({ reason }, 'transfer notification signature rejected')
  return new AppError('PAY_NOTIFY_SIGNATURE_INVALID', { reason })
}

function mismatch(deps: PayoutsDeps, fields: string[], notificationId: string): AppError {
  deps.logger.error({ alert: 'transfer_notify_mismatch', fields, notificationId }, 'ALERT: transfer notification does not match our withdrawal; not applied')
  return new AppError('PAY_NOTIFY_MISMATCH', { fields })
}
