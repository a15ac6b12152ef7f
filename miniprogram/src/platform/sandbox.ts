/**
 * H5 only: the WeChat sandbox's test hooks (/__sim/*) stand in for the WeChat client, so the
 * browser build runs the same server flows as the mini-program. Never bundled into weapp code
 * paths (every caller is behind `process.env.TARO_ENV === 'h5'`).
 */
import { appConfig } from '../config'
import { PlatformError } from './platform-error'

// Functions rather than module constants: nothing of this module survives in a weapp bundle.
const sandboxBase = () => appConfig().sandboxBase
const appid = () => appConfig().appid

const OPENID_KEY = 'siyu.sim.openid'

function queryParam(name: string): string | null {
  const fromSearch = new URLSearchParams(window.location.search).get(name)
  if (fromSearch) return fromSearch
  // Hash router: the page query sits after '#/pages/...?'.
  const hash = window.location.hash
  const q = hash.indexOf('?')
  return q >= 0 ? new URLSearchParams(hash.slice(q + 1)).get(name) : null
}

function randomOpenid(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
  const bytes = new Uint8Array(27)
  crypto.getRandomValues(bytes)
  return 'o' + Array.from(bytes, (b) => alphabet[b & 63]).join('')
}

/**
 * The simulated WeChat user of this browser: kept in localStorage (one browser = one user);
 * `?openid=` overrides it, for tests, and is remembered.
 */
export function simOpenid(): string {
  const override = queryParam('openid')
  if (override) {
    localStorage.setItem(OPENID_KEY, override)
    return override
  }
  let openid = localStorage.getItem(OPENID_KEY)
  if (!openid) {
    openid = randomOpenid()
    localStorage.setItem(OPENID_KEY, openid)
  }
  return openid
}

async function post<T>(path: string, body: unknown): Promise<T> {
  let res: Response
  try {
    res = await fetch(`${sandboxBase()}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    })
  } catch (err) {
    throw new PlatformError('FAILED', `sandbox ${path}: ${String(err)}`)
  }
  const text = await res.text()
  let data: unknown = null
  try {
    data = text ? JSON.parse(text) : null
  } catch {
    data = text
  }
  if (!res.ok) {
    throw new PlatformError('FAILED', `sandbox ${path}: HTTP ${res.status} ${text.slice(0, 200)}`)
  }
  return data as T
}

/** Like wx.login: a fresh single-use js_code for this browser's openid. */
export async function mintLoginCode(): Promise<string> {
  const out = await post<{ code?: unknown }>('/__sim/login-code', { appid: appid(), openid: simOpenid() })
  if (typeof out?.code !== 'string') throw new PlatformError('FAILED', 'sandbox /__sim/login-code: no code')
  return out.code
}

/** Like the getPhoneNumber button: a phone code for the number the tester types in. */
export async function mintPhoneCode(): Promise<string> {
  const preset = queryParam('phone')
  const phoneNumber = preset ?? window.prompt('模拟微信手机号授权：请输入手机号', '13800138000')
  if (!phoneNumber) throw new PlatformError('CANCELLED', 'getPhoneNumber:fail user deny')
  const out = await post<{ code?: unknown }>('/__sim/phone-code', { appid: appid(), phoneNumber: phoneNumber.trim() })
  if (typeof out?.code !== 'string') throw new PlatformError('FAILED', 'sandbox /__sim/phone-code: no code')
  return out.code
}

/**
 * Like wx.requestPayment: the sandbox checks paySign (over appId, timeStamp, nonceStr, package)
 * and marks the order paid. appId defaults to this build's appid, as in a mini-program.
 */
export async function confirmPayment(params: {
  appId?: string
  timeStamp: string
  nonceStr: string
  package: string
  signType: string
  paySign: string
}): Promise<void> {
  await post('/__sim/pay/confirm', { ...params, appId: params.appId || appid() })
}

/**
 * Like wx.requestMerchantTransfer: the user confirms receipt on WeChat's page. The sandbox's hook
 * (`POST /__sim/transfer/confirm {mchId, appId, package, openid}`, tests/src/sandbox/sim-routes.ts)
 * checks the package against the bill, and that the bill's payee is the WeChat user holding the phone
 * (`openid`: this browser's simulated user, not the bill's `openId`); the bill turns SUCCESS and the
 * sandbox sends the MCHTRANSFER.BILL.FINISHED notification to the server.
 */
export async function confirmTransfer(params: { mchId: string; appId: string; package: string }): Promise<void> {
  await post('/__sim/transfer/confirm', { mchId: params.mchId, appId: params.appId, package: params.package, openid: simOpenid() })
}

/** Like wx.scanCode: the tester types the code's text. */
export function promptScan(): string {
  const text = window.prompt('模拟扫码：请输入二维码内容')
  if (text === null || text === '') throw new PlatformError('CANCELLED', 'scanCode:fail cancel')
  return text
}
