/**
 * The only place that touches WeChat client APIs. Each function branches on
 * `process.env.TARO_ENV` (replaced at build time, so the other branch is dropped):
 * - weapp: the real wx APIs, wrapped in explicit Promises where Taro 4.2.1 does not promisify them;
 * - h5: the WeChat sandbox's test hooks. Taro's H5 stubs of login/requestPayment are never used:
 *   in production H5 builds they resolve with a fake success (WECHAT-CONTRACT §7.11).
 */
import Taro from '@tarojs/taro'
import { fromWechatFail, PlatformError } from './platform-error'
import * as sandbox from './sandbox'

export { PlatformError, isPlatformError, type PlatformErrorCode } from './platform-error'

// `process.env.TARO_ENV` is written inline in every branch (not via a const) so that webpack's
// constant folding drops the other platform's branch and its imports at build time.

function unsupported(api: string): PlatformError {
  return new PlatformError('UNSUPPORTED', `${api}:fail not supported on ${process.env.TARO_ENV}`)
}

/** Which WeChat user the stored session belongs to ('' in weapp: one device, one user). */
export function sessionScope(): string {
  return process.env.TARO_ENV === 'h5' ? sandbox.simOpenid() : ''
}

/** A single-use login code for POST /api/v1/auth/login. */
export async function getLoginCode(): Promise<string> {
  if (process.env.TARO_ENV === 'h5') return sandbox.mintLoginCode()
  if (process.env.TARO_ENV !== 'weapp') throw unsupported('login')
  let res: Taro.login.SuccessCallbackResult
  try {
    res = await Taro.login()
  } catch (err) {
    throw fromWechatFail(err)
  }
  if (!res.code) throw new PlatformError('FAILED', res.errMsg || 'login:fail no code')
  return res.code
}

/** Detail of the getPhoneNumber button event (`e.detail`). */
export type PhoneNumberDetail = { code?: string; errMsg?: string }

/**
 * The phone-number code to send to the server. In weapp it comes from the
 * `<Button openType='getPhoneNumber'>` event; in H5 the sandbox mints one.
 */
export async function getPhoneCode(detail?: PhoneNumberDetail): Promise<string> {
  if (process.env.TARO_ENV === 'h5') return sandbox.mintPhoneCode()
  if (process.env.TARO_ENV !== 'weapp') throw unsupported('getPhoneNumber')
  if (detail?.code) return detail.code
  throw fromWechatFail(detail ?? { errMsg: 'getPhoneNumber:fail no code' })
}

/** Exactly what the server's prepay answers for wx.requestPayment (WECHAT-CONTRACT §2.5). */
export type PaymentParams = {
  /** Signed into paySign but implied in a mini-program; the H5 sandbox needs it to verify paySign. */
  appId?: string
  timeStamp: string
  nonceStr: string
  package: string
  signType: 'RSA'
  paySign: string
}

/**
 * Shows the WeChat Pay sheet. Resolving does NOT mean paid: the server confirms through the
 * payment notification or an order query.
 */
export function requestPayment(params: PaymentParams): Promise<void> {
  const { appId, timeStamp, nonceStr, package: pkg, signType, paySign } = params
  if (process.env.TARO_ENV === 'h5') {
    return sandbox.confirmPayment({ appId, timeStamp, nonceStr, package: pkg, signType, paySign })
  }
  if (process.env.TARO_ENV !== 'weapp') return Promise.reject(unsupported('requestPayment'))
  return new Promise<void>((resolve, reject) => {
    Taro.requestPayment({
      timeStamp,
      nonceStr,
      package: pkg,
      signType,
      paySign,
      success: () => resolve(),
      fail: (res) => reject(fromWechatFail(res)),
    })
  })
}

/** What the server's transfer bill answers for wx.requestMerchantTransfer (WECHAT-CONTRACT §2.11). */
export type MerchantTransferParams = {
  mchId: string
  appId: string
  /** `package_info` of the transfer bill. */
  package: string
  openId?: string
}

type WechatCallbacks = { success?: (res: unknown) => void; fail?: (res: unknown) => void }
/** The slice of the native `wx` global used here; Taro 4.2.1 has no typing for it. */
type WxGlobal = {
  canIUse?: (schema: string) => boolean
  requestMerchantTransfer?: (options: MerchantTransferParams & WechatCallbacks) => void
}

function wechatGlobal(): WxGlobal | undefined {
  return typeof wx === 'undefined' ? undefined : (wx as WxGlobal)
}

/**
 * Opens WeChat's "confirm receipt" page for a merchant transfer (red packet payout). Resolving
 * only means the page was shown and closed; the transfer's state comes from the server.
 */
export function requestMerchantTransfer(params: MerchantTransferParams): Promise<void> {
  if (process.env.TARO_ENV === 'h5') return sandbox.confirmTransfer(params)
  if (process.env.TARO_ENV !== 'weapp') return Promise.reject(unsupported('requestMerchantTransfer'))
  const api = wechatGlobal()
  const available = !!api?.requestMerchantTransfer && (api.canIUse?.('requestMerchantTransfer') ?? true)
  if (!api?.requestMerchantTransfer || !available) return Promise.reject(unsupported('requestMerchantTransfer'))
  const call = api.requestMerchantTransfer
  return new Promise<void>((resolve, reject) => {
    call({
      ...params,
      success: () => resolve(),
      fail: (res) => reject(fromWechatFail(res)),
    })
  })
}

export type ScanResult = { result: string; scanType?: string }

/** Scans a QR code / barcode and resolves with its text. */
export function scanCode(options: { onlyFromCamera?: boolean } = {}): Promise<ScanResult> {
  if (process.env.TARO_ENV === 'h5') {
    try {
      return Promise.resolve({ result: sandbox.promptScan(), scanType: 'QR_CODE' })
    } catch (err) {
      return Promise.reject(err)
    }
  }
  if (process.env.TARO_ENV !== 'weapp') return Promise.reject(unsupported('scanCode'))
  return new Promise<ScanResult>((resolve, reject) => {
    Taro.scanCode({
      onlyFromCamera: options.onlyFromCamera ?? false,
      success: (res) => resolve({ result: res.result, scanType: res.scanType }),
      fail: (res) => reject(fromWechatFail(res)),
    })
  })
}
