/**
 * Lottery campaigns: admin CRUD, published odds, eligibility and the per-user draw allowance.
 * The draw itself is in lottery.draw.ts.
 */
import {
  stageRank,
  type CreateLotteryInput,
  type FunnelStage,
  type LotteryAdminView,
  type LotteryKind,
  type LotteryPublicView,
  type MyDrawsView,
  type PrizeInput,
  type PrizeType,
  type PublishedPrize,
  type UpdateLotteryInput,
  type UpdatePrizeInput,
} from '@siyu/shared'
import type { Db, DbOrTx } from '../../db/client'
import { AppError } from '../../http/errors'
import { MerchantCache, merchantConfigChanged } from '../../lib/cache'
import { businessDay } from '../../lib/time'
import * as couponsService from '../coupons/coupons.service'
import * as membersService from '../members/members.service'
import * as membershipService from '../membership/membership.service'
import * as tagsService from '../tags/tags.service'
import * as tenancyService from '../tenancy/tenancy.service'
import { oddsSentence, percentText, publishedOdds } from './lottery.pick'
import { redPacketPayoutAvailable } from './lottery.payout'
import * as repo from './lottery.repo'
import type { LotteryWithPrizes, PrizeRow } from './lottery.repo'

export const NONE_PRIZE_NAME = '谢谢参与'

// ---------------------------------------------------------------------------------------------
// Shared helpers (also used by the draw)

// Read on every draw, written by an admin a few times a month: cached per process (lib/cache.ts), dropped
// by every admin write below (and, through NOTIFY, in the other processes).
const campaigns = new MerchantCache<LotteryWithPrizes>(60_000)

/** The campaign and its slots, read fresh (admin screens, the published odds). */
export async function loadLottery(db: DbOrTx, merchantId: string, id: string): Promise<LotteryWithPrizes> {
  const l = await repo.findLottery(db, merchantId, id)
  if (!l) throw new AppError('LOTTERY_NOT_FOUND')
  return l
}

/**
 * The campaign and its slots for a draw, cached per process (a shared object: don't mutate). Its
 * prize stock may be stale: a draw only uses it to skip a prize read as out of stock, and the
 * conditional stock update decides the rest. Anything that changes a campaign, its prizes or their
 * stock outside a draw calls `merchantConfigChanged` (lib/cache.ts); a draw that finds a prize gone calls `forgetCampaigns`.
 */
export function cachedLottery(db: Db, merchantId: string, id: string): Promise<LotteryWithPrizes> {
  return campaigns.get(merchantId, () => loadLottery(db, merchantId, id), id)
}

/** This process's cached campaigns of the merchant are dropped (the next draw reads the stock again). */
export function forgetCampaigns(merchantId: string) {
  campaigns.dropMerchant(merchantId)
}

export function isActive(l: { enabled: boolean; startAt: Date; endAt: Date }, now: Date): boolean {
  return l.enabled && l.startAt <= now && now < l.endAt
}

/** Draws a user may make per business day: with no points price, only the free ones. */
export function effectiveDayLimit(l: { costPoints: number | null; freeDrawsPerDay: number; limitPerDay: number | null }): number | null {
  if (l.costPoints === null) return Math.min(l.limitPerDay ?? Infinity, l.freeDrawsPerDay)
  return l.limitPerDay
}

/** Every condition given must hold; each is read only when the campaign uses it. */
export async function isEligible(db: DbOrTx, l: LotteryWithPrizes, userId: string): Promise<boolean> {
  const e = l.eligibility
  if (e.minStage) {
    const u = await membersService.getUser(db, l.merchantId, userId)
    if (stageRank(u.stage as FunnelStage) < stageRank(e.minStage as FunnelStage)) return false
  }
  if (e.tags?.length && !(await tagsService.hasAnyTag(db, l.merchantId, userId, e.tags))) return false
  if (e.minTier !== undefined && (await membershipService.tierOf(db, l.merchantId, userId)).level < e.minTier) return false
  return true
}

// ---------------------------------------------------------------------------------------------
// Views

function prizeViews(prizes: PrizeRow[]): PublishedPrize[] {
  const probs = publishedOdds(prizes)
  return prizes.map((p, i) => ({
    id: p.id,
    position: p.position,
    name: p.name,
    type: p.type as PrizeType,
    imageUrl: p.imageUrl,
    weight: p.weight,
    probability: probs[i]!,
    probabilityText: percentText(probs[i]!),
    stock: p.stock,
    points: p.points,
    amountFen: p.amountFen,
    couponTemplateId: p.couponTemplateId,
  }))
}

function baseView(l: LotteryWithPrizes) {
  return {
    id: l.id,
    name: l.name,
    description: l.description,
    kind: l.kind as LotteryKind,
    startAt: l.startAt.toISOString(),
    endAt: l.endAt.toISOString(),
    enabled: l.enabled,
    costPoints: l.costPoints,
    freeDrawsPerDay: l.freeDrawsPerDay,
    limitPerDay: l.limitPerDay,
    limitTotal: l.limitTotal,
  }
}

export async function adminView(db: DbOrTx, l: LotteryWithPrizes): Promise<LotteryAdminView> {
  const stats = await repo.drawStats(db, l.id)
  return {
    ...baseView(l),
    eligibility: l.eligibility as LotteryAdminView['eligibility'],
    prizes: prizeViews(l.prizes).map((p) => ({ ...p, won: p.type === 'none' ? 0 : (stats.byPrize.get(p.id) ?? 0) })),
    drawCount: stats.total,
    createdAt: l.createdAt.toISOString(),
    updatedAt: l.updatedAt.toISOString(),
  }
}

/** GET /api/v1/lotteries/:id — the prizes with their published odds and what this user has left. */
export async function publicView(db: Db, merchantId: string, userId: string, id: string, now: Date): Promise<LotteryPublicView> {
  const l = await loadLottery(db, merchantId, id)
  return { ...baseView(l), prizes: prizeViews(l.prizes), active: isActive(l, now), oddsText: oddsSentence(l.prizes), me: await myAllowance(db, l, userId, now) }
}

async function myAllowance(db: Db, l: LotteryWithPrizes, userId: string, now: Date): Promise<MyDrawsView> {
  const day = businessDay(now, await tenancyService.merchantTimezone(db, l.merchantId))
  const { today, total } = await repo.drawCounts(db, l.id, userId, day)
  const dayLimit = effectiveDayLimit(l)
  const remainingTotal = l.limitTotal === null ? null : Math.max(0, l.limitTotal - total)
  let remainingToday = dayLimit === null ? null : Math.max(0, dayLimit - today)
  if (remainingTotal !== null) remainingToday = Math.min(remainingToday ?? Infinity, remainingTotal)
  const freeLeft = Math.max(0, l.freeDrawsPerDay - today)
  return {
    today,
    total,
    remainingToday,
    remainingTotal,
    freeRemainingToday: remainingToday === null ? freeLeft : Math.min(freeLeft, remainingToday),
    eligible: await isEligible(db, l, userId),
  }
}

/** Open campaigns for the consumer's list. */
export async function listActive(db: Db, merchantId: string, now: Date) {
  const rows = (await repo.listLotteries(db, merchantId)).filter((l) => isActive(l, now))
  return { items: rows.map((l) => ({ id: l.id, name: l.name, kind: l.kind as LotteryKind, startAt: l.startAt.toISOString(), endAt: l.endAt.toISOString() })) }
}

// ---------------------------------------------------------------------------------------------
// Admin CRUD

function invalid(path: string, message: string): never {
  throw new AppError('VALIDATION_FAILED', { issues: [{ path, message, code: 'custom' }] })
}

/** Coupon prizes must name this merchant's templates; red packets can't be enabled until the payout exists. */
async function checkPrizes(db: DbOrTx, merchantId: string, prizes: { type: string; couponTemplateId?: string | null }[], enabled: boolean) {
  for (const p of prizes) if (p.type === 'coupon') await couponsService.getTemplateRow(db, merchantId, p.couponTemplateId!)
  if (enabled && prizes.some((p) => p.type === 'red_packet') && !redPacketPayoutAvailable())
    throw new AppError('PRIZE_TYPE_UNAVAILABLE', { type: 'red_packet', reason: 'red-packet payout is not available yet; save the campaign disabled' })
}

/** Slots in the given order; a "none" slot of weight 0 is appended when missing (it receives out-of-stock mass). */
function prizeRows(merchantId: string, lotteryId: string, prizes: PrizeInput[]) {
  const list: PrizeInput[] = prizes.some((p) => p.type === 'none') ? prizes : [...prizes, { type: 'none', name: NONE_PRIZE_NAME, weight: 0 }]
  return list.map((p, position) => ({
    merchantId,
    lotteryId,
    position,
    name: p.name,
    type: p.type,
    weight: p.weight,
    stock: p.type === 'none' ? null : (p.stock ?? null),
    points: p.type === 'points' ? p.points : null,
    couponTemplateId: p.type === 'coupon' ? p.couponTemplateId : null,
    amountFen: p.type === 'red_packet' ? p.amountFen : null,
    imageUrl: p.imageUrl ?? null,
  }))
}

export async function createLottery(db: Db, merchantId: string, input: CreateLotteryInput, now: Date): Promise<LotteryAdminView> {
  await checkPrizes(db, merchantId, input.prizes, input.enabled)
  const id = await db.transaction(async (tx) => {
    const l = await repo.insertLottery(tx, {
      merchantId,
      name: input.name,
      description: input.description ?? null,
      kind: input.kind,
      startAt: new Date(input.startAt),
      endAt: new Date(input.endAt),
      enabled: input.enabled,
      eligibility: input.eligibility,
      costPoints: input.costPoints,
      freeDrawsPerDay: input.freeDrawsPerDay,
      limitPerDay: input.limitPerDay,
      limitTotal: input.limitTotal,
      createdAt: now,
      updatedAt: now,
    })
    await repo.insertPrizes(tx, prizeRows(merchantId, l.id, input.prizes))
    return l.id
  })
  await merchantConfigChanged(db, merchantId)
  return adminView(db, await loadLottery(db, merchantId, id))
}

export async function getLottery(db: Db, merchantId: string, id: string) {
  return adminView(db, await loadLottery(db, merchantId, id))
}

export async function listLotteries(db: Db, merchantId: string) {
  const rows = await repo.listLotteries(db, merchantId)
  return {
    items: rows.map((l) => ({
      id: l.id,
      name: l.name,
      kind: l.kind as LotteryKind,
      enabled: l.enabled,
      startAt: l.startAt.toISOString(),
      endAt: l.endAt.toISOString(),
      createdAt: l.createdAt.toISOString(),
    })),
  }
}

export async function updateLottery(db: Db, merchantId: string, id: string, input: UpdateLotteryInput, now: Date): Promise<LotteryAdminView> {
  const l = await loadLottery(db, merchantId, id)
  const merged = {
    startAt: input.startAt ? new Date(input.startAt) : l.startAt,
    endAt: input.endAt ? new Date(input.endAt) : l.endAt,
    costPoints: input.costPoints !== undefined ? input.costPoints : l.costPoints,
    freeDrawsPerDay: input.freeDrawsPerDay ?? l.freeDrawsPerDay,
    enabled: input.enabled ?? l.enabled,
  }
  if (!(merged.startAt < merged.endAt)) invalid('endAt', '`endAt` must be after `startAt`')
  if (merged.costPoints === null && merged.freeDrawsPerDay === 0) invalid('freeDrawsPerDay', 'with no points price there must be free draws')
  await checkPrizes(db, merchantId, input.prizes ?? l.prizes, merged.enabled)
  await db.transaction(async (tx) => {
    const { prizes, startAt, endAt, description, ...rest } = input
    await repo.updateLottery(tx, merchantId, id, {
      ...rest,
      ...(description !== undefined ? { description } : {}),
      startAt: merged.startAt,
      endAt: merged.endAt,
      updatedAt: now,
    })
    if (prizes) {
      if (await repo.lockAndHasDraws(tx, merchantId, id)) throw new AppError('LOTTERY_HAS_DRAWS')
      await repo.deletePrizes(tx, merchantId, id)
      await repo.insertPrizes(tx, prizeRows(merchantId, id, prizes))
    }
  })
  await merchantConfigChanged(db, merchantId)
  return adminView(db, await loadLottery(db, merchantId, id))
}

export async function deleteLottery(db: Db, merchantId: string, id: string) {
  const l = await loadLottery(db, merchantId, id)
  await db.transaction(async (tx) => {
    if (await repo.lockAndHasDraws(tx, merchantId, l.id)) throw new AppError('LOTTERY_HAS_DRAWS')
    await repo.deleteLottery(tx, merchantId, id)
  })
  await merchantConfigChanged(db, merchantId)
}

export async function updatePrize(db: Db, merchantId: string, lotteryId: string, prizeId: string, input: UpdatePrizeInput): Promise<LotteryAdminView> {
  const l = await loadLottery(db, merchantId, lotteryId)
  const p = l.prizes.find((x) => x.id === prizeId)
  if (!p) throw new AppError('PRIZE_NOT_FOUND')
  if (input.addStock !== undefined && p.stock === null) invalid('addStock', 'this prize has unlimited stock')
  if (input.weight !== undefined && l.prizes.reduce((s, x) => s + (x.id === prizeId ? input.weight! : x.weight), 0) <= 0)
    invalid('weight', 'the weights must not all be 0')
  await repo.updatePrize(db, merchantId, lotteryId, prizeId, input)
  // a top-up must reach the draws at once: a cached stock of 0 would otherwise skip the prize
  await merchantConfigChanged(db, merchantId)
  return adminView(db, await loadLottery(db, merchantId, lotteryId))
}
