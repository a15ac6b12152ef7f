import { sql } from 'drizzle-orm'
import { bigint, boolean, check, foreignKey, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { users } from '../members/members.schema'
import { merchants } from '../tenancy/tenancy.schema'

/** Simple products sold through the mini-program, priced in fen. */
export const products = pgTable(
  'products',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    merchantId: uuid('merchant_id')
      .notNull()
      .references(() => merchants.id),
    sku: text('sku').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    priceFen: integer('price_fen').notNull(),
    active: boolean('active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('products_merchant_sku_uq').on(t.merchantId, t.sku),
    check('products_price_ck', sql`${t.priceFen} > 0`),
  ],
)

/** Paid-membership plans: paying one grants `duration_days` of paid membership. */
export const membershipPlans = pgTable(
  'membership_plans',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    merchantId: uuid('merchant_id')
      .notNull()
      .references(() => merchants.id),
    name: text('name').notNull(),
    description: text('description'),
    durationDays: integer('duration_days').notNull(),
    priceFen: integer('price_fen').notNull(),
    active: boolean('active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('membership_plans_merchant_idx').on(t.merchantId),
    check('membership_plans_price_ck', sql`${t.priceFen} > 0`),
    check('membership_plans_duration_ck', sql`${t.durationDays} > 0`),
  ],
)

/** One priced line of an order, a snapshot taken when the order was created. */
export type OrderLine = { productId: string; sku: string; name: string; unitPriceFen: number; qty: number; amountFen: number }

/**
 * An order: priced on the server at creation, then created -> paid -> partially_refunded/refunded,
 * or created -> closed. Money moves only through conditional updates on `status` and the CHECKs.
 */
export const orders = pgTable(
  'orders',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    merchantId: uuid('merchant_id')
      .notNull()
      .references(() => merchants.id),
    userId: uuid('user_id').notNull(),
    kind: text('kind').notNull(),
    status: text('status').notNull().default('created'),
    description: text('description').notNull(),
    items: jsonb('items').$type<OrderLine[]>().notNull().default([]),
    membershipPlanId: uuid('membership_plan_id'),
    membershipDays: integer('membership_days'),
    subtotalFen: integer('subtotal_fen').notNull(),
    discountFen: integer('discount_fen').notNull().default(0),
    totalFen: integer('total_fen').notNull(),
    paidFen: integer('paid_fen').notNull().default(0),
    refundedFen: integer('refunded_fen').notNull().default(0),
    transactionId: text('transaction_id'),
    pointsEarned: integer('points_earned').notNull().default(0),
    pointsClawed: integer('points_clawed').notNull().default(0),
    /** Growth the payment credited, and how much of it refunds took back (in proportion, like points). */
    growthEarned: integer('growth_earned').notNull().default(0),
    growthClawed: integer('growth_clawed').notNull().default(0),
    /** A payment arrived that cannot be applied normally (paid after close, paid twice): a person must look. */
    needsReview: boolean('needs_review').notNull().default(false),
    reviewReason: text('review_reason'),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    paidAt: timestamp('paid_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    closeReason: text('close_reason'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('orders_merchant_user_idx').on(t.merchantId, t.userId, t.createdAt),
    index('orders_merchant_status_idx').on(t.merchantId, t.status, t.createdAt),
    index('orders_open_expiry_idx')
      .on(t.expiresAt)
      .where(sql`${t.status} = 'created'`),
    uniqueIndex('orders_merchant_transaction_uq').on(t.merchantId, t.transactionId),
    foreignKey({ name: 'orders_user_fk', columns: [t.merchantId, t.userId], foreignColumns: [users.merchantId, users.id] }),
    check('orders_status_ck', sql`${t.status} in ('created', 'paid', 'partially_refunded', 'refunded', 'closed')`),
    check('orders_kind_ck', sql`${t.kind} in ('products', 'membership')`),
    check('orders_amounts_ck', sql`${t.subtotalFen} > 0 and ${t.discountFen} >= 0 and ${t.totalFen} > 0 and ${t.totalFen} = ${t.subtotalFen} - ${t.discountFen}`),
    check('orders_refund_ck', sql`${t.refundedFen} >= 0 and ${t.refundedFen} <= ${t.paidFen} and ${t.paidFen} >= 0`),
    check('orders_paid_ck', sql`(${t.status} in ('created', 'closed')) = (${t.paidAt} is null)`),
    check('orders_points_ck', sql`${t.pointsEarned} >= 0 and ${t.pointsClawed} >= 0 and ${t.pointsClawed} <= ${t.pointsEarned}`),
    check('orders_growth_ck', sql`${t.growthEarned} >= 0 and ${t.growthClawed} >= 0 and ${t.growthClawed} <= ${t.growthEarned}`),
  ],
)

/**
 * One attempt to pay an order at WeChat: its own out_trade_no (unique per mchid at WeChat; we keep
 * it globally unique), so a closed or failed attempt never blocks paying the order again.
 * pending -> paid | closed | failed. At most one pending attempt per order.
 */
export const paymentAttempts = pgTable(
  'payment_attempts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    merchantId: uuid('merchant_id')
      .notNull()
      .references(() => merchants.id),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id),
    outTradeNo: text('out_trade_no').notNull(),
    appid: text('appid').notNull(),
    mchid: text('mchid').notNull(),
    payerOpenid: text('payer_openid').notNull(),
    amountFen: integer('amount_fen').notNull(),
    /** Exact prepay parameters, so a retry sends identical ones (WeChat then re-issues a prepay_id). */
    description: text('description').notNull(),
    notifyUrl: text('notify_url').notNull(),
    timeExpire: text('time_expire').notNull(),
    status: text('status').notNull().default('pending'),
    prepayId: text('prepay_id'),
    prepayAt: timestamp('prepay_at', { withTimezone: true }),
    transactionId: text('transaction_id'),
    paidAt: timestamp('paid_at', { withTimezone: true }),
    failureCode: text('failure_code'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('payment_attempts_out_trade_no_uq').on(t.outTradeNo),
    uniqueIndex('payment_attempts_one_pending_uq')
      .on(t.orderId)
      .where(sql`${t.status} = 'pending'`),
    index('payment_attempts_order_idx').on(t.orderId),
    index('payment_attempts_pending_idx')
      .on(t.createdAt)
      .where(sql`${t.status} = 'pending'`),
    check('payment_attempts_status_ck', sql`${t.status} in ('pending', 'paid', 'closed', 'failed')`),
    check('payment_attempts_amount_ck', sql`${t.amountFen} > 0`),
  ],
)

/** Every WeChat Pay notification we accepted, by its id: a redelivery finds its row and changes nothing. */
export const paymentNotifications = pgTable(
  'payment_notifications',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    notificationId: text('notification_id').notNull(),
    merchantId: uuid('merchant_id')
      .notNull()
      .references(() => merchants.id),
    eventType: text('event_type').notNull(),
    summary: text('summary'),
    /** out_trade_no or out_refund_no. */
    reference: text('reference').notNull(),
    transactionId: text('transaction_id'),
    amountFen: integer('amount_fen'),
    /** What applying it did: settled | duplicate | needs_review | refund_succeeded | refund_closed | refund_abnormal | ignored. */
    outcome: text('outcome').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('payment_notifications_id_uq').on(t.notificationId), index('payment_notifications_merchant_idx').on(t.merchantId, t.receivedAt)],
)

/** A refund of (part of) a paid order. pending (not yet accepted by WeChat) -> processing -> succeeded | closed; abnormal is not final. */
export const refunds = pgTable(
  'refunds',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    merchantId: uuid('merchant_id')
      .notNull()
      .references(() => merchants.id),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id),
    outRefundNo: text('out_refund_no').notNull(),
    /** The paid attempt refunded (its transaction_id and total are what WeChat checks). */
    attemptId: uuid('attempt_id')
      .notNull()
      .references(() => paymentAttempts.id),
    amountFen: integer('amount_fen').notNull(),
    reason: text('reason'),
    /** Kept so a resubmission after an unknown outcome sends identical parameters (WeChat treats it as the same refund). */
    notifyUrl: text('notify_url').notNull(),
    status: text('status').notNull().default('pending'),
    refundId: text('refund_id'),
    failureCode: text('failure_code'),
    pointsClawed: integer('points_clawed').notNull().default(0),
    pointsDebt: integer('points_debt').notNull().default(0),
    succeededAt: timestamp('succeeded_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('refunds_out_refund_no_uq').on(t.outRefundNo),
    index('refunds_order_idx').on(t.orderId),
    index('refunds_open_idx')
      .on(t.createdAt)
      .where(sql`${t.status} in ('pending', 'processing', 'abnormal')`),
    check('refunds_status_ck', sql`${t.status} in ('pending', 'processing', 'succeeded', 'closed', 'abnormal', 'failed')`),
    check('refunds_amount_ck', sql`${t.amountFen} > 0`),
    check('refunds_points_ck', sql`${t.pointsClawed} >= 0 and ${t.pointsDebt} >= 0`),
  ],
)

/** Paid membership granted by a paid plan order; consecutive purchases extend from the current end. */
export const paidMemberships = pgTable(
  'paid_memberships',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    merchantId: uuid('merchant_id')
      .notNull()
      .references(() => merchants.id),
    userId: uuid('user_id').notNull(),
    planId: uuid('plan_id').notNull(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
    /** Set when the order is fully refunded. */
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('paid_memberships_order_uq').on(t.orderId),
    index('paid_memberships_user_idx').on(t.merchantId, t.userId, t.endsAt),
    check('paid_memberships_period_ck', sql`${t.endsAt} > ${t.startsAt}`),
  ],
)
