import Pay from 'wechatpay-node-v3'
import { z } from 'zod'
import { AppError } from '../http/errors'
import { PayApiError, randomNonce, type PayMerchant } from './pay-client'
import { readWechatpayHeaders, verifySignature } from './pay-verify'

/**
 * WeChat Pay merchant transfer, user-confirm mode (商家转账, WECHAT-CONTRACT §2.11), beside the pay
 * client and built the same way: requests signed with the merchant key through wechatpay-node-v3
 * (which has no transfer-bill calls of its own), the base URL from config, every answer's
 * Wechatpay-Signature verified on the raw bytes by pay-verify before it is believed.
 *
 * The signed message is built here: the library's getSignature drops the empty-body line of a POST
 * without body (the cancel call), which WeChat signs as `POST\n<path>\n<ts>\n<nonce>\n\n`.
 *
 * Outcomes a caller must tell apart (never re-create a bill under a new out_bill_no on the second):
 * - PayApiError: WeChat answered, signed, with a 4xx/5xx {code, message};
 * - AppError WECHAT_UNAVAILABLE: no verified answer (network, timeout, bad signature) — unknown.
 */

const BASE = '/v3/fund-app/mch-transfer/transfer-bills'

export type TransferSceneReportInfo = { info_type: string; info_content: string }

export type CreateTransferBillInput = {
  out_bill_no: string
  transfer_scene_id: string
  openid: string
  transfer_amount: number
  transfer_remark: string
  notify_url?: string
  user_recv_perception?: string
  transfer_scene_report_infos: TransferSceneReportInfo[]
}

export const TRANSFER_STATES = ['ACCEPTED', 'PROCESSING', 'WAIT_USER_CONFIRM', 'TRANSFERING', 'SUCCESS', 'FAIL', 'CANCELING', 'CANCELLED'] as const
export const TransferState = z.enum(TRANSFER_STATES)
export type TransferState = z.infer<typeof TransferState>

export const CreateTransferBillAnswer = z.object({
  out_bill_no: z.string(),
  transfer_bill_no: z.string(),
  state: TransferState,
  package_info: z.string().optional(),
  fail_reason: z.string().optional(),
  create_time: z.string().optional(),
})
export type CreateTransferBillAnswer = z.infer<typeof CreateTransferBillAnswer>

/** Query answers and the decrypted MCHTRANSFER.BILL.FINISHED resource share these fields. */
export const TransferBill = z.object({
  mch_id: z.string(),
  out_bill_no: z.string(),
  transfer_bill_no: z.string(),
  state: TransferState,
  transfer_amount: z.number().int(),
  openid: z.string(),
  fail_reason: z.string().optional(),
  appid: z.string().optional(),
  create_time: z.string().optional(),
  update_time: z.string().optional(),
})
export type TransferBill = z.infer<typeof TransferBill>

export const CancelTransferBillAnswer = z.object({
  out_bill_no: z.string(),
  transfer_bill_no: z.string().optional(),
  state: TransferState,
  update_time: z.string().optional(),
})
export type CancelTransferBillAnswer = z.infer<typeof CancelTransferBillAnswer>

export type TransferClient = {
  /** POST /v3/fund-app/mch-transfer/transfer-bills (appid from the merchant). Same out_bill_no + same body = same bill. */
  createBill(m: PayMerchant, input: CreateTransferBillInput): Promise<CreateTransferBillAnswer>
  /** GET …/out-bill-no/{no}; an unknown bill is PayApiError 404 NOT_FOUND. */
  queryByOutBillNo(m: PayMerchant, outBillNo: string): Promise<TransferBill>
  queryByTransferBillNo(m: PayMerchant, transferBillNo: string): Promise<TransferBill>
  /** POST …/out-bill-no/{no}/cancel (no body): CANCELING, CANCELLED follows asynchronously. */
  cancelBill(m: PayMerchant, outBillNo: string): Promise<CancelTransferBillAnswer>
}

export type TransferClientOptions = {
  baseUrl: string
  timeoutMs?: number
  /** Wall clock in ms for signature timestamps (not the business clock). */
  now?: () => number
  userAgent?: string
}

export function createTransferClient(opts: TransferClientOptions): TransferClient {
  const base = opts.baseUrl.replace(/\/+$/, '')
  if (new URL(base).pathname !== '/') throw new Error(`WeChat Pay base URL must have no path: ${opts.baseUrl}`)
  const timeoutMs = opts.timeoutMs ?? 8000
  const now = opts.now ?? Date.now
  const userAgent = opts.userAgent ?? 'siyu-server/0.1 (wechatpay-node-v3)'

  const signers = new Map<string, Pay>()
  function signer(m: PayMerchant): Pay {
    // the key itself is part of the cache key: a replaced key must never sign with the old one
    const key = `${m.mchid}|${m.serial}|${m.privateKeyPem}`
    let pay = signers.get(key)
    if (!pay) {
      if (signers.size > 1000) signers.clear()
      pay = new Pay({
        appid: m.appid,
        mchid: m.mchid,
        serial_no: m.serial,
        publicKey: Buffer.from('unused: serial_no is given'),
        privateKey: Buffer.from(m.privateKeyPem),
        userAgent,
      })
      signers.set(key, pay)
    }
    return pay
  }

  async function call(m: PayMerchant, method: 'GET' | 'POST', path: string, body: unknown): Promise<unknown> {
    const text = body === undefined ? '' : JSON.stringify(body)
    const ts = String(Math.floor(now() / 1000))
    const n = randomNonce()
    const pay = signer(m)
    const signature = pay.sha256WithRsa(`${method}\n${path}\n${ts}\n${n}\n${text}\n`)
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'User-Agent': userAgent,
      Authorization: pay.getAuthorization(n, ts, signature),
    }
    if (method === 'POST') headers['Content-Type'] = 'application/json'
    let res: Response
    let answer: string
    try {
      res = await fetch(`${base}${path}`, { method, headers, body: method === 'POST' ? text : undefined, signal: AbortSignal.timeout(timeoutMs) })
      answer = await res.text()
    } catch (e) {
      throw new AppError('WECHAT_UNAVAILABLE', { api: 'transfer', path: path.split('?')[0], reason: (e as Error).name })
    }
    const verified = verifySignature(readWechatpayHeaders((h) => res.headers.get(h)), answer, m.wechatpayKeys, Math.floor(now() / 1000))
    if (!verified.ok) throw new AppError('WECHAT_UNAVAILABLE', { api: 'transfer', reason: 'response_signature_invalid', detail: verified.reason, status: res.status })
    let parsed: unknown = undefined
    try {
      parsed = answer === '' ? undefined : JSON.parse(answer)
    } catch {
      parsed = answer
    }
    if (res.status >= 200 && res.status < 300) return parsed
    const e = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as { code?: unknown; message?: unknown }
    throw new PayApiError(res.status, typeof e.code === 'string' ? e.code : 'UNKNOWN', typeof e.message === 'string' ? e.message : String(parsed ?? ''))
  }

  function shaped<S extends z.ZodType>(schema: S, v: unknown, what: string): z.output<S> {
    const r = schema.safeParse(v)
    if (!r.success) throw new AppError('WECHAT_UNAVAILABLE', { api: 'transfer', reason: `malformed ${what} answer` })
    return r.data
  }

  const seg = (s: string) => encodeURIComponent(s)

  return {
    async createBill(m, input) {
      return shaped(CreateTransferBillAnswer, await call(m, 'POST', BASE, { appid: m.appid, ...input }), 'create')
    },
    async queryByOutBillNo(m, outBillNo) {
      return shaped(TransferBill, await call(m, 'GET', `${BASE}/out-bill-no/${seg(outBillNo)}`, undefined), 'query')
    },
    async queryByTransferBillNo(m, transferBillNo) {
      return shaped(TransferBill, await call(m, 'GET', `${BASE}/transfer-bill-no/${seg(transferBillNo)}`, undefined), 'query')
    },
    async cancelBill(m, outBillNo) {
      return shaped(CancelTransferBillAnswer, await call(m, 'POST', `${BASE}/out-bill-no/${seg(outBillNo)}/cancel`, undefined), 'cancel')
    },
  }
}
