import type { UserProfile } from '@siyu/shared'
import type { DbOrTx } from '../../db/client'
import { one, statement } from '../../db/raw'
import { AppError } from '../../http/errors'
import type { FunnelStage } from '@siyu/shared'
import * as repo from './members.repo'
import type { UserRow } from './members.repo'
import * as tenancyRepo from '../tenancy/tenancy.repo'

export { upsertOnLogin, touch, assignGuideIfNone, moveGuideCustomers, setPhone, updateProfile, listByGuide, idsByGuide, type GuideCursor } from './members.repo'
export type { UserRow }

/** 13812345678 -> 138****5678; never return a raw phone to a client that does not own it. */
export function maskPhone(phone: string | null): string | null {
  if (!phone) return null
  const digits = phone.replace(/^\+?86/, '')
  if (digits.length < 7) return '****'
  return `${digits.slice(0, 3)}****${digits.slice(-4)}`
}

/** Masks a display name for other people's eyes: 张三丰 -> 张*丰, 李四 -> 李*. */
export function maskName(name: string | null): string | null {
  if (!name) return null
  const chars = Array.from(name)
  if (chars.length === 1) return '*'
  if (chars.length === 2) return `${chars[0]}*`
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`
}

export async function getUser(db: DbOrTx, merchantId: string, userId: string): Promise<UserRow> {
  const u = await repo.findUser(db, merchantId, userId)
  if (!u) throw new AppError('USER_NOT_FOUND')
  return u
}

export async function toProfile(db: DbOrTx, u: UserRow): Promise<UserProfile> {
  const staff = await tenancyRepo.findStaffByUser(db, u.merchantId, u.id)
  return profileOf({ ...u, isStaff: staff !== null })
}

type ProfileRow = Pick<UserRow, 'id' | 'nickname' | 'avatarUrl' | 'phone' | 'stage' | 'createdAt'> & { isStaff: boolean }

function profileOf(u: ProfileRow): UserProfile {
  return {
    id: u.id,
    nickname: u.nickname,
    avatarUrl: u.avatarUrl,
    phoneMasked: maskPhone(u.phone),
    phoneBound: u.phone !== null,
    stage: u.stage as FunnelStage,
    isStaff: u.isStaff,
    createdAt: u.createdAt.toISOString(),
  }
}

// GET /api/v1/me, the mini-program's first call on every page: the user and whether they are active
// staff in one round trip, without building the query each time
const profileStatement = statement<ProfileRow>(
  'members_profile',
  `SELECT u.id, u.nickname, u.avatar_url AS "avatarUrl", u.phone, u.stage, u.created_at AS "createdAt",
          EXISTS (SELECT 1 FROM staff s WHERE s.merchant_id = u.merchant_id AND s.user_id = u.id AND s.active) AS "isStaff"
   FROM users u WHERE u.merchant_id = $1 AND u.id = $2`,
)

/** The profile of a user of this merchant; USER_NOT_FOUND otherwise. */
export async function getProfile(db: DbOrTx, merchantId: string, userId: string): Promise<UserProfile> {
  const u = await one(db, profileStatement, [merchantId, userId])
  if (!u) throw new AppError('USER_NOT_FOUND')
  return profileOf(u)
}

/** Nickname masked for other people's eyes (maskName) and avatar, by user id. */
export async function publicDisplays(db: DbOrTx, merchantId: string, ids: string[]): Promise<Map<string, { name: string | null; avatarUrl: string | null }>> {
  const rows = await repo.findDisplayByIds(db, merchantId, [...new Set(ids)])
  return new Map(rows.map((r) => [r.id, { name: maskName(r.nickname), avatarUrl: r.avatarUrl }]))
}
