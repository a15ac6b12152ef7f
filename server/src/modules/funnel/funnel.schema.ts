import { sql } from 'drizzle-orm'
import { bigint, check, index, jsonb, pgTable, smallint, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'

/**
 * Raw interaction events (page views, shares, clicks, check-ins...). Partition by month when large (see docs).
 * merchant_id here and in funnel_transitions has no foreign key: every event would lock the merchant's
 * row (README "Hot paths"); merchants are never deleted.
 */
export const funnelEvents = pgTable(
  'funnel_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    merchantId: uuid('merchant_id').notNull(),
    userId: uuid('user_id').notNull(),
    type: text('type').notNull(),
    channel: text('channel'),
    storeId: uuid('store_id'),
    guideId: uuid('guide_id'),
    sharerId: uuid('sharer_id'),
    props: jsonb('props').$type<Record<string, unknown>>(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('funnel_events_merchant_user_idx').on(t.merchantId, t.userId, t.receivedAt),
    index('funnel_events_merchant_type_idx').on(t.merchantId, t.type, t.receivedAt),
  ],
)

/** One row per stage a user reaches: stages only go up, so (merchant, user, to_stage) is unique. */
export const funnelTransitions = pgTable(
  'funnel_transitions',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    merchantId: uuid('merchant_id').notNull(),
    userId: uuid('user_id').notNull(),
    fromStage: text('from_stage'),
    toStage: text('to_stage').notNull(),
    toRank: smallint('to_rank').notNull(),
    cause: text('cause').notNull(),
    causeEventId: bigint('cause_event_id', { mode: 'number' }),
    channel: text('channel'),
    storeId: uuid('store_id'),
    guideId: uuid('guide_id'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('funnel_transitions_user_stage_uq').on(t.merchantId, t.userId, t.toStage),
    index('funnel_transitions_merchant_at_idx').on(t.merchantId, t.at),
    check('funnel_transitions_rank_ck', sql`${t.toRank} between 1 and 6`),
  ],
)
