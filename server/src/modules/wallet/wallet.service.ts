/**
 * Cash wallet: the one module through which money owed to a user (red-packet slices, lottery cash
 * prizes) is credited, and through which withdrawals hold and refund it. Integer fen.
 *
 * Model. One account per (merchant, user) with `balance_fen` (CHECK >= 0) and an append-only
 * `wallet_entries` ledger whose signed amounts sum to the balance. Every entry carries an
 * idempotency key, unique per merchant: applying the same key twice returns the first result and
 * changes nothing; the same key for a different operation is IDEMPOTENCY_CONFLICT.
 *
 * Concurrency. Credits create-or-lock the account row in the statement that inserts the entry, so
 * writes to one account are serialised and `balance_after` is exact; a debit is a conditional
 * `UPDATE ... WHERE balance_fen >= amount` (never negative, never an overdraft under races). All
 * functions run in the CALLER's transaction: pass a transaction, never call anything external in it.
 */
import type { WalletLedgerItem, WalletLedgerPage } from '@siyu/shared'
import type { DbOrTx } from '../../db/client'
import { AppError } from '../../http/errors'
import * as repo from './wallet.repo'

export type WalletSource = { type: string; id: string }
export type WalletKind = repo.EntryValues['kind']
export type WalletResult = { entryId: string; kind: WalletKind; amountFen: number; balanceFen: number; replayed: boolean }

type Common = { merchantId: string; userId: string; amountFen: number; idempotencyKey: string; reasonCode: string; source?: WalletSource; now: Date }
export type CreditInput = Common
export type DebitInput = Common
export type RefundInput = Common

/** Largest single operation (¥1,000,000): keeps every sum a safe integer. */
const MAX_OPERATION_FEN = 100_000_000

function check(i: Common) {
  if (!Number.isSafeInteger(i.amountFen) || i.amountFen <= 0 || i.amountFen > MAX_OPERATION_FEN) {
    throw new AppError('VALIDATION_FAILED', { issues: [{ path: 'amountFen', message: `must be an integer in 1..${MAX_OPERATION_FEN}`, code: 'custom' }] })
  }
  if (!i.idempotencyKey) throw new AppError('VALIDATION_FAILED', { issues: [{ path: 'idempotencyKey', message: 'required', code: 'custom' }] })
}

function values(i: Common, kind: WalletKind, signed: number): repo.EntryValues {
  return {
    merchantId: i.merchantId,
    userId: i.userId,
    kind,
    amountFen: signed,
    reasonCode: i.reasonCode,
    idempotencyKey: i.idempotencyKey,
    sourceType: i.source?.type ?? null,
    sourceId: i.source?.id ?? null,
    now: i.now,
  }
}

/** The first result of a key, or IDEMPOTENCY_CONFLICT when the key was used for something else. */
function replayOf(e: repo.EntryRow, v: repo.EntryValues): WalletResult {
  if (e.kind !== v.kind || e.userId !== v.userId || e.amountFen !== v.amountFen) {
    throw new AppError('IDEMPOTENCY_CONFLICT', { idempotencyKey: v.idempotencyKey })
  }
  return { entryId: e.id, kind: e.kind as WalletKind, amountFen: e.amountFen, balanceFen: e.balanceAfterFen, replayed: true }
}

async function addCredit(tx: DbOrTx, v: repo.EntryValues): Promise<WalletResult> {
  const ins = await repo.lockAccountAndInsertCredit(tx, v)
  if (!ins) return replayOf((await repo.findEntryByKey(tx, v.merchantId, v.idempotencyKey))!, v)
  const balance = await repo.addToBalance(tx, ins.account_id, v.amountFen, v.now)
  // The account row was locked by the entry's statement, so the two must agree.
  if (balance !== Number(ins.balance_after_fen)) throw new Error(`wallet ${ins.account_id}: balance ${balance} != entry balance_after ${ins.balance_after_fen}`)
  return { entryId: ins.id, kind: v.kind, amountFen: v.amountFen, balanceFen: balance, replayed: false }
}

/** Credits winnings (red-packet slice, lottery cash prize); creates the account on first use. */
export async function credit(tx: DbOrTx, i: CreditInput): Promise<WalletResult> {
  check(i)
  return addCredit(tx, values(i, 'credit', i.amountFen))
}

/**
 * Credits under a key that cannot have been used yet because it is derived from a row the caller's
 * transaction has just created or claimed (e.g. `rp:<slice id>` for the slice it claimed): one
 * statement instead of three. Should the key exist after all, the caller's transaction aborts
 * (unique violation) rather than replaying.
 */
export async function creditNew(tx: DbOrTx, i: CreditInput): Promise<WalletResult> {
  check(i)
  const ins = await repo.creditFreshKey(tx, values(i, 'credit', i.amountFen))
  return { entryId: ins.id, kind: 'credit', amountFen: i.amountFen, balanceFen: Number(ins.balance_after_fen), replayed: false }
}

/** Gives back a withdrawal's hold (transfer failed or cancelled). Key it by the withdrawal: refunded once. */
export async function refund(tx: DbOrTx, i: RefundInput): Promise<WalletResult> {
  check(i)
  return addCredit(tx, values(i, 'withdraw_refund', i.amountFen))
}

/** Holds `amountFen` for a withdrawal; less in the wallet -> WALLET_INSUFFICIENT { balanceFen, neededFen }, nothing written. */
export async function debitForWithdrawal(tx: DbOrTx, i: DebitInput): Promise<WalletResult> {
  check(i)
  const v = values(i, 'withdraw_hold', -i.amountFen)
  const seen = await repo.findEntryByKey(tx, i.merchantId, i.idempotencyKey)
  if (seen) return replayOf(seen, v)
  const acc = await repo.debitIfCovered(tx, i.merchantId, i.userId, i.amountFen, i.now)
  if (!acc) throw new AppError('WALLET_INSUFFICIENT', { balanceFen: (await repo.findBalance(tx, i.merchantId, i.userId)) ?? 0, neededFen: i.amountFen })
  // A concurrent twin with the same key fails here on the unique key and its transaction rolls back whole.
  const e = await repo.insertEntry(tx, { ...v, accountId: acc.accountId, balanceAfterFen: acc.balanceFen })
  return { entryId: e.id, kind: 'withdraw_hold', amountFen: -i.amountFen, balanceFen: acc.balanceFen, replayed: false }
}

export async function balanceOf(db: DbOrTx, merchantId: string, userId: string): Promise<number> {
  return (await repo.findBalance(db, merchantId, userId)) ?? 0
}

// ---- ledger reads ------------------------------------------------------------------------------

function encodeCursor(e: repo.EntryRow): string {
  return Buffer.from(`${e.createdAt.toISOString()}|${e.seq}`).toString('base64url')
}

function decodeCursor(c: string): repo.EntryCursor {
  const [at, seq] = Buffer.from(c, 'base64url').toString().split('|')
  const createdAt = new Date(at ?? '')
  const n = Number(seq)
  if (Number.isNaN(createdAt.getTime()) || !Number.isSafeInteger(n)) {
    throw new AppError('VALIDATION_FAILED', { issues: [{ path: 'cursor', message: 'malformed cursor', code: 'custom' }] })
  }
  return { createdAt, seq: n }
}

function ledgerItem(e: repo.EntryRow): WalletLedgerItem {
  return {
    id: e.id,
    kind: e.kind as WalletKind,
    amountFen: e.amountFen,
    balanceAfterFen: e.balanceAfterFen,
    reasonCode: e.reasonCode,
    source: e.sourceType ? { type: e.sourceType, id: e.sourceId ?? '' } : null,
    createdAt: e.createdAt.toISOString(),
  }
}

/** The user's ledger, newest first; the cursor is opaque to clients. */
export async function getLedger(db: DbOrTx, merchantId: string, userId: string, q: { cursor?: string; limit: number }): Promise<WalletLedgerPage> {
  const rows = await repo.listEntries(db, merchantId, userId, q.limit + 1, q.cursor ? decodeCursor(q.cursor) : null)
  const page = rows.slice(0, q.limit)
  return { items: page.map(ledgerItem), nextCursor: rows.length > q.limit ? encodeCursor(page[page.length - 1]!) : null }
}
