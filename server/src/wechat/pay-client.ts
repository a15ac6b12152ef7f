import crypto from 'node:crypto'
import Pay from 'wechatpay-node-v3'
import type { IPayRequest } from 'wechatpay-node-v3/dist/lib/pay-request.interface'
import type { Output } from 'wechatpay-node-v3/dist/lib/interface-v2'
import { AppError } from '../http/errors'
import { readWechatpayHeaders, verifySignature, type KeysBySerial } from './pay-verify'

/**
 * WeChat Pay APIv3 client for a direct merchant (WECHAT-CONTRACT §2). Requests are built and
 * signed by wechatpay-node-v3 (the design card's choice); the HTTP goes through our own transport
 * (its `createHttp` hook, §3) so that
 * - the base URL comes from config (the library hard-codes https://api.mch.weixin.qq.com; it signs
 *   the path only, so rewriting the host keeps signatures valid),
 * - every response's Wechatpay-Signature is verified over the raw bytes with our pay-verify module
 *   (the library verifies no response at all), and an unverified answer is never trusted.
 * The library's callback helpers (verifySign, decipher_gcm) are deliberately not used: see pay-verify.ts.
 */

const WECHAT_PAY_HOST = 'https://api.mch.weixin.qq.com'

export type PayMerchant = {
  appid: string
  mchid: string
  /** Merchant API certificate serial (hex). */
  serial: string
  privateKeyPem: string
  apiV3Key: string
  /** Platform certificates / WeChat Pay public key by serial, to verify WeChat's signatures. */
  wechatpayKeys: KeysBySerial
}

/** wx.requestPayment parameters (§2.5); appId is signed and returned for completeness. */
export type RequestPaymentParams = {
  appId: string
  timeStamp: string
  nonceStr: string
  package: string
  signType: 'RSA'
  paySign: string
}

export type JsapiPrepayInput = {
  description: string
  out_trade_no: string
  time_expire: string
  notify_url: string
  attach?: string
  amount: { total: number; currency: 'CNY' }
  payer: { openid: string }
}

export type RefundInput = {
  transaction_id: string
  out_refund_no: string
  reason?: string
  notify_url: string
  amount: { refund: number; total: number; currency: 'CNY' }
}

/** WeChat answered, with a verified signature, with an error: `{code, message}` and its HTTP status. */
export class PayApiError extends Error {
  readonly isPayApiError = true
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
    this.name = 'PayApiError'
  }
}

export function isPayApiError(e: unknown): e is PayApiError {
  return typeof e === 'object' && e !== null && (e as { isPayApiError?: unknown }).isPayApiError === true
}

export type PayClient = {
  readonly baseUrl: string
  /** Wall-clock unix seconds: what WeChat's signature timestamps are compared with. */
  nowSeconds(): number
  /** POST /v3/pay/transactions/jsapi → prepay_id. */
  prepayJsapi(m: PayMerchant, input: JsapiPrepayInput): Promise<{ prepayId: string }>
  /** GET /v3/pay/transactions/out-trade-no/{no}: the Transaction object (404 → PayApiError ORDER_NOT_EXIST). */
  queryByOutTradeNo(m: PayMerchant, outTradeNo: string): Promise<Record<string, unknown>>
  /** POST …/close → 204. */
  closeOrder(m: PayMerchant, outTradeNo: string): Promise<void>
  /** POST /v3/refund/domestic/refunds → the Refund object. */
  createRefund(m: PayMerchant, input: RefundInput): Promise<Record<string, unknown>>
  /** GET /v3/refund/domestic/refunds/{no}. */
  queryRefund(m: PayMerchant, outRefundNo: string): Promise<Record<string, unknown>>
  /** Signs the mini-program's wx.requestPayment parameters for a prepay_id (local, no HTTP). */
  requestPayment(m: PayMerchant, prepayId: string): RequestPaymentParams
}

export type PayClientOptions = {
  /** https://api.mch.weixin.qq.com in production; the sandbox URL in tests and the demo. No path. */
  baseUrl: string
  timeoutMs?: number
  /**
   * Wall clock for signature freshness, in ms. Not the business clock: the library stamps our
   * requests with Date.now() and WeChat stamps its answers with its own real time.
   */
  now?: () => number
  userAgent?: string
}

const NONCE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
/** A WeChat Pay nonce from crypto randomness (the library's own uses Math.random). */
export function randomNonce(length = 32): string {
  let out = ''
  for (const b of crypto.randomBytes(length)) out += NONCE_ALPHABET[b % NONCE_ALPHABET.length]
  return out
}

const privateKeys = new Map<string, crypto.KeyObject>()
function privateKeyOf(pem: string): crypto.KeyObject {
  let k = privateKeys.get(pem)
  if (!k) {
    if (privateKeys.size > 1000) privateKeys.clear()
    k = crypto.createPrivateKey(pem)
    privateKeys.set(pem, k)
  }
  return k
}

function parseJson(text: string): unknown {
  if (text === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

export function createPayClient(opts: PayClientOptions): PayClient {
  const base = opts.baseUrl.replace(/\/+$/, '')
  // The library signs the path of https://api.mch.weixin.qq.com/<path>; a base URL with its own
  // path would make the signed path differ from the requested one.
  if (new URL(base).pathname !== '/') throw new Error(`WeChat Pay base URL must have no path: ${opts.baseUrl}`)
  const timeoutMs = opts.timeoutMs ?? 8000
  const now = opts.now ?? Date.now
  const userAgent = opts.userAgent ?? 'siyu-server/0.1 (wechatpay-node-v3)'
  const nowSeconds = () => Math.floor(now() / 1000)

  /** The injected transport: our base URL, exact JSON bytes, every answer's signature verified. */
  function transport(m: PayMerchant): IPayRequest {
    async function send(method: 'GET' | 'POST', url: string, headers: Record<string, unknown>, body?: string): Promise<Output> {
      if (!url.startsWith(WECHAT_PAY_HOST)) throw new Error(`unexpected WeChat Pay URL: ${url}`)
      const target = base + url.slice(WECHAT_PAY_HOST.length)
      const h: Record<string, string> = {}
      for (const [k, v] of Object.entries(headers)) {
        // fetch negotiates compression itself; everything else is what the library signed with.
        if (v !== undefined && v !== null && k.toLowerCase() !== 'accept-encoding') h[k] = String(v)
      }
      let res: Response
      let text: string
      try {
        res = await fetch(target, { method, headers: h, body, signal: AbortSignal.timeout(timeoutMs) })
        text = await res.text()
      } catch (e) {
        throw new AppError('WECHAT_UNAVAILABLE', { api: 'pay', path: url.slice(WECHAT_PAY_HOST.length).split('?')[0], reason: (e as Error).name })
      }
      const verified = verifySignature(readWechatpayHeaders((n) => res.headers.get(n)), text, m.wechatpayKeys, nowSeconds())
      if (!verified.ok) {
        // An answer we cannot attribute to WeChat tells us nothing: the outcome stays unknown.
        throw new AppError('WECHAT_UNAVAILABLE', { api: 'pay', reason: 'response_signature_invalid', detail: verified.reason, status: res.status })
      }
      const parsed = parseJson(text)
      return res.status >= 200 && res.status < 300 ? { status: res.status, data: parsed } : { status: res.status, error: parsed }
    }
    return {
      post: (url, params, headers) => send('POST', url, headers, JSON.stringify(params)),
      get: (url, headers) => send('GET', url, headers),
      upload: () => Promise.reject(new Error('upload is not supported by this transport')),
    }
  }

  function lib(m: PayMerchant): Pay {
    const pay = new Pay({
      appid: m.appid,
      mchid: m.mchid,
      serial_no: m.serial,
      // Required by the constructor but only read to derive serial_no, which we pass explicitly.
      publicKey: Buffer.from('unused: serial_no is given'),
      privateKey: Buffer.from(m.privateKeyPem),
      userAgent,
    })
    pay.createHttp(transport(m))
    return pay
  }

  /** A verified non-2xx answer becomes PayApiError; 2xx returns the body. */
  function unwrap(r: Output): unknown {
    if (r.status >= 200 && r.status < 300) return r.data
    const e = (typeof r.error === 'object' && r.error !== null ? r.error : {}) as { code?: unknown; message?: unknown }
    throw new PayApiError(r.status, typeof e.code === 'string' ? e.code : 'UNKNOWN', typeof e.message === 'string' ? e.message : String(r.error ?? ''))
  }

  function record(v: unknown, what: string): Record<string, unknown> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new AppError('WECHAT_UNAVAILABLE', { api: 'pay', reason: `malformed ${what} answer` })
    return v as Record<string, unknown>
  }

  return {
    baseUrl: base,
    nowSeconds,
    async prepayJsapi(m, input) {
      const r = await lib(m).transactions_jsapi(input)
      const data = record(unwrap(r), 'prepay')
      // The library replaces the answer with its own requestPayment params (Math.random nonce);
      // we keep only the prepay_id and sign our own params in requestPayment().
      const pkg = typeof data.package === 'string' ? data.package : ''
      const prepayId = pkg.startsWith('prepay_id=') ? pkg.slice('prepay_id='.length) : ''
      if (!prepayId) throw new AppError('WECHAT_UNAVAILABLE', { api: 'pay', reason: 'prepay answer without prepay_id' })
      return { prepayId }
    },
    async queryByOutTradeNo(m, outTradeNo) {
      return record(unwrap(await lib(m).query({ out_trade_no: outTradeNo })), 'query')
    },
    async closeOrder(m, outTradeNo) {
      unwrap(await lib(m).close(outTradeNo))
    },
    async createRefund(m, input) {
      return record(unwrap(await lib(m).refunds(input)), 'refund')
    },
    async queryRefund(m, outRefundNo) {
      return record(unwrap(await lib(m).find_refunds(outRefundNo)), 'refund query')
    },
    requestPayment(m, prepayId) {
      const timeStamp = String(nowSeconds())
      const nonceStr = randomNonce(32)
      const pkg = `prepay_id=${prepayId}`
      const paySign = crypto.sign('sha256', Buffer.from(`${m.appid}\n${timeStamp}\n${nonceStr}\n${pkg}\n`, 'utf8'), privateKeyOf(m.privateKeyPem)).toString('base64')
      return { appId: m.appid, timeStamp, nonceStr, package: pkg, signType: 'RSA', paySign }
    },
  }
}
