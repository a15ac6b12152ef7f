import { and, desc, eq, inArray, isNull, sql } from 'drizzle-orm'
import type { DbOrTx } from '../../db/client'
import { one, statement } from '../../db/raw'
import { taskCompletions, tasks, userMilestones } from './tasks.schema'

export type TaskRow = typeof tasks.$inferSelect
export type CompletionRow = typeof taskCompletions.$inferSelect

export async function insertTask(db: DbOrTx, v: typeof tasks.$inferInsert): Promise<TaskRow> {
  const [t] = await db.insert(tasks).values(v).returning()
  return t!
}

/** Archived tasks do not exist for anyone. */
export async function findTask(db: DbOrTx, merchantId: string, id: string): Promise<TaskRow | null> {
  const [t] = await db
    .select()
    .from(tasks)
    .where(and(eq(tasks.merchantId, merchantId), eq(tasks.id, id), isNull(tasks.archivedAt)))
  return t ?? null
}

export async function listTasks(db: DbOrTx, merchantId: string, opts: { openAt?: Date } = {}): Promise<TaskRow[]> {
  const open = opts.openAt
    ? sql`${tasks.active} AND ${tasks.startsAt} <= ${opts.openAt.toISOString()}::timestamptz AND (${tasks.endsAt} IS NULL OR ${tasks.endsAt} > ${opts.openAt.toISOString()}::timestamptz)`
    : sql`true`
  return db
    .select()
    .from(tasks)
    .where(and(eq(tasks.merchantId, merchantId), isNull(tasks.archivedAt), open))
    .orderBy(desc(tasks.createdAt), desc(tasks.id))
    .limit(200)
}

export async function updateTask(db: DbOrTx, merchantId: string, id: string, v: Partial<typeof tasks.$inferInsert>): Promise<TaskRow | null> {
  const [t] = await db
    .update(tasks)
    .set(v)
    .where(and(eq(tasks.merchantId, merchantId), eq(tasks.id, id), isNull(tasks.archivedAt)))
    .returning()
  return t ?? null
}

export async function findCompletion(db: DbOrTx, merchantId: string, taskId: string, userId: string): Promise<CompletionRow | null> {
  const [c] = await db
    .select()
    .from(taskCompletions)
    .where(and(eq(taskCompletions.merchantId, merchantId), eq(taskCompletions.taskId, taskId), eq(taskCompletions.userId, userId)))
  return c ?? null
}

export async function completionsOf(db: DbOrTx, merchantId: string, userId: string, taskIds: string[]): Promise<CompletionRow[]> {
  if (taskIds.length === 0) return []
  return db
    .select()
    .from(taskCompletions)
    .where(and(eq(taskCompletions.merchantId, merchantId), eq(taskCompletions.userId, userId), inArray(taskCompletions.taskId, taskIds)))
}

/** Null when this user already claimed the task (a concurrent claim waits here for the first one's commit). */
export async function insertCompletion(db: DbOrTx, v: typeof taskCompletions.$inferInsert): Promise<CompletionRow | null> {
  const [c] = await db
    .insert(taskCompletions)
    .values(v)
    .onConflictDoNothing({ target: [taskCompletions.merchantId, taskCompletions.taskId, taskCompletions.userId] })
    .returning()
  return c ?? null
}

export async function setCompletionCoupon(db: DbOrTx, id: string, couponId: string) {
  await db.update(taskCompletions).set({ couponId }).where(eq(taskCompletions.id, id))
}

export async function insertMilestone(db: DbOrTx, merchantId: string, userId: string, milestone: string, at: Date) {
  await db.insert(userMilestones).values({ merchantId, userId, milestone, at }).onConflictDoNothing()
}

export async function milestonesOf(db: DbOrTx, merchantId: string, userId: string): Promise<Set<string>> {
  const rows = await db
    .select({ m: userMilestones.milestone })
    .from(userMilestones)
    .where(and(eq(userMilestones.merchantId, merchantId), eq(userMilestones.userId, userId)))
  return new Set(rows.map((r) => r.m))
}

// written by every check-in (the events listener): prepared, not built each time
const insertCheckinDayStatement = statement('tasks_insert_checkin_day', 'INSERT INTO task_checkin_days (merchant_id, user_id, day) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING')

export async function insertCheckinDay(db: DbOrTx, merchantId: string, userId: string, day: string) {
  await one(db, insertCheckinDayStatement, [merchantId, userId, day])
}

/** Check-in days in [fromDay, toDay] (inclusive business days). */
export async function countCheckinDays(db: DbOrTx, merchantId: string, userId: string, fromDay: string, toDay: string): Promise<number> {
  const r = await db.execute<{ n: number }>(sql`
    SELECT count(*)::int AS n FROM task_checkin_days
    WHERE merchant_id = ${merchantId} AND user_id = ${userId} AND day >= ${fromDay}::date AND day <= ${toDay}::date`)
  return r.rows[0]?.n ?? 0
}
