/**
 * Social value beside wallet value (SEEDS §3). Counters per (merchant, user) in social_stats are kept
 * incrementally, inside the transaction that changes them:
 *   shares            +1 per `share` event of the user
 *   reach             +1 the first time a person opens one of the user's shares (`share_open` with sharerId)
 *   invitees          +1 when a referral is bound to the user as inviter, -1 if an admin/anti-fraud rejects it
 *   inviteeCustomers  +1 when such an invitee buys for the first time (-1 if the referral is rejected later)
 *   content           reserved for UGC (buyer shows, reviews)
 * score = reach·1 + invitees·5 + inviteeCustomers·20 + content·10 (SOCIAL_SCORE_WEIGHTS), a generated column.
 *
 * Wallet value (RFM) comes from purchase sources registered by the modules that own purchases (online
 * orders, counter purchases): each answers count, amount and last purchase time for a user.
 */
import type { Rfm, SocialLeaderboardItem, SocialValue } from '@siyu/shared'
import type { Db, DbOrTx } from '../../db/client'
import { AppError, isAppError } from '../../http/errors'
import type { Clock } from '../../lib/clock'
import * as funnel from '../funnel/funnel.service'
import * as members from '../members/members.service'
import * as tenancy from '../tenancy/tenancy.service'
import * as repo from './social.repo'

// ---- counters ---------------------------------------------------------------------------------

export async function inviteeBound(tx: DbOrTx, merchantId: string, inviterId: string, now: Date) {
  await repo.bump(tx, merchantId, inviterId, { invitees: 1 }, now)
}

/** A referral rejected after it was counted: it no longer counts, nor does its conversion. */
export async function inviteeRemoved(tx: DbOrTx, merchantId: string, inviterId: string, wasCustomer: boolean, now: Date) {
  await repo.bump(tx, merchantId, inviterId, { invitees: -1, inviteeCustomers: wasCustomer ? -1 : 0 }, now)
}

export async function inviteeBecameCustomer(tx: DbOrTx, merchantId: string, inviterId: string, now: Date) {
  await repo.bump(tx, merchantId, inviterId, { inviteeCustomers: 1 }, now)
}

async function userExists(tx: DbOrTx, merchantId: string, userId: string): Promise<boolean> {
  try {
    await members.getUser(tx, merchantId, userId)
    return true
  } catch (e) {
    if (isAppError(e) && e.code === 'USER_NOT_FOUND') return false
    throw e
  }
}

/** Funnel events listener: shares count for the sharer; a first open of someone's share widens their reach. */
export function eventsListener(clock: Clock): funnel.EventsListener {
  return async (tx, merchantId, userId, events) => {
    const now = clock.now()
    const shares = events.filter((e) => e.type === 'share').length
    if (shares > 0) await repo.bump(tx, merchantId, userId, { shares }, now)
    const sharers = new Set(events.filter((e) => e.type === 'share_open' && e.sharerId && e.sharerId !== userId).map((e) => e.sharerId!))
    for (const sharerId of sharers) {
      // sharerId comes from the client: only a real user of this merchant gains reach
      if (!(await userExists(tx, merchantId, sharerId))) continue
      if (await repo.insertOpen(tx, merchantId, sharerId, userId, now)) await repo.bump(tx, merchantId, sharerId, { reach: 1 }, now)
    }
  }
}

/** Subscribes social value to the funnel's events (called once at app creation). */
export function registerHooks(clock: Clock) {
  funnel.onEventsRecorded('social', ['share', 'share_open'], eventsListener(clock))
}

// ---- reads ------------------------------------------------------------------------------------

function valueOf(s: repo.StatsRow | null): SocialValue {
  return {
    reach: s?.reach ?? 0,
    shares: s?.shares ?? 0,
    invitees: s?.invitees ?? 0,
    inviteeCustomers: s?.inviteeCustomers ?? 0,
    content: s?.content ?? 0,
    score: s?.score ?? 0,
  }
}

export async function socialValueOf(db: DbOrTx, merchantId: string, userId: string): Promise<SocialValue> {
  return valueOf(await repo.findStats(db, merchantId, userId))
}

/** Key opinion consumers: the merchant's users by social value score (score > 0 only). */
export async function leaderboard(db: Db, merchantId: string, limit: number): Promise<{ items: SocialLeaderboardItem[] }> {
  const rows = await repo.top(db, merchantId, limit)
  const users = await Promise.all(rows.map((r) => members.getUser(db, merchantId, r.userId)))
  return {
    items: rows.map((r, i) => ({
      rank: i + 1,
      userId: r.userId,
      nickname: users[i]!.nickname,
      avatarUrl: users[i]!.avatarUrl,
      stage: users[i]!.stage,
      ...valueOf(r),
    })),
  }
}

// ---- wallet value (RFM) ------------------------------------------------------------------------

export type PurchaseTotals = { count: number; amountFen: number; lastAt: Date | null }
/** A module that owns purchases answers for one user (net of refunds where it knows them). */
export type PurchaseSource = (db: DbOrTx, merchantId: string, userId: string) => Promise<PurchaseTotals>
const purchaseSources = new Map<string, PurchaseSource>()

/** Registered by name at app creation by the modules owning purchases (payments, staff desk). */
export function registerPurchaseSource(name: string, source: PurchaseSource) {
  purchaseSources.set(name, source)
}

/** null when no module answers for purchases (nothing to compute from); otherwise the sum over all sources. */
export async function rfmOf(db: DbOrTx, merchantId: string, userId: string, now: Date): Promise<Rfm | null> {
  if (purchaseSources.size === 0) return null
  let count = 0
  let amountFen = 0
  let lastAt: Date | null = null
  for (const source of purchaseSources.values()) {
    const t = await source(db, merchantId, userId)
    count += t.count
    amountFen += t.amountFen
    if (t.lastAt && (!lastAt || t.lastAt > lastAt)) lastAt = t.lastAt
  }
  return {
    recencyDays: lastAt ? Math.max(0, Math.floor((now.getTime() - lastAt.getTime()) / 86_400_000)) : null,
    frequency: count,
    monetaryFen: amountFen,
    lastPurchaseAt: lastAt?.toISOString() ?? null,
  }
}

/** What admins (GET /admin/v1/users/:id) and a customer's guide see beside the profile. */
export async function insightsOf(db: DbOrTx, merchantId: string, userId: string, now: Date): Promise<{ socialValue: SocialValue; rfm: Rfm | null }> {
  return { socialValue: await socialValueOf(db, merchantId, userId), rfm: await rfmOf(db, merchantId, userId, now) }
}

/**
 * A staff member sees the social and wallet value of their own customers: a guide those they serve,
 * a manager those served by guides of their store. Anyone else's customer is not found.
 */
export async function customerInsightsForStaff(
  db: Db,
  s: { merchantId: string; staffId: string; storeId: string; role: string },
  userId: string,
  now: Date,
) {
  const u = await members.getUser(db, s.merchantId, userId)
  let mine = u.guideStaffId === s.staffId
  if (!mine && s.role === 'manager' && u.guideStaffId) {
    const guide = await tenancy.findStaffById(db, s.merchantId, u.guideStaffId)
    mine = guide?.storeId === s.storeId
  }
  if (!mine) throw new AppError('USER_NOT_FOUND')
  return { userId: u.id, nameMasked: members.maskName(u.nickname), stage: u.stage, ...(await insightsOf(db, s.merchantId, userId, now)) }
}
