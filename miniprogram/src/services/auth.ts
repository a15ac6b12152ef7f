import type { LoginInput, LoginOutput } from '@siyu/shared'
import { appConfig } from '../config'
import { getLoginCode, PlatformError } from '../platform'
import { clearAttribution, pendingAttribution } from './attribution'
import { ApiError } from './errors'
import { request } from './request'
import { clearToken, getToken, setToken } from './token'
import { rememberReferral, rememberUser } from './session'

/**
 * wx.login (or the sandbox in H5) → POST /api/v1/auth/login; keeps the token in storage. The
 * attribution captured at launch (share link, QR scene) goes with it.
 */
export async function login(attribution: LoginInput['attribution'] = pendingAttribution()): Promise<LoginOutput> {
  let code: string
  try {
    code = await getLoginCode()
  } catch (err) {
    const detail = err instanceof PlatformError ? err.errMsg : String(err)
    throw new ApiError({ code: 'LOGIN_FAILED', status: 0, serverMessage: detail })
  }
  const body: LoginInput = { appid: appConfig().appid, code, ...(attribution ? { attribution } : {}) }
  const out = await request<LoginOutput>('/api/v1/auth/login', { method: 'POST', data: body, auth: false })
  if (!out || typeof out.token !== 'string') {
    throw new ApiError({ code: 'BAD_RESPONSE', status: 200 })
  }
  setToken(out.token)
  rememberUser(out.user)
  rememberReferral(out.referral)
  // First touch is decided by the login that creates the user; later logins need not repeat it.
  if (attribution) clearAttribution()
  return out
}

export function isLoggedIn(): boolean {
  return getToken() !== null
}

export function logout(): void {
  clearToken()
}
