import {
  type CursorQuery,
  type FunnelStage,
  type Page,
  type StaffCustomer,
  type StaffMemberSummary,
  type StaffPurchaseInput,
  type StaffPurchaseResult,
  type StaffRedeemInput,
  type StaffRedeemResult,
  type StaffStats,
} from '@siyu/shared'
import type { Db } from '../../db/client'
import { one, statement } from '../../db/raw'
import { AppError } from '../../http/errors'
import { addDays, businessDay, startOfBusinessDay } from '../../lib/time'
import type { StaffPrincipal } from '../auth/auth.middleware'
import * as funnel from '../funnel/funnel.service'
import * as members from '../members/members.service'
import * as membership from '../membership/membership.service'
import * as points from '../points/points.service'
import * as tenancy from '../tenancy/tenancy.service'
import * as repo from './staff-desk.repo'

/**
 * The counter: staff scan a member's code, record offline purchases (points by rule × tier multiplier,
 * growth, funnel, guide binding) and redeem points; and see their own customers and figures.
 */

export async function scan(db: Db, s: StaffPrincipal, memberCode: string, now: Date): Promise<StaffMemberSummary> {
  const m = await membership.resolveMemberCode(db, s.merchantId, memberCode, now)
  const u = await members.getUser(db, s.merchantId, m.userId)
  const summary = await points.getSummary(db, s.merchantId, m.userId, now)
  return {
    userId: u.id,
    cardNo: m.cardNo,
    nameMasked: members.maskName(u.nickname),
    phoneMasked: members.maskPhone(u.phone),
    stage: u.stage as FunnelStage,
    tier: { level: m.tier.level, name: m.tier.name, multiplierPermille: m.tier.multiplierPermille },
    growth: m.growth,
    points: { balance: summary.balance },
    guide: u.guideStaffId ? { staffId: u.guideStaffId, isMe: u.guideStaffId === s.staffId } : null,
  }
}

type PurchaseOutcome = {
  status: 'ok' | 'exists' | 'needs_tx' | 'no_store' | 'no_member'
  id: string
  userId: string
  storeId: string
  amountFen: number
  points: number
  growth: number
  balanceAfter: number | null
  tierLevelAfter: number | null
  tierNameAfter: string | null
  upgraded: boolean
  createdAt: Date
  signal: boolean
  promoted: boolean
  /** the member behind the card now (an `exists` row is replayed only for the same member) */
  memberId: string
}

function purchaseResult(p: PurchaseOutcome, receiptNo: string, replayed: boolean): StaffPurchaseResult {
  return {
    purchaseId: p.id,
    userId: p.userId,
    receiptNo,
    amountFen: p.amountFen,
    points: p.points,
    growth: p.growth,
    balance: p.balanceAfter ?? 0,
    tier: { level: p.tierLevelAfter ?? 0, name: p.tierNameAfter ?? '' },
    upgraded: p.upgraded,
    replayed,
    createdAt: p.createdAt.toISOString(),
  }
}

/** A receipt number already recorded: the first result if it is the same purchase, else IDEMPOTENCY_CONFLICT. */
function replayPurchase(p: PurchaseOutcome, userId: string, input: StaffPurchaseInput): StaffPurchaseResult {
  if (p.userId !== userId || p.amountFen !== input.amountFen || p.storeId !== input.storeId) {
    throw new AppError('IDEMPOTENCY_CONFLICT', { receiptNo: input.receiptNo })
  }
  return purchaseResult(p, input.receiptNo, true)
}

const purchaseStatement = statement<PurchaseOutcome>(
  'staff_purchase',
  `SELECT status, id, user_id AS "userId", store_id AS "storeId", amount_fen AS "amountFen", points, growth, balance_after AS "balanceAfter",
          tier_level_after AS "tierLevelAfter", tier_name_after AS "tierNameAfter", upgraded, created_at AS "createdAt", signal, promoted,
          member_id AS "memberId"
   FROM staff_purchase($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
)

/**
 * Records an offline purchase, idempotent on (merchant, receiptNo): concurrent duplicates wait for the
 * first (an advisory lock on the receipt number, the unique index behind it) and then replay its stored
 * result. Points use the tier the member had before this purchase; its growth may then upgrade the tier
 * in the same transaction.
 *
 * The write is one call of the database function staff_purchase
 * (server/drizzle/0006_fewer_locks_one_call_purchase.sql): store check, the member behind the card,
 * purchase row, points, growth and tier, funnel stage, guide binding. The reward rule stays here: the
 * function gets the points for each tier level and picks the member's. A member's first purchase also
 * tells the funnel's stage listeners (referrals, tasks), which are TypeScript: the function then answers
 * `needs_tx` having written nothing, and the purchase runs again inside a transaction with the
 * listeners. Every later purchase is a single statement.
 */
export async function recordPurchase(db: Db, s: StaffPrincipal, input: StaffPurchaseInput, now: Date): Promise<{ created: boolean; result: StaffPurchaseResult }> {
  const { merchantId } = s
  const config = await membership.loadConfig(db, merchantId)
  const cardNo = membership.cardNoOfCode(config, input.memberCode, now)
  const byLevel = config.tiers.map((t) => membership.purchaseRewards(config.policy, t.multiplierPermille, input.amountFen))
  const pointsByLevel = byLevel.map((r) => r.points)
  const args = [
    merchantId,
    cardNo,
    s.staffId,
    input.storeId,
    input.receiptNo,
    input.amountFen,
    `{${pointsByLevel.join(',')}}`,
    `{${config.tiers.map((t) => t.multiplierPermille).join(',')}}`,
    byLevel[0]!.growth, // growth does not depend on the tier
    `门店消费 ${input.receiptNo}`,
    now,
    pointsByLevel.some((p) => p > 0) ? await points.policyExpiry(db, merchantId, now) : null,
    ...membership.tierRuleArgs(config.tiers, now),
    funnel.STAGES_PARAM,
  ]
  let row = (await one(db, purchaseStatement, [...args, false]))!
  if (row.status === 'needs_tx') {
    row = await db.transaction(async (tx) => {
      const again = (await one(tx, purchaseStatement, [...args, true]))!
      if (again.status === 'ok' && again.signal) {
        await funnel.notifyStage(tx, { merchantId, userId: again.userId, stage: 'customer', promoted: again.promoted, cause: { cause: 'purchase', storeId: input.storeId, guideId: s.staffId } })
      }
      return again
    })
  }
  if (row.status === 'no_store') throw new AppError('STORE_NOT_FOUND')
  if (row.status === 'no_member') throw new AppError('MEMBER_CODE_INVALID')
  if (row.status === 'exists') return { created: false, result: replayPurchase(row, row.memberId, input) }
  return { created: true, result: purchaseResult(row, input.receiptNo, false) }
}

function redeemResult(r: repo.RedemptionRow, replayed: boolean): StaffRedeemResult {
  return { redemptionId: r.id, userId: r.userId, points: r.points, balance: r.balanceAfter ?? 0, replayed }
}

function replayRedemption(r: repo.RedemptionRow, userId: string, input: StaffRedeemInput): StaffRedeemResult {
  if (r.userId !== userId || r.points !== input.points) throw new AppError('IDEMPOTENCY_CONFLICT', { idempotencyKey: input.idempotencyKey })
  return redeemResult(r, true)
}

/** Spends points at the counter; idempotent on (merchant, idempotencyKey). Insufficient → POINTS_INSUFFICIENT, nothing written. */
export async function redeem(db: Db, s: StaffPrincipal, input: StaffRedeemInput, now: Date): Promise<{ created: boolean; result: StaffRedeemResult }> {
  const member = await membership.resolveMemberCode(db, s.merchantId, input.memberCode, now)
  const { merchantId } = s
  const userId = member.userId
  const seen = await repo.findRedemptionByKey(db, merchantId, input.idempotencyKey)
  if (seen) return { created: false, result: replayRedemption(seen, userId, input) }
  return db.transaction(async (tx) => {
    const row = await repo.insertRedemption(tx, { merchantId, userId, staffId: s.staffId, points: input.points, reason: input.reason, idempotencyKey: input.idempotencyKey, createdAt: now })
    if (!row) return { created: false, result: replayRedemption((await repo.findRedemptionByKey(tx, merchantId, input.idempotencyKey))!, userId, input) }
    const spent = await points.spend(tx, {
      merchantId,
      userId,
      amount: input.points,
      reasonCode: 'staff_redeem',
      reason: input.reason,
      idempotencyKey: `staff-redeem:${input.idempotencyKey}`,
      source: { type: 'staff_redemption', id: row.id },
      now,
    })
    return { created: true, result: redeemResult(await repo.finishRedemption(tx, row.id, spent.balance), false) }
  })
}

function encodeCursor(c: members.GuideCursor): string {
  return Buffer.from(`${c.createdAt}|${c.id}`).toString('base64url')
}

// the text form PostgreSQL gives timestamptz (e.g. 2026-11-22 15:44:40.123456+00)
const TS_RE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

function decodeCursor(s: string): members.GuideCursor {
  const [createdAt, id] = Buffer.from(s, 'base64url').toString().split('|')
  if (!createdAt || !TS_RE.test(createdAt) || !id || !UUID_RE.test(id)) {
    throw new AppError('VALIDATION_FAILED', { issues: [{ path: 'cursor', message: 'malformed cursor', code: 'custom' }] })
  }
  return { createdAt, id }
}

/** My customers (guide = me), newest first. */
export async function customers(db: Db, s: StaffPrincipal, q: CursorQuery): Promise<Page<StaffCustomer>> {
  const rows = await members.listByGuide(db, s.merchantId, s.staffId, q.limit + 1, q.cursor ? decodeCursor(q.cursor) : null)
  const page = rows.slice(0, q.limit)
  const ids = page.map((u) => u.id)
  const info = await membership.memberInfoOf(db, s.merchantId, ids)
  const visits = await repo.lastPurchaseAt(db, s.merchantId, ids)
  const last = page[page.length - 1]
  return {
    items: page.map((u) => {
      const i = info.get(u.id)!
      return {
        userId: u.id,
        nameMasked: members.maskName(u.nickname),
        phoneMasked: members.maskPhone(u.phone),
        stage: u.stage as FunnelStage,
        tier: { level: i.tier.level, name: i.tier.name },
        isMember: i.isMember,
        lastVisitAt: visits.get(u.id)?.toISOString() ?? null,
        lastSeenAt: u.lastSeenAt.toISOString(),
      }
    }),
    nextCursor: rows.length > q.limit && last ? encodeCursor({ createdAt: last.createdAtText, id: last.id }) : null,
  }
}

/** Monday of the ISO week of `day`. */
function weekStart(day: string): string {
  const dow = new Date(`${day}T00:00:00Z`).getUTCDay()
  return addDays(day, -((dow + 6) % 7))
}

/** My figures for today or this week (Monday on), in the merchant's time zone. */
export async function stats(db: Db, s: StaffPrincipal, period: 'today' | 'week', now: Date): Promise<StaffStats> {
  const tz = await tenancy.merchantTimezone(db, s.merchantId)
  const today = businessDay(now, tz)
  const from = startOfBusinessDay(period === 'today' ? today : weekStart(today), tz)
  const to = startOfBusinessDay(addDays(today, 1), tz)
  const p = await repo.purchaseStats(db, s.merchantId, s.staffId, from, to)
  const r = await repo.redemptionStats(db, s.merchantId, s.staffId, from, to)
  const mine = await members.idsByGuide(db, s.merchantId, s.staffId)
  return {
    period,
    from: from.toISOString(),
    to: to.toISOString(),
    newMembers: await membership.countClaimedAmong(db, s.merchantId, mine, from, to),
    purchases: { count: p.count, amountFen: p.amountFen },
    pointsAwarded: p.points,
    redemptions: r,
  }
}

/** In-store purchases of one user: the wallet value (RFM) the social module shows. */
export { purchaseTotals } from './staff-desk.repo'
