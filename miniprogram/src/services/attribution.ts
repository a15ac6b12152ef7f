import type { Attribution } from '@siyu/shared'
import { readStored, removeStored, writeStored } from './storage'

/**
 * First-touch attribution: the share link or QR scene that opened the app. Captured at launch,
 * sent with the next login (the server keeps it only when that login creates the user; an invite
 * code also binds the inviter), and used to tell the funnel who shared (share_open). The pure
 * parsing (scene → invite code, share paths) lives in lib/attribution.
 */
const KEY = 'siyu.attribution'

export { attributionFrom, shareOpenOf, shareQuery, type LaunchQuery } from '../lib/attribution'

export function rememberAttribution(a: Attribution): void {
  writeStored(KEY, a)
}

export function pendingAttribution(): Attribution | undefined {
  const a = readStored(KEY)
  return a && typeof a === 'object' ? (a as Attribution) : undefined
}

export function clearAttribution(): void {
  removeStored(KEY)
}
