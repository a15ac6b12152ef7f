import { sql } from 'drizzle-orm'
import { boolean, check, foreignKey, index, integer, pgTable, primaryKey, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { users } from '../members/members.schema'
import { merchants } from '../tenancy/tenancy.schema'

/**
 * A coupon design of one merchant. The discount terms (kind, amounts, minimum spend) are immutable:
 * issued coupons are valued by them, and so is whether the stock is limited (`total_stock` is set at
 * creation and only ever raised). `issued` is the stock counter of a limited template: it only grows,
 * and never past `total_stock` (CHECK), so stock is taken with a conditional update and can't
 * oversell. An unlimited template keeps it at 0, unused: its row is not written per coupon (a hot row
 * under many issuers); its coupons are counted on read (coupons_merchant_template_idx).
 */
export const couponTemplates = pgTable(
  'coupon_templates',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    merchantId: uuid('merchant_id')
      .notNull()
      .references(() => merchants.id),
    name: text('name').notNull(),
    description: text('description'),
    kind: text('kind').notNull(),
    amountOffFen: integer('amount_off_fen'),
    percentOff: integer('percent_off'),
    maxDiscountFen: integer('max_discount_fen'),
    minSpendFen: integer('min_spend_fen').notNull().default(0),
    itemName: text('item_name'),
    itemSku: text('item_sku'),
    validityType: text('validity_type').notNull(),
    validFrom: timestamp('valid_from', { withTimezone: true }),
    validTo: timestamp('valid_to', { withTimezone: true }),
    validDays: integer('valid_days'),
    /** null = unlimited */
    totalStock: integer('total_stock'),
    issued: integer('issued').notNull().default(0),
    perUserLimit: integer('per_user_limit'),
    claimable: boolean('claimable').notNull().default(true),
    active: boolean('active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // a constraint (not just an index): composite foreign keys of coupons and lottery prizes point at it
    unique('coupon_templates_merchant_id_uq').on(t.merchantId, t.id),
    index('coupon_templates_merchant_created_idx').on(t.merchantId, t.createdAt),
    check(
      'coupon_templates_terms_ck',
      sql`case ${t.kind}
        when 'amount_off' then ${t.amountOffFen} > 0 and ${t.percentOff} is null
        when 'percent_off' then ${t.percentOff} between 1 and 99 and ${t.amountOffFen} is null and (${t.maxDiscountFen} is null or ${t.maxDiscountFen} > 0)
        when 'free_item' then ${t.itemName} is not null and ${t.amountOffFen} is null and ${t.percentOff} is null
        else false end and ${t.minSpendFen} >= 0`,
    ),
    check(
      'coupon_templates_validity_ck',
      sql`(${t.validityType} = 'fixed' and ${t.validFrom} < ${t.validTo} and ${t.validDays} is null)
        or (${t.validityType} = 'relative' and ${t.validDays} > 0 and ${t.validFrom} is null and ${t.validTo} is null)`,
    ),
    check('coupon_templates_stock_ck', sql`${t.issued} >= 0 and (${t.totalStock} is null or ${t.issued} <= ${t.totalStock})`),
    check('coupon_templates_limit_ck', sql`${t.perUserLimit} is null or ${t.perUserLimit} > 0`),
  ],
)

/**
 * An issued coupon. Status moves issued -> used (counter) or issued -> locked -> used | issued (order
 * paid | closed unpaid), each by a conditional update. "Expired" is derived from valid_to, not stored.
 * `issue_key` makes every issuing path idempotent (claim, lottery draw, reward, admin batch).
 * template_id has no foreign key: its check would lock the template row every issuer of a popular
 * coupon shares (README "Hot paths"); templates are never deleted, only deactivated.
 */
export const coupons = pgTable(
  'coupons',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    merchantId: uuid('merchant_id').notNull(),
    templateId: uuid('template_id').notNull(),
    userId: uuid('user_id').notNull(),
    code: text('code').notNull(),
    status: text('status').notNull().default('issued'),
    validFrom: timestamp('valid_from', { withTimezone: true }).notNull(),
    validTo: timestamp('valid_to', { withTimezone: true }).notNull(),
    sourceType: text('source_type').notNull(),
    sourceId: text('source_id'),
    issueKey: text('issue_key').notNull(),
    /** The order holding (locked) or having used the coupon. */
    orderId: text('order_id'),
    lockedAt: timestamp('locked_at', { withTimezone: true }),
    usedAt: timestamp('used_at', { withTimezone: true }),
    usedStoreId: uuid('used_store_id'),
    usedStaffId: uuid('used_staff_id'),
    issuedAt: timestamp('issued_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('coupons_merchant_code_uq').on(t.merchantId, t.code),
    uniqueIndex('coupons_merchant_issue_key_uq').on(t.merchantId, t.issueKey),
    index('coupons_merchant_user_idx').on(t.merchantId, t.userId, t.issuedAt),
    // an unlimited template's issued count
    index('coupons_merchant_template_idx').on(t.merchantId, t.templateId),
    index('coupons_order_idx')
      .on(t.orderId)
      .where(sql`${t.orderId} is not null`),
    foreignKey({ name: 'coupons_user_fk', columns: [t.merchantId, t.userId], foreignColumns: [users.merchantId, users.id] }),
    check('coupons_status_ck', sql`${t.status} in ('issued','locked','used')`),
    check('coupons_order_ck', sql`(${t.status} <> 'locked' or ${t.orderId} is not null) and (${t.status} <> 'issued' or ${t.orderId} is null)`),
    check('coupons_used_ck', sql`(${t.status} = 'used') = (${t.usedAt} is not null)`),
    check('coupons_source_ck', sql`${t.sourceType} in ('claim','lottery','checkin','task','admin')`),
  ],
)

/** Claims per (template, user) from the claim centre: the per-user limit, enforced by a conditional upsert. */
export const couponClaimCounts = pgTable(
  'coupon_claim_counts',
  {
    merchantId: uuid('merchant_id').notNull(),
    templateId: uuid('template_id').notNull(),
    userId: uuid('user_id').notNull(),
    n: integer('n').notNull(),
  },
  (t) => [primaryKey({ name: 'coupon_claim_counts_pk', columns: [t.templateId, t.userId] }), check('coupon_claim_counts_n_ck', sql`${t.n} > 0`)],
)
