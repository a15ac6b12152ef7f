/**
 * Points ledger: the one module through which every other module (check-in, staff awards, orders,
 * lotteries, tasks) credits or debits a user's points.
 *
 * Model. One account per (merchant, user) with `balance` and `debt`; an append-only `points_entries`
 * ledger; `points_lots` (what each credit added, what is left, when it expires); and
 * `points_lot_consumptions` (which lots each debit took). Debits consume lots soonest-expiry-first,
 * never-expiring lots last.
 *
 * Debt policy. A clawback (e.g. an order refunded after its points were spent) takes what the balance
 * allows; the shortfall becomes `debt` on the account — the balance never goes negative. Any later
 * credit (earn or positive adjust) first pays off the debt; only the rest becomes spendable (and gets a
 * lot). The entry records it: `debt_change` < 0 on a credit that paid debt, > 0 on a clawback that
 * created debt. Debt and a positive balance never coexist. Spends, expiry and negative adjusts never
 * touch the debt.
 *
 * Invariants (per account):
 *   balance - debt == sum(entries.amount)      debt == sum(entries.debt_change)
 *   balance == sum(lots.remaining)             balance >= 0, debt >= 0, balance = 0 or debt = 0
 *   lifetime_earned == sum(entries.amount where kind = 'earn')
 *   after expireDue(now): no lot with expires_at <= now has remaining > 0
 * Points past their expiry but not yet swept by the nightly job are never spendable: every write first
 * expires the account's due lots in the same transaction, and getSummary reports them as gone.
 *
 * Concurrency. Every write locks the account row (SELECT ... FOR UPDATE) before reading lots, so writes
 * to one account are serialised; the idempotency key is checked under that lock. The functions run in
 * the CALLER's transaction and never open their own: pass a transaction, not the pool.
 *
 * Errors (AppError, raised before anything is written, so a caller may catch them and go on with its
 * transaction): VALIDATION_FAILED, USER_NOT_FOUND (not a user of this merchant), POINTS_INSUFFICIENT,
 * IDEMPOTENCY_CONFLICT. (One exception: a key that another user's still-uncommitted entry holds is only
 * detected at the insert, after the account's due lots were expired — writes that are correct on their own.)
 */
import { DEFAULT_POINTS_EXPIRY, MAX_POINTS_AMOUNT, type PointsExpiryPolicy, type PointsLedgerItem, type PointsLedgerPage, type PointsPolicy } from '@siyu/shared'
import type { Db, DbOrTx } from '../../db/client'
import { one, statement } from '../../db/raw'
import { MerchantCache, merchantConfigChanged } from '../../lib/cache'
import { AppError } from '../../http/errors'
import { addDays, businessDay, startOfBusinessDay } from '../../lib/time'
import type { ScheduledJob } from '../jobs/jobs.service'
import * as tenancyService from '../tenancy/tenancy.service'
import * as repo from './points.repo'

export type PointsSource = { type: string; id: string }
export type LedgerKind = 'earn' | 'spend' | 'expire' | 'adjust' | 'clawback'
/** `amount` is the signed amount of the entry (earn +, spend/expire/clawback -, adjust ±); `balance` the balance after it. */
export type LedgerResult = { entryId: string; kind: LedgerKind; amount: number; balance: number; replayed: boolean }
export type ClawbackResult = LedgerResult & { clawed: number; debt: number }

type Common = { merchantId: string; userId: string; reasonCode: string; reason?: string; idempotencyKey: string; source?: PointsSource; now: Date }
export type EarnInput = Common & { amount: number; expiresAt?: Date | null }
export type SpendInput = Common & { amount: number }
/** `expiresAt` (credits only): omit = merchant policy, null = never — as for earn. */
export type AdjustInput = Common & { amount: number; expiresAt?: Date | null }
export type ClawbackInput = Common & { amount: number }

/** Credits points; with debt on the account, the debt is paid first. `expiresAt` omitted = merchant policy, null = never. */
export async function earn(tx: DbOrTx, i: EarnInput): Promise<LedgerResult> {
  positive(i.amount)
  if (i.expiresAt && i.expiresAt.getTime() <= i.now.getTime()) invalid('expiresAt', 'must be after now')
  return strip(await apply(tx, { ...i, kind: 'earn', signed: i.amount }))
}

/** Debits points; fewer than `amount` spendable -> POINTS_INSUFFICIENT { balance, needed }, nothing written. */
export async function spend(tx: DbOrTx, i: SpendInput): Promise<LedgerResult> {
  positive(i.amount)
  return strip(await apply(tx, { ...i, kind: 'spend', signed: -i.amount }))
}

/** A signed manual correction: positive behaves like an earn (pays debt, gets a policy expiry), negative like a spend. */
export async function adjust(tx: DbOrTx, i: AdjustInput): Promise<LedgerResult> {
  if (!Number.isSafeInteger(i.amount) || i.amount === 0 || Math.abs(i.amount) > MAX_POINTS_AMOUNT) invalid('amount', 'must be a non-zero integer')
  if (i.expiresAt && i.expiresAt.getTime() <= i.now.getTime()) invalid('expiresAt', 'must be after now')
  return strip(await apply(tx, { ...i, kind: 'adjust', signed: i.amount }))
}

/** Takes back up to `amount`: what the balance allows is `clawed`, the shortfall is recorded as `debt` (this entry's). */
export async function clawback(tx: DbOrTx, i: ClawbackInput): Promise<ClawbackResult> {
  positive(i.amount)
  const r = await apply(tx, { ...i, kind: 'clawback', signed: -i.amount })
  return { ...strip(r), clawed: -r.amount - r.debtChange, debt: r.debtChange }
}

// ---------------------------------------------------------------------------------------------

type Op = Common & { kind: Exclude<LedgerKind, 'expire'>; signed: number; expiresAt?: Date | null }
type Applied = LedgerResult & { debtChange: number }

function positive(amount: number) {
  if (!Number.isSafeInteger(amount) || amount <= 0 || amount > MAX_POINTS_AMOUNT) invalid('amount', `must be an integer in 1..${MAX_POINTS_AMOUNT}`)
}

function invalid(path: string, message: string): never {
  throw new AppError('VALIDATION_FAILED', { issues: [{ path, message, code: 'custom' }] })
}

function strip(r: Applied): LedgerResult {
  return { entryId: r.entryId, kind: r.kind, amount: r.amount, balance: r.balance, replayed: r.replayed }
}

type ApplyRow = { status: 'ok' | 'replay' | 'conflict' | 'no_user' | 'insufficient'; entryId: string | null; balance: number; debtChange: number }
// The write itself is one database function (server/drizzle/0001_points_ledger_functions.sql, current
// definition in 0006_fewer_locks_one_call_purchase.sql): the
// account lock, the replay check, expiring due lots, the entry, the lots it takes or adds and the new
// balance in a single round trip.
const applyStatement = statement<ApplyRow>(
  'points_apply',
  'SELECT status, entry_id AS "entryId", balance, debt_change AS "debtChange" FROM points_apply($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)',
)

async function apply(tx: DbOrTx, op: Op): Promise<Applied> {
  if (!op.idempotencyKey) invalid('idempotencyKey', 'required')
  const isCredit = op.signed > 0
  const expiresAt = !isCredit ? null : op.expiresAt !== undefined ? op.expiresAt : await policyExpiry(tx, op.merchantId, op.now)
  const r = (await one(tx, applyStatement, [
    op.merchantId,
    op.userId,
    op.kind,
    op.signed,
    op.idempotencyKey,
    op.reasonCode,
    op.reason ?? null,
    op.source?.type ?? null,
    op.source?.id ?? null,
    op.now,
    expiresAt,
  ]))!
  switch (r.status) {
    case 'ok':
    case 'replay':
      return { entryId: r.entryId!, kind: op.kind, amount: op.signed, balance: r.balance, replayed: r.status === 'replay', debtChange: r.debtChange }
    case 'conflict':
      throw new AppError('IDEMPOTENCY_CONFLICT', { idempotencyKey: op.idempotencyKey })
    case 'no_user':
      throw new AppError('USER_NOT_FOUND')
    case 'insufficient':
      throw new AppError('POINTS_INSUFFICIENT', { balance: r.balance, needed: -op.signed })
  }
}

// ---- expiry policy ----------------------------------------------------------------------------

function policyOf(row: repo.PolicyRow | null): PointsExpiryPolicy {
  if (!row) return DEFAULT_POINTS_EXPIRY
  if (row.expiryMode === 'months_after_earn') return { mode: 'months_after_earn', months: row.expiryValue! }
  if (row.expiryMode === 'days_after_earn') return { mode: 'days_after_earn', days: row.expiryValue! }
  return { mode: 'never' }
}

/**
 * When points earned at `earnedAt` expire under `policy`, in time zone `tz`: the start of the local day
 * after the last valid one. months_after_earn 12, earned 2026-03-15 -> 2027-04-01T00:00 local
 * (valid through 2027-03-31); days_after_earn 30, earned 2026-03-15 -> 2026-04-15T00:00 local.
 */
export function expiryFor(policy: PointsExpiryPolicy, earnedAt: Date, tz: string): Date | null {
  if (policy.mode === 'never') return null
  const day = businessDay(earnedAt, tz)
  if (policy.mode === 'days_after_earn') return startOfBusinessDay(addDays(day, policy.days + 1), tz)
  const [y, m] = day.split('-').map(Number) as [number, number]
  const month = y * 12 + (m - 1) + policy.months + 1
  const first = `${Math.floor(month / 12)}-${String((month % 12) + 1).padStart(2, '0')}-01`
  return startOfBusinessDay(first, tz)
}

/** When points credited now expire under the merchant's policy (null = never); cached, no query in steady state. */
export async function policyExpiry(db: DbOrTx, merchantId: string, now: Date): Promise<Date | null> {
  const { policy, tz } = await expiryContext(db, merchantId)
  return expiryFor(policy, now, tz)
}

// every credit needs the policy: cached per process, dropped when setPolicy writes (lib/cache.ts)
const expiryContexts = new MerchantCache<{ policy: PointsExpiryPolicy; tz: string }>(60_000)

/** The merchant's expiry policy and time zone, for callers crediting many rows (expiryFor is then pure). */
export async function expiryContext(db: DbOrTx, merchantId: string): Promise<{ policy: PointsExpiryPolicy; tz: string }> {
  return expiryContexts.get(merchantId, async () => ({
    policy: policyOf(await repo.findPolicy(db, merchantId)),
    tz: await tenancyService.merchantTimezone(db, merchantId),
  }))
}

function policyView(row: repo.PolicyRow): PointsPolicy {
  return { expiry: policyOf(row), updatedAt: row.updatedAt.toISOString() }
}

/** The merchant's expiry policy; the default row is written on first read. */
export async function getPolicy(db: Db, merchantId: string, now: Date): Promise<PointsPolicy> {
  let row = await repo.findPolicy(db, merchantId)
  if (!row) {
    await repo.insertPolicyIfMissing(db, { merchantId, ...policyColumns(DEFAULT_POINTS_EXPIRY), updatedAt: now })
    row = (await repo.findPolicy(db, merchantId))!
  }
  return policyView(row)
}

/** Applies to points credited from now on; existing lots keep their expiry. */
export async function setPolicy(db: Db, merchantId: string, expiry: PointsExpiryPolicy, now: Date): Promise<PointsPolicy> {
  const row = await repo.upsertPolicy(db, { merchantId, ...policyColumns(expiry), updatedAt: now })
  await merchantConfigChanged(db, merchantId)
  return policyView(row)
}

function policyColumns(p: PointsExpiryPolicy) {
  return { expiryMode: p.mode, expiryValue: p.mode === 'months_after_earn' ? p.months : p.mode === 'days_after_earn' ? p.days : null }
}

// ---- reads ------------------------------------------------------------------------------------

const SOON_MS = 30 * 24 * 3600 * 1000

/** Balance as spendable at `now` (points past expiry are excluded even before the nightly sweep). */
export async function getSummary(db: DbOrTx, merchantId: string, userId: string, now: Date) {
  const snap = await repo.accountSnapshot(db, merchantId, userId, now)
  if (!snap) return { balance: 0, debt: 0, expiringSoon: [], lifetimeEarned: 0 }
  const soon = await repo.expiringBetween(db, snap.accountId, now, new Date(now.getTime() + SOON_MS))
  return {
    balance: snap.balance - snap.due,
    debt: snap.debt,
    expiringSoon: soon.map((s) => ({ amount: Number(s.amount), at: s.at!.toISOString() })),
    lifetimeEarned: snap.lifetimeEarned,
  }
}

function encodeCursor(e: repo.EntryRow): string {
  return Buffer.from(`${e.createdAt.toISOString()}|${e.seq}`).toString('base64url')
}

function decodeCursor(c: string): repo.EntryCursor {
  const [at, seq] = Buffer.from(c, 'base64url').toString().split('|')
  const createdAt = new Date(at ?? '')
  const n = Number(seq)
  if (Number.isNaN(createdAt.getTime()) || !Number.isSafeInteger(n)) invalid('cursor', 'malformed cursor')
  return { createdAt, seq: n }
}

export function ledgerItem(e: repo.EntryRow): PointsLedgerItem {
  return {
    id: e.id,
    kind: e.kind as LedgerKind,
    amount: e.amount,
    debtChange: e.debtChange,
    balanceAfter: e.balanceAfter,
    reasonCode: e.reasonCode,
    reason: e.reason,
    source: e.sourceType ? { type: e.sourceType, id: e.sourceId ?? '' } : null,
    createdAt: e.createdAt.toISOString(),
  }
}

/** The user's ledger, newest first; the cursor is opaque to clients. */
export async function getLedger(db: DbOrTx, merchantId: string, userId: string, q: { cursor?: string; limit: number }): Promise<PointsLedgerPage> {
  const rows = await repo.listEntries(db, merchantId, userId, q.limit + 1, q.cursor ? decodeCursor(q.cursor) : null)
  const page = rows.slice(0, q.limit)
  return { items: page.map(ledgerItem), nextCursor: rows.length > q.limit ? encodeCursor(page[page.length - 1]!) : null }
}

// ---- expiry job -------------------------------------------------------------------------------

/**
 * Expires every lot due at `now`: per account one transaction (account row locked first, then its
 * lots), one `expire` entry per batch of lots. Safe to run twice or alongside spends: a rerun finds
 * no due lots, and a spend that got the lock first has already expired them itself.
 */
export async function expireDue(db: Db, now: Date, opts: { batchSize?: number } = {}): Promise<{ lots: number; points: number }> {
  const batchSize = opts.batchSize ?? 500
  let lots = 0
  let points = 0
  for (;;) {
    const accounts = await repo.accountsWithDueLots(db, now, 200)
    if (accounts.length === 0) break
    for (const accountId of accounts) {
      const r = await db.transaction(async (tx) => {
        let n = 0
        let p = 0
        if (!(await repo.lockAccountById(tx, accountId))) return { n, p }
        for (;;) {
          const batch = (await one(tx, expireStatement, [accountId, now, batchSize]))!
          if (batch.lots === 0) break
          n += batch.lots
          p += batch.points
        }
        return { n, p }
      })
      lots += r.n
      points += r.p
    }
  }
  return { lots, points }
}

const expireStatement = statement<{ lots: number; points: number }>('points_expire_lots', 'SELECT lots, points FROM points_expire_lots($1, $2, $3)')

/** Nightly sweep of expired points (debits expire due lots themselves, so the sweep's timing is not critical). */
export const pointsExpiryJob: ScheduledJob = {
  name: 'points-expiry',
  cron: '10 0 * * *',
  timezone: 'Asia/Shanghai',
  run: async (ctx) => expireDue(ctx.db, ctx.clock.now()),
}
