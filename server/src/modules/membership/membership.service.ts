import {
  DEFAULT_MEMBERSHIP_POLICY,
  DEFAULT_TIERS,
  type MemberCode,
  type MembershipPolicy,
  type MembershipPolicyInput,
  type MembershipView,
  type Tier,
  type TiersInput,
} from '@siyu/shared'
import type { Db, DbOrTx } from '../../db/client'
import { one, statement } from '../../db/raw'
import { MerchantCache, merchantConfigChanged } from '../../lib/cache'
import { AppError, isUniqueViolation } from '../../http/errors'
import type { ScheduledJob } from '../jobs/jobs.service'
import * as funnel from '../funnel/funnel.service'
import * as members from '../members/members.service'
import * as points from '../points/points.service'
import { issueMemberCode, newCardNo, newMemberCodeSecret, verifyMemberCode } from './member-code'
import * as repo from './membership.repo'

/**
 * Tier rule (documented in the README of this module's API):
 * - Tiers are graded on *qualifying growth*: growth credited in the last 12 months.
 * - Upgrade at once: when a growth credit lifts qualifying growth over a higher threshold, the tier rises
 *   in the same transaction (several levels at once if need be).
 * - Downgrade only at evaluation (evaluateTiers, daily job): a tier reached more than 12 months ago is
 *   re-graded to the highest tier the last 12 months' growth qualifies for, if lower. The new tier counts
 *   as reached at that moment, so it too is kept at least 12 months.
 * Every change is written to tier_changes.
 */
export const TIER_RETENTION_MONTHS = 12

export function monthsBefore(at: Date, months: number): Date {
  const d = new Date(at)
  d.setUTCMonth(d.getUTCMonth() - months)
  return d
}

function monthsAfter(at: Date, months: number): Date {
  return monthsBefore(at, -months)
}

// ---- configuration ------------------------------------------------------------------------------

type Config = { policy: repo.PolicyRow; tiers: Tier[] }

function toTier(t: repo.TierRow): Tier {
  return { level: t.level, name: t.name, threshold: t.threshold, multiplierPermille: t.multiplierPermille, checkinBonus: t.checkinBonus }
}

// read on every scan, purchase and check-in: cached per process, dropped by setPolicy/setTiers (lib/cache.ts)
const configs = new MerchantCache<Config>(60_000)
class NotSeeded extends Error {}

async function readConfig(db: DbOrTx, merchantId: string): Promise<Config> {
  const policy = await repo.findPolicy(db, merchantId)
  if (!policy) throw new NotSeeded()
  return { policy, tiers: (await repo.listTiers(db, merchantId)).map(toTier) }
}

/**
 * The merchant's policy and tiers (shared, cached objects: don't mutate), seeding the defaults on first
 * use (so every merchant works out of the box).
 */
export async function loadConfig(db: DbOrTx, merchantId: string): Promise<Config> {
  try {
    return await configs.get(merchantId, () => readConfig(db, merchantId))
  } catch (e) {
    if (!(e instanceof NotSeeded)) throw e
  }
  // first use: seeded here, not cached (the caller's transaction may still roll the seed back)
  let policy = await repo.findPolicy(db, merchantId)
  if (!policy) {
    await db.transaction(async (tx) => {
      const inserted = await repo.insertPolicyIfMissing(tx, { merchantId, ...DEFAULT_MEMBERSHIP_POLICY, memberCodeSecret: newMemberCodeSecret(), updatedAt: null })
      if (inserted) await repo.replaceTiers(tx, merchantId, DEFAULT_TIERS.map((t, level) => ({ ...t, level })))
    })
    policy = (await repo.findPolicy(db, merchantId))!
  }
  const tiers = (await repo.listTiers(db, merchantId)).map(toTier)
  return { policy, tiers }
}

/** The merchant's tiers (cached; seeds the configuration when there is none yet). */
export async function tiersOf(db: DbOrTx, merchantId: string): Promise<Tier[]> {
  return (await loadConfig(db, merchantId)).tiers
}

/** The tier of a stored level; a level above the current list (tiers were removed) counts as the top tier. */
export function tierAt(tiers: Tier[], level: number): Tier {
  return tiers[Math.min(level, tiers.length - 1)]!
}

/** Highest tier whose threshold the growth reaches (the first tier starts at 0). */
export function levelFor(tiers: Tier[], growth: number): number {
  let level = 0
  for (const t of tiers) if (t.threshold <= growth) level = t.level
  return level
}

function policyView(p: repo.PolicyRow): MembershipPolicy {
  return { phoneRequired: p.phoneRequired, pointsPerYuan: p.pointsPerYuan, growthPerYuan: p.growthPerYuan, updatedAt: p.updatedAt?.toISOString() ?? null }
}

export async function getPolicy(db: Db, merchantId: string): Promise<MembershipPolicy> {
  return policyView((await loadConfig(db, merchantId)).policy)
}

/** Applies from now on: past ledger entries and growth are never rewritten. */
export async function setPolicy(db: Db, merchantId: string, input: MembershipPolicyInput, now: Date): Promise<MembershipPolicy> {
  await loadConfig(db, merchantId)
  const row = (await repo.updatePolicy(db, merchantId, { ...input, updatedAt: now }))!
  await merchantConfigChanged(db, merchantId)
  return policyView(row)
}

export async function getTiers(db: Db, merchantId: string): Promise<{ tiers: Tier[] }> {
  return { tiers: (await loadConfig(db, merchantId)).tiers }
}

/**
 * Replaces the tier list. Members keep their level (position); a level beyond the new list counts as the
 * top tier until the next evaluation. New thresholds apply to the next growth credit and evaluation.
 */
export async function setTiers(db: Db, merchantId: string, input: TiersInput): Promise<{ tiers: Tier[] }> {
  await loadConfig(db, merchantId)
  await db.transaction((tx) => repo.replaceTiers(tx, merchantId, input.tiers.map((t, level) => ({ ...t, level }))))
  await merchantConfigChanged(db, merchantId)
  return getTiers(db, merchantId)
}

// ---- growth and tiers -----------------------------------------------------------------------------

export type GrowthResult = { growth: number; tier: Tier; upgradedFrom: Tier | null }

/** The user's tier now (the first tier when they have no membership row yet). */
export async function tierOf(db: DbOrTx, merchantId: string, userId: string): Promise<Tier> {
  const tiers = await tiersOf(db, merchantId)
  const m = await repo.findMembership(db, merchantId, userId)
  return tierAt(tiers, m?.tierLevel ?? 0)
}

/**
 * Credits growth in the caller's transaction and upgrades the tier at once when a threshold is crossed.
 * Idempotent per source (a replayed source adds nothing). Lock order: callers touch the points account
 * first and membership second, everywhere, so these transactions cannot deadlock each other.
 */
export async function addGrowth(
  tx: DbOrTx,
  merchantId: string,
  userId: string,
  amount: number,
  opts: { reason: string; source: { type: string; id: string }; now: Date },
): Promise<GrowthResult> {
  const tiers = await tiersOf(tx, merchantId)
  const { now } = opts
  // one statement: the database function membership_add_growth (server/drizzle/0003_growth_and_funnel_functions.sql)
  const r = (await one(tx, addGrowthStatement, [
    merchantId,
    userId,
    amount,
    opts.reason,
    opts.source.type,
    opts.source.id,
    now,
    ...tierRuleArgs(tiers, now),
  ]))!
  return { growth: r.growth, tier: tierAt(tiers, r.tierLevel), upgradedFrom: r.upgradedFrom === null ? null : tierAt(tiers, r.upgradedFrom) }
}

/**
 * Takes back growth a refund reverses, once per source (a replay takes nothing): a negative entry and
 * the membership's total lowered, in the caller's transaction (after its points, the lock order of
 * every growth write). The tier is not lowered here: like any fall in growth, the evaluation job
 * decides after the retention period. Returns the growth taken (0 on a replay).
 */
export async function takeBackGrowth(tx: DbOrTx, merchantId: string, userId: string, amount: number, opts: { source: { type: string; id: string }; now: Date }): Promise<number> {
  if (!Number.isSafeInteger(amount) || amount <= 0) throw new Error(`takeBackGrowth: amount ${amount}`)
  const r = await one(tx, takeBackStatement, [merchantId, userId, amount, opts.source.type, opts.source.id, opts.now])
  return r ? -r.amount : 0
}

const takeBackStatement = statement<{ amount: number }>(
  'membership_take_back_growth',
  `WITH e AS (
     INSERT INTO growth_entries (merchant_id, user_id, amount, reason, source_type, source_id, at) VALUES ($1, $2, -$3::int, 'refund', $4, $5, $6)
     ON CONFLICT (merchant_id, source_type, source_id) DO NOTHING RETURNING amount)
   UPDATE memberships ms SET growth = ms.growth + e.amount, updated_at = $6 FROM e
   WHERE ms.merchant_id = $1 AND ms.user_id = $2 RETURNING e.amount`,
)

/** The tier rule as the database functions take it (p_since, p_thresholds, p_names): membership_add_growth, staff_purchase. */
export function tierRuleArgs(tiers: Tier[], now: Date): [Date, string, string[]] {
  return [monthsBefore(now, TIER_RETENTION_MONTHS), `{${tiers.map((t) => t.threshold).join(',')}}`, tiers.map((t) => t.name)]
}

const addGrowthStatement = statement<{ growth: number; tierLevel: number; upgradedFrom: number | null }>(
  'membership_add_growth',
  'SELECT growth, tier_level AS "tierLevel", upgraded_from AS "upgradedFrom" FROM membership_add_growth($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
)

/** Points and growth of a purchase: per whole yuan (the fen part earns nothing), then the tier multiplier (per-mille, floor). */
export function purchaseRewards(policy: { pointsPerYuan: number; growthPerYuan: number }, multiplierPermille: number, amountFen: number) {
  const yuan = Math.floor(amountFen / 100)
  return { points: Math.floor((yuan * policy.pointsPerYuan * multiplierPermille) / 1000), growth: yuan * policy.growthPerYuan }
}

/** Re-grades members whose tier is past its retention period (see the tier rule above). Plain function: the job and tests call it. */
export async function evaluateTiers(db: Db, now: Date): Promise<{ reviewed: number; downgraded: number }> {
  const since = monthsBefore(now, TIER_RETENTION_MONTHS)
  const tiersByMerchant = new Map<string, Tier[]>()
  let after: string | null = null
  let reviewed = 0
  let downgraded = 0
  for (;;) {
    const batch = await repo.tierReviewCandidates(db, since, after, 500)
    if (batch.length === 0) break
    after = batch[batch.length - 1]!.id
    for (const { id } of batch) {
      reviewed++
      const changed = await db.transaction(async (tx) => {
        const m = await repo.lockMembershipById(tx, id)
        // re-checked under the lock: a purchase may have upgraded (and so renewed) the tier meanwhile
        if (!m || m.tierLevel === 0 || m.tierReachedAt > since) return false
        let tiers = tiersByMerchant.get(m.merchantId)
        if (!tiers) {
          tiers = (await repo.listTiers(tx, m.merchantId)).map(toTier)
          tiersByMerchant.set(m.merchantId, tiers)
        }
        if (tiers.length === 0) return false
        const qualifying = await repo.growthBetween(tx, m.merchantId, m.userId, since, now)
        const target = levelFor(tiers, qualifying)
        const fromLevel = Math.min(m.tierLevel, tiers.length - 1)
        if (target >= fromLevel) return false
        await repo.setTier(tx, m.id, target, now)
        await repo.insertTierChange(tx, {
          merchantId: m.merchantId,
          userId: m.userId,
          fromLevel,
          toLevel: target,
          fromName: tierAt(tiers, fromLevel).name,
          toName: tierAt(tiers, target).name,
          reason: 'evaluation',
          qualifyingGrowth: qualifying,
          at: now,
        })
        return true
      })
      if (changed) downgraded++
    }
  }
  return { reviewed, downgraded }
}

export const tierEvaluationJob: ScheduledJob = {
  name: 'membership.evaluate-tiers',
  // daily at 03:30 Shanghai time: each member is re-graded within a day of their retention ending
  cron: '30 3 * * *',
  run: ({ db, clock }) => evaluateTiers(db, clock.now()),
}

// ---- the card -------------------------------------------------------------------------------------

/**
 * Claims the membership card. Idempotent: a second claim returns the existing card (created: false → 200).
 * Needs a bound phone when the policy says so.
 */
export async function claimCard(db: Db, merchantId: string, userId: string, now: Date): Promise<{ created: boolean; view: MembershipView }> {
  const { policy } = await loadConfig(db, merchantId)
  const existing = await repo.findMembership(db, merchantId, userId)
  if (existing?.cardNo) return { created: false, view: await getMembership(db, merchantId, userId, now) }
  if (policy.phoneRequired) {
    const u = await members.getUser(db, merchantId, userId)
    if (!u.phone) throw new AppError('PHONE_REQUIRED')
  }
  for (let attempt = 0; ; attempt++) {
    try {
      const created = await db.transaction(async (tx) => {
        await repo.ensureMembership(tx, merchantId, userId, now)
        const m = await repo.claimCard(tx, merchantId, userId, newCardNo(), now)
        if (!m) return false
        await funnel.advanceStage(tx, merchantId, userId, 'member', { cause: 'card_claimed' })
        return true
      })
      return { created, view: await getMembership(db, merchantId, userId, now) }
    } catch (e) {
      // 11 random digits: a collision is rare; draw again
      if (attempt < 4 && isUniqueViolation(e, 'memberships_merchant_card_uq')) continue
      throw e
    }
  }
}

export async function getMembership(db: Db, merchantId: string, userId: string, now: Date): Promise<MembershipView> {
  const { tiers } = await loadConfig(db, merchantId)
  const m = await repo.findMembership(db, merchantId, userId)
  const tier = tierAt(tiers, m?.tierLevel ?? 0)
  const qualifying = m ? await repo.growthBetween(db, merchantId, userId, monthsBefore(now, TIER_RETENTION_MONTHS), now) : 0
  const next = tiers[tier.level + 1]
  const summary = await points.getSummary(db, merchantId, userId, now)
  return {
    card: m?.cardNo && m.claimedAt ? { cardNo: m.cardNo, claimedAt: m.claimedAt.toISOString() } : null,
    tier,
    growth: { total: m?.growth ?? 0, qualifying },
    nextTier: next ? { ...next, growthNeeded: Math.max(0, next.threshold - qualifying) } : null,
    benefits: { pointsMultiplierPermille: tier.multiplierPermille, checkinBonus: tier.checkinBonus },
    tierKeptUntil: m && tier.level > 0 ? monthsAfter(m.tierReachedAt, TIER_RETENTION_MONTHS).toISOString() : null,
    points: { balance: summary.balance },
  }
}

// ---- member codes -----------------------------------------------------------------------------------

export async function issueCode(db: Db, merchantId: string, userId: string, now: Date): Promise<MemberCode> {
  const { policy } = await loadConfig(db, merchantId)
  const m = await repo.findMembership(db, merchantId, userId)
  if (!m?.cardNo) throw new AppError('MEMBERSHIP_REQUIRED')
  const c = issueMemberCode(policy.memberCodeSecret, m.cardNo, now.getTime())
  return { code: c.code, expiresAt: c.expiresAt.toISOString(), refreshInSeconds: c.refreshInSeconds }
}

export type ResolvedMember = {
  userId: string
  cardNo: string
  tier: Tier
  growth: number
  /** the merchant's purchase earn rule, read with the code's key */
  earnRule: { pointsPerYuan: number; growthPerYuan: number }
}

/** The card number inside a scanned member code (no query); forged, expired or another merchant's → MEMBER_CODE_INVALID. */
export function cardNoOfCode(config: Config, code: string, now: Date): string {
  const cardNo = verifyMemberCode(config.policy.memberCodeSecret, code, now.getTime())
  if (!cardNo) throw new AppError('MEMBER_CODE_INVALID')
  return cardNo
}

/** The member behind a scanned code of this merchant; forged, expired or another merchant's → MEMBER_CODE_INVALID. */
export async function resolveMemberCode(db: DbOrTx, merchantId: string, code: string, now: Date): Promise<ResolvedMember> {
  const { policy, tiers } = await loadConfig(db, merchantId)
  const cardNo = verifyMemberCode(policy.memberCodeSecret, code, now.getTime())
  const m = cardNo ? await repo.findByCardNo(db, merchantId, cardNo) : null
  if (!cardNo || !m) throw new AppError('MEMBER_CODE_INVALID')
  const earnRule = { pointsPerYuan: policy.pointsPerYuan, growthPerYuan: policy.growthPerYuan }
  return { userId: m.userId, cardNo, tier: tierAt(tiers, m.tierLevel), growth: m.growth, earnRule }
}

// ---- for other modules (staff desk) -------------------------------------------------------------------

export type MemberInfo = { tier: Tier; isMember: boolean; growth: number }

export async function memberInfoOf(db: DbOrTx, merchantId: string, userIds: string[]): Promise<Map<string, MemberInfo>> {
  const tiers = await tiersOf(db, merchantId)
  const rows = await repo.membershipsOf(db, merchantId, userIds)
  const byUser = new Map(rows.map((r) => [r.userId, r]))
  return new Map(
    userIds.map((id) => {
      const r = byUser.get(id)
      return [id, { tier: tierAt(tiers, r?.tierLevel ?? 0), isMember: !!r?.cardNo, growth: r?.growth ?? 0 }]
    }),
  )
}

export async function countClaimedAmong(db: DbOrTx, merchantId: string, userIds: string[], from: Date, to: Date): Promise<number> {
  return repo.countClaimedAmong(db, merchantId, userIds, from, to)
}
