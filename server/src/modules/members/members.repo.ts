import { and, eq, getTableColumns, sql } from 'drizzle-orm'
import type { DbOrTx } from '../../db/client'
import { users } from './members.schema'

export type UserRow = typeof users.$inferSelect

type LoginUpsert = {
  merchantId: string
  appid: string
  openid: string
  unionid: string | null
  sessionKey: string
  acqChannel?: string | null
  acqStoreId?: string | null
  acqGuideId?: string | null
  acqSharerId?: string | null
}

/** Creates the user on first login or refreshes the session key; `inserted` tells which. */
export async function upsertOnLogin(db: DbOrTx, v: LoginUpsert): Promise<{ user: UserRow; inserted: boolean }> {
  const [row] = await db
    .insert(users)
    .values({ ...v, stage: 'visitor' })
    .onConflictDoUpdate({
      target: [users.merchantId, users.openid],
      set: {
        sessionKey: sql`excluded.session_key`,
        unionid: sql`coalesce(excluded.unionid, ${users.unionid})`,
        lastSeenAt: sql`now()`,
      },
    })
    .returning({ ...getTableColumns(users), inserted: sql<boolean>`(xmax = 0)` })
  const { inserted, ...user } = row!
  return { user, inserted }
}

export async function findUser(db: DbOrTx, merchantId: string, id: string): Promise<UserRow | null> {
  const [u] = await db.select().from(users).where(and(eq(users.merchantId, merchantId), eq(users.id, id)))
  return u ?? null
}

export async function setPhone(db: DbOrTx, merchantId: string, id: string, phone: string) {
  const [u] = await db
    .update(users)
    .set({ phone })
    .where(and(eq(users.merchantId, merchantId), eq(users.id, id)))
    .returning()
  return u ?? null
}

export async function updateProfile(db: DbOrTx, merchantId: string, id: string, v: { nickname?: string; avatarUrl?: string }) {
  const [u] = await db
    .update(users)
    .set(v)
    .where(and(eq(users.merchantId, merchantId), eq(users.id, id)))
    .returning()
  return u ?? null
}

/** First touch wins: attribution is only filled where still empty. Also marks the user as seen. */
export async function touch(
  db: DbOrTx,
  merchantId: string,
  id: string,
  a: { channel?: string | null; storeId?: string | null; guideId?: string | null; sharerId?: string | null },
) {
  await db
    .update(users)
    .set({
      lastSeenAt: sql`now()`,
      acqChannel: sql`coalesce(${users.acqChannel}, ${a.channel ?? null})`,
      acqStoreId: sql`coalesce(${users.acqStoreId}, ${a.storeId ?? null}::uuid)`,
      acqGuideId: sql`coalesce(${users.acqGuideId}, ${a.guideId ?? null}::uuid)`,
      acqSharerId: sql`coalesce(${users.acqSharerId}, ${a.sharerId ?? null}::uuid)`,
    })
    .where(and(eq(users.merchantId, merchantId), eq(users.id, id)))
}

/** Assigns a guide only when the customer has none yet. */
export async function assignGuideIfNone(db: DbOrTx, merchantId: string, id: string, staffId: string) {
  await db
    .update(users)
    .set({ guideStaffId: staffId })
    .where(and(eq(users.merchantId, merchantId), eq(users.id, id), sql`${users.guideStaffId} is null`))
}

/** Every customer whose guide is `fromStaffId` gets `toStaffId` instead, in one statement; how many moved. */
export async function moveGuideCustomers(db: DbOrTx, merchantId: string, fromStaffId: string, toStaffId: string): Promise<number> {
  const r = await db
    .update(users)
    .set({ guideStaffId: toStaffId })
    .where(and(eq(users.merchantId, merchantId), eq(users.guideStaffId, fromStaffId)))
  return r.rowCount ?? 0
}

export type GuideCursor = { createdAt: string; id: string }

/**
 * Customers whose guide is `staffId`, newest first, keyset-paginated on (created_at, id). created_at is
 * also returned as text so a cursor keeps PostgreSQL's microseconds (a JS Date would round them).
 */
export async function listByGuide(db: DbOrTx, merchantId: string, staffId: string, limit: number, after: GuideCursor | null) {
  return db
    .select({ ...getTableColumns(users), createdAtText: sql<string>`${users.createdAt}::text` })
    .from(users)
    .where(
      and(
        eq(users.merchantId, merchantId),
        eq(users.guideStaffId, staffId),
        after ? sql`(${users.createdAt}, ${users.id}) < (${after.createdAt}::timestamptz, ${after.id}::uuid)` : undefined,
      ),
    )
    .orderBy(sql`${users.createdAt} desc, ${users.id} desc`)
    .limit(limit)
}

/** Ids of every customer whose guide is `staffId`. */
export async function idsByGuide(db: DbOrTx, merchantId: string, staffId: string): Promise<string[]> {
  const rows = await db.select({ id: users.id }).from(users).where(and(eq(users.merchantId, merchantId), eq(users.guideStaffId, staffId)))
  return rows.map((r) => r.id)
}

/** Display fields of several users of one merchant (red-packet grab lists); unknown ids are left out. */
export async function findDisplayByIds(db: DbOrTx, merchantId: string, ids: string[]) {
  if (ids.length === 0) return []
  return db
    .select({ id: users.id, nickname: users.nickname, avatarUrl: users.avatarUrl })
    .from(users)
    .where(and(eq(users.merchantId, merchantId), sql`${users.id} = ANY(${`{${ids.join(',')}}`}::uuid[])`))
}
