import Taro from '@tarojs/taro'

/**
 * Best-effort local storage for what the app merely remembers (attribution, packets seen): when
 * storage is full or unavailable, reads give undefined and writes are dropped. (The session token
 * is not best-effort: token.ts uses storage directly.)
 */
export function readStored(key: string): unknown {
  try {
    return Taro.getStorageSync(key)
  } catch {
    return undefined
  }
}

export function writeStored(key: string, value: unknown): void {
  try {
    Taro.setStorageSync(key, value)
  } catch {
    // best effort
  }
}

export function removeStored(key: string): void {
  try {
    Taro.removeStorageSync(key)
  } catch {
    // nothing to remove
  }
}
