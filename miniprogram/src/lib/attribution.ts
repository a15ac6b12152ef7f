/**
 * Reading who brought a visitor from the launch query (pure; unit-tested in node). The share link
 * carries `sharerId` / `guideId` / `storeId` / `channel` and, for invites, `inviteCode`; a mini-program
 * code (getwxacodeunlimit) carries only `scene`, which WeChat hands over URL-encoded
 * (`decodeURIComponent(query.scene)` → `i=<code>`, WECHAT-CONTRACT §1.5).
 */
import type { Attribution } from '@siyu/shared'

export type LaunchQuery = Record<string, string | undefined>

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const CHANNEL = /^[A-Za-z0-9_.:-]{1,32}$/
/** Same alphabet as the server's InviteCode: 8 of A-Z / 2-9 without I, O, 0, 1. */
const INVITE_CODE = /^[A-HJ-NP-Z2-9]{8}$/
/** The scene key of an invite (`INVITE_SCENE_PREFIX` = 'i=' in @siyu/shared). */
const INVITE_SCENE_KEY = 'i'

/** An invite code as the server accepts it (case and spaces forgiven), or null. */
export function normalizeInviteCode(raw: string | null | undefined): string | null {
  if (typeof raw !== 'string') return null
  const code = raw.replace(/\s+/g, '').toUpperCase()
  return INVITE_CODE.test(code) ? code : null
}

/**
 * The key=value pairs of a QR scene (`i=ABCD2345&s=…`). WeChat passes the scene URL-encoded; a scene
 * never contains '%' itself (§1.5), so any escape left after one decode is a second encoding (some
 * launch paths encode twice) and is decoded too. Malformed escapes yield no pairs.
 */
export function sceneParams(rawScene: string | null | undefined): Record<string, string> {
  if (typeof rawScene !== 'string' || rawScene === '') return {}
  let scene = rawScene
  try {
    for (let i = 0; i < 3 && /%[0-9A-Fa-f]{2}/.test(scene); i++) scene = decodeURIComponent(scene)
  } catch {
    return {}
  }
  const out: Record<string, string> = {}
  for (const part of scene.split('&')) {
    const eq = part.indexOf('=')
    if (eq <= 0) continue
    const key = part.slice(0, eq)
    if (!(key in out)) out[key] = part.slice(eq + 1)
  }
  return out
}

/** The invite code of a launch: the share link's `inviteCode`, else the QR scene's `i=`. */
export function inviteCodeFrom(query: LaunchQuery | undefined): string | null {
  if (!query) return null
  return normalizeInviteCode(query.inviteCode) ?? normalizeInviteCode(sceneParams(query.scene)[INVITE_SCENE_KEY])
}

/** The attribution carried by a launch/page query (`sharerId`, `guideId`, `storeId`, `channel`, `inviteCode`). */
export function attributionFrom(query: LaunchQuery | undefined): Attribution | null {
  if (!query) return null
  const out: Attribution = {}
  const uuid = (v: string | undefined) => (v && UUID.test(v) ? v.toLowerCase() : undefined)
  const sharerId = uuid(query.sharerId)
  const guideId = uuid(query.guideId)
  const storeId = uuid(query.storeId)
  const inviteCode = inviteCodeFrom(query)
  if (sharerId) out.sharerId = sharerId
  if (guideId) out.guideId = guideId
  if (storeId) out.storeId = storeId
  if (inviteCode) out.inviteCode = inviteCode
  const fallback = inviteCode ? 'invite' : sharerId || guideId ? 'share' : undefined
  const channel = query.channel && CHANNEL.test(query.channel) ? query.channel : fallback
  if (channel) out.channel = channel
  return Object.keys(out).length > 0 ? out : null
}

/**
 * The `share_open` event for an attribution (the funnel credits the sharer for the open), or null
 * when there is no one to credit: a bare mini-program code scan carries only the invite code, and
 * the invite code itself is not an event field (the login or the bind call takes it).
 */
export function shareOpenOf(a: Attribution | null): Omit<Attribution, 'inviteCode'> | null {
  if (!a) return null
  const { inviteCode: _code, ...rest } = a
  if (!rest.sharerId && !rest.guideId && !rest.storeId && (!rest.channel || (a.inviteCode && rest.channel === 'invite'))) return null
  return rest
}

/** Query string of a share path: the sharer, the guide who serves them, the channel and an invite code travel with it. */
export function shareQuery(input: { sharerId?: string | null; guideId?: string | null; channel?: string; inviteCode?: string | null }): string {
  const parts: string[] = []
  if (input.sharerId) parts.push(`sharerId=${encodeURIComponent(input.sharerId)}`)
  if (input.guideId) parts.push(`guideId=${encodeURIComponent(input.guideId)}`)
  if (input.inviteCode) parts.push(`inviteCode=${encodeURIComponent(input.inviteCode)}`)
  parts.push(`channel=${encodeURIComponent(input.channel ?? 'share')}`)
  return parts.join('&')
}
