import { AppError } from '../../http/errors'
import type { Logger } from '../../logger'
import type { DbOrTx } from '../../db/client'
import { decryptResource, readWechatpayHeaders, verifySignature, type VerifyFailure } from '../../wechat/pay-verify'
import * as tenancy from '../tenancy/tenancy.service'
import type { MerchantApp } from '../tenancy/tenancy.repo'
import { NotificationEnvelope } from './payments.wechat'

export type NotifyRequest = { rawBody: string | undefined; header(name: string): string | undefined }

export type OpenedNotification = {
  /** The merchant whose platform key verified the signature and whose APIv3 key authenticated the resource. */
  app: MerchantApp
  envelope: NotificationEnvelope
  /** The decrypted resource, parsed as JSON (its shape is the caller's to check). */
  resource: unknown
}

/** Verdicts that depend only on the headers and body, not on the key: no need to try other merchants. */
const KEY_INDEPENDENT: VerifyFailure[] = ['probe', 'stale_timestamp', 'bad_timestamp', 'missing_headers']

/**
 * The checks every WeChat Pay notification gets (payments, refunds, transfers), each failure a 4xx
 * so WeChat retries and nothing is written:
 * 1. the signature over the RAW body, with the keys of the merchants that hold Wechatpay-Serial
 *    (300 s window, probe signatures rejected) — pay-verify;
 * 2. the envelope's shape;
 * 3. AEAD_AES_256_GCM with that merchant's APIv3 key, tag checked. When several merchants share a
 *    platform key, only the right APIv3 key authenticates, which tells us whose notification it is.
 * Checking the plaintext against our own records (mchid, amounts...) is the caller's job.
 */
export async function openNotification(
  deps: { db: DbOrTx; logger: Logger },
  req: NotifyRequest,
  nowSeconds: number,
  label: string,
): Promise<OpenedNotification> {
  const rawBody = req.rawBody
  if (rawBody === undefined || rawBody === '') throw new AppError('PAY_NOTIFY_MALFORMED', { reason: 'empty or non-JSON body' })
  const headers = readWechatpayHeaders(req.header)
  const rejected = (reason: VerifyFailure) => {
    // Probes are WeChat checking that we verify: expected. Anything else may be an attack or a key problem.
    if (reason === 'probe') deps.logger.info({ reason }, `${label} notification probe rejected`)
    else deps.logger.warn({ reason, serial: headers.serial }, `${label} notification signature rejected`)
    return new AppError('PAY_NOTIFY_SIGNATURE_INVALID', { reason })
  }
  if (!headers.serial) throw rejected('missing_headers')

  const candidates = (await tenancy.payAppsBySerial(deps.db, headers.serial)).filter((a) => a.apiV3Key)
  const verified: MerchantApp[] = []
  let failure: VerifyFailure = 'unknown_serial'
  for (const app of candidates) {
    const r = verifySignature(headers, rawBody, app.wechatpayKeys, nowSeconds)
    if (r.ok) verified.push(app)
    else failure = r.reason
    if (!r.ok && KEY_INDEPENDENT.includes(r.reason)) break
  }
  if (verified.length === 0) throw rejected(failure)

  let json: unknown
  try {
    json = JSON.parse(rawBody)
  } catch {
    throw new AppError('PAY_NOTIFY_MALFORMED', { reason: 'body is not JSON' })
  }
  const env = NotificationEnvelope.safeParse(json)
  if (!env.success) throw new AppError('PAY_NOTIFY_MALFORMED', { reason: 'not a notification envelope' })
  const envelope = env.data

  for (const app of verified) {
    let plaintext: string
    try {
      plaintext = decryptResource(envelope.resource, app.apiV3Key!)
    } catch {
      continue // not this merchant's key, or tampered: try the next, fail below
    }
    try {
      return { app, envelope, resource: JSON.parse(plaintext) as unknown }
    } catch {
      throw new AppError('PAY_NOTIFY_MALFORMED', { reason: 'resource plaintext is not JSON' })
    }
  }
  deps.logger.warn({ notificationId: envelope.id, eventType: envelope.event_type }, `${label} notification failed to decrypt (tampered, wrong key or wrong associated_data)`)
  throw new AppError('PAY_NOTIFY_DECRYPT_FAILED')
}
