import Taro from '@tarojs/taro'
import type { Attribution } from '@siyu/shared'

/**
 * First-touch attribution: the share link or QR scene that opened the app. Captured at launch,
 * sent with the next login (the server keeps it only when that login creates the user; an invite
 * code also binds the inviter), and used to tell the funnel who shared (share_open). The pure
 * parsing (scene → invite code, share paths) lives in lib/attribution.
 */
const KEY = 'siyu.attribution'

export { attributionFrom, shareOpenOf, shareQuery, type LaunchQuery } from '../lib/attribution'

export function rememberAttribution(a: Attribution): void {
  try {
    Taro.setStorageSync(KEY, a)
  } catch {
    // Storage full or unavailable: attribution is best-effort.
  }
}

export function pendingAttribution(): Attribution | undefined {
  try {
    const a = Taro.getStorageSync(KEY) as Attribution | ''
    return a && typeof a === 'object' ? a : undefined
  } catch {
    return undefined
  }
}

export function clearAttribution(): void {
  try {
    Taro.removeStorageSync(KEY)
  } catch {
    // nothing to clear
  }
}
