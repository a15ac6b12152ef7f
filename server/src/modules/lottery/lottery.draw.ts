/**
 * One draw, in one transaction:
 *   1. per-user limits: one conditional upsert of the (day, total) counter rows;
 *   2. the points price through the ledger (idempotent on the draw's key);
 *   3. the funnel interaction (the draw makes the user an interactor);
 *   4. the slot, picked before the transaction by crypto.randomInt over the configured weights;
 *   5. the outcome. "None" drawn (or a prize read as out of stock): the draw record. A prize: its payout
 *      (points credit, coupon issue, red packet; a physical prize only needs its code), then LAST, in
 *      one statement, the stock take `UPDATE ... SET stock = stock - 1 WHERE id = $1 AND stock > 0`
 *      and the draw record, so the shared prize row stays locked only for that statement and COMMIT.
 *      When the drawn prize has just run out, the outcome is "no prize" — never another prize, never
 *      negative stock: a physical prize records it in the same transaction; a paid-out prize rolls the
 *      whole transaction back and runs it again without the payout (same draw id, key, slot and random
 *      value), which costs nothing on the common path where a savepoint would cost two round trips.
 * Steps 1-3, and for the slots paid out in SQL (none, points, physical) also 5, are one call of the
 * database function lottery_draw (server/drizzle/0007_lottery_draw_function.sql): when no listener
 * would be told of the interaction, that call is the whole draw (no transaction left open, one round
 * trip). Coupon and red-packet prizes, and interactions someone listens to, run in a transaction:
 * lottery_draw for steps 1-3, then the listeners and the payout here.
 * The campaign and its prizes come from a per-process cache (lottery.service.ts): its stock may be
 * stale, the conditional update above is the truth.
 * The draw record keeps everything an audit needs (weights, random value, drawn slot, outcome).
 * Lock order: counters -> points account -> user row -> coupon template / prize row (shared, hot: held
 * only for the last statements before COMMIT). Check-in and the coupon claim take theirs in the same order.
 */
import { randomUUID } from 'node:crypto'
import type { DrawResult, MyDrawView, PrizeType } from '@siyu/shared'
import type { Db, DbOrTx } from '../../db/client'
import { one, statement } from '../../db/raw'
import { AppError, isAppError, isUniqueViolation, translatePgError } from '../../http/errors'
import { merchantConfigChanged } from '../../lib/cache'
import { businessDay } from '../../lib/time'
import { humanCode } from '../auth/tokens'
import * as couponsService from '../coupons/coupons.service'
import * as funnelService from '../funnel/funnel.service'
import * as pointsService from '../points/points.service'
import * as tenancyService from '../tenancy/tenancy.service'
import { cryptoRandomInt, pickPrize, type Pick, type RandomInt } from './lottery.pick'
import { payRedPacketPrize } from './lottery.payout'
import * as repo from './lottery.repo'
import type { DrawRow, LotteryWithPrizes, NewDraw, PrizeRow } from './lottery.repo'
import { cachedLottery, effectiveDayLimit, forgetCampaigns, isActive, isEligible, loadLottery } from './lottery.service'

/** Thrown inside the transaction when the idempotency key already has a draw: roll back, answer with that draw. */
class DuplicateDraw extends Error {}

/** Thrown inside the transaction when the drawn prize turns out to be gone after its payout: roll back, draw again without it. */
class PrizeGone extends Error {
  constructor(readonly couponUnavailable: boolean) {
    super('prize gone')
  }
}

export type DrawOutcomeResult = DrawResult & { created: boolean }

function resultOf(d: NewDraw, l: LotteryWithPrizes, replayed: boolean): DrawOutcomeResult {
  return {
    drawId: d.id,
    lotteryId: d.lotteryId,
    outcome: d.outcome as DrawResult['outcome'],
    reason: d.reason as DrawResult['reason'],
    prize: {
      id: d.prizeId,
      position: l.prizes.find((p) => p.id === d.prizeId)?.position ?? -1,
      name: d.prizeName,
      type: d.prizeType as PrizeType,
      points: d.pointsAwarded,
      couponCode: d.couponCode,
      redeemCode: d.redeemCode,
    },
    free: d.free,
    costPoints: d.costPoints,
    replayed,
    createdAt: d.createdAt.toISOString(),
    created: !replayed,
  }
}

const queues = new Map<string, { tail: Promise<void>; waiting: number }>()
/** Draws of one user waiting in this process beyond which more taps are refused (RATE_LIMITED). */
export const MAX_QUEUED_DRAWS_PER_USER = 50

/**
 * Runs one user's draws one after another inside this process. Correctness does not depend on it
 * (the counter rows, the ledger and the unique keys hold across processes); it stops a burst of
 * parallel taps from parking many pooled connections on the same user's row locks, which would
 * starve everyone else's draws, and bounds what one user can queue.
 */
async function oneAtATime<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const q = queues.get(key) ?? { tail: Promise.resolve(), waiting: 0 }
  if (q.waiting >= MAX_QUEUED_DRAWS_PER_USER) throw new AppError('RATE_LIMITED', { reason: 'too many draws in flight for this user' })
  const prev = q.tail
  let release!: () => void
  const mine = new Promise<void>((r) => (release = r))
  q.tail = prev.then(() => mine)
  q.waiting++
  queues.set(key, q)
  try {
    await prev
    return await fn()
  } finally {
    release()
    if (--q.waiting === 0) queues.delete(key)
  }
}

/** One draw (see the top of this file); a retried idempotency key answers with the original draw. */
export async function draw(
  db: Db,
  p: { merchantId: string; userId: string },
  lotteryId: string,
  idempotencyKey: string,
  now: Date,
  rand: RandomInt = cryptoRandomInt,
): Promise<DrawOutcomeResult> {
  return oneAtATime(`${p.merchantId}:${p.userId}`, () => drawNow(db, p, lotteryId, idempotencyKey, now, rand))
}

/** What a draw settles in its transaction: decided before it, the same when it runs a second time. */
type DrawPlan = {
  merchantId: string
  userId: string
  idempotencyKey: string
  l: LotteryWithPrizes
  day: string
  timezone: string
  pick: Pick
  drawn: PrizeRow
  drawId: string
  now: Date
}

/**
 * The draw without the in-process queue: what a second server instance does concurrently. Exported
 * for the tests that prove the database alone keeps the limits, stock and idempotency.
 */
export async function drawNow(
  db: Db,
  p: { merchantId: string; userId: string },
  lotteryId: string,
  idempotencyKey: string,
  now: Date,
  rand: RandomInt = cryptoRandomInt,
): Promise<DrawOutcomeResult> {
  const { merchantId, userId } = p
  const l = await cachedLottery(db, merchantId, lotteryId)
  try {
    if (!isActive(l, now)) throw new AppError('LOTTERY_NOT_ACTIVE', { startAt: l.startAt.toISOString(), endAt: l.endAt.toISOString(), enabled: l.enabled })
    if (!(await isEligible(db, l, userId))) throw new AppError('LOTTERY_NOT_ELIGIBLE', { eligibility: l.eligibility })
    // cached by tenancy: the draw needs it every time
    const timezone = await tenancyService.merchantTimezone(db, merchantId)
    const pick = pickPrize(
      l.prizes.map((x) => x.weight),
      rand,
    )
    const plan: DrawPlan = { merchantId, userId, idempotencyKey, l, day: businessDay(now, timezone), timezone, pick, drawn: l.prizes[pick.index]!, drawId: randomUUID(), now }
    let row: NewDraw
    const oneCall = PAID_IN_SQL.has(plan.drawn.type) && funnelService.interactionIsQuiet('lottery_draw')
    try {
      row = oneCall ? await drawInOneCall(db, plan, false) : await db.transaction((tx) => settle(tx, plan, null))
    } catch (e) {
      if (!(e instanceof PrizeGone)) throw e
      // the cached stock said otherwise: read it again at the next draw
      forgetCampaigns(merchantId)
      row = oneCall ? await drawInOneCall(db, plan, true) : await db.transaction((tx) => settle(tx, plan, e))
      // again after the commit: a draw in between may have cached the prize before it was exhausted
      if (e.couponUnavailable) forgetCampaigns(merchantId)
    }
    return resultOf(row, l, false)
  } catch (e) {
    // A retry of an earlier draw (same key) answers with that draw, whatever the state now (limit
    // reached, campaign ended, a concurrent twin that committed first).
    if (e instanceof DuplicateDraw || isAppError(e) || isUniqueViolation(e)) {
      const prev = await repo.findDrawByKey(db, merchantId, userId, idempotencyKey)
      if (prev) {
        if (prev.lotteryId !== lotteryId) throw new AppError('IDEMPOTENCY_CONFLICT', { idempotencyKey })
        return resultOf(prev, l, true)
      }
      if (e instanceof DuplicateDraw) throw new AppError('CONFLICT', { idempotencyKey })
    }
    throw e
  }
}

/**
 * The draw's transaction (see the top of this file). `gone` set: the second run after the drawn prize
 * turned out to be gone once paid out: everything again but the payout, recorded as out of stock.
 */
async function settle(tx: DbOrTx, d: DrawPlan, gone: PrizeGone | null): Promise<NewDraw> {
  const { merchantId, userId, l, drawn, drawId, now } = d
  // counters, price, interaction (lottery_draw without p_complete); then the listeners, before any prize row
  const begun = await callDraw(tx, d, null, false)
  const { free, cost } = begun
  await funnelService.interactionRecorded(tx, merchantId, userId, 'lottery_draw', begun, { lotteryId: l.id, drawId })
  const source = { type: 'lottery_draw', id: drawId }

  const record = (slot: PrizeRow, reason: DrawRow['reason'], award: Partial<NewDraw> = {}) => drawRecord(d, free, cost, slot, reason, award)
  const insert = async (r: NewDraw) => {
    if (!(await repo.insertDraw(tx, r))) throw new DuplicateDraw()
    return r
  }
  const none = l.prizes.find((x) => x.type === 'none')!

  if (drawn.type === 'none') return insert(record(none, 'no_prize'))
  if (gone) {
    // the template can't issue any more (out of stock, deactivated, expired): the prize is gone for good
    if (gone.couponUnavailable) {
      await repo.exhaustPrize(tx, drawn.id)
      await merchantConfigChanged(tx, merchantId)
    }
    return insert(record(none, 'out_of_stock'))
  }
  // read as out of stock (cached; stock only grows by an admin top-up, which drops the cache)
  if (drawn.stock === 0) return insert(record(none, 'out_of_stock'))

  const award: Partial<NewDraw> = {}
  let couponTemplateId: string | null = null
  if (drawn.type === 'points') {
    await pointsService.earn(tx, {
      merchantId,
      userId,
      amount: drawn.points!,
      reasonCode: 'lottery_prize',
      reason: `${l.name}: ${drawn.name}`,
      idempotencyKey: `lottery-prize:${drawId}`,
      source,
      now,
    })
    award.pointsAwarded = drawn.points
  } else if (drawn.type === 'physical') {
    award.redeemCode = humanCode(10)
  } else if (drawn.type === 'red_packet') {
    await payRedPacketPrize(tx, { merchantId, userId, drawId, lotteryId: l.id, amountFen: drawn.amountFen!, now })
  } else if (drawn.type === 'coupon') {
    const r = await couponsService.issueCoupon(tx, {
      merchantId,
      userId,
      templateId: drawn.couponTemplateId!,
      source: { type: 'lottery', id: drawId },
      issueKey: `lottery:${drawId}`,
      now,
      timezone: d.timezone,
      // the template's stock is taken with the prize's, in the last statement
      callerTakesStock: true,
    })
    if (!r.ok) throw new PrizeGone(true)
    if (r.created) couponTemplateId = drawn.couponTemplateId!
    award.couponId = r.coupon.id
    award.couponCode = r.coupon.code
  }
  const won = record(drawn, 'won', award)
  if (drawn.stock === null && !couponTemplateId) return insert(won)
  const w = await repo.insertWinTakingStock(tx, won, { limitedStock: drawn.stock !== null, couponTemplateId })
  if (couponTemplateId && !w.templateTaken) throw new PrizeGone(true)
  if (drawn.stock === null || w.taken) {
    if (!w.inserted) throw new DuplicateDraw()
    return won
  }
  // just ran out: a physical prize paid nothing yet; anything else undoes its payout by running again
  if (drawn.type !== 'physical') throw new PrizeGone(false)
  forgetCampaigns(merchantId)
  return insert(record(none, 'out_of_stock'))
}

/** Slots lottery_draw pays out itself (p_complete); the others (coupon, red packet) need the transaction. */
const PAID_IN_SQL: ReadonlySet<string> = new Set<PrizeType>(['none', 'points', 'physical'])

type DrawCall = {
  free: boolean
  cost: number
  eventId: number
  signal: boolean
  promoted: boolean
  prizeId: string | null
  reason: DrawRow['reason'] | null
  prizeType: string | null
  prizeName: string | null
  pointsAwarded: number | null
  redeemCode: string | null
}

const drawStatement = statement<DrawCall>(
  'lottery_draw',
  `SELECT free, cost, event_id AS "eventId", signal, promoted, prize_id AS "prizeId", reason, prize_type AS "prizeType",
          prize_name AS "prizeName", points_awarded AS "pointsAwarded", redeem_code AS "redeemCode"
   FROM lottery_draw($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28)`,
)

/**
 * Calls lottery_draw. `complete`: the whole draw (slots in PAID_IN_SQL); `drawnOut` then records the
 * drawn prize as out of stock without paying it (the second run after PRIZE_GONE, or a cached stock of
 * 0). Its refusals come back as the AppError they name; DUPLICATE_DRAW and PRIZE_GONE as the signals
 * drawNow handles.
 */
async function callDraw(db: DbOrTx, d: DrawPlan, drawnOut: boolean | null, complete: boolean): Promise<DrawCall> {
  const { l, drawn, now } = d
  const none = l.prizes.find((x) => x.type === 'none')!
  const pays = complete && !drawnOut && drawn.type !== 'none'
  try {
    return (await one(db, drawStatement, [
      d.merchantId,
      l.id,
      d.userId,
      d.idempotencyKey,
      d.day,
      effectiveDayLimit(l),
      l.limitTotal,
      l.freeDrawsPerDay,
      l.costPoints,
      l.name,
      d.drawId,
      now,
      funnelService.STAGES_PARAM,
      complete,
      JSON.stringify(l.prizes.map((x) => ({ id: x.id, w: x.weight }))),
      d.pick.total,
      d.pick.value,
      drawn.id,
      drawn.type,
      drawn.name,
      drawn.stock !== null,
      drawn.points,
      // read as out of stock (cached; stock only grows by an admin top-up, which drops the cache)
      drawnOut === true || drawn.stock === 0,
      none.id,
      none.name,
      pays && drawn.type === 'physical' ? humanCode(10) : null,
      `${l.name}: ${drawn.name}`,
      pays && drawn.type === 'points' ? await pointsService.policyExpiry(db, d.merchantId, now) : null,
    ]))!
  } catch (e) {
    // the two signals are this function's own; its refusals are API errors like any function's
    if ((e as { code?: string }).code === 'SY001') {
      if ((e as Error).message === 'DUPLICATE_DRAW') throw new DuplicateDraw()
      if ((e as Error).message === 'PRIZE_GONE') throw new PrizeGone(false)
    }
    throw translatePgError(e) ?? e
  }
}

/** The whole draw as one call, outside any transaction (slots in PAID_IN_SQL, no listeners to tell). */
async function drawInOneCall(db: Db, d: DrawPlan, drawnOut: boolean): Promise<NewDraw> {
  const r = await callDraw(db, d, drawnOut, true)
  // a physical prize that ran out in this very call: the cached stock is stale
  if (r.reason === 'out_of_stock' && !drawnOut && d.drawn.stock !== 0) forgetCampaigns(d.merchantId)
  return drawRecord(d, r.free, r.cost, { id: r.prizeId!, type: r.prizeType!, name: r.prizeName! }, r.reason!, { pointsAwarded: r.pointsAwarded, redeemCode: r.redeemCode })
}

/** The draw's record: the plan's audit fields, the slot awarded (the "none" slot when nothing was won) and the payout. */
function drawRecord(d: DrawPlan, free: boolean, cost: number, slot: { id: string; type: string; name: string }, reason: DrawRow['reason'], award: Partial<NewDraw> = {}): NewDraw {
  return {
    id: d.drawId,
    merchantId: d.merchantId,
    lotteryId: d.l.id,
    userId: d.userId,
    idempotencyKey: d.idempotencyKey,
    businessDay: d.day,
    weights: d.l.prizes.map((x) => ({ id: x.id, w: x.weight })),
    totalWeight: d.pick.total,
    randomValue: d.pick.value,
    drawnPrizeId: d.drawn.id,
    prizeId: slot.id,
    outcome: reason === 'won' ? 'prize' : 'none',
    reason,
    prizeType: slot.type,
    prizeName: slot.name,
    free,
    costPoints: cost,
    pointsAwarded: null,
    couponId: null,
    couponCode: null,
    redeemCode: null,
    createdAt: d.now,
    ...award,
  }
}

/** The user's draws in one campaign, newest first. */
export async function myDraws(db: Db, merchantId: string, userId: string, lotteryId: string) {
  const l = await loadLottery(db, merchantId, lotteryId)
  const rows = await repo.listDrawsOfUser(db, merchantId, userId, lotteryId, 50)
  return {
    items: rows.map((d): MyDrawView => {
      const { created: _created, ...view } = resultOf(d, l, false)
      return { ...view, collectedAt: d.collectedAt?.toISOString() ?? null }
    }),
  }
}

/** Audit listing for the admin: each draw with the weights, random value and drawn slot. */
export async function auditDraws(db: Db, merchantId: string, lotteryId: string, limit: number) {
  await loadLottery(db, merchantId, lotteryId)
  const rows = await repo.listDrawsOfLottery(db, merchantId, lotteryId, limit)
  return {
    items: rows.map((d) => ({
      id: d.id,
      userId: d.userId,
      businessDay: d.businessDay,
      weights: d.weights,
      totalWeight: d.totalWeight,
      randomValue: d.randomValue,
      drawnPrizeId: d.drawnPrizeId,
      prizeId: d.prizeId,
      outcome: d.outcome,
      reason: d.reason,
      free: d.free,
      costPoints: d.costPoints,
      createdAt: d.createdAt.toISOString(),
    })),
  }
}

/** Staff hand over a physical prize: marks it collected once (parallel scans: one wins), at their store. */
export async function redeemPrize(db: Db, staff: { merchantId: string; staffId: string; storeId: string }, code: string, now: Date) {
  const row = await repo.collectPrize(db, staff.merchantId, code, { storeId: staff.storeId, staffId: staff.staffId, now })
  if (!row) {
    const d = await repo.findDrawByRedeemCode(db, staff.merchantId, code)
    if (!d) throw new AppError('PRIZE_NOT_FOUND')
    throw new AppError('PRIZE_ALREADY_COLLECTED', { collectedAt: d.collectedAt?.toISOString() ?? null })
  }
  return {
    drawId: row.id,
    lotteryId: row.lotteryId,
    userId: row.userId,
    prizeName: row.prizeName,
    collectedAt: row.collectedAt!.toISOString(),
    storeId: staff.storeId,
    staffId: staff.staffId,
  }
}
