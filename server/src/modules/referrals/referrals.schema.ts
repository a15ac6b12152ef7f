import { sql } from 'drizzle-orm'
import { boolean, check, date, foreignKey, index, integer, customType, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { users } from '../members/members.schema'
import { merchants } from '../tenancy/tenancy.schema'

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' })

/** Referral programme of a merchant; absent row = DEFAULT_REFERRAL_POLICY. */
export const referralPolicies = pgTable(
  'referral_policies',
  {
    merchantId: uuid('merchant_id')
      .primaryKey()
      .references(() => merchants.id),
    active: boolean('active').notNull(),
    milestone: text('milestone').notNull(),
    inviterPoints: integer('inviter_points').notNull(),
    inviteePoints: integer('invitee_points').notNull(),
    dailyCap: integer('daily_cap').notNull(),
    bindWindowMinutes: integer('bind_window_minutes').notNull(),
    holdThreshold: integer('hold_threshold').notNull(),
    holdWindowMinutes: integer('hold_window_minutes').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    check('referral_policies_milestone_ck', sql`${t.milestone} in ('login', 'card_claimed', 'first_purchase')`),
    check(
      'referral_policies_values_ck',
      sql`${t.inviterPoints} >= 0 and ${t.inviteePoints} >= 0 and ${t.dailyCap} >= 1 and ${t.bindWindowMinutes} >= 0 and ${t.holdThreshold} >= 1 and ${t.holdWindowMinutes} >= 1`,
    ),
  ],
)

/**
 * One invite code per user (kind user) and per guide (kind guide, the guide's own user as owner).
 * The mini-program code image is fetched from WeChat once and kept (it never expires).
 */
export const referralCodes = pgTable(
  'referral_codes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    merchantId: uuid('merchant_id').notNull(),
    code: text('code').notNull(),
    ownerUserId: uuid('owner_user_id').notNull(),
    kind: text('kind').notNull(),
    staffId: uuid('staff_id'),
    qrImage: bytea('qr_image'),
    qrContentType: text('qr_content_type'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('referral_codes_code_uq').on(t.merchantId, t.code),
    uniqueIndex('referral_codes_owner_uq').on(t.merchantId, t.ownerUserId, t.kind),
    foreignKey({ name: 'referral_codes_owner_fk', columns: [t.merchantId, t.ownerUserId], foreignColumns: [users.merchantId, users.id] }),
    check('referral_codes_kind_ck', sql`(${t.kind} = 'user' and ${t.staffId} is null) or (${t.kind} = 'guide' and ${t.staffId} is not null)`),
  ],
)

/**
 * One row per invitee: UNIQUE (merchant, invitee) is "one inviter per user". milestone and points are
 * the policy at binding time (a later policy change does not alter what was promised). Rewards are paid
 * once: rewarded_at is set by a conditional update before the points are credited.
 */
export const referrals = pgTable(
  'referrals',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    merchantId: uuid('merchant_id').notNull(),
    inviterId: uuid('inviter_id').notNull(),
    inviteeId: uuid('invitee_id').notNull(),
    kind: text('kind').notNull(),
    guideStaffId: uuid('guide_staff_id'),
    code: text('code').notNull(),
    milestone: text('milestone').notNull(),
    inviterPoints: integer('inviter_points').notNull(),
    inviteePoints: integer('invitee_points').notNull(),
    review: text('review').notNull(),
    reviewReason: text('review_reason'),
    reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
    ip: text('ip'),
    deviceId: text('device_id'),
    boundAt: timestamp('bound_at', { withTimezone: true }).notNull(),
    milestoneAt: timestamp('milestone_at', { withTimezone: true }),
    /** The invitee's first purchase (drives the inviter's "invitees who became customers"). */
    customerAt: timestamp('customer_at', { withTimezone: true }),
    rewardedAt: timestamp('rewarded_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('referrals_invitee_uq').on(t.merchantId, t.inviteeId),
    index('referrals_inviter_idx').on(t.merchantId, t.inviterId, t.boundAt),
    index('referrals_review_idx').on(t.merchantId, t.review, t.boundAt),
    foreignKey({ name: 'referrals_inviter_fk', columns: [t.merchantId, t.inviterId], foreignColumns: [users.merchantId, users.id] }),
    foreignKey({ name: 'referrals_invitee_fk', columns: [t.merchantId, t.inviteeId], foreignColumns: [users.merchantId, users.id] }),
    check('referrals_kind_ck', sql`${t.kind} in ('user', 'guide')`),
    check('referrals_review_ck', sql`${t.review} in ('clear', 'held', 'approved', 'rejected')`),
    check('referrals_milestone_ck', sql`${t.milestone} in ('login', 'card_claimed', 'first_purchase')`),
    check('referrals_self_ck', sql`${t.inviterId} <> ${t.inviteeId}`),
    check('referrals_paid_ck', sql`${t.rewardedAt} is null or (${t.milestoneAt} is not null and ${t.review} in ('clear', 'approved'))`),
  ],
)

/** Invitees bound per inviter and business day; the conditional increment enforces the daily cap. */
export const referralDailyCounts = pgTable(
  'referral_daily_counts',
  {
    merchantId: uuid('merchant_id').notNull(),
    inviterId: uuid('inviter_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    count: integer('count').notNull(),
  },
  (t) => [primaryKey({ name: 'referral_daily_counts_pk', columns: [t.merchantId, t.inviterId, t.day] }), check('referral_daily_counts_ck', sql`${t.count} >= 0`)],
)
