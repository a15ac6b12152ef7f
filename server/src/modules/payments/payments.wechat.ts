import crypto from 'node:crypto'
import { z } from 'zod'
import type { Db } from '../../db/client'
import { AppError } from '../../http/errors'
import type { Clock } from '../../lib/clock'
import type { Logger } from '../../logger'
import type { PayClient, PayMerchant } from '../../wechat/pay-client'
import type { MerchantApp } from '../tenancy/tenancy.repo'

/** What the payments services need; built from AppDeps by the routes and by the reconciliation job. */
export type PaymentsDeps = {
  db: Db
  pay: PayClient
  clock: Clock
  logger: Logger
  /** Unpaid orders close after this (PAY_ORDER_TTL_MINUTES). */
  orderTtlMs: number
  /** `${PUBLIC_BASE_URL}/wechat/pay/notify`, or null when no public URL is known yet. */
  notifyUrl(): string | null
}

export const NOTIFY_PATH = '/wechat/pay/notify'

/** The merchant's WeChat Pay credentials, or null when the app has none (pay not configured). */
export function payMerchantOf(app: MerchantApp): PayMerchant | null {
  if (!app.mchid || !app.mchSerial || !app.mchPrivateKeyPem || !app.apiV3Key) return null
  return { appid: app.appid, mchid: app.mchid, serial: app.mchSerial, privateKeyPem: app.mchPrivateKeyPem, apiV3Key: app.apiV3Key, wechatpayKeys: app.wechatpayKeys }
}

export function requirePayMerchant(app: MerchantApp): PayMerchant {
  const m = payMerchantOf(app)
  if (!m) throw new AppError('PAY_NOT_CONFIGURED')
  return m
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
function randomAlnum(n: number): string {
  let s = ''
  for (const b of crypto.randomBytes(n)) s += ALNUM[b % ALNUM.length]
  return s
}

/** WeChat: 6–32 chars of [0-9A-Za-z_-|*], unique per mchid. 'P' + 24 random chars (~124 bits). */
export function newOutTradeNo(): string {
  return `P${randomAlnum(24)}`
}

export function newOutRefundNo(): string {
  return `R${randomAlnum(24)}`
}

/** RFC 3339 in China Standard Time, seconds precision, as WeChat Pay writes times: 2025-01-22T15:44:23+08:00. */
export function rfc3339Cst(d: Date): string {
  return `${new Date(Math.floor(d.getTime() / 1000) * 1000 + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`
}

/** WeChat's description is ≤127 bytes of UTF-8: cut on a character boundary. */
export function truncateUtf8(s: string, maxBytes: number): string {
  if (Buffer.byteLength(s, 'utf8') <= maxBytes) return s
  let out = ''
  for (const ch of s) {
    if (Buffer.byteLength(out + ch + '…', 'utf8') > maxBytes) break
    out += ch
  }
  return `${out}…`
}

// ---- what WeChat sends (validated before use: decrypted does not mean well-formed) ------------

export const NotificationEnvelope = z.object({
  id: z.string().min(1).max(128),
  create_time: z.string().optional(),
  event_type: z.string().min(1).max(64),
  resource_type: z.string().optional(),
  summary: z.string().max(256).optional(),
  resource: z.object({
    algorithm: z.string(),
    ciphertext: z.string().min(1),
    nonce: z.string(),
    associated_data: z.string().nullable().optional(),
    original_type: z.string().optional(),
  }),
})
export type NotificationEnvelope = z.infer<typeof NotificationEnvelope>

/** The Transaction object: TRANSACTION.SUCCESS plaintext and the order-query answer (§2.6). */
export const Transaction = z.object({
  appid: z.string(),
  mchid: z.string(),
  out_trade_no: z.string(),
  transaction_id: z.string().optional(),
  trade_state: z.string(),
  success_time: z.string().optional(),
  payer: z.object({ openid: z.string() }).optional(),
  amount: z.object({ total: z.number().int(), payer_total: z.number().int().optional(), currency: z.string().optional() }),
})
export type Transaction = z.infer<typeof Transaction>

/** REFUND.* plaintext (§2.8): note `refund_status` here, `status` in API answers. */
export const RefundNotice = z.object({
  mchid: z.string(),
  out_trade_no: z.string(),
  transaction_id: z.string(),
  out_refund_no: z.string(),
  refund_id: z.string(),
  refund_status: z.enum(['SUCCESS', 'CLOSED', 'ABNORMAL']),
  success_time: z.string().optional(),
  amount: z.object({ total: z.number().int(), refund: z.number().int() }),
})
export type RefundNotice = z.infer<typeof RefundNotice>

/** The Refund object of POST /v3/refund/domestic/refunds and its query. */
export const RefundAnswer = z.object({
  refund_id: z.string(),
  out_refund_no: z.string(),
  status: z.enum(['SUCCESS', 'CLOSED', 'PROCESSING', 'ABNORMAL']),
  success_time: z.string().optional(),
  amount: z.object({ total: z.number().int(), refund: z.number().int() }),
})
export type RefundAnswer = z.infer<typeof RefundAnswer>

/** A verified, checked successful payment, from a notification or a query. */
export type PaidTransaction = {
  outTradeNo: string
  transactionId: string
  appid: string
  mchid: string
  totalFen: number
  currency: string
  successTime: Date | null
}

export function paidTransactionOf(t: Transaction): PaidTransaction {
  if (!t.transaction_id) throw new AppError('PAY_NOTIFY_MALFORMED', { reason: 'transaction without transaction_id' })
  const at = t.success_time ? new Date(t.success_time) : null
  return {
    outTradeNo: t.out_trade_no,
    transactionId: t.transaction_id,
    appid: t.appid,
    mchid: t.mchid,
    totalFen: t.amount.total,
    currency: t.amount.currency ?? 'CNY',
    successTime: at && !Number.isNaN(at.getTime()) ? at : null,
  }
}
