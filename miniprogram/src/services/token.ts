import Taro from '@tarojs/taro'
import { sessionScope } from '../platform'

const TOKEN_KEY = 'siyu.session'

type StoredSession = { token: string; scope: string }

/**
 * The session token, kept in storage. It is bound to the platform's session scope (in H5, the
 * simulated WeChat user), so switching users never reuses another user's token.
 */
export function getToken(): string | null {
  try {
    const stored = Taro.getStorageSync(TOKEN_KEY) as StoredSession | '' | undefined
    if (!stored || typeof stored.token !== 'string') return null
    return stored.scope === sessionScope() ? stored.token : null
  } catch {
    return null
  }
}

export function setToken(token: string): void {
  const session: StoredSession = { token, scope: sessionScope() }
  Taro.setStorageSync(TOKEN_KEY, session)
}

export function clearToken(): void {
  try {
    Taro.removeStorageSync(TOKEN_KEY)
  } catch {
    // Storage unavailable: nothing to clear.
  }
}
