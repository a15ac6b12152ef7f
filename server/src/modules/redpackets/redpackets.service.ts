/**
 * Group (fission) red packets.
 *
 * Money flow. A campaign has a budget. Opening a share packet reserves the packet's total from it in
 * one conditional UPDATE (`granted_fen + total <= budget_fen`, else BUDGET_EXHAUSTED) in the
 * transaction that stores the packet and its pre-split slices (double-mean, shuffled). A grab claims
 * one free slice and credits it to the grabber's wallet, in one transaction. At expiry the unclaimed
 * slices are marked returned and their sum goes back to the pool (granted_fen goes down, returned_fen
 * up). Lottery cash prizes take from a campaign's budget the same way (grantCash).
 *
 * Invariants (tested): for every packet total = claimed + unclaimed + returned; for every campaign
 * granted <= budget and sum(packet totals) + prize grants = claimed + unclaimed + returned + grants
 * with granted = that sum minus returned.
 *
 * The grab is the hot path: a cached, immutable packet header (no query), then BEGIN, one UPDATE
 * claiming a slice (FOR UPDATE SKIP LOCKED; when every free slice is locked by grabbers still in
 * flight, once more waiting for them, so exactly N of any number of grabbers win), the wallet credit
 * (one statement), the funnel interaction, COMMIT. A drained packet is remembered: later grabs cost
 * one read. One slice per user and packet is a unique index:
 * a concurrent second grab of the same user fails on it (409 ALREADY_GRABBED).
 * Lock order inside: slice -> wallet account -> user row (the lottery's order: wallet before user).
 */
import { randomUUID } from 'node:crypto'
import { stageRank, type CreateRedpacketCampaignInput, type FunnelStage, type Redpacket, type RedpacketCampaign, type RedpacketGrabResult } from '@siyu/shared'
import type { Db, DbOrTx } from '../../db/client'
import { AppError, isUniqueViolation } from '../../http/errors'
import type { ScheduledJob } from '../jobs/jobs.service'
import * as funnel from '../funnel/funnel.service'
import * as members from '../members/members.service'
import * as wallet from '../wallet/wallet.service'
import * as repo from './redpackets.repo'
import { cryptoRandomInt, shuffle, splitDoubleMean, type RandomInt } from './redpackets.split'

const MINUTE = 60_000

// ---- campaigns ---------------------------------------------------------------------------------

function campaignView(c: repo.CampaignRow, stats?: repo.CampaignStatsRow): RedpacketCampaign {
  return {
    id: c.id,
    name: c.name,
    status: c.status as RedpacketCampaign['status'],
    budgetFen: c.budgetFen,
    grantedFen: c.grantedFen,
    returnedFen: c.returnedFen,
    availableFen: c.budgetFen - c.grantedFen,
    packetTotalFen: c.packetTotalFen,
    slicesPerPacket: c.slicesPerPacket,
    floorFen: c.floorFen,
    sharerCanGrab: c.sharerCanGrab,
    fundsLotteryPrizes: c.fundsLotteryPrizes,
    eligibility: { minStage: (c.eligibility.minStage as FunnelStage | undefined) ?? null, maxPacketsPerUser: c.eligibility.maxPacketsPerUser },
    startsAt: c.startsAt.toISOString(),
    endsAt: c.endsAt.toISOString(),
    packetTtlMinutes: c.packetTtlMinutes,
    createdAt: c.createdAt.toISOString(),
    ...(stats
      ? {
          stats: {
            packets: stats.packets,
            fundedFen: stats.funded_fen + stats.grants_fen,
            claimedFen: stats.claimed_fen + stats.grants_fen,
            unclaimedFen: stats.unclaimed_fen,
            returnedFen: stats.returned_fen,
            prizeGrantsFen: stats.grants_fen,
          },
        }
      : {}),
  }
}

export async function createCampaign(db: Db, merchantId: string, input: CreateRedpacketCampaignInput, now: Date): Promise<RedpacketCampaign> {
  const startsAt = input.startsAt ? new Date(input.startsAt) : now
  const endsAt = new Date(input.endsAt)
  if (endsAt <= startsAt) throw new AppError('VALIDATION_FAILED', { issues: [{ path: 'endsAt', message: 'must be after startsAt (default now)', code: 'custom' }] })
  const c = await repo.insertCampaign(db, {
    merchantId,
    name: input.name,
    budgetFen: input.budgetFen,
    packetTotalFen: input.packetTotalFen,
    slicesPerPacket: input.slicesPerPacket,
    floorFen: input.floorFen,
    sharerCanGrab: input.sharerCanGrab,
    fundsLotteryPrizes: input.fundsLotteryPrizes,
    eligibility: { ...(input.eligibility.minStage ? { minStage: input.eligibility.minStage } : {}), maxPacketsPerUser: input.eligibility.maxPacketsPerUser },
    startsAt,
    endsAt,
    packetTtlMinutes: input.packetTtlMinutes,
    createdAt: now,
  })
  return campaignView(c)
}

export async function listCampaigns(db: Db, merchantId: string): Promise<RedpacketCampaign[]> {
  return (await repo.listCampaigns(db, merchantId)).map((c) => campaignView(c))
}

async function loadCampaign(db: DbOrTx, merchantId: string, id: string) {
  const c = await repo.findCampaign(db, merchantId, id)
  if (!c) throw new AppError('REDPACKET_CAMPAIGN_NOT_FOUND')
  return c
}

/** The campaign with its money computed from the rows (claimed / unclaimed / returned / prizes). */
export async function getCampaign(db: Db, merchantId: string, id: string): Promise<RedpacketCampaign> {
  const c = await loadCampaign(db, merchantId, id)
  return campaignView(c, await repo.campaignStats(db, c.id))
}

/** No new packets or prizes; packets already opened can still be grabbed until they expire. */
export async function endCampaign(db: Db, merchantId: string, id: string): Promise<RedpacketCampaign> {
  await loadCampaign(db, merchantId, id)
  return campaignView((await repo.endCampaign(db, merchantId, id))!)
}

function isRunning(c: repo.CampaignRow, now: Date) {
  return c.status === 'active' && c.startsAt <= now && now < c.endsAt
}

// ---- packets -----------------------------------------------------------------------------------

/**
 * Opens a share packet for `userId`: checks the campaign window and eligibility, splits the total
 * (before the transaction: pure CPU), then reserves the budget and stores packet + slices atomically.
 */
export async function openPacket(db: Db, merchantId: string, userId: string, campaignId: string, now: Date, rand: RandomInt = cryptoRandomInt): Promise<Redpacket> {
  const c = await loadCampaign(db, merchantId, campaignId)
  if (!isRunning(c, now)) throw new AppError('CAMPAIGN_NOT_ACTIVE', { status: c.status, startsAt: c.startsAt.toISOString(), endsAt: c.endsAt.toISOString() })
  const user = await members.getUser(db, merchantId, userId)
  const minStage = c.eligibility.minStage as FunnelStage | undefined
  if (minStage && stageRank(user.stage as FunnelStage) < stageRank(minStage)) throw new AppError('REDPACKET_NOT_ELIGIBLE', { minStage, stage: user.stage })
  const opened = await repo.sharerPacketCount(db, c.id, userId)
  const max = c.eligibility.maxPacketsPerUser
  if (opened >= max) throw new AppError('PACKET_LIMIT_REACHED', { maxPacketsPerUser: max })

  const amounts = shuffle(splitDoubleMean(c.packetTotalFen, c.slicesPerPacket, c.floorFen, rand), rand)
  const id = randomUUID()
  try {
    await db.transaction(async (tx) => {
      if (!(await repo.reserveBudget(tx, merchantId, c.id, c.packetTotalFen))) {
        const fresh = await repo.findCampaign(tx, merchantId, c.id)
        throw new AppError('BUDGET_EXHAUSTED', { availableFen: fresh ? fresh.budgetFen - fresh.grantedFen : 0, neededFen: c.packetTotalFen })
      }
      await repo.insertPacket(tx, {
        id,
        merchantId,
        campaignId: c.id,
        sharerId: userId,
        sharerSeq: opened + 1,
        totalFen: c.packetTotalFen,
        sliceCount: c.slicesPerPacket,
        sharerCanGrab: c.sharerCanGrab,
        expiresAt: new Date(now.getTime() + c.packetTtlMinutes * MINUTE),
        createdAt: now,
      })
      await repo.insertSlices(tx, merchantId, id, amounts)
    })
  } catch (e) {
    // the same user opening twice at once: both read the same count, one wins the unique seq
    if (isUniqueViolation(e, 'redpacket_packets_sharer_seq_uq')) throw new AppError('PACKET_LIMIT_REACHED', { maxPacketsPerUser: max })
    throw e
  }
  return viewPacket(db, merchantId, userId, id, now)
}

/** Immutable header of a packet: what a grab needs, cached so the hot path skips a query. */
type PacketHeader = { merchantId: string; campaignId: string; sharerId: string; sharerCanGrab: boolean; expiresAt: Date }
const headers = new Map<string, PacketHeader>()
const HEADER_CACHE_MAX = 10_000

async function packetHeader(db: DbOrTx, merchantId: string, packetId: string): Promise<PacketHeader> {
  let h = headers.get(packetId)
  if (!h) {
    const p = await repo.findPacket(db, merchantId, packetId)
    if (!p) throw new AppError('REDPACKET_NOT_FOUND')
    h = { merchantId: p.merchantId, campaignId: p.campaignId, sharerId: p.sharerId, sharerCanGrab: p.sharerCanGrab, expiresAt: p.expiresAt }
    if (headers.size >= HEADER_CACHE_MAX) headers.clear()
    headers.set(packetId, h)
  }
  // another merchant's packet does not exist for this principal
  if (h.merchantId !== merchantId) throw new AppError('REDPACKET_NOT_FOUND')
  return h
}

/** What the viewer sees; a first view by someone other than the sharer records `redpacket_open`. */
export async function viewPacket(db: Db, merchantId: string, userId: string, packetId: string, now: Date): Promise<Redpacket> {
  const p = await repo.findPacket(db, merchantId, packetId)
  if (!p) throw new AppError('REDPACKET_NOT_FOUND')
  const isSharer = p.sharerId === userId
  if (!isSharer) {
    await db.transaction(async (tx) => {
      if (!(await repo.insertOpen(tx, { packetId: p.id, userId, merchantId, now }))) return
      // first touch: fills the viewer's attribution only where login left it empty
      await members.touch(tx, merchantId, userId, { channel: 'red_packet', sharerId: p.sharerId })
      await funnel.recordInteraction(tx, merchantId, userId, 'redpacket_open', { packetId: p.id, campaignId: p.campaignId, sharerId: p.sharerId }, now)
    })
  }
  const [c, counts, grabs, mine] = await Promise.all([
    repo.findCampaign(db, merchantId, p.campaignId),
    repo.packetCounts(db, p.id),
    repo.recentGrabs(db, p.id, 50),
    repo.grabOf(db, p.id, userId),
  ])
  const people = await members.publicDisplays(db, merchantId, [p.sharerId, ...grabs.map((g) => g.claimed_by)])
  const status: Redpacket['status'] = counts.claimed_count === p.sliceCount ? 'empty' : p.settledAt || now >= p.expiresAt ? 'expired' : 'active'
  let bestMarked = false
  return {
    id: p.id,
    campaignId: p.campaignId,
    campaignName: c?.name ?? '',
    sharer: people.get(p.sharerId) ?? { name: null, avatarUrl: null },
    isSharer,
    totalFen: p.totalFen,
    sliceCount: p.sliceCount,
    claimedCount: counts.claimed_count,
    claimedFen: counts.claimed_fen,
    status,
    expiresAt: p.expiresAt.toISOString(),
    createdAt: p.createdAt.toISOString(),
    myGrab: mine ? { amountFen: mine.amount_fen, grabbedAt: mine.claimed_at.toISOString() } : null,
    canGrab: status === 'active' && !mine && (p.sharerCanGrab || !isSharer),
    grabs: grabs.map((g) => {
      const who = people.get(g.claimed_by)
      const best = status === 'empty' && !bestMarked && g.amount_fen === counts.max_fen
      if (best) bestMarked = true
      return { name: who?.name ?? null, avatarUrl: who?.avatarUrl ?? null, amountFen: g.amount_fen, grabbedAt: g.claimed_at.toISOString(), best }
    }),
  }
}

/** Grabs one slice of the packet for `userId` and credits it to their wallet. */
export async function grab(db: Db, merchantId: string, userId: string, packetId: string, now: Date): Promise<RedpacketGrabResult> {
  const h = await packetHeader(db, merchantId, packetId)
  if (!h.sharerCanGrab && h.sharerId === userId) throw new AppError('SHARER_CANNOT_GRAB')
  if (now >= h.expiresAt) throw new AppError('PACKET_EXPIRED', { expiresAt: h.expiresAt.toISOString() })
  const gone = drained.get(packetId)
  if (gone) return refuse(db, packetId, userId, gone, h)
  let result: RedpacketGrabResult | null
  try {
    result = await db.transaction(async (tx) => {
      const slice = (await repo.claimSlice(tx, packetId, userId, now, true)) ?? (await repo.claimSlice(tx, packetId, userId, now, false))
      if (!slice) return null
      // the key names the slice this transaction just claimed: it cannot exist yet
      const w = await wallet.creditNew(tx, {
        merchantId,
        userId,
        amountFen: slice.amount_fen,
        idempotencyKey: `rp:${slice.id}`,
        reasonCode: 'redpacket_grab',
        source: { type: 'redpacket_slice', id: slice.id },
        now,
      })
      await funnel.recordInteraction(tx, merchantId, userId, 'redpacket_grab', { packetId, campaignId: h.campaignId, sharerId: h.sharerId, amountFen: slice.amount_fen }, now)
      return { packetId, amountFen: slice.amount_fen, walletBalanceFen: w.balanceFen, grabbedAt: now.toISOString() }
    })
  } catch (e) {
    if (isUniqueViolation(e, 'redpacket_slices_packet_claimer_uq')) throw new AppError('ALREADY_GRABBED')
    throw e
  }
  if (result) return result
  // Nothing free once every in-flight claim had finished: no slice of this packet is ever free again.
  const why = (await repo.isSettled(db, packetId)) ? 'PACKET_EXPIRED' : 'PACKET_EMPTY'
  if (drained.size >= HEADER_CACHE_MAX) drained.clear()
  drained.set(packetId, why)
  return refuse(db, packetId, userId, why, h)
}

/**
 * Packets known to have no free slice left (claimed, or returned at expiry): final, so later grabs are
 * answered without a transaction (WeChat's "sold out" filter, per process).
 */
const drained = new Map<string, 'PACKET_EMPTY' | 'PACKET_EXPIRED'>()

async function refuse(db: Db, packetId: string, userId: string, why: 'PACKET_EMPTY' | 'PACKET_EXPIRED', h: PacketHeader): Promise<never> {
  if (await repo.grabOf(db, packetId, userId)) throw new AppError('ALREADY_GRABBED')
  throw new AppError(why, why === 'PACKET_EXPIRED' ? { expiresAt: h.expiresAt.toISOString() } : undefined)
}

// ---- expiry ------------------------------------------------------------------------------------

/**
 * Settles every packet expired at `now`: per packet one transaction marks it settled, marks its free
 * slices returned (waiting for grabs in flight, which win their slice), and gives their sum back to
 * the campaign. A rerun finds nothing; a packet is settled once (conditional on settled_at is null).
 */
export async function expirePackets(db: Db, now: Date, opts: { batch?: number } = {}): Promise<{ packets: number; returnedFen: number }> {
  let packets = 0
  let returnedFen = 0
  for (;;) {
    const due = await repo.duePackets(db, now, opts.batch ?? 100)
    if (due.length === 0) break
    for (const p of due) {
      returnedFen += await db.transaction(async (tx) => {
        if (!(await repo.settlePacket(tx, p.id, now))) return 0
        const fen = await repo.returnFreeSlices(tx, p.id, now)
        await repo.setPacketReturned(tx, p.id, fen)
        if (fen > 0) await repo.returnToPool(tx, p.campaign_id, fen)
        return fen
      })
      packets++
    }
  }
  return { packets, returnedFen }
}

export const redpacketExpiryJob: ScheduledJob = {
  name: 'redpacket-expiry',
  cron: '* * * * *',
  run: async (ctx) => expirePackets(ctx.db, ctx.clock.now()),
}

// ---- cash grants (lottery prizes) ----------------------------------------------------------------

export type CashGrant = { merchantId: string; userId: string; amountFen: number; source: { type: string; id: string }; reasonCode: string; now: Date }

/**
 * Pays `amountFen` into the user's wallet from the first running campaign of the merchant that funds
 * lottery prizes and still has that much budget, in the caller's transaction. Once per source: a
 * replay returns the first grant. No campaign with enough budget: BUDGET_EXHAUSTED (the caller's
 * transaction rolls back whole).
 */
export async function grantCash(tx: DbOrTx, g: CashGrant): Promise<{ campaignId: string; walletBalanceFen: number; replayed: boolean }> {
  const key = `grant:${g.source.type}:${g.source.id}`
  const seen = await repo.findGrant(tx, g.merchantId, g.source.type, g.source.id)
  if (seen) {
    if (seen.userId !== g.userId || seen.amountFen !== g.amountFen) throw new AppError('IDEMPOTENCY_CONFLICT', { source: g.source })
    return { campaignId: seen.campaignId, walletBalanceFen: await wallet.balanceOf(tx, g.merchantId, g.userId), replayed: true }
  }
  for (const campaignId of await repo.lotteryFundingCampaigns(tx, g.merchantId, g.now)) {
    if (!(await repo.reserveBudget(tx, g.merchantId, campaignId, g.amountFen))) continue
    // a concurrent twin of this source fails on the unique source and its transaction rolls back
    if (!(await repo.insertGrant(tx, { merchantId: g.merchantId, campaignId, userId: g.userId, amountFen: g.amountFen, sourceType: g.source.type, sourceId: g.source.id, createdAt: g.now }))) {
      throw new AppError('CONFLICT', { reason: 'this grant is being made concurrently', source: g.source })
    }
    const w = await wallet.credit(tx, { merchantId: g.merchantId, userId: g.userId, amountFen: g.amountFen, idempotencyKey: key, reasonCode: g.reasonCode, source: g.source, now: g.now })
    return { campaignId, walletBalanceFen: w.balanceFen, replayed: false }
  }
  throw new AppError('BUDGET_EXHAUSTED', { neededFen: g.amountFen, reason: 'no running campaign funding lottery prizes has this much budget left' })
}
