import { AppError } from '../http/errors'

/**
 * Client for the mini-program server APIs of api.weixin.qq.com (WECHAT-CONTRACT §1). The base URL
 * comes from config: the real host in production, the WeChat sandbox in tests and the demo.
 * Errors arrive as HTTP 200 with {errcode, errmsg}; only errcode is compared, never errmsg.
 */
export type AppCredentials = { appid: string; secret: string }
export type Session = { openid: string; unionid: string | null; sessionKey: string }
export type WechatApiError = { errcode: number; errmsg: string }

export type MpClient = {
  code2Session(app: AppCredentials, code: string): Promise<Session>
  getPhoneNumber(app: AppCredentials, code: string, openid?: string): Promise<{ phoneNumber: string; purePhoneNumber: string; countryCode: string }>
  getAccessToken(app: AppCredentials): Promise<string>
  getUnlimitedQrCode(app: AppCredentials, body: { scene: string; page?: string; width?: number; check_path?: boolean; env_version?: string }): Promise<{ contentType: string; image: Buffer }>
}

const INVALID_CODE = new Set([40029, 40163, 40226])
const INVALID_TOKEN = new Set([40001, 40014, 42001])
/** Refresh this long before the token expires; WeChat rotates stable tokens 5 minutes early. */
const REFRESH_MARGIN_MS = 5 * 60 * 1000

type CachedToken = { token: string; expiresAt: number }

export function createMpClient(opts: { baseUrl: string; timeoutMs?: number; now?: () => number }): MpClient {
  const base = opts.baseUrl.replace(/\/$/, '')
  const now = opts.now ?? Date.now
  const timeoutMs = opts.timeoutMs ?? 5000
  const tokens = new Map<string, CachedToken>()
  const inflight = new Map<string, Promise<string>>()

  async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T & Partial<WechatApiError>> {
    let res: Response
    try {
      res = await fetch(base + path, {
        method,
        headers: body === undefined ? undefined : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      })
    } catch (e) {
      throw new AppError('WECHAT_UNAVAILABLE', { path: path.split('?')[0], reason: (e as Error).name })
    }
    if (!res.ok) throw new AppError('WECHAT_UNAVAILABLE', { path: path.split('?')[0], status: res.status })
    return (await res.json()) as T & Partial<WechatApiError>
  }

  /** Stable tokens (POST /cgi-bin/stable_token) do not invalidate each other across our instances. */
  async function fetchToken(app: AppCredentials, forceRefresh: boolean): Promise<string> {
    const r = await call<{ access_token?: string; expires_in?: number }>('POST', '/cgi-bin/stable_token', {
      grant_type: 'client_credential',
      appid: app.appid,
      secret: app.secret,
      force_refresh: forceRefresh,
    })
    if (r.errcode || !r.access_token) throw new AppError('WECHAT_UNAVAILABLE', { api: 'stable_token', errcode: r.errcode })
    tokens.set(app.appid, { token: r.access_token, expiresAt: now() + (r.expires_in ?? 7200) * 1000 })
    return r.access_token
  }

  /** Cached; refreshed before expiry; one refresh at a time per appid (concurrent callers share it). */
  function getAccessToken(app: AppCredentials, forceRefresh = false): Promise<string> {
    const cached = tokens.get(app.appid)
    if (!forceRefresh && cached && cached.expiresAt - REFRESH_MARGIN_MS > now()) return Promise.resolve(cached.token)
    const running = inflight.get(app.appid)
    if (running) return running
    const p = fetchToken(app, forceRefresh).finally(() => inflight.delete(app.appid))
    inflight.set(app.appid, p)
    return p
  }

  /** Calls an access_token API; on an invalid-token errcode refreshes once and retries. */
  async function withToken<T>(app: AppCredentials, run: (token: string) => Promise<T & Partial<WechatApiError>>) {
    let r = await run(await getAccessToken(app))
    if (r.errcode && INVALID_TOKEN.has(r.errcode)) {
      tokens.delete(app.appid)
      r = await run(await getAccessToken(app))
    }
    return r
  }

  return {
    getAccessToken: (app) => getAccessToken(app),

    async code2Session(app, code) {
      const q = new URLSearchParams({ appid: app.appid, secret: app.secret, js_code: code, grant_type: 'authorization_code' })
      const r = await call<{ openid?: string; unionid?: string; session_key?: string }>('GET', `/sns/jscode2session?${q}`)
      if (r.errcode && INVALID_CODE.has(r.errcode)) throw new AppError('WECHAT_CODE_INVALID', { errcode: r.errcode })
      if (r.errcode || !r.openid || !r.session_key) throw new AppError('WECHAT_UNAVAILABLE', { api: 'jscode2session', errcode: r.errcode })
      return { openid: r.openid, unionid: r.unionid ?? null, sessionKey: r.session_key }
    },

    async getPhoneNumber(app, code, openid) {
      type R = { phone_info?: { phoneNumber: string; purePhoneNumber: string; countryCode: string | number } }
      const r = await withToken<R>(app, (t) =>
        call<R>('POST', `/wxa/business/getuserphonenumber?access_token=${encodeURIComponent(t)}`, openid ? { code, openid } : { code }),
      )
      if (r.errcode === 40029 || r.errcode === 40163) throw new AppError('PHONE_CODE_INVALID', { errcode: r.errcode })
      if (r.errcode || !r.phone_info) throw new AppError('WECHAT_UNAVAILABLE', { api: 'getuserphonenumber', errcode: r.errcode })
      const p = r.phone_info
      return { phoneNumber: p.phoneNumber, purePhoneNumber: p.purePhoneNumber, countryCode: String(p.countryCode) }
    },

    async getUnlimitedQrCode(app, body) {
      const fetchImage = async (token: string) => {
        const res = await fetch(`${base}/wxa/getwxacodeunlimit?access_token=${encodeURIComponent(token)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(timeoutMs),
        }).catch((e: Error) => {
          throw new AppError('WECHAT_UNAVAILABLE', { api: 'getwxacodeunlimit', reason: e.name })
        })
        const contentType = res.headers.get('content-type') ?? ''
        const buf = Buffer.from(await res.arrayBuffer())
        // Success is raw image bytes; an error is JSON. Branch on Content-Type (§1.5).
        if (contentType.includes('json')) return JSON.parse(buf.toString('utf8')) as WechatApiError & { image?: undefined; contentType?: undefined }
        return { contentType, image: buf } as { contentType: string; image: Buffer } & Partial<WechatApiError>
      }
      const r = await withToken(app, fetchImage)
      if (r.errcode || !r.image) throw new AppError('WECHAT_UNAVAILABLE', { api: 'getwxacodeunlimit', errcode: r.errcode })
      return { contentType: r.contentType as string, image: r.image }
    },
  }
}
