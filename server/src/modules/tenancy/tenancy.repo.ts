import { and, desc, eq, gt, inArray, isNotNull, isNull, sql } from 'drizzle-orm'
import type { DbOrTx } from '../../db/client'
import { one, statement } from '../../db/raw'
import { users } from '../members/members.schema'
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

/**
 * Makes the user staff: a new row, or their deactivated row active again with the invite's store and
 * role (same id, so their past purchases and customers stay linked). null when they are active staff
 * already: the conditional upsert decides under the row lock, so two joins at once cannot both win.
 */
export async function upsertStaffOnJoin(db: DbOrTx, v: { merchantId: string; userId: string; storeId: string; role: string }) {
  const [s] = await db
    .insert(staff)
    .values(v)
    .onConflictDoUpdate({
      target: [staff.merchantId, staff.userId],
      set: { storeId: sql`excluded.store_id`, role: sql`excluded.role`, active: true },
      setWhere: sql`${staff.active} = false`,
    })
    .returning()
  return s ?? null
}

export async function updateStaff(db: DbOrTx, merchantId: string, id: string, v: { active?: boolean; storeId?: string; role?: string }) {
  const [s] = await db
    .update(staff)
    .set(v)
    .where(and(eq(staff.merchantId, merchantId), eq(staff.id, id)))
    .returning()
  return s ?? null
}

/** Staff rows by id, locked FOR SHARE until the transaction ends (a concurrent deactivation waits, or is seen). */
export async function lockStaffRows(db: DbOrTx, merchantId: string, ids: string[]) {
  return db
    .select()
    .from(staff)
    .where(and(eq(staff.merchantId, merchantId), inArray(staff.id, ids)))
    .for('share')
}

export type StaffViewRow = {
  id: string
  userId: string
  nickname: string | null
  storeId: string
  role: string
  active: boolean
  createdAt: Date
  customers: number
}

/**
 * The admin's staff list in one query: each row with the user's nickname (join) and the number of
 * customers they guide (a correlated count on users_merchant_guide_idx), newest first. Reads the
 * members module's users table so the page is one round trip rather than one per staff member.
 * Unpaginated on purpose: a merchant has tens to hundreds of staff.
 */
export async function listStaffViews(db: DbOrTx, merchantId: string, f: { id?: string; storeId?: string; active?: boolean } = {}): Promise<StaffViewRow[]> {
  return db
    .select({
      id: staff.id,
      userId: staff.userId,
      nickname: users.nickname,
      storeId: staff.storeId,
      role: staff.role,
      active: staff.active,
      createdAt: staff.createdAt,
      customers: sql<number>`(SELECT count(*) FROM ${users} c WHERE c.merchant_id = ${staff.merchantId} AND c.guide_staff_id = ${staff.id})::int`,
    })
    .from(staff)
    .leftJoin(users, and(eq(users.merchantId, staff.merchantId), eq(users.id, staff.userId)))
    .where(
      and(
        eq(staff.merchantId, merchantId),
        f.id !== undefined ? eq(staff.id, f.id) : undefined,
        f.storeId !== undefined ? eq(staff.storeId, f.storeId) : undefined,
        f.active !== undefined ? eq(staff.active, f.active) : undefined,
      ),
    )
    .orderBy(desc(staff.createdAt), desc(staff.id))
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
