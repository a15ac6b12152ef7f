import { and, asc, desc, eq, sql } from 'drizzle-orm'
import type { DbOrTx } from '../../db/client'
import { one, statement } from '../../db/raw'
import { templateStockSql } from '../coupons/coupons.repo'
import { lotteries, lotteryDrawCounts, lotteryDraws, lotteryPrizes, type EligibilityJson } from './lottery.schema'

export type LotteryRow = typeof lotteries.$inferSelect
export type PrizeRow = typeof lotteryPrizes.$inferSelect
export type DrawRow = typeof lotteryDraws.$inferSelect
export type LotteryWithPrizes = LotteryRow & { prizes: PrizeRow[] }

export async function insertLottery(db: DbOrTx, v: typeof lotteries.$inferInsert): Promise<LotteryRow> {
  const [row] = await db.insert(lotteries).values(v).returning()
  return row!
}

export async function insertPrizes(db: DbOrTx, rows: (typeof lotteryPrizes.$inferInsert)[]) {
  await db.insert(lotteryPrizes).values(rows)
}

export async function deletePrizes(db: DbOrTx, merchantId: string, lotteryId: string) {
  await db.delete(lotteryPrizes).where(and(eq(lotteryPrizes.merchantId, merchantId), eq(lotteryPrizes.lotteryId, lotteryId)))
}

type RawLottery = {
  id: string
  merchant_id: string
  name: string
  description: string | null
  kind: string
  start_at: Date
  end_at: Date
  enabled: boolean
  eligibility: EligibilityJson
  cost_points: number | null
  free_draws_per_day: number
  limit_per_day: number | null
  limit_total: number | null
  created_at: Date
  updated_at: Date
  prizes: {
    id: string
    merchant_id: string
    lottery_id: string
    position: number
    name: string
    type: string
    weight: number
    stock: number | null
    points: number | null
    coupon_template_id: string | null
    amount_fen: number | null
    image_url: string | null
  }[]
}

/** The campaign and its slots (in position order) in one round trip: the draw's hot path reads it per request. */
export async function findLottery(db: DbOrTx, merchantId: string, id: string): Promise<LotteryWithPrizes | null> {
  const r = await db.execute<RawLottery>(sql`
    SELECT l.*, coalesce((SELECT json_agg(p ORDER BY p.position) FROM lottery_prizes p WHERE p.lottery_id = l.id), '[]'::json) AS prizes
    FROM lotteries l WHERE l.merchant_id = ${merchantId} AND l.id = ${id}`)
  const l = r.rows[0]
  if (!l) return null
  return {
    id: l.id,
    merchantId: l.merchant_id,
    name: l.name,
    description: l.description,
    kind: l.kind,
    startAt: new Date(l.start_at),
    endAt: new Date(l.end_at),
    enabled: l.enabled,
    eligibility: l.eligibility,
    costPoints: l.cost_points,
    freeDrawsPerDay: l.free_draws_per_day,
    limitPerDay: l.limit_per_day,
    limitTotal: l.limit_total,
    createdAt: new Date(l.created_at),
    updatedAt: new Date(l.updated_at),
    prizes: l.prizes.map((p) => ({
      id: p.id,
      merchantId: p.merchant_id,
      lotteryId: p.lottery_id,
      position: p.position,
      name: p.name,
      type: p.type,
      weight: p.weight,
      stock: p.stock,
      points: p.points,
      couponTemplateId: p.coupon_template_id,
      amountFen: p.amount_fen,
      imageUrl: p.image_url,
    })),
  }
}

export async function listLotteries(db: DbOrTx, merchantId: string): Promise<LotteryRow[]> {
  return db.select().from(lotteries).where(eq(lotteries.merchantId, merchantId)).orderBy(desc(lotteries.createdAt)).limit(200)
}

export async function updateLottery(db: DbOrTx, merchantId: string, id: string, v: Partial<typeof lotteries.$inferInsert>) {
  const [row] = await db
    .update(lotteries)
    .set(v)
    .where(and(eq(lotteries.merchantId, merchantId), eq(lotteries.id, id)))
    .returning({ id: lotteries.id })
  return row ?? null
}

export async function deleteLottery(db: DbOrTx, merchantId: string, id: string) {
  const r = await db
    .delete(lotteries)
    .where(and(eq(lotteries.merchantId, merchantId), eq(lotteries.id, id)))
    .returning({ id: lotteries.id })
  return r.length > 0
}

export async function updatePrize(db: DbOrTx, merchantId: string, lotteryId: string, prizeId: string, v: { name?: string; weight?: number; addStock?: number }) {
  const { addStock, ...rest } = v
  const [row] = await db
    .update(lotteryPrizes)
    .set({ ...rest, ...(addStock ? { stock: sql`${lotteryPrizes.stock} + ${addStock}` } : {}) })
    .where(and(eq(lotteryPrizes.merchantId, merchantId), eq(lotteryPrizes.lotteryId, lotteryId), eq(lotteryPrizes.id, prizeId)))
    .returning({ id: lotteryPrizes.id })
  return row ?? null
}

/** Draws in total and wins per slot, for the admin view. */
export async function drawStats(db: DbOrTx, lotteryId: string): Promise<{ total: number; byPrize: Map<string, number> }> {
  const r = await db.execute<{ prize_id: string; n: number }>(sql`
    SELECT prize_id, count(*)::int AS n FROM lottery_draws WHERE lottery_id = ${lotteryId} GROUP BY prize_id`)
  const byPrize = new Map(r.rows.map((x) => [x.prize_id, x.n]))
  return { total: r.rows.reduce((s, x) => s + x.n, 0), byPrize }
}

/**
 * Locks the campaign row (FOR UPDATE: a first draw's counter row waits for it, and it waits for a
 * first draw in flight) and answers whether anyone has drawn. Counter rows exist exactly when draws
 * were committed (both are written in the draw's transaction). Call inside a transaction; until it
 * ends, prizes can be replaced or the campaign deleted without a draw slipping in.
 */
export async function lockAndHasDraws(tx: DbOrTx, merchantId: string, lotteryId: string): Promise<boolean> {
  await tx.execute(sql`SELECT 1 FROM lotteries WHERE merchant_id = ${merchantId} AND id = ${lotteryId} FOR UPDATE`)
  // a new statement, a new snapshot: counters committed while we waited for the lock are seen
  const r = await tx.execute(sql`SELECT 1 FROM lottery_draw_counts WHERE lottery_id = ${lotteryId} LIMIT 1`)
  return r.rows.length > 0
}

export async function drawCounts(db: DbOrTx, lotteryId: string, userId: string, day: string): Promise<{ today: number; total: number }> {
  const rows = await db
    .select({ period: lotteryDrawCounts.period, n: lotteryDrawCounts.n })
    .from(lotteryDrawCounts)
    .where(and(eq(lotteryDrawCounts.lotteryId, lotteryId), eq(lotteryDrawCounts.userId, userId), sql`${lotteryDrawCounts.period} in (${day}, 'total')`))
  return { today: rows.find((r) => r.period === day)?.n ?? 0, total: rows.find((r) => r.period === 'total')?.n ?? 0 }
}

/** A prize that can't be paid out any more (its coupon template ran out): out of stock from now on. */
export async function exhaustPrize(db: DbOrTx, prizeId: string) {
  await db.execute(sql`UPDATE lottery_prizes SET stock = 0 WHERE id = ${prizeId}`)
}

// The draw record's columns as values $1..$22 (collected_* start null). Explicit casts: in
// `INSERT ... SELECT` the parameters get no type from the target columns.
const DRAW_COLUMNS = `id, merchant_id, lottery_id, user_id, idempotency_key, business_day, weights, total_weight, random_value,
  drawn_prize_id, prize_id, outcome, reason, prize_type, prize_name, free, cost_points, points_awarded, coupon_id, coupon_code,
  redeem_code, created_at`
const DRAW_VALUES = `$1::uuid, $2::uuid, $3::uuid, $4::uuid, $5::text, $6::date, $7::jsonb, $8::bigint, $9::bigint,
  $10::uuid, $11::uuid, $12::text, $13::text, $14::text, $15::text, $16::boolean, $17::int, $18::int, $19::uuid, $20::text,
  $21::text, $22::timestamptz`

function drawValues(v: NewDraw): unknown[] {
  return [
    v.id,
    v.merchantId,
    v.lotteryId,
    v.userId,
    v.idempotencyKey,
    v.businessDay,
    JSON.stringify(v.weights),
    v.totalWeight,
    v.randomValue,
    v.drawnPrizeId,
    v.prizeId,
    v.outcome,
    v.reason,
    v.prizeType,
    v.prizeName,
    v.free,
    v.costPoints,
    v.pointsAwarded,
    v.couponId,
    v.couponCode,
    v.redeemCode,
    v.createdAt,
  ]
}

/** A draw as written by the draw (the staff fill in collected_* later). */
export type NewDraw = Omit<DrawRow, 'collectedAt' | 'collectedStoreId' | 'collectedStaffId'>

const insertDrawStatement = statement<{ ok: number }>(
  'lottery_insert_draw',
  `INSERT INTO lottery_draws (${DRAW_COLUMNS}) VALUES (${DRAW_VALUES}) ON CONFLICT DO NOTHING RETURNING 1 AS ok`,
)

/** Inserts the draw; false when (merchant, user, idempotency key) already has one. */
export async function insertDraw(db: DbOrTx, v: NewDraw): Promise<boolean> {
  return (await one(db, insertDrawStatement, drawValues(v))) !== null
}

// The stock takes and the record of the win in one round trip: the shared prize row (when its stock is
// limited) and coupon template row (a coupon prize of a limited template) are locked by this statement
// and only until the COMMIT that follows it. $23: the prize's stock is limited; $24: the coupon template to take from.
const insertWinStatement = statement<{ taken: boolean; templateTaken: boolean; inserted: boolean }>(
  'lottery_insert_win_taking_stock',
  `WITH ${templateStockSql('tpl', '$2::uuid', '$24::uuid')},
   taken AS (UPDATE lottery_prizes SET stock = stock - 1 WHERE $23::boolean AND id = $11::uuid AND stock > 0 RETURNING id),
   ok AS (SELECT (NOT $23::boolean OR EXISTS (SELECT 1 FROM taken)) AND ($24::uuid IS NULL OR EXISTS (SELECT 1 FROM tpl)) AS ok),
   ins AS (INSERT INTO lottery_draws (${DRAW_COLUMNS}) SELECT ${DRAW_VALUES} FROM ok WHERE ok.ok ON CONFLICT DO NOTHING RETURNING 1)
   SELECT EXISTS (SELECT 1 FROM taken) AS taken, EXISTS (SELECT 1 FROM tpl) AS "templateTaken", EXISTS (SELECT 1 FROM ins) AS inserted`,
)

/**
 * Takes one from the won prize's stock when it is limited (`stock > 0`: never negative) and, for a
 * coupon issued with callerTakesStock, one from its template, and records the win: one statement.
 * The record is written only when every take succeeded; `inserted` false with both taken: the
 * idempotency key already has a draw. Any false: the caller rolls back (or records "no prize").
 */
export async function insertWinTakingStock(
  db: DbOrTx,
  v: NewDraw,
  take: { limitedStock: boolean; couponTemplateId: string | null },
): Promise<{ taken: boolean; templateTaken: boolean; inserted: boolean }> {
  return (await one(db, insertWinStatement, [...drawValues(v), take.limitedStock, take.couponTemplateId]))!
}

export async function findDrawByKey(db: DbOrTx, merchantId: string, userId: string, key: string): Promise<DrawRow | null> {
  const [row] = await db
    .select()
    .from(lotteryDraws)
    .where(and(eq(lotteryDraws.merchantId, merchantId), eq(lotteryDraws.userId, userId), eq(lotteryDraws.idempotencyKey, key)))
  return row ?? null
}

export async function listDrawsOfUser(db: DbOrTx, merchantId: string, userId: string, lotteryId: string, limit: number): Promise<DrawRow[]> {
  return db
    .select()
    .from(lotteryDraws)
    .where(and(eq(lotteryDraws.merchantId, merchantId), eq(lotteryDraws.userId, userId), eq(lotteryDraws.lotteryId, lotteryId)))
    .orderBy(desc(lotteryDraws.createdAt), asc(lotteryDraws.id))
    .limit(limit)
}

export async function listDrawsOfLottery(db: DbOrTx, merchantId: string, lotteryId: string, limit: number): Promise<DrawRow[]> {
  return db
    .select()
    .from(lotteryDraws)
    .where(and(eq(lotteryDraws.merchantId, merchantId), eq(lotteryDraws.lotteryId, lotteryId)))
    .orderBy(desc(lotteryDraws.createdAt), asc(lotteryDraws.id))
    .limit(limit)
}

/** Marks a physical prize collected, once: parallel redemptions of one code, one wins. */
export async function collectPrize(db: DbOrTx, merchantId: string, code: string, by: { storeId: string; staffId: string; now: Date }) {
  const [row] = await db
    .update(lotteryDraws)
    .set({ collectedAt: by.now, collectedStoreId: by.storeId, collectedStaffId: by.staffId })
    .where(and(eq(lotteryDraws.merchantId, merchantId), eq(lotteryDraws.redeemCode, code), sql`${lotteryDraws.collectedAt} is null`))
    .returning()
  return row ?? null
}

export async function findDrawByRedeemCode(db: DbOrTx, merchantId: string, code: string): Promise<DrawRow | null> {
  const [row] = await db
    .select()
    .from(lotteryDraws)
    .where(and(eq(lotteryDraws.merchantId, merchantId), eq(lotteryDraws.redeemCode, code)))
  return row ?? null
}
