import { sql } from 'drizzle-orm'
import type { DbOrTx } from '../../db/client'
import { run, statement } from '../../db/raw'
import { funnelEvents, funnelTransitions } from './funnel.schema'

export async function insertTransition(db: DbOrTx, v: typeof funnelTransitions.$inferInsert) {
  await db.insert(funnelTransitions).values(v).onConflictDoNothing()
}

// client events arrive on every page: one prepared statement for any batch size (columns as arrays)
const insertEventsStatement = statement<{ id: string | number; type: string }>(
  'funnel_insert_events',
  `INSERT INTO funnel_events (merchant_id, user_id, type, channel, store_id, guide_id, sharer_id, props, occurred_at)
   SELECT $1, $2, t.type, t.channel, t.store_id, t.guide_id, t.sharer_id, t.props, t.occurred_at
   FROM unnest($3::text[], $4::text[], $5::uuid[], $6::uuid[], $7::uuid[], $8::jsonb[], $9::timestamptz[])
        WITH ORDINALITY AS t(type, channel, store_id, guide_id, sharer_id, props, occurred_at, ord)
   ORDER BY t.ord
   RETURNING id, type`,
)

/**
 * The events of one user, in the order given; answers their ids in that order (the identity is drawn
 * row by row in insertion order, so sorting the returned ids restores it).
 */
export async function insertEvents(
  db: DbOrTx,
  merchantId: string,
  userId: string,
  rows: Omit<typeof funnelEvents.$inferInsert, 'merchantId' | 'userId'>[],
): Promise<{ id: number; type: string }[]> {
  const col = <T>(f: (r: (typeof rows)[number]) => T) => rows.map(f)
  const out = await run(db, insertEventsStatement, [
    merchantId,
    userId,
    col((r) => r.type),
    col((r) => r.channel ?? null),
    col((r) => r.storeId ?? null),
    col((r) => r.guideId ?? null),
    col((r) => r.sharerId ?? null),
    col((r) => (r.props == null ? null : JSON.stringify(r.props))),
    col((r) => r.occurredAt),
  ])
  return out.map((r) => ({ id: Number(r.id), type: r.type })).sort((a, b) => a.id - b.id)
}

export async function countEvents(db: DbOrTx, merchantId: string, userId: string, types: readonly string[], from: Date, to: Date) {
  if (types.length === 0) return 0
  const r = await db.execute<{ n: number }>(sql`
    SELECT count(*)::int AS n FROM funnel_events
    WHERE merchant_id = ${merchantId} AND user_id = ${userId}
      AND type IN (${sql.join(types.map((t) => sql`${t}`), sql`, `)})
      AND received_at >= ${from.toISOString()}::timestamptz AND received_at < ${to.toISOString()}::timestamptz`)
  return r.rows[0]?.n ?? 0
}

export type ReachRow = { key: string | null; rank: number; reached: number; reached_next: number; median_seconds: number | null }

/**
 * Cohort funnel: for each group and stage, users who first reached the stage inside [from, to),
 * how many of them reached the next stage before `to`, and the median time it took.
 * Reaching a stage means any transition to it or above (a jump from visitor to member passes all).
 */
export async function funnelReport(db: DbOrTx, merchantId: string, from: Date, to: Date, groupBy: 'channel' | 'store' | 'guide' | null) {
  const key =
    groupBy === 'channel'
      ? sql`u.acq_channel`
      : groupBy === 'store'
        ? sql`u.acq_store_id::text`
        : groupBy === 'guide'
          ? sql`coalesce(u.acq_guide_id, u.guide_staff_id)::text`
          : sql`null::text`
  const r = await db.execute<ReachRow>(sql`
    WITH reach AS (
      SELECT t.user_id, s.rank, min(t.at) AS at
      FROM funnel_transitions t
      JOIN generate_series(1, 6) AS s(rank) ON t.to_rank >= s.rank
      WHERE t.merchant_id = ${merchantId} AND t.at < ${to.toISOString()}::timestamptz
      GROUP BY t.user_id, s.rank
    )
    SELECT ${key} AS key, r.rank::int AS rank,
      count(*)::int AS reached,
      count(n.user_id)::int AS reached_next,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM n.at - r.at))
        FILTER (WHERE n.user_id IS NOT NULL) AS median_seconds
    FROM reach r
    JOIN users u ON u.id = r.user_id AND u.merchant_id = ${merchantId}
    LEFT JOIN reach n ON n.user_id = r.user_id AND n.rank = r.rank + 1
    WHERE r.at >= ${from.toISOString()}::timestamptz
    GROUP BY 1, 2
    ORDER BY 1 NULLS FIRST, 2`)
  return r.rows
}

/** Start of a calendar date in a time zone, e.g. ('2026-11-01', 'Asia/Shanghai') -> 2026-10-31T16:00Z. */
export async function startOfLocalDay(db: DbOrTx, date: string, tz: string): Promise<Date> {
  const r = await db.execute<{ t: Date }>(sql`SELECT (${date}::date::timestamp AT TIME ZONE ${tz}) AS t`)
  return new Date(r.rows[0]!.t)
}
