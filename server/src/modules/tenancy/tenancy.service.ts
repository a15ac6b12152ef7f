import type { CreateStaffInviteInput, CreateStoreInput, ListStaffQuery, StaffRole, StaffView, TransferCustomersResult, UpdateStaffInput } from '@siyu/shared'
import type { Db, DbOrTx } from '../../db/client'
import { AppError, isUniqueViolation } from '../../http/errors'
import { merchantConfigChanged } from '../../lib/cache'
import { adminKeyPrefix, generateAdminKey, hashAdminKey, humanCode } from '../auth/tokens'
import * as members from '../members/members.service'
import * as repo from './tenancy.repo'

export type WechatPayCredentials = {
  mchid: string
  mchSerial: string
  mchPrivateKeyPem: string
  apiV3Key: string
  wechatpayKeys: Record<string, string>
}

export type CreateMerchantInput = {
  name: string
  appid: string
  appSecret: string
  timezone?: string
  pay?: WechatPayCredentials
  /** Use this key instead of a generated one (the demo's DEMO_ADMIN_KEY). */
  adminKey?: string
}

/** Creates a merchant, its mini-program app and a first admin key (returned once, stored hashed). */
export async function createMerchant(db: Db, input: CreateMerchantInput) {
  const adminKey = input.adminKey ?? generateAdminKey()
  try {
    return await db.transaction(async (tx) => {
      const m = await repo.insertMerchant(tx, { name: input.name, timezone: input.timezone })
      await repo.insertApp(tx, {
        merchantId: m.id,
        appid: input.appid,
        appSecret: input.appSecret,
        mchid: input.pay?.mchid ?? null,
        mchSerial: input.pay?.mchSerial ?? null,
        mchPrivateKeyPem: input.pay?.mchPrivateKeyPem ?? null,
        apiV3Key: input.pay?.apiV3Key ?? null,
        wechatpayKeys: input.pay?.wechatpayKeys ?? {},
      })
      const key = await repo.insertAdminKey(tx, { merchantId: m.id, keyHash: hashAdminKey(adminKey), prefix: adminKeyPrefix(adminKey) })
      if (!key) throw new AppError('CONFLICT', { reason: 'admin key already in use' })
      return { merchantId: m.id, appid: input.appid, adminKey }
    })
  } catch (e) {
    if (isUniqueViolation(e, 'merchant_apps_appid_uq')) throw new AppError('APPID_TAKEN', { appid: input.appid })
    throw e
  }
}

export async function findApp(db: DbOrTx, appid: string) {
  const app = await repo.findAppByAppid(db, appid)
  if (!app) throw new AppError('APP_NOT_FOUND', { appid })
  return app
}

export async function appOfMerchant(db: DbOrTx, merchantId: string) {
  const [app] = await repo.findAppsOfMerchant(db, merchantId)
  if (!app) throw new AppError('APP_NOT_FOUND')
  return app
}

/** Apps with WeChat Pay that hold a verification key under `serial` (routing of pay notifications). */
export async function payAppsBySerial(db: DbOrTx, serial: string) {
  return repo.findPayAppsBySerial(db, serial)
}

/** Replaces the WeChat Pay verification keys (platform certificates / public key by serial) of an app. */
export async function setWechatpayKeys(db: DbOrTx, appid: string, keys: Record<string, string>) {
  const app = await findApp(db, appid)
  await repo.setWechatpayKeys(db, app.id, keys)
}

// A merchant's time zone is read on nearly every write (business days, expiry) and is set only when
// the merchant is created (no endpoint changes it), so each process keeps it once read.
const timezones = new Map<string, string>()
const TIMEZONE_CACHE_MAX = 10_000

export async function merchantTimezone(db: DbOrTx, merchantId: string): Promise<string> {
  const cached = timezones.get(merchantId)
  if (cached) return cached
  const m = await repo.findMerchant(db, merchantId)
  if (!m) return 'Asia/Shanghai'
  if (timezones.size >= TIMEZONE_CACHE_MAX) timezones.clear()
  timezones.set(merchantId, m.timezone)
  return m.timezone
}

function storeView(s: repo.StoreRow) {
  return { id: s.id, name: s.name, code: s.code, address: s.address, createdAt: s.createdAt.toISOString() }
}

export async function createStore(db: Db, merchantId: string, input: CreateStoreInput) {
  try {
    return storeView(await repo.insertStore(db, { merchantId, name: input.name, code: input.code ?? null, address: input.address ?? null }))
  } catch (e) {
    if (isUniqueViolation(e, 'stores_merchant_code_uq')) throw new AppError('CONFLICT', { field: 'code', reason: 'a store with this code exists' })
    throw e
  }
}

export async function listStores(db: Db, merchantId: string) {
  return (await repo.listStores(db, merchantId)).map(storeView)
}

export async function getStore(db: DbOrTx, merchantId: string, storeId: string) {
  const s = await repo.findStore(db, merchantId, storeId)
  if (!s) throw new AppError('STORE_NOT_FOUND')
  return storeView(s)
}

const INVITE_TTL_MS = 7 * 24 * 3600 * 1000

export async function createStaffInvite(db: Db, merchantId: string, input: CreateStaffInviteInput) {
  await getStore(db, merchantId, input.storeId)
  for (let attempt = 0; ; attempt++) {
    try {
      const inv = await repo.insertInvite(db, {
        merchantId,
        storeId: input.storeId,
        role: input.role,
        code: humanCode(8),
        expiresAt: new Date(Date.now() + INVITE_TTL_MS),
      })
      return { code: inv.code, storeId: inv.storeId, role: inv.role, expiresAt: inv.expiresAt.toISOString() }
    } catch (e) {
      if (attempt < 3 && isUniqueViolation(e, 'staff_invites_merchant_code_uq')) continue
      throw e
    }
  }
}

/**
 * A logged-in consumer redeems an invite and becomes staff of its store (once; codes are single-use).
 * A deactivated staff member comes back on their old row with the invite's store and role.
 */
export async function joinStaff(db: Db, merchantId: string, userId: string, code: string) {
  const joined = await db.transaction(async (tx) => {
    // checked first so active staff do not use up a code; the upsert below settles races
    if (await repo.findStaffByUser(tx, merchantId, userId)) throw new AppError('ALREADY_STAFF')
    const inv = await repo.redeemInvite(tx, merchantId, code.toUpperCase(), userId, new Date())
    if (!inv) throw new AppError('INVITE_INVALID')
    const s = await repo.upsertStaffOnJoin(tx, { merchantId, userId, storeId: inv.storeId, role: inv.role })
    if (!s) throw new AppError('ALREADY_STAFF')
    return { staffId: s.id, storeId: s.storeId, role: s.role }
  })
  // after the commit: the staff check caches "not staff" (auth.middleware.ts)
  await merchantConfigChanged(db, merchantId)
  return joined
}

function staffView(s: repo.StaffViewRow): StaffView {
  return {
    id: s.id,
    userId: s.userId,
    nickname: s.nickname,
    storeId: s.storeId,
    role: s.role as StaffRole,
    active: s.active,
    createdAt: s.createdAt.toISOString(),
    customers: s.customers,
  }
}

export async function listStaff(db: Db, merchantId: string, q: ListStaffQuery): Promise<StaffView[]> {
  const active = q.active === undefined ? undefined : q.active === 'true'
  return (await repo.listStaffViews(db, merchantId, { storeId: q.storeId, active })).map(staffView)
}

export async function getStaff(db: DbOrTx, merchantId: string, id: string): Promise<StaffView> {
  const [s] = await repo.listStaffViews(db, merchantId, { id })
  if (!s) throw new AppError('STAFF_NOT_FOUND')
  return staffView(s)
}

/**
 * Deactivates or reactivates a staff member, moves them to another store or changes their role. Their
 * next staff request sees the change (the staff row cache is dropped in every process after the commit).
 */
export async function updateStaff(db: Db, merchantId: string, id: string, input: UpdateStaffInput): Promise<StaffView> {
  await db.transaction(async (tx) => {
    const s = await repo.updateStaff(tx, merchantId, id, input)
    if (!s) throw new AppError('STAFF_NOT_FOUND')
    if (input.storeId !== undefined) await getStore(tx, merchantId, input.storeId)
  })
  await merchantConfigChanged(db, merchantId)
  return getStaff(db, merchantId, id)
}

/**
 * Hands every customer of staff member `fromId` (active or not: the usual case is someone who left) to
 * `toId`, who must be active. Both rows stay locked while the customers move, so a deactivation of
 * `toId` at the same moment either waits or is seen.
 */
export async function transferCustomers(db: Db, merchantId: string, fromId: string, toId: string): Promise<TransferCustomersResult> {
  if (fromId === toId) {
    throw new AppError('VALIDATION_FAILED', { issues: [{ path: 'toStaffId', message: 'must be another staff member', code: 'custom' }] })
  }
  return db.transaction(async (tx) => {
    const rows = await repo.lockStaffRows(tx, merchantId, [fromId, toId])
    const missing = [fromId, toId].find((id) => !rows.some((r) => r.id === id))
    if (missing) throw new AppError('STAFF_NOT_FOUND', { staffId: missing })
    const to = rows.find((r) => r.id === toId)!
    if (!to.active) throw new AppError('STAFF_INACTIVE', { staffId: toId })
    return { moved: await members.moveGuideCustomers(tx, merchantId, fromId, toId) }
  })
}

export async function ensureOpenInvite(db: Db, merchantId: string, storeId: string) {
  const open = await repo.findOpenInvite(db, merchantId)
  if (open && open.expiresAt > new Date()) return open.code
  return (await createStaffInvite(db, merchantId, { storeId, role: 'guide' })).code
}

export { findStaffById, findStaffByUser } from './tenancy.repo'
