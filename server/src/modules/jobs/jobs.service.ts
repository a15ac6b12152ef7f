import cron from 'node-cron'
import { and, eq, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import type { Clock } from '../../lib/clock'
import type { Logger } from '../../logger'
import { AppError } from '../../http/errors'
import { backgroundJobs, jobRuns } from './jobs.schema'

export type JobContext = { db: Db; clock: Clock; logger: Logger }
export type JobDetails = Record<string, unknown>

/** A scheduled job: node-cron expression, evaluated in `timezone` (default Asia/Shanghai). */
export type ScheduledJob = {
  name: string
  cron: string
  timezone?: string
  run(ctx: JobContext): Promise<JobDetails | void>
}

export type JobRunResult = { status: 'succeeded' | 'skipped' | 'failed'; details?: JobDetails; error?: string }

/**
 * Runs `fn` only if no other process (or server instance) is running the same job: a PostgreSQL
 * session-level advisory lock, held on a dedicated connection for the duration. Every run,
 * including a skipped one, is recorded in job_runs.
 */
export async function runExclusive(db: Db, job: string, fn: () => Promise<JobDetails | void>): Promise<JobRunResult> {
  const conn = await db.$client.connect()
  try {
    const { rows } = await conn.query<{ locked: boolean }>('select pg_try_advisory_lock(hashtext($1)) as locked', [`siyu:job:${job}`])
    if (!rows[0]?.locked) {
      await db.insert(jobRuns).values({ job, status: 'skipped', finishedAt: new Date(), details: { reason: 'another run holds the lock' } })
      return { status: 'skipped' }
    }
    const [run] = await db.insert(jobRuns).values({ job, status: 'running' }).returning({ id: jobRuns.id })
    try {
      const details = (await fn()) ?? {}
      await db.update(jobRuns).set({ status: 'succeeded', finishedAt: new Date(), details }).where(eq(jobRuns.id, run!.id))
      return { status: 'succeeded', details }
    } catch (e) {
      const error = (e as Error).message
      await db.update(jobRuns).set({ status: 'failed', finishedAt: new Date(), details: { error } }).where(eq(jobRuns.id, run!.id))
      return { status: 'failed', error }
    } finally {
      await conn.query('select pg_advisory_unlock(hashtext($1))', [`siyu:job:${job}`])
    }
  } finally {
    conn.release()
  }
}

/** Starts node-cron for every job; returns a stop function. */
export function startScheduler(jobs: ScheduledJob[], ctx: JobContext): () => void {
  const tasks = jobs.map((j) =>
    cron.schedule(
      j.cron,
      async () => {
        const r = await runExclusive(ctx.db, j.name, () => j.run(ctx))
        ctx.logger.info({ job: j.name, ...r }, 'job run')
      },
      { timezone: j.timezone ?? 'Asia/Shanghai', name: j.name },
    ),
  )
  return () => {
    for (const t of tasks) void t.stop()
  }
}

// ---------------------------------------------------------------------------------------------
// Background jobs: long admin tasks (CSV imports, bulk issues) with progress the admin can poll.

export type BackgroundJobView = {
  id: string
  kind: string
  status: string
  total: number
  processed: number
  succeeded: number
  failed: number
  errors: unknown[]
  result: Record<string, unknown> | null
  createdAt: string
  finishedAt: string | null
}

export async function createBackgroundJob(db: Db, merchantId: string, kind: string, total: number) {
  const [j] = await db.insert(backgroundJobs).values({ merchantId, kind, total, status: 'running' }).returning({ id: backgroundJobs.id })
  return j!.id
}

/** Adds to the counters (called after each chunk); errors are appended, capped at 1,000 kept rows. */
export async function reportProgress(db: Db, id: string, delta: { processed: number; succeeded: number; failed: number; errors?: unknown[] }) {
  await db
    .update(backgroundJobs)
    .set({
      processed: sql`${backgroundJobs.processed} + ${delta.processed}`,
      succeeded: sql`${backgroundJobs.succeeded} + ${delta.succeeded}`,
      failed: sql`${backgroundJobs.failed} + ${delta.failed}`,
      errors: delta.errors?.length
        ? sql`(select coalesce(jsonb_agg(e), '[]'::jsonb) from (select e from jsonb_array_elements(${backgroundJobs.errors} || ${JSON.stringify(delta.errors)}::jsonb) e limit 1000) x)`
        : backgroundJobs.errors,
    })
    .where(eq(backgroundJobs.id, id))
}

export async function finishBackgroundJob(db: Db, id: string, status: 'succeeded' | 'failed', result?: Record<string, unknown>) {
  await db.update(backgroundJobs).set({ status, result: result ?? null, finishedAt: new Date() }).where(eq(backgroundJobs.id, id))
}

/** Runs `work` after the response is sent; a crash marks the job failed (rows are idempotent, so it can be resubmitted). */
export function runInBackground(db: Db, logger: Logger, id: string, work: () => Promise<Record<string, unknown> | void>) {
  setImmediate(() => {
    work()
      .then((result) => finishBackgroundJob(db, id, 'succeeded', result ?? undefined))
      .catch(async (e) => {
        logger.error({ err: e, jobId: id }, 'background job failed')
        await finishBackgroundJob(db, id, 'failed', { error: (e as Error).message }).catch(() => undefined)
      })
  })
}

export async function getBackgroundJob(db: Db, merchantId: string, id: string): Promise<BackgroundJobView> {
  const [j] = await db.select().from(backgroundJobs).where(and(eq(backgroundJobs.merchantId, merchantId), eq(backgroundJobs.id, id)))
  if (!j) throw new AppError('NOT_FOUND')
  return {
    id: j.id,
    kind: j.kind,
    status: j.status,
    total: j.total,
    processed: j.processed,
    succeeded: j.succeeded,
    failed: j.failed,
    errors: j.errors,
    result: j.result ?? null,
    createdAt: j.createdAt.toISOString(),
    finishedAt: j.finishedAt?.toISOString() ?? null,
  }
}
