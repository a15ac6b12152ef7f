import { sql } from 'drizzle-orm'
import { boolean, check, date, foreignKey, index, integer, pgTable, primaryKey, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { users } from '../members/members.schema'
import { merchants } from '../tenancy/tenancy.schema'

/** Merchant-defined tasks. kind and target are fixed at creation; the reward may change (claims snapshot it). */
export const tasks = pgTable(
  'tasks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    merchantId: uuid('merchant_id')
      .notNull()
      .references(() => merchants.id),
    title: text('title').notNull(),
    description: text('description'),
    kind: text('kind').notNull(),
    target: integer('target').notNull(),
    rewardType: text('reward_type').notNull(),
    rewardPoints: integer('reward_points'),
    rewardTemplateId: uuid('reward_template_id'),
    rewardAmountFen: integer('reward_amount_fen'),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }),
    active: boolean('active').notNull().default(true),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    // a constraint (not an index): created with the table, so completions can reference it in the same migration
    unique('tasks_merchant_id_uq').on(t.merchantId, t.id),
    index('tasks_merchant_idx').on(t.merchantId, t.createdAt),
    check('tasks_kind_ck', sql`${t.kind} in ('share_n', 'invite_n', 'complete_profile', 'first_purchase', 'claim_card', 'checkin_n_days')`),
    check('tasks_target_ck', sql`${t.target} between 1 and 1000`),
    check(
      'tasks_reward_ck',
      sql`(${t.rewardType} = 'points' and ${t.rewardPoints} > 0) or (${t.rewardType} = 'coupon' and ${t.rewardTemplateId} is not null) or (${t.rewardType} = 'cash' and ${t.rewardAmountFen} > 0)`,
    ),
    check('tasks_window_ck', sql`${t.endsAt} is null or ${t.endsAt} > ${t.startsAt}`),
  ],
)

/** One claim per (task, user): the unique key makes concurrent claims pay once. The reward is a snapshot. */
export const taskCompletions = pgTable(
  'task_completions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    merchantId: uuid('merchant_id').notNull(),
    taskId: uuid('task_id').notNull(),
    userId: uuid('user_id').notNull(),
    rewardType: text('reward_type').notNull(),
    rewardPoints: integer('reward_points'),
    couponId: uuid('coupon_id'),
    claimedAt: timestamp('claimed_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('task_completions_uq').on(t.merchantId, t.taskId, t.userId),
    index('task_completions_user_idx').on(t.merchantId, t.userId),
    foreignKey({ name: 'task_completions_task_fk', columns: [t.merchantId, t.taskId], foreignColumns: [tasks.merchantId, tasks.id] }),
    foreignKey({ name: 'task_completions_user_fk', columns: [t.merchantId, t.userId], foreignColumns: [users.merchantId, users.id] }),
  ],
)

/**
 * Facts a user reached once (first purchase, card claimed), recorded by the funnel stage listener. A
 * member who buys is asked for `customer` without changing stage, so the stage alone can't tell.
 */
export const userMilestones = pgTable(
  'user_milestones',
  {
    merchantId: uuid('merchant_id').notNull(),
    userId: uuid('user_id').notNull(),
    milestone: text('milestone').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ name: 'user_milestones_pk', columns: [t.merchantId, t.userId, t.milestone] }),
    check('user_milestones_ck', sql`${t.milestone} in ('first_purchase', 'card_claimed')`),
  ],
)

/**
 * Business days a user checked in on, as recorded by the check-in module (server-side `checkin`
 * interactions, make-ups included). Client-posted events are not trusted for task rewards.
 */
export const taskCheckinDays = pgTable(
  'task_checkin_days',
  {
    merchantId: uuid('merchant_id').notNull(),
    userId: uuid('user_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
  },
  (t) => [primaryKey({ name: 'task_checkin_days_pk', columns: [t.merchantId, t.userId, t.day] })],
)
