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
import { AppError } from '../../http/errors'
import { addDays, businessDay, startOfBusinessDay } from '../../lib/time'
import type { ScheduledJob } from '../jobs/jobs.service'
import * as membersService from '../members/members.service'
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

/** The first result of a key, or IDEMPOTENCY_CONFLICT if the key was used for something else. */
function replayOf(e: repo.EntryRow, op: Op): Applied {
  if (e.kind !== op.kind || e.userId !== op.userId || e.amount !== op.signed) {
    throw new AppError('IDEMPOTENCY_CONFLICT', { idempotencyKey: op.idempotencyKey })
  }
  return { entryId: e.id, kind: e.kind as LedgerKind, amount: e.amount, balance: e.balanceAfter, replayed: true, debtChange: e.debtChange }
}

async function apply(tx: DbOrTx, op: Op): Promise<Applied> {
  if (!op.idempotencyKey) invalid('idempotencyKey', 'required')
  const isCredit = op.signed > 0
  let acc = await repo.lockAccount(tx, op.merchantId, op.userId)
  if (!acc) {
    // no account yet: a replay (of another user's key) or a stranger must not create one
    const seen = await repo.findEntryByKey(tx, op.merchantId, op.idempotencyKey)
    if (seen) return replayOf(seen, op)
    await membersService.getUser(tx, op.merchantId, op.userId)
    if (!isCredit && op.kind !== 'clawback') throw new AppError('POINTS_INSUFFICIENT', { balance: 0, needed: -op.signed })
    await repo.ensureAccount(tx, op.merchantId, op.userId)
    acc = (await repo.lockAccount(tx, op.merchantId, op.userId))!
  }
  // checked under the lock: a request with the same key may have committed while we waited for it
  const seen = await repo.findEntryByKey(tx, op.merchantId, op.idempotencyKey)
  if (seen) return replayOf(seen, op)

  // debits need every held lot (the due ones are expired first, the rest consumed); credits only the due ones
  const held = isCredit ? null : await repo.heldLotsForUpdate(tx, acc.id)
  const nowMs = op.now.getTime()
  const isDue = (l: repo.LotRow) => l.expiresAt !== null && l.expiresAt.getTime() <= nowMs
  const due = held ? held.filter(isDue) : await repo.dueLotsForUpdate(tx, acc.id, op.now)
  const dueSum = due.reduce((s, l) => s + l.remaining, 0)
  const live = acc.balance - dueSum

  let debtChange = 0
  let take = 0
  if (isCredit) {
    debtChange = -Math.min(op.signed, acc.debt)
  } else if (op.kind === 'clawback') {
    take = Math.min(live, -op.signed)
    debtChange = -op.signed - take
  } else {
    take = -op.signed
    if (live < take) throw new AppError('POINTS_INSUFFICIENT', { balance: live, needed: take })
  }

  let balance = acc.balance
  if (due.length > 0) balance = (await expireLots(tx, acc, due, op.now)).balance

  const credited = isCredit ? op.signed + debtChange : 0
  const debt = acc.debt + debtChange
  balance = balance + credited - take
  const entry = await repo.insertEntry(tx, {
    merchantId: op.merchantId,
    accountId: acc.id,
    userId: op.userId,
    kind: op.kind,
    amount: op.signed,
    debtChange,
    balanceAfter: balance,
    debtAfter: debt,
    reasonCode: op.reasonCode,
    reason: op.reason ?? null,
    idempotencyKey: op.idempotencyKey,
    sourceType: op.source?.type ?? null,
    sourceId: op.source?.id ?? null,
    createdAt: op.now,
  })
  // only reachable when the key belongs to another user's in-flight entry: always a conflict
  if (!entry) return replayOf((await repo.findEntryByKey(tx, op.merchantId, op.idempotencyKey))!, op)

  if (take > 0) await repo.consumeLots(tx, op.merchantId, entry.id, allocate(held!.filter((l) => !isDue(l)), take))
  if (credited > 0) {
    const expiresAt = op.expiresAt !== undefined ? op.expiresAt : await policyExpiry(tx, op.merchantId, op.now)
    await repo.insertLot(tx, { merchantId: op.merchantId, accountId: acc.id, entryId: entry.id, amount: credited, remaining: credited, expiresAt, createdAt: op.now })
  }
  await repo.updateAccount(tx, acc.id, {
    balance,
    debt,
    lifetimeEarned: acc.lifetimeEarned + (op.kind === 'earn' ? op.signed : 0),
    updatedAt: op.now,
  })
  return { entryId: entry.id, kind: op.kind, amount: op.signed, balance, replayed: false, debtChange }
}

/** Takes `amount` from lots already in consumption order. */
function allocate(lots: repo.LotRow[], amount: number): repo.Take[] {
  const takes: repo.Take[] = []
  let left = amount
  for (const l of lots) {
    if (left === 0) break
    const n = Math.min(l.remaining, left)
    takes.push({ lotId: l.id, amount: n })
    left -= n
  }
  // the locked balance says the lots hold enough; anything else is a broken invariant, not a user error
  if (left > 0) throw new Error(`points lots of the account hold ${amount - left} < ${amount}`)
  return takes
}

/**
 * Expires `lots` (due, locked, of the locked account `acc`) in one `expire` entry and lowers the balance.
 * Its key is derived from the first lot: a lot is expired once, so the key is unique and a rerun finds nothing.
 */
async function expireLots(tx: DbOrTx, acc: repo.AccountRow, lots: repo.LotRow[], now: Date) {
  const points = lots.reduce((s, l) => s + l.remaining, 0)
  const balance = acc.balance - points
  const entry = await repo.insertEntry(tx, {
    merchantId: acc.merchantId,
    accountId: acc.id,
    userId: acc.userId,
    kind: 'expire',
    amount: -points,
    debtChange: 0,
    balanceAfter: balance,
    debtAfter: acc.debt,
    reasonCode: 'expired',
    reason: null,
    idempotencyKey: `expire:${lots[0]!.id}`,
    sourceType: null,
    sourceId: null,
    createdAt: now,
  })
  if (!entry) throw new Error(`expire entry for lot ${lots[0]!.id} exists while the lot still holds points`)
  await repo.consumeLots(tx, acc.merchantId, entry.id, lots.map((l) => ({ lotId: l.id, amount: l.remaining })))
  await repo.updateAccount(tx, acc.id, { balance, debt: acc.debt, lifetimeEarned: acc.lifetimeEarned, updatedAt: now })
  acc.balance = balance
  return { balance, points }
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

async function policyExpiry(db: DbOrTx, merchantId: string, now: Date): Promise<Date | null> {
  const policy = policyOf(await repo.findPolicy(db, merchantId))
  if (policy.mode === 'never') return null
  return expiryFor(policy, now, await tenancyService.merchantTimezone(db, merchantId))
}

/** The merchant's expiry policy and time zone, for callers crediting many rows (expiryFor is then pure). */
export async function expiryContext(db: DbOrTx, merchantId: string): Promise<{ policy: PointsExpiryPolicy; tz: string }> {
  return { policy: policyOf(await repo.findPolicy(db, merchantId)), tz: await tenancyService.merchantTimezone(db, merchantId) }
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
  return policyView(await repo.upsertPolicy(db, { merchantId, ...policyColumns(expiry), updatedAt: now }))
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
        const acc = await repo.lockAccountById(tx, accountId)
        let n = 0
        let p = 0
        if (!acc) return { n, p }
        for (;;) {
          const due = await repo.dueLotsForUpdate(tx, accountId, now, batchSize)
          if (due.length === 0) break
          p += (await expireLots(tx, acc, due, now)).points
          n += due.length
        }
        return { n, p }
      })
      lots += r.n
      points += r.p
    }
  }
  return { lots, points }
}

/** Nightly sweep of expired points (debits expire due lots themselves, so the sweep's timing is not critical). */
export const pointsExpiryJob: ScheduledJob = {
  name: 'points-expiry',
  cron: '10 0 * * *',
  timezone: 'Asia/Shanghai',
  run: async (ctx) => expireDue(ctx.db, ctx.clock.now()),
}
