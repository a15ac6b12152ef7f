import { and, desc, eq, getTableColumns, inArray, sql, type SQL } from 'drizzle-orm'
import type { DbOrTx } from '../../db/client'
import { one, statement } from '../../db/raw'
import { couponClaimCounts, coupons, couponTemplates } from './coupons.schema'

export type TemplateRow = typeof couponTemplates.$inferSelect
export type CouponRow = typeof coupons.$inferSelect
export type CouponWithTemplate = CouponRow & { template: TemplateRow }

export async function insertTemplate(db: DbOrTx, v: typeof couponTemplates.$inferInsert): Promise<TemplateRow> {
  const [row] = await db.insert(couponTemplates).values(v).returning()
  return row!
}

export async function findTemplate(db: DbOrTx, merchantId: string, id: string): Promise<TemplateRow | null> {
  const [row] = await db
    .select()
    .from(couponTemplates)
    .where(and(eq(couponTemplates.merchantId, merchantId), eq(couponTemplates.id, id)))
  return row ?? null
}

export async function listTemplates(db: DbOrTx, merchantId: string, opts: { claimableOnly?: boolean } = {}): Promise<TemplateRow[]> {
  const conds: SQL[] = [eq(couponTemplates.merchantId, merchantId)]
  if (opts.claimableOnly) conds.push(eq(couponTemplates.claimable, true), eq(couponTemplates.active, true))
  return db
    .select()
    .from(couponTemplates)
    .where(and(...conds))
    .orderBy(desc(couponTemplates.createdAt))
    .limit(200)
}

export async function updateTemplate(
  db: DbOrTx,
  merchantId: string,
  id: string,
  v: { name?: string; description?: string | null; claimable?: boolean; active?: boolean; perUserLimit?: number | null; addStock?: number },
  now: Date,
): Promise<TemplateRow | null> {
  const { addStock, ...rest } = v
  const [row] = await db
    .update(couponTemplates)
    .set({
      ...rest,
      ...(addStock ? { totalStock: sql`${couponTemplates.totalStock} + ${addStock}` } : {}),
      updatedAt: now,
    })
    .where(and(eq(couponTemplates.merchantId, merchantId), eq(couponTemplates.id, id)))
    .returning()
  return row ?? null
}

/**
 * One coupon's worth of a template's stock, as common table expressions for a statement of this or
 * another module (issueCoupon's callerTakesStock): `<name>` answers a row when the coupon may be issued
 * and none when a limited template is out. The parameters hold the merchant and template ids. Only a
 * limited template's row is written (its `issued` is the stock): an unlimited template's coupons are
 * counted on read (countCoupons), so its issuers don't queue on its row lock. CTEs, not a statement: a
 * data-modifying statement can't be nested below the top-level WITH.
 */
export function templateStockSql(name: string, merchantParam: string, templateParam: string): string {
  return `${name}_limited AS (UPDATE coupon_templates SET issued = issued + 1
      WHERE merchant_id = ${merchantParam} AND id = ${templateParam} AND total_stock IS NOT NULL AND issued < total_stock RETURNING 1),
    ${name} AS (SELECT 1 FROM ${name}_limited
      UNION ALL SELECT 1 FROM coupon_templates WHERE merchant_id = ${merchantParam} AND id = ${templateParam} AND total_stock IS NULL)`
}

const takeStockStatement = statement('coupon_take_template_stock', `WITH ${templateStockSql('stock', '$1', '$2')} SELECT 1 FROM stock`)

/** Takes one from the template's stock; false when none is left (never oversells: the row lock serialises). */
export async function takeTemplateStock(db: DbOrTx, merchantId: string, templateId: string): Promise<boolean> {
  return (await one(db, takeStockStatement, [merchantId, templateId])) !== null
}

/** Coupons ever issued of each template (coupons are never deleted once issued): one grouped count. */
export async function countCoupons(db: DbOrTx, merchantId: string, templateIds: string[]): Promise<Map<string, number>> {
  if (templateIds.length === 0) return new Map()
  const rows = await db
    .select({ templateId: coupons.templateId, n: sql<number>`count(*)::int` })
    .from(coupons)
    .where(and(eq(coupons.merchantId, merchantId), inArray(coupons.templateId, templateIds)))
    .groupBy(coupons.templateId)
  return new Map(rows.map((r) => [r.templateId, r.n]))
}

/** Counts one claim of (template, user) unless the user is at `limit`; returns the new count or null. */
export async function bumpClaimCount(db: DbOrTx, merchantId: string, templateId: string, userId: string, limit: number | null): Promise<number | null> {
  const r = await db.execute<{ n: number }>(sql`
    INSERT INTO coupon_claim_counts (merchant_id, template_id, user_id, n) VALUES (${merchantId}, ${templateId}, ${userId}, 1)
    ON CONFLICT (template_id, user_id) DO UPDATE SET n = coupon_claim_counts.n + 1
    WHERE coupon_claim_counts.n < ${limit ?? 2_147_483_647}
    RETURNING n`)
  return r.rows[0]?.n ?? null
}

export async function claimCounts(db: DbOrTx, merchantId: string, userId: string, templateIds: string[]): Promise<Map<string, number>> {
  if (templateIds.length === 0) return new Map()
  const rows = await db
    .select({ templateId: couponClaimCounts.templateId, n: couponClaimCounts.n })
    .from(couponClaimCounts)
    .where(and(eq(couponClaimCounts.merchantId, merchantId), eq(couponClaimCounts.userId, userId), inArray(couponClaimCounts.templateId, templateIds)))
  return new Map(rows.map((r) => [r.templateId, r.n]))
}

/** Inserts unless the issue key was used; null means it was (the earlier coupon stands). */
export async function insertCoupon(db: DbOrTx, v: typeof coupons.$inferInsert): Promise<CouponRow | null> {
  const [row] = await db
    .insert(coupons)
    .values(v)
    .onConflictDoNothing({ target: [coupons.merchantId, coupons.issueKey] })
    .returning()
  return row ?? null
}

export async function deleteCoupon(db: DbOrTx, id: string) {
  await db.delete(coupons).where(eq(coupons.id, id))
}

const withTemplate = { ...getTableColumns(coupons), template: couponTemplates }

function joined(db: DbOrTx) {
  return db
    .select(withTemplate)
    .from(coupons)
    .innerJoin(couponTemplates, and(eq(couponTemplates.merchantId, coupons.merchantId), eq(couponTemplates.id, coupons.templateId)))
}

export async function findCouponByIssueKey(db: DbOrTx, merchantId: string, issueKey: string): Promise<CouponWithTemplate | null> {
  const [row] = await joined(db).where(and(eq(coupons.merchantId, merchantId), eq(coupons.issueKey, issueKey)))
  return row ?? null
}

export async function findCouponByCode(db: DbOrTx, merchantId: string, code: string): Promise<CouponWithTemplate | null> {
  const [row] = await joined(db).where(and(eq(coupons.merchantId, merchantId), eq(coupons.code, code)))
  return row ?? null
}

export async function findCouponById(db: DbOrTx, id: string, merchantId?: string): Promise<CouponWithTemplate | null> {
  const [row] = await joined(db).where(and(eq(coupons.id, id), merchantId ? eq(coupons.merchantId, merchantId) : undefined))
  return row ?? null
}

export type ViewStatusFilter = 'available' | 'locked' | 'used' | 'expired'

/** A user's coupons, newest first; `available` and `expired` split issued coupons at `now`. */
export async function listCouponsOfUser(db: DbOrTx, merchantId: string, userId: string, status: ViewStatusFilter | undefined, now: Date, limit: number) {
  const conds: (SQL | undefined)[] = [eq(coupons.merchantId, merchantId), eq(coupons.userId, userId)]
  if (status === 'available') conds.push(eq(coupons.status, 'issued'), sql`${coupons.validTo} > ${now.toISOString()}::timestamptz`)
  if (status === 'expired') conds.push(eq(coupons.status, 'issued'), sql`${coupons.validTo} <= ${now.toISOString()}::timestamptz`)
  if (status === 'locked') conds.push(eq(coupons.status, 'locked'))
  if (status === 'used') conds.push(eq(coupons.status, 'used'))
  return joined(db)
    .where(and(...conds))
    .orderBy(desc(coupons.issuedAt), desc(coupons.id))
    .limit(limit)
}

/** issued -> used at the counter, only while valid: concurrent redemptions of one code, one wins. */
export async function redeemAtCounter(db: DbOrTx, merchantId: string, code: string, by: { storeId: string; staffId: string }, now: Date) {
  const [row] = await db
    .update(coupons)
    .set({ status: 'used', usedAt: now, usedStoreId: by.storeId, usedStaffId: by.staffId })
    .where(
      and(
        eq(coupons.merchantId, merchantId),
        eq(coupons.code, code),
        eq(coupons.status, 'issued'),
        sql`${coupons.validFrom} <= ${now.toISOString()}::timestamptz`,
        sql`${coupons.validTo} > ${now.toISOString()}::timestamptz`,
      ),
    )
    .returning({ id: coupons.id })
  return row ?? null
}

/** issued -> locked for an order, only while not expired. */
export async function lockForOrder(db: DbOrTx, couponId: string, orderId: string, now: Date | null, merchantId?: string) {
  const at = now ? sql`${now.toISOString()}::timestamptz` : sql`now()`
  const [row] = await db
    .update(coupons)
    .set({ status: 'locked', orderId, lockedAt: now ?? sql`now()` })
    .where(
      and(
        eq(coupons.id, couponId),
        merchantId ? eq(coupons.merchantId, merchantId) : undefined,
        eq(coupons.status, 'issued'),
        sql`${coupons.validTo} > ${at}`,
      ),
    )
    .returning({ id: coupons.id })
  return row ?? null
}

/** locked -> used for a paid order. */
export async function consumeForOrder(db: DbOrTx, orderId: string, now: Date | null) {
  return db
    .update(coupons)
    .set({ status: 'used', usedAt: now ?? sql`now()` })
    .where(and(eq(coupons.orderId, orderId), eq(coupons.status, 'locked')))
    .returning({ id: coupons.id })
}

/** locked -> issued when the order closes unpaid. */
export async function releaseForOrder(db: DbOrTx, orderId: string) {
  return db
    .update(coupons)
    .set({ status: 'issued', orderId: null, lockedAt: null })
    .where(and(eq(coupons.orderId, orderId), eq(coupons.status, 'locked')))
    .returning({ id: coupons.id })
}
