import { sql } from 'drizzle-orm'
import { bigint, boolean, check, date, foreignKey, index, integer, jsonb, pgTable, primaryKey, smallint, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { couponTemplates } from '../coupons/coupons.schema'
import { users } from '../members/members.schema'
import { merchants } from '../tenancy/tenancy.schema'

export type EligibilityJson = { minStage?: string; minTier?: number; tags?: string[] }

/** A lottery campaign (wheel, grid, scratch card). Open for draws when enabled and start_at <= now < end_at. */
export const lotteries = pgTable(
  'lotteries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    merchantId: uuid('merchant_id')
      .notNull()
      .references(() => merchants.id),
    name: text('name').notNull(),
    description: text('description'),
    kind: text('kind').notNull(),
    startAt: timestamp('start_at', { withTimezone: true }).notNull(),
    endAt: timestamp('end_at', { withTimezone: true }).notNull(),
    enabled: boolean('enabled').notNull().default(false),
    eligibility: jsonb('eligibility').$type<EligibilityJson>().notNull().default({}),
    /** Points per draw beyond the free ones; null = draws can't be bought. */
    costPoints: integer('cost_points'),
    freeDrawsPerDay: integer('free_draws_per_day').notNull().default(0),
    limitPerDay: integer('limit_per_day'),
    limitTotal: integer('limit_total'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // a constraint (not just an index): the composite foreign keys of prizes and draws point at it
    unique('lotteries_merchant_id_uq').on(t.merchantId, t.id),
    index('lotteries_merchant_created_idx').on(t.merchantId, t.createdAt),
    check('lotteries_kind_ck', sql`${t.kind} in ('wheel','grid','scratch')`),
    check('lotteries_window_ck', sql`${t.startAt} < ${t.endAt}`),
    check(
      'lotteries_limits_ck',
      sql`(${t.costPoints} is null or ${t.costPoints} >= 0) and ${t.freeDrawsPerDay} >= 0
        and (${t.limitPerDay} is null or ${t.limitPerDay} > 0) and (${t.limitTotal} is null or ${t.limitTotal} > 0)`,
    ),
  ],
)

/**
 * The slots of a lottery. `stock` null = unlimited (always for the "none" slot); otherwise it only
 * goes down by `UPDATE ... WHERE stock > 0` and the CHECK forbids negative stock outright.
 */
export const lotteryPrizes = pgTable(
  'lottery_prizes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    merchantId: uuid('merchant_id').notNull(),
    lotteryId: uuid('lottery_id').notNull(),
    position: smallint('position').notNull(),
    name: text('name').notNull(),
    type: text('type').notNull(),
    weight: integer('weight').notNull(),
    stock: integer('stock'),
    points: integer('points'),
    couponTemplateId: uuid('coupon_template_id'),
    amountFen: integer('amount_fen'),
    imageUrl: text('image_url'),
  },
  (t) => [
    uniqueIndex('lottery_prizes_position_uq').on(t.lotteryId, t.position),
    uniqueIndex('lottery_prizes_merchant_id_uq').on(t.merchantId, t.id),
    foreignKey({ name: 'lottery_prizes_lottery_fk', columns: [t.merchantId, t.lotteryId], foreignColumns: [lotteries.merchantId, lotteries.id] }).onDelete('cascade'),
    foreignKey({
      name: 'lottery_prizes_coupon_template_fk',
      columns: [t.merchantId, t.couponTemplateId],
      foreignColumns: [couponTemplates.merchantId, couponTemplates.id],
    }),
    check('lottery_prizes_stock_ck', sql`${t.stock} is null or ${t.stock} >= 0`),
    check('lottery_prizes_weight_ck', sql`${t.weight} >= 0`),
    check(
      'lottery_prizes_type_ck',
      sql`case ${t.type}
        when 'none' then ${t.stock} is null
        when 'points' then ${t.points} > 0
        when 'coupon' then ${t.couponTemplateId} is not null
        when 'physical' then true
        when 'red_packet' then ${t.amountFen} > 0
        else false end`,
    ),
  ],
)

/**
 * One draw, kept for audit: the weights at the time, the random value, the slot it landed on
 * (`drawn_prize_id`), and the outcome (`prize_id`: the slot awarded — the "none" slot when nothing
 * was won). Idempotent per (merchant, user, idempotency_key). lottery_id and the prize ids carry no
 * foreign key (every draw would lock the campaign and prize rows all users share, README "Hot paths"):
 * the draw counters' foreign key and the admin's FOR UPDATE on the campaign keep draws of a deleted
 * campaign or replaced prizes from existing (lottery.repo.ts lockAndHasDraws).
 */
export const lotteryDraws = pgTable(
  'lottery_draws',
  {
    id: uuid('id').primaryKey(),
    merchantId: uuid('merchant_id').notNull(),
    lotteryId: uuid('lottery_id').notNull(),
    userId: uuid('user_id').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    businessDay: date('business_day', { mode: 'string' }).notNull(),
    /** [{ id, w }] in slot order, as used for this draw. */
    weights: jsonb('weights').$type<{ id: string; w: number }[]>().notNull(),
    totalWeight: bigint('total_weight', { mode: 'number' }).notNull(),
    /** crypto.randomInt(0, total_weight): the drawn slot is the first whose cumulative weight exceeds it. */
    randomValue: bigint('random_value', { mode: 'number' }).notNull(),
    drawnPrizeId: uuid('drawn_prize_id').notNull(),
    prizeId: uuid('prize_id').notNull(),
    outcome: text('outcome').notNull(),
    reason: text('reason').notNull(),
    prizeType: text('prize_type').notNull(),
    prizeName: text('prize_name').notNull(),
    free: boolean('free').notNull(),
    costPoints: integer('cost_points').notNull(),
    pointsAwarded: integer('points_awarded'),
    couponId: uuid('coupon_id'),
    couponCode: text('coupon_code'),
    /** Physical prizes: the code staff redeem at a store. */
    redeemCode: text('redeem_code'),
    collectedAt: timestamp('collected_at', { withTimezone: true }),
    collectedStoreId: uuid('collected_store_id'),
    collectedStaffId: uuid('collected_staff_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('lottery_draws_idempotency_uq').on(t.merchantId, t.userId, t.idempotencyKey),
    uniqueIndex('lottery_draws_redeem_code_uq')
      .on(t.merchantId, t.redeemCode)
      .where(sql`${t.redeemCode} is not null`),
    index('lottery_draws_lottery_idx').on(t.lotteryId, t.createdAt),
    index('lottery_draws_user_idx').on(t.merchantId, t.userId, t.lotteryId, t.createdAt),
    foreignKey({ name: 'lottery_draws_user_fk', columns: [t.merchantId, t.userId], foreignColumns: [users.merchantId, users.id] }),
    check('lottery_draws_outcome_ck', sql`${t.outcome} in ('prize','none')`),
    check(
      'lottery_draws_reason_ck',
      sql`(${t.outcome} = 'prize' and ${t.reason} = 'won') or (${t.outcome} = 'none' and ${t.reason} in ('no_prize','out_of_stock'))`,
    ),
    check('lottery_draws_cost_ck', sql`${t.costPoints} >= 0 and (not ${t.free} or ${t.costPoints} = 0)`),
  ],
)

/** Draws per (lottery, user, period): period is the business day 'YYYY-MM-DD' or 'total'. Limits are enforced on these rows. */
export const lotteryDrawCounts = pgTable(
  'lottery_draw_counts',
  {
    lotteryId: uuid('lottery_id').notNull(),
    userId: uuid('user_id').notNull(),
    period: text('period').notNull(),
    merchantId: uuid('merchant_id').notNull(),
    n: integer('n').notNull(),
  },
  (t) => [
    primaryKey({ name: 'lottery_draw_counts_pk', columns: [t.lotteryId, t.userId, t.period] }),
    // The campaign's referential guard (the draw records carry none, README "Hot paths"):
    // checked only when a user's counter row is created, so a campaign with draws cannot be deleted and
    // a first draw waits for (or blocks) an admin holding the campaign row FOR UPDATE.
    foreignKey({ name: 'lottery_draw_counts_lottery_fk', columns: [t.merchantId, t.lotteryId], foreignColumns: [lotteries.merchantId, lotteries.id] }),
    check('lottery_draw_counts_n_ck', sql`${t.n} > 0`),
  ],
)
