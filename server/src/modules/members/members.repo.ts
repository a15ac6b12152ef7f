import { and, eq, getTableColumns, sql } from 'drizzle-orm'
import type { DbOrTx } from '../../db/client'
import { run, statement } from '../../db/raw'
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

// every client event batch touches its user: a prepared statement, and a write only when it changes
// something worth a row version (last seen more than a minute ago, or a first-touch attribution to fill)
const touchStatement = statement(
  'members_touch',
  `UPDATE users SET last_seen_at = now(), acq_channel = coalesce(acq_channel, $3), acq_store_id = coalesce(acq_store_id, $4::uuid),
     acq_guide_id = coalesce(acq_guide_id, $5::uuid), acq_sharer_id = coalesce(acq_sharer_id, $6::uuid)
   WHERE merchant_id = $1 AND id = $2
     AND (last_seen_at < now() - interval '1 minute'
          OR (acq_channel IS NULL AND $3::text IS NOT NULL) OR (acq_store_id IS NULL AND $4::uuid IS NOT NULL)
          OR (acq_guide_id IS NULL AND $5::uuid IS NOT NULL) OR (acq_sharer_id IS NULL AND $6::uuid IS NOT NULL))`,
)

/**
 * Last seen now (to the minute) and the first-touch attribution where still empty (first touch wins). Writes nothing when
 * the user was seen less than a minute ago and has nothing to fill: a burst of events costs one write.
 */
export async function touch(
  db: DbOrTx,
  merchantId: string,
  id: string,
  a: { channel?: string | null; storeId?: string | null; guideId?: string | null; sharerId?: string | null },
) {
  await run(db, touchStatement, [merchantId, id, a.channel ?? null, a.storeId ?? null, a.guideId ?? null, a.sharerId ?? null])
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
