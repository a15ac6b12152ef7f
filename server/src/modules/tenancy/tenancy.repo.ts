import { and, eq, gt, isNotNull, isNull, sql } from 'drizzle-orm'
import type { DbOrTx } from '../../db/client'
import { one, statement } from '../../db/raw'
import { adminKeys, merchantApps, merchants, staff, staffInvites, stores } from './tenancy.schema'

export type MerchantApp = typeof merchantApps.$inferSelect
export type StoreRow = typeof stores.$inferSelect
export type StaffRow = typeof staff.$inferSelect

export async function insertMerchant(db: DbOrTx, v: { name: string; timezone?: string }) {
  const [m] = await db.insert(merchants).values(v).returning()
  return m!
}

export async function findMerchant(db: DbOrTx, id: string) {
  const [m] = await db.select().from(merchants).where(eq(merchants.id, id))
  return m ?? null
}

export async function insertApp(db: DbOrTx, v: typeof merchantApps.$inferInsert) {
  const [a] = await db.insert(merchantApps).values(v).returning()
  return a!
}

export async function findAppByAppid(db: DbOrTx, appid: string): Promise<MerchantApp | null> {
  const [a] = await db.select().from(merchantApps).where(eq(merchantApps.appid, appid))
  return a ?? null
}

export async function findAppsOfMerchant(db: DbOrTx, merchantId: string): Promise<MerchantApp[]> {
  return db.select().from(merchantApps).where(eq(merchantApps.merchantId, merchantId))
}

/**
 * Apps with WeChat Pay whose verification keys include `serial` (as WeChat sends it, or upper/lower
 * case): the candidates a notification signed under that serial can belong to.
 */
export async function findPayAppsBySerial(db: DbOrTx, serial: string): Promise<MerchantApp[]> {
  const variants = [serial, serial.toUpperCase(), serial.toLowerCase()]
  return db
    .select()
    .from(merchantApps)
    .where(and(isNotNull(merchantApps.mchid), sql`${merchantApps.wechatpayKeys} ?| ${sql.param(variants)}::text[]`))
}

export async function setWechatpayKeys(db: DbOrTx, appRowId: string, keys: Record<string, string>) {
  await db.update(merchantApps).set({ wechatpayKeys: keys }).where(eq(merchantApps.id, appRowId))
}

export async function insertAdminKey(db: DbOrTx, v: { merchantId: string; keyHash: string; prefix: string; label?: string }) {
  const [k] = await db.insert(adminKeys).values(v).onConflictDoNothing().returning()
  return k ?? null
}

export async function findActiveAdminKey(db: DbOrTx, keyHash: string) {
  const [k] = await db
    .select({ id: adminKeys.id, merchantId: adminKeys.merchantId })
    .from(adminKeys)
    .where(and(eq(adminKeys.keyHash, keyHash), isNull(adminKeys.revokedAt)))
  return k ?? null
}

export async function insertStore(db: DbOrTx, v: typeof stores.$inferInsert) {
  const [s] = await db.insert(stores).values(v).returning()
  return s!
}

export async function listStores(db: DbOrTx, merchantId: string) {
  return db.select().from(stores).where(eq(stores.merchantId, merchantId)).orderBy(stores.createdAt)
}

export async function findStore(db: DbOrTx, merchantId: string, id: string) {
  const [s] = await db.select().from(stores).where(and(eq(stores.merchantId, merchantId), eq(stores.id, id)))
  return s ?? null
}

export async function insertInvite(db: DbOrTx, v: typeof staffInvites.$inferInsert) {
  const [i] = await db.insert(staffInvites).values(v).returning()
  return i!
}

export async function findOpenInvite(db: DbOrTx, merchantId: string) {
  const [i] = await db
    .select()
    .from(staffInvites)
    .where(and(eq(staffInvites.merchantId, merchantId), isNull(staffInvites.redeemedAt)))
    .limit(1)
  return i ?? null
}

/** Marks the invite redeemed only if still open and unexpired: a code is used once, even under races. */
export async function redeemInvite(db: DbOrTx, merchantId: string, code: string, userId: string, now: Date) {
  const [row] = await db
    .update(staffInvites)
    .set({ redeemedByUserId: userId, redeemedAt: now })
    .where(
      and(
        eq(staffInvites.merchantId, merchantId),
        eq(staffInvites.code, code),
        isNull(staffInvites.redeemedAt),
        gt(staffInvites.expiresAt, now),
      ),
    )
    .returning({ id: staffInvites.id, storeId: staffInvites.storeId, role: staffInvites.role })
  return row ?? null
}

export async function insertStaff(db: DbOrTx, v: typeof staff.$inferInsert) {
  const [s] = await db.insert(staff).values(v).onConflictDoNothing().returning()
  return s ?? null
}

// every staff request checks this (auth): a prepared statement, no query builder
const activeStaffByUser = statement<typeof staff.$inferSelect>(
  'staff_active_by_user',
  `SELECT id, merchant_id AS "merchantId", user_id AS "userId", store_id AS "storeId", role, active, created_at AS "createdAt"
   FROM staff WHERE merchant_id = $1 AND user_id = $2 AND active`,
)

export async function findStaffByUser(db: DbOrTx, merchantId: string, userId: string) {
  return one(db, activeStaffByUser, [merchantId, userId])
}

export async function findStaffById(db: DbOrTx, merchantId: string, id: string) {
  const [s] = await db.select().from(staff).where(and(eq(staff.merchantId, merchantId), eq(staff.id, id)))
  return s ?? null
}
