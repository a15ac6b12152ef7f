import { sql } from 'drizzle-orm'
import { check, foreignKey, index, integer, pgTable, primaryKey, timestamp, uuid } from 'drizzle-orm/pg-core'
import { users } from '../members/members.schema'

/**
 * Social value counters per (merchant, user), kept in the transaction that records what changed them
 * (a share event, a first open of someone's share, a referral bound or rejected, an invitee's first
 * purchase). score is derived in the database (weights: SOCIAL_SCORE_WEIGHTS in @siyu/shared) so the
 * leaderboard reads one index.
 */
export const socialStats = pgTable(
  'social_stats',
  {
    merchantId: uuid('merchant_id').notNull(),
    userId: uuid('user_id').notNull(),
    shares: integer('shares').notNull().default(0),
    reach: integer('reach').notNull().default(0),
    invitees: integer('invitees').notNull().default(0),
    inviteeCustomers: integer('invitee_customers').notNull().default(0),
    content: integer('content').notNull().default(0),
    score: integer('score')
      .notNull()
      .generatedAlwaysAs(sql`reach + 5 * invitees + 20 * invitee_customers + 10 * content`),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ name: 'social_stats_pk', columns: [t.merchantId, t.userId] }),
    index('social_stats_score_idx').on(t.merchantId, t.score.desc(), t.userId),
    foreignKey({ name: 'social_stats_user_fk', columns: [t.merchantId, t.userId], foreignColumns: [users.merchantId, users.id] }),
    check('social_stats_values_ck', sql`${t.shares} >= 0 and ${t.reach} >= 0 and ${t.invitees} >= 0 and ${t.inviteeCustomers} >= 0 and ${t.content} >= 0`),
  ],
)

/** Who opened whose shares: the primary key makes reach a count of distinct openers. */
export const shareOpens = pgTable(
  'share_opens',
  {
    merchantId: uuid('merchant_id').notNull(),
    sharerId: uuid('sharer_id').notNull(),
    openerId: uuid('opener_id').notNull(),
    firstAt: timestamp('first_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ name: 'share_opens_pk', columns: [t.merchantId, t.sharerId, t.openerId] })],
)
