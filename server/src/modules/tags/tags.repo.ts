import { and, eq, inArray, sql } from 'drizzle-orm'
import type { DbOrTx } from '../../db/client'
import { userTags } from './tags.schema'

export async function addTags(db: DbOrTx, merchantId: string, userId: string, tags: string[]) {
  if (tags.length === 0) return
  await db
    .insert(userTags)
    .values(tags.map((tag) => ({ merchantId, userId, tag })))
    .onConflictDoNothing()
}

export async function removeTag(db: DbOrTx, merchantId: string, userId: string, tag: string) {
  const r = await db
    .delete(userTags)
    .where(and(eq(userTags.merchantId, merchantId), eq(userTags.userId, userId), eq(userTags.tag, tag)))
    .returning({ tag: userTags.tag })
  return r.length > 0
}

export async function listTags(db: DbOrTx, merchantId: string, userId: string): Promise<string[]> {
  const rows = await db
    .select({ tag: userTags.tag })
    .from(userTags)
    .where(and(eq(userTags.merchantId, merchantId), eq(userTags.userId, userId)))
    .orderBy(userTags.tag)
  return rows.map((r) => r.tag)
}

export async function hasAnyTag(db: DbOrTx, merchantId: string, userId: string, tags: string[]): Promise<boolean> {
  if (tags.length === 0) return false
  const rows = await db
    .select({ one: sql<number>`1` })
    .from(userTags)
    .where(and(eq(userTags.merchantId, merchantId), eq(userTags.userId, userId), inArray(userTags.tag, tags)))
    .limit(1)
  return rows.length > 0
}

/**
 * Users of a segment (stage and/or tag), or the existing users among a given list, ordered by id.
 * NOTE: reads `users` (members' table) directly — a segment query joins both; move it into the
 * members service when segments grow beyond stage + tag.
 */
export async function segmentUserIds(db: DbOrTx, merchantId: string, q: { stage?: string; tag?: string; userIds?: string[] }): Promise<string[]> {
  const conds = [sql`u.merchant_id = ${merchantId}`]
  if (q.stage) conds.push(sql`u.stage = ${q.stage}`)
  if (q.tag) conds.push(sql`exists (select 1 from user_tags t where t.merchant_id = u.merchant_id and t.user_id = u.id and t.tag = ${q.tag})`)
  // one text parameter, however long the list (ids are validated uuids)
  if (q.userIds) conds.push(sql`u.id = any(string_to_array(${q.userIds.join(',')}, ',')::uuid[])`)
  const r = await db.execute<{ id: string }>(sql`select u.id from users u where ${sql.join(conds, sql` and `)} order by u.id`)
  return r.rows.map((x) => x.id)
}
