/**
 * Where the app talks to: API base, WeChat sandbox base (H5 only) and the appid sent at login.
 *
 * weapp: fixed at build time from TARO_APP_* (config/index.ts).
 * h5: the build-time values, overridden by `window.__SIYU_CONFIG__` when the page defines it
 * before the bundle runs (a static server or deployment injects a <script> into index.html; the
 * browser e2e tests do this, as their ports are random). Deliberately NOT read from the URL: a
 * crafted link must never be able to point the app, and its session token, at another server.
 */
export type AppConfig = {
  apiBase: string
  /** H5 only: the WeChat sandbox whose /__sim hooks stand in for wx.login, payments … */
  sandboxBase: string
  appid: string
}

type Injected = Partial<Record<keyof AppConfig, unknown>>

const trimSlash = (s: string) => s.replace(/\/+$/, '')

let cached: AppConfig | null = null

export function appConfig(): AppConfig {
  if (cached) return cached
  const built: AppConfig = {
    apiBase: trimSlash(process.env.TARO_APP_API_BASE || 'http://127.0.0.1:3000'),
    sandboxBase: trimSlash(process.env.TARO_APP_SANDBOX_BASE || 'http://127.0.0.1:3100'),
    appid: process.env.TARO_APP_APPID || 'wx_demo_siyu',
  }
  if (process.env.TARO_ENV === 'h5') {
    const injected = (globalThis as { __SIYU_CONFIG__?: Injected }).__SIYU_CONFIG__ ?? {}
    const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : null)
    const apiBase = str(injected.apiBase)
    const sandboxBase = str(injected.sandboxBase)
    cached = {
      apiBase: apiBase ? trimSlash(apiBase) : built.apiBase,
      sandboxBase: sandboxBase ? trimSlash(sandboxBase) : built.sandboxBase,
      appid: str(injected.appid) ?? built.appid,
    }
  } else cached = built
  return cached
}
