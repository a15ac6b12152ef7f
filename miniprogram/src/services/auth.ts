import type { LoginInput, LoginOutput } from '@siyu/shared'
import { getLoginCode, PlatformError } from '../platform'
import { ApiError } from './errors'
import { request } from './request'
import { clearToken, getToken, setToken } from './token'

export const APPID = process.env.TARO_APP_APPID || 'wx_demo_siyu'

/** wx.login (or the sandbox in H5) → POST /api/v1/auth/login; keeps the token in storage. */
export async function login(attribution?: LoginInput['attribution']): Promise<LoginOutput> {
  let code: string
  try {
    code = await getLoginCode()
  } catch (err) {
    const detail = err instanceof PlatformError ? err.errMsg : String(err)
    throw new ApiError({ code: 'LOGIN_FAILED', status: 0, serverMessage: detail })
  }
  const body: LoginInput = { appid: APPID, code, ...(attribution ? { attribution } : {}) }
  const out = await request<LoginOutput>('/api/v1/auth/login', { method: 'POST', data: body, auth: false })
  if (!out || typeof out.token !== 'string') {
    throw new ApiError({ code: 'BAD_RESPONSE', status: 200 })
  }
  setToken(out.token)
  return out
}

export function isLoggedIn(): boolean {
  return getToken() !== null
}

export function logout(): void {
  clearToken()
}
