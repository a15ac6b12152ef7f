import { sql } from 'drizzle-orm'
import { bigint, check, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'

/** Every scheduled job run (system-wide: a run may touch every merchant). */
export const jobRuns = pgTable(
  'job_runs',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    job: text('job').notNull(),
    status: text('status').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    details: jsonb('details').$type<Record<string, unknown>>(),
  },
  (t) => [
    index('job_runs_job_idx').on(t.job, t.startedAt),
    check('job_runs_status_ck', sql`${t.status} in ('running','succeeded','failed','skipped')`),
  ],
)

/** Long admin tasks (imports, bulk issues) run in the background with progress. */
export const backgroundJobs = pgTable(
  'background_jobs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    merchantId: uuid('merchant_id').notNull(),
    kind: text('kind').notNull(),
    status: text('status').notNull().default('queued'),
    total: integer('total').notNull().default(0),
    processed: integer('processed').notNull().default(0),
    succeeded: integer('succeeded').notNull().default(0),
    failed: integer('failed').notNull().default(0),
    errors: jsonb('errors').$type<unknown[]>().notNull().default([]),
    result: jsonb('result').$type<Record<string, unknown>>(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    index('background_jobs_merchant_idx').on(t.merchantId, t.createdAt),
    check('background_jobs_status_ck', sql`${t.status} in ('queued','running','succeeded','failed')`),
  ],
)
