import { and, asc, desc, eq, gt, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm'
import type { DbOrTx } from '../../db/client'
import { membershipPlans, orders, paidMemberships, paymentAttempts, paymentNotifications, products, refunds } from './payments.schema'

export type ProductRow = typeof products.$inferSelect
export type PlanRow = typeof membershipPlans.$inferSelect
export type OrderRow = typeof orders.$inferSelect
export type AttemptRow = typeof paymentAttempts.$inferSelect
export type RefundRow = typeof refunds.$inferSelect

// ---- catalogue ---------------------------------------------------------------------------------

export async function insertProduct(db: DbOrTx, v: typeof products.$inferInsert): Promise<ProductRow> {
  const [p] = await db.insert(products).values(v).returning()
  return p!
}

export async function listProducts(db: DbOrTx, merchantId: string, active?: boolean): Promise<ProductRow[]> {
  const where = active === undefined ? eq(products.merchantId, merchantId) : and(eq(products.merchantId, merchantId), eq(products.active, active))
  return db.select().from(products).where(where).orderBy(asc(products.sku))
}

export async function findProduct(db: DbOrTx, merchantId: string, id: string): Promise<ProductRow | null> {
  const [p] = await db.select().from(products).where(and(eq(products.merchantId, merchantId), eq(products.id, id)))
  return p ?? null
}

export async function productsBySku(db: DbOrTx, merchantId: string, skus: string[]): Promise<ProductRow[]> {
  return db.select().from(products).where(and(eq(products.merchantId, merchantId), inArray(products.sku, skus)))
}

export async function updateProduct(db: DbOrTx, merchantId: string, id: string, v: Partial<typeof products.$inferInsert>): Promise<ProductRow | null> {
  const [p] = await db.update(products).set(v).where(and(eq(products.merchantId, merchantId), eq(products.id, id))).returning()
  return p ?? null
}

export async function insertPlan(db: DbOrTx, v: typeof membershipPlans.$inferInsert): Promise<PlanRow> {
  const [p] = await db.insert(membershipPlans).values(v).returning()
  return p!
}

export async function listPlans(db: DbOrTx, merchantId: string, active?: boolean): Promise<PlanRow[]> {
  const where =
    active === undefined ? eq(membershipPlans.merchantId, merchantId) : and(eq(membershipPlans.merchantId, merchantId), eq(membershipPlans.active, active))
  return db.select().from(membershipPlans).where(where).orderBy(asc(membershipPlans.priceFen), asc(membershipPlans.createdAt))
}

export async function findPlan(db: DbOrTx, merchantId: string, id: string): Promise<PlanRow | null> {
  const [p] = await db.select().from(membershipPlans).where(and(eq(membershipPlans.merchantId, merchantId), eq(membershipPlans.id, id)))
  return p ?? null
}

export async function updatePlan(db: DbOrTx, merchantId: string, id: string, v: Partial<typeof membershipPlans.$inferInsert>): Promise<PlanRow | null> {
  const [p] = await db
    .update(membershipPlans)
    .set(v)
    .where(and(eq(membershipPlans.merchantId, merchantId), eq(membershipPlans.id, id)))
    .returning()
  return p ?? null
}

// ---- orders ------------------------------------------------------------------------------------

export async function insertOrder(db: DbOrTx, v: typeof orders.$inferInsert): Promise<OrderRow> {
  const [o] = await db.insert(orders).values(v).returning()
  return o!
}

export async function findOrder(db: DbOrTx, merchantId: string, id: string, userId?: string): Promise<OrderRow | null> {
  const conds = [eq(orders.merchantId, merchantId), eq(orders.id, id)]
  if (userId) conds.push(eq(orders.userId, userId))
  const [o] = await db.select().from(orders).where(and(...conds))
  return o ?? null
}

export async function lockOrder(db: DbOrTx, id: string): Promise<OrderRow | null> {
  const [o] = await db.select().from(orders).where(eq(orders.id, id)).for('update')
  return o ?? null
}

export type OrderCursor = { createdAt: Date; id: string }

export async function listOrders(
  db: DbOrTx,
  merchantId: string,
  f: { userId?: string; status?: string; needsReview?: boolean; after: OrderCursor | null; limit: number },
): Promise<OrderRow[]> {
  const conds = [eq(orders.merchantId, merchantId)]
  if (f.userId) conds.push(eq(orders.userId, f.userId))
  if (f.status) conds.push(eq(orders.status, f.status))
  if (f.needsReview !== undefined) conds.push(eq(orders.needsReview, f.needsReview))
  if (f.after) conds.push(or(lt(orders.createdAt, f.after.createdAt), and(eq(orders.createdAt, f.after.createdAt), lt(orders.id, f.after.id)))!)
  return db
    .select()
    .from(orders)
    .where(and(...conds))
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .limit(f.limit)
}

/** created -> paid, only from created: the one transition that counts a payment. */
export async function markOrderPaid(db: DbOrTx, id: string, v: { paidFen: number; transactionId: string; paidAt: Date; now: Date }): Promise<OrderRow | null> {
  const [o] = await db
    .update(orders)
    .set({ status: 'paid', paidFen: v.paidFen, transactionId: v.transactionId, paidAt: v.paidAt, updatedAt: v.now })
    .where(and(eq(orders.id, id), eq(orders.status, 'created')))
    .returning()
  return o ?? null
}

export async function setOrderRewards(db: DbOrTx, id: string, earned: { points: number; growth: number }) {
  await db.update(orders).set({ pointsEarned: earned.points, growthEarned: earned.growth }).where(eq(orders.id, id))
}

export async function flagOrder(db: DbOrTx, id: string, reason: string, now: Date) {
  await db.update(orders).set({ needsReview: true, reviewReason: reason, updatedAt: now }).where(eq(orders.id, id))
}

/** Adds a settled refund: refunded_fen grows (CHECK keeps it <= paid_fen), status follows. */
export async function applyRefund(db: DbOrTx, id: string, amountFen: number, clawed: { points: number; growth: number }, now: Date): Promise<OrderRow | null> {
  const [o] = await db
    .update(orders)
    .set({
      refundedFen: sql`${orders.refundedFen} + ${amountFen}`,
      pointsClawed: sql`${orders.pointsClawed} + ${clawed.points}`,
      growthClawed: sql`${orders.growthClawed} + ${clawed.growth}`,
      status: sql`case when ${orders.refundedFen} + ${amountFen} = ${orders.paidFen} then 'refunded' else 'partially_refunded' end`,
      updatedAt: now,
    })
    .where(and(eq(orders.id, id), inArray(orders.status, ['paid', 'partially_refunded']), sql`${orders.refundedFen} + ${amountFen} <= ${orders.paidFen}`))
    .returning()
  return o ?? null
}

/** created -> closed, only while no attempt is still pending at WeChat. */
export async function closeOrder(db: DbOrTx, id: string, reason: string, now: Date): Promise<OrderRow | null> {
  const [o] = await db
    .update(orders)
    .set({ status: 'closed', closedAt: now, closeReason: reason, updatedAt: now })
    .where(
      and(
        eq(orders.id, id),
        eq(orders.status, 'created'),
        sql`not exists (select 1 from ${paymentAttempts} a where a.order_id = ${orders.id} and a.status = 'pending')`,
      ),
    )
    .returning()
  return o ?? null
}

/** Unpaid orders past their expiry with no attempt pending at WeChat: safe to close locally. */
export async function expiredOrdersWithoutPending(db: DbOrTx, now: Date, limit: number): Promise<{ id: string }[]> {
  return db
    .select({ id: orders.id })
    .from(orders)
    .where(
      and(
        eq(orders.status, 'created'),
        lte(orders.expiresAt, now),
        sql`not exists (select 1 from ${paymentAttempts} a where a.order_id = ${orders.id} and a.status = 'pending')`,
      ),
    )
    .orderBy(asc(orders.expiresAt))
    .limit(limit)
}

// ---- payment attempts --------------------------------------------------------------------------

export async function findPendingAttempt(db: DbOrTx, orderId: string): Promise<AttemptRow | null> {
  const [a] = await db
    .select()
    .from(paymentAttempts)
    .where(and(eq(paymentAttempts.orderId, orderId), eq(paymentAttempts.status, 'pending')))
  return a ?? null
}

/** Inserts a pending attempt, or null if the order already has one (partial unique index). */
export async function insertAttempt(db: DbOrTx, v: typeof paymentAttempts.$inferInsert): Promise<AttemptRow | null> {
  const [a] = await db
    .insert(paymentAttempts)
    .values(v)
    .onConflictDoNothing({ target: paymentAttempts.orderId, where: sql`status = 'pending'` })
    .returning()
  return a ?? null
}

export async function setPrepay(db: DbOrTx, id: string, prepayId: string, now: Date) {
  await db
    .update(paymentAttempts)
    .set({ prepayId, prepayAt: now, updatedAt: now })
    .where(and(eq(paymentAttempts.id, id), eq(paymentAttempts.status, 'pending')))
}

/** pending -> closed | failed (conditional: a paid attempt never goes back). */
export async function endAttempt(db: DbOrTx, id: string, status: 'closed' | 'failed', failureCode: string | null, now: Date): Promise<boolean> {
  const r = await db
    .update(paymentAttempts)
    .set({ status, failureCode, updatedAt: now })
    .where(and(eq(paymentAttempts.id, id), eq(paymentAttempts.status, 'pending')))
    .returning({ id: paymentAttempts.id })
  return r.length > 0
}

export async function lockAttemptByOutTradeNo(db: DbOrTx, outTradeNo: string): Promise<AttemptRow | null> {
  const [a] = await db.select().from(paymentAttempts).where(eq(paymentAttempts.outTradeNo, outTradeNo)).for('update')
  return a ?? null
}

export async function findAttempt(db: DbOrTx, id: string): Promise<AttemptRow | null> {
  const [a] = await db.select().from(paymentAttempts).where(eq(paymentAttempts.id, id))
  return a ?? null
}

/** The attempt whose payment made the order paid (refunds go against its transaction). */
export async function paidAttemptOf(db: DbOrTx, orderId: string, transactionId: string): Promise<AttemptRow | null> {
  const [a] = await db
    .select()
    .from(paymentAttempts)
    .where(and(eq(paymentAttempts.orderId, orderId), eq(paymentAttempts.status, 'paid'), eq(paymentAttempts.transactionId, transactionId)))
  return a ?? null
}

/** Money arrived for this attempt: it is paid whatever it was (WeChat is the source of truth for money). */
export async function markAttemptPaid(db: DbOrTx, id: string, transactionId: string, paidAt: Date, now: Date) {
  await db.update(paymentAttempts).set({ status: 'paid', transactionId, paidAt, updatedAt: now }).where(eq(paymentAttempts.id, id))
}

/** Pending attempts created before `before` (their callback may be lost), oldest first. */
export async function stalePendingAttempts(db: DbOrTx, before: Date, limit: number): Promise<AttemptRow[]> {
  return db
    .select()
    .from(paymentAttempts)
    .where(and(eq(paymentAttempts.status, 'pending'), lt(paymentAttempts.createdAt, before)))
    .orderBy(asc(paymentAttempts.createdAt))
    .limit(limit)
}

// ---- notifications -----------------------------------------------------------------------------

/** The idempotency point of notifications: null when this notification id was already applied. */
export async function insertNotification(db: DbOrTx, v: typeof paymentNotifications.$inferInsert): Promise<{ id: number } | null> {
  const [n] = await db
    .insert(paymentNotifications)
    .values(v)
    .onConflictDoNothing({ target: paymentNotifications.notificationId })
    .returning({ id: paymentNotifications.id })
  return n ?? null
}

export async function setNotificationOutcome(db: DbOrTx, id: number, outcome: string) {
  await db.update(paymentNotifications).set({ outcome }).where(eq(paymentNotifications.id, id))
}

// ---- refunds -----------------------------------------------------------------------------------

export async function insertRefund(db: DbOrTx, v: typeof refunds.$inferInsert): Promise<RefundRow> {
  const [r] = await db.insert(refunds).values(v).returning()
  return r!
}

/** Sum of refunds not (yet) known to have failed: what is reserved against the paid amount. */
export async function reservedRefundFen(db: DbOrTx, orderId: string): Promise<number> {
  const [r] = await db
    .select({ n: sql<number>`coalesce(sum(${refunds.amountFen}), 0)::int` })
    .from(refunds)
    .where(and(eq(refunds.orderId, orderId), inArray(refunds.status, ['pending', 'processing', 'abnormal', 'succeeded'])))
  return r?.n ?? 0
}

export async function lockRefundByOutRefundNo(db: DbOrTx, outRefundNo: string): Promise<RefundRow | null> {
  const [r] = await db.select().from(refunds).where(eq(refunds.outRefundNo, outRefundNo)).for('update')
  return r ?? null
}

export async function findRefund(db: DbOrTx, id: string): Promise<RefundRow | null> {
  const [r] = await db.select().from(refunds).where(eq(refunds.id, id))
  return r ?? null
}

export async function refundsOfOrders(db: DbOrTx, orderIds: string[]): Promise<RefundRow[]> {
  if (orderIds.length === 0) return []
  return db.select().from(refunds).where(inArray(refunds.orderId, orderIds)).orderBy(asc(refunds.createdAt))
}

/** Moves a refund between non-final states or to a final one; `from` guards the transition. */
export async function setRefundStatus(
  db: DbOrTx,
  id: string,
  from: string[],
  v: { status: string; refundId?: string | null; failureCode?: string | null; succeededAt?: Date | null; pointsClawed?: number; pointsDebt?: number; now: Date },
): Promise<RefundRow | null> {
  const { now, ...rest } = v
  const set: Partial<typeof refunds.$inferInsert> = { status: rest.status, updatedAt: now }
  if (rest.refundId !== undefined) set.refundId = rest.refundId
  if (rest.failureCode !== undefined) set.failureCode = rest.failureCode
  if (rest.succeededAt !== undefined) set.succeededAt = rest.succeededAt
  if (rest.pointsClawed !== undefined) set.pointsClawed = rest.pointsClawed
  if (rest.pointsDebt !== undefined) set.pointsDebt = rest.pointsDebt
  const [r] = await db
    .update(refunds)
    .set(set)
    .where(and(eq(refunds.id, id), inArray(refunds.status, from)))
    .returning()
  return r ?? null
}

/** Refunds not final and untouched since `before` (lost refund notification or a submit that never got an answer). */
export async function staleOpenRefunds(db: DbOrTx, before: Date, limit: number): Promise<RefundRow[]> {
  return db
    .select()
    .from(refunds)
    .where(and(inArray(refunds.status, ['pending', 'processing', 'abnormal']), lt(refunds.updatedAt, before)))
    .orderBy(asc(refunds.createdAt))
    .limit(limit)
}

// ---- paid memberships --------------------------------------------------------------------------

/** The latest end of the user's live paid membership after `now`, if any (a new purchase extends from it). */
export async function paidMembershipEnd(db: DbOrTx, merchantId: string, userId: string, now: Date): Promise<Date | null> {
  const [r] = await db
    .select({ endsAt: paidMemberships.endsAt })
    .from(paidMemberships)
    .where(and(eq(paidMemberships.merchantId, merchantId), eq(paidMemberships.userId, userId), isNull(paidMemberships.revokedAt), gt(paidMemberships.endsAt, now)))
    .orderBy(desc(paidMemberships.endsAt))
    .limit(1)
  return r?.endsAt ?? null
}

export async function insertPaidMembership(db: DbOrTx, v: typeof paidMemberships.$inferInsert) {
  const [r] = await db.insert(paidMemberships).values(v).onConflictDoNothing({ target: paidMemberships.orderId }).returning()
  return r ?? null
}

export async function revokePaidMembership(db: DbOrTx, orderId: string, now: Date) {
  await db
    .update(paidMemberships)
    .set({ revokedAt: now })
    .where(and(eq(paidMemberships.orderId, orderId), isNull(paidMemberships.revokedAt)))
}

/** Paid orders of one user, net of refunds (RFM's wallet value). */
export async function purchaseTotals(db: DbOrTx, merchantId: string, userId: string) {
  const r = await db.execute<{ count: number; amount: number; last_at: Date | null }>(sql`
    SELECT count(*)::int AS count, coalesce(sum(paid_fen - refunded_fen), 0)::bigint AS amount, max(paid_at) AS last_at
    FROM orders WHERE merchant_id = ${merchantId} AND user_id = ${userId} AND paid_at IS NOT NULL AND paid_fen > refunded_fen`)
  const row = r.rows[0]!
  return { count: row.count, amountFen: Number(row.amount), lastAt: row.last_at ? new Date(row.last_at) : null }
}
