/**
 * Withdrawals from the cash wallet to WeChat change, through merchant transfer in user-confirm mode
 * (WECHAT-CONTRACT §2.11). Never a WeChat call inside a database transaction:
 *
 *   tx1  hold the amount (conditional debit) + insert the withdrawal (`created`, out_bill_no from its id)
 *   ──   create the bill at WeChat (outside any transaction)
 *   tx2  store transfer_bill_no + package_info (`wait_user_confirm`), or, when WeChat refused it and a
 *        query proves no bill exists, `failed` + refund
 *   the MCHTRANSFER.BILL.FINISHED notification (or the reconciliation job's query) settles it:
 *        SUCCESS -> success; FAIL / CANCELLED -> failed / cancelled + refund, once.
 *
 * An unknown outcome (timeout, 5xx, unverifiable answer) leaves the withdrawal `created`; the
 * reconciliation job queries by out_bill_no and re-submits the SAME out_bill_no with the same body
 * (WeChat answers with the same bill), never a new one before a query proved failure (§7.8). The
 * refund is keyed by the withdrawal: whatever path finishes it, the money comes back exactly once.
 */
import { randomUUID } from 'node:crypto'
import type { Withdrawal, WithdrawalPage } from '@siyu/shared'
import type { Db, DbOrTx } from '../../db/client'
import { AppError, isAppError } from '../../http/errors'
import type { Clock } from '../../lib/clock'
import type { Logger } from '../../logger'
import type { PayMerchant } from '../../wechat/pay-client'
import { isPayApiError } from '../../wechat/pay-client'
import type { CreateTransferBillInput, TransferClient, TransferState } from '../../wechat/transfer-client'
import type { JobContext, ScheduledJob } from '../jobs/jobs.service'
import * as members from '../members/members.service'
import { payMerchantOf } from '../payments/payments.wechat'
import * as tenancy from '../tenancy/tenancy.service'
import * as wallet from '../wallet/wallet.service'
import * as repo from './payouts.repo'

export type PayoutsDeps = {
  db: Db
  transfers: TransferClient
  clock: Clock
  logger: Logger
  /** Withdrawal bounds in fen (WALLET_MIN/MAX_WITHDRAWAL_FEN). */
  minFen: number
  maxFen: number
  /** transfer_scene_id (TRANSFER_SCENE_ID). */
  sceneId: string
  /** Open withdrawals unchanged this long are queried (TRANSFER_RECONCILE_AFTER_MINUTES). */
  reconcileAfterMs: number
  /** `${PUBLIC_BASE_URL}/wechat/transfer/notify`, or null while no public URL is known. */
  notifyUrl(): string | null
  /** Wall-clock unix seconds for notification signature freshness. */
  nowSeconds(): number
}

export const TRANSFER_NOTIFY_PATH = '/wechat/transfer/notify'
const FINAL: readonly repo.TransferStatus[] = ['success', 'failed', 'cancelled']
/** WeChat accepts a package_info for 24 hours; an unconfirmed bill after that is cancelled (money back). */
const PACKAGE_TTL_MS = 24 * 3600 * 1000

/** Report infos and the payee's wording per transfer scene (the strings WeChat checks, §2.11.1). */
const SCENES: Record<string, { infos: [string, string][]; perception: string }> = {
  '1000': { infos: [['活动名称', '红包活动'], ['奖励说明', '红包奖励提现到零钱']], perception: '现金奖励' },
  '1005': { infos: [['岗位类型', '推广员'], ['报酬说明', '推广奖励提现到零钱']], perception: '劳务报酬' },
}

/** ≤ 32 chars of [0-9A-Za-z] (WeChat's rule): 'W' + the id's 128 bits in base 36, fixed width. */
export function outBillNoOf(id: string): string {
  return `W${BigInt(`0x${id.replace(/-/g, '')}`).toString(36).padStart(25, '0')}`
}

function statusOf(state: TransferState): repo.TransferStatus {
  switch (state) {
    case 'WAIT_USER_CONFIRM':
      return 'wait_user_confirm'
    case 'SUCCESS':
      return 'success'
    case 'FAIL':
      return 'failed'
    case 'CANCELLED':
      return 'cancelled'
    default:
      return 'processing'
  }
}

function billInput(row: repo.TransferRow): CreateTransferBillInput {
  const scene = SCENES[row.sceneId] ?? SCENES['1000']!
  return {
    out_bill_no: row.outBillNo,
    transfer_scene_id: row.sceneId,
    openid: row.openid,
    transfer_amount: row.amountFen,
    transfer_remark: row.remark,
    ...(row.notifyUrl ? { notify_url: row.notifyUrl } : {}),
    user_recv_perception: scene.perception,
    transfer_scene_report_infos: scene.infos.map(([info_type, info_content]) => ({ info_type, info_content })),
  }
}

export function withdrawalView(row: repo.TransferRow): Withdrawal {
  return {
    id: row.id,
    amountFen: row.amountFen,
    status: row.status as repo.TransferStatus,
    outBillNo: row.outBillNo,
    failReason: row.failReason,
    confirm:
      row.status === 'wait_user_confirm' && row.packageInfo ? { mchId: row.mchid, appId: row.appid, package: row.packageInfo, openId: row.openid } : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}

export type BillUpdate = { state: TransferState; transferBillNo?: string; packageInfo?: string; failReason?: string }

/**
 * Applies what WeChat says about a withdrawal's bill, in the caller's transaction: the conditional
 * transition, and for FAIL / CANCELLED the refund to the wallet (keyed by the withdrawal). A
 * withdrawal already final is left as it is.
 */
export async function applyBillState(tx: DbOrTx, row: repo.TransferRow, u: BillUpdate, now: Date, logger?: Logger): Promise<repo.TransferRow> {
  const status = statusOf(u.state)
  const refund = status === 'failed' || status === 'cancelled'
  if (FINAL.includes(row.status as repo.TransferStatus)) {
    if (status !== row.status && FINAL.includes(status)) logger?.error({ alert: 'transfer_state_conflict', id: row.id, ours: row.status, wechat: u.state }, 'ALERT: WeChat reports another final state')
    return row
  }
  const next = await repo.transition(tx, row.id, { status, wechatState: u.state, transferBillNo: u.transferBillNo, packageInfo: u.packageInfo, failReason: u.failReason, refund, now })
  if (!next) return (await repo.findTransfer(tx, row.merchantId, row.id))!
  if (refund) {
    await wallet.refund(tx, {
      merchantId: row.merchantId,
      userId: row.userId,
      amountFen: row.amountFen,
      idempotencyKey: `wd-refund:${row.id}`,
      reasonCode: status === 'failed' ? 'withdrawal_failed' : 'withdrawal_cancelled',
      source: { type: 'withdrawal', id: row.id },
      now,
    })
  }
  return next
}

async function payMerchant(db: DbOrTx, merchantId: string): Promise<PayMerchant> {
  const m = payMerchantOf(await tenancy.appOfMerchant(db, merchantId))
  if (!m) throw new AppError('PAY_NOT_CONFIGURED')
  return m
}

type Submitted = { row: repo.TransferRow; rejected: { code: string; message: string } | null }

/**
 * Creates (or re-creates, same out_bill_no and body) the bill and records the answer. A verified
 * refusal is believed only once a query confirms there is no bill; anything unknown is left to
 * reconciliation.
 */
async function submit(deps: PayoutsDeps, m: PayMerchant, row: repo.TransferRow): Promise<Submitted> {
  try {
    const a = await deps.transfers.createBill(m, billInput(row))
    const next = await deps.db.transaction((tx) =>
      applyBillState(tx, row, { state: a.state, transferBillNo: a.transfer_bill_no, packageInfo: a.package_info, failReason: a.fail_reason }, deps.clock.now(), deps.logger),
    )
    return { row: next, rejected: null }
  } catch (e) {
    if (!isPayApiError(e) || e.status >= 500 || e.status === 429) {
      await repo.recordAttempt(deps.db, row.id, describe(e), deps.clock.now())
      deps.logger.warn({ err: e, withdrawalId: row.id }, 'transfer outcome unknown; left for reconciliation')
      return { row: (await repo.findTransfer(deps.db, row.merchantId, row.id))!, rejected: null }
    }
    // WeChat refused the request. Before giving the money back, make sure no bill exists under this number.
    const rejected = { code: e.code, message: e.message }
    const found = await check(deps, m, row)
    if (found === 'absent') {
      const next = await deps.db.transaction((tx) => applyBillState(tx, row, { state: 'FAIL', failReason: `${e.code}: ${e.message}`.slice(0, 200) }, deps.clock.now(), deps.logger))
      return { row: next, rejected }
    }
    return { row: found === 'unknown' ? (await repo.findTransfer(deps.db, row.merchantId, row.id))! : found, rejected: null }
  }
}

/** Queries the bill and applies its state: the updated row, 'absent' (WeChat has no such bill) or 'unknown'. */
async function check(deps: PayoutsDeps, m: PayMerchant, row: repo.TransferRow): Promise<repo.TransferRow | 'absent' | 'unknown'> {
  try {
    const bill = await deps.transfers.queryByOutBillNo(m, row.outBillNo)
    if (bill.transfer_amount !== row.amountFen || bill.openid !== row.openid) {
      deps.logger.error({ alert: 'transfer_mismatch', id: row.id }, 'ALERT: WeChat bill does not match the withdrawal; not applied')
      await repo.recordAttempt(deps.db, row.id, 'bill does not match', deps.clock.now())
      return 'unknown'
    }
    const next = await deps.db.transaction((tx) =>
      applyBillState(tx, row, { state: bill.state, transferBillNo: bill.transfer_bill_no, failReason: bill.fail_reason }, deps.clock.now(), deps.logger),
    )
    await repo.recordAttempt(deps.db, row.id, null, deps.clock.now())
    return next
  } catch (e) {
    if (isPayApiError(e) && e.status === 404) return 'absent'
    await repo.recordAttempt(deps.db, row.id, describe(e), deps.clock.now())
    return 'unknown'
  }
}

function describe(e: unknown): string {
  if (isPayApiError(e)) return `${e.status} ${e.code}: ${e.message}`.slice(0, 300)
  if (isAppError(e)) return `${e.code} ${JSON.stringify(e.details ?? {})}`.slice(0, 300)
  return String((e as Error)?.message ?? e).slice(0, 300)
}

/**
 * POST /api/v1/wallet/withdrawals. Holds the amount, creates the bill, answers with the withdrawal
 * (`confirm` carries wx.requestMerchantTransfer's parameters). A refusal by WeChat refunds at once and
 * answers WITHDRAWAL_REJECTED; an unknown outcome answers `created` (reconciliation finishes it).
 */
export async function withdraw(deps: PayoutsDeps, merchantId: string, userId: string, amountFen: number): Promise<Withdrawal> {
  if (amountFen < deps.minFen) throw new AppError('WITHDRAWAL_TOO_SMALL', { minFen: deps.minFen })
  if (amountFen > deps.maxFen) throw new AppError('WITHDRAWAL_TOO_LARGE', { maxFen: deps.maxFen })
  const m = await payMerchant(deps.db, merchantId)
  const user = await members.getUser(deps.db, merchantId, userId)
  const now = deps.clock.now()
  const id = randomUUID()
  const row = await deps.db.transaction(async (tx) => {
    await wallet.debitForWithdrawal(tx, { merchantId, userId, amountFen, idempotencyKey: `wd:${id}`, reasonCode: 'withdrawal', source: { type: 'withdrawal', id }, now })
    return repo.insertTransfer(tx, {
      id,
      merchantId,
      userId,
      appid: m.appid,
      mchid: m.mchid,
      openid: user.openid,
      amountFen,
      outBillNo: outBillNoOf(id),
      sceneId: deps.sceneId,
      remark: '红包零钱提现',
      notifyUrl: deps.notifyUrl(),
      status: 'created',
      createdAt: now,
      updatedAt: now,
    })
  })
  const r = await submit(deps, m, row)
  if (r.rejected) throw new AppError('WITHDRAWAL_REJECTED', { withdrawalId: row.id, wechat: r.rejected })
  return withdrawalView(r.row)
}

async function loadOwn(db: DbOrTx, merchantId: string, userId: string, id: string) {
  const row = await repo.findTransfer(db, merchantId, id)
  if (!row || row.userId !== userId) throw new AppError('WITHDRAWAL_NOT_FOUND')
  return row
}

export async function getWithdrawal(db: Db, merchantId: string, userId: string, id: string): Promise<Withdrawal> {
  return withdrawalView(await loadOwn(db, merchantId, userId, id))
}

export async function listWithdrawals(db: Db, merchantId: string, userId: string, q: { cursor?: string; limit: number }): Promise<WithdrawalPage> {
  let after: repo.TransferCursor | null = null
  if (q.cursor) {
    const [at, id] = Buffer.from(q.cursor, 'base64url').toString().split('|')
    const createdAt = new Date(at ?? '')
    if (Number.isNaN(createdAt.getTime()) || !/^[0-9a-f-]{36}$/.test(id ?? '')) {
      throw new AppError('VALIDATION_FAILED', { issues: [{ path: 'cursor', message: 'malformed cursor', code: 'custom' }] })
    }
    after = { createdAt, id: id! }
  }
  const rows = await repo.listTransfers(db, merchantId, userId, q.limit + 1, after)
  const page = rows.slice(0, q.limit)
  const last = page[page.length - 1]
  return {
    items: page.map(withdrawalView),
    nextCursor: rows.length > q.limit && last ? Buffer.from(`${last.createdAt.toISOString()}|${last.id}`).toString('base64url') : null,
  }
}

/**
 * The user gives up before confirming: WeChat cancels the bill (CANCELING, then CANCELLED, whose
 * notification refunds). A bill the user already confirmed cannot be cancelled.
 */
export async function cancelWithdrawal(deps: PayoutsDeps, merchantId: string, userId: string, id: string): Promise<Withdrawal> {
  const row = await loadOwn(deps.db, merchantId, userId, id)
  if (row.status !== 'wait_user_confirm') throw new AppError('WITHDRAWAL_NOT_CANCELLABLE', { status: row.status })
  const m = await payMerchant(deps.db, merchantId)
  try {
    const a = await deps.transfers.cancelBill(m, row.outBillNo)
    const next = await deps.db.transaction((tx) => applyBillState(tx, row, { state: a.state }, deps.clock.now(), deps.logger))
    return withdrawalView(next)
  } catch (e) {
    if (isPayApiError(e) && e.status < 500) {
      // Most likely confirmed meanwhile: learn the bill's state, then refuse.
      const found = await check(deps, m, row)
      throw new AppError('WITHDRAWAL_NOT_CANCELLABLE', { status: typeof found === 'object' ? found.status : row.status, wechat: { code: e.code, message: e.message } })
    }
    throw e
  }
}

// ---- reconciliation ----------------------------------------------------------------------------

export type ReconcileReport = { checked: number; settled: number; resubmitted: number; cancelled: number; unknown: number }

/**
 * Settles withdrawals whose notification never came: every open withdrawal unchanged and unchecked for
 * `reconcileAfterMs` is queried by out_bill_no. A `created` one WeChat has no bill for (the create was
 * lost) is re-submitted under the same out_bill_no; one WeChat holds in WAIT_USER_CONFIRM without our
 * having its package is re-submitted too (WeChat answers with the same bill and its package); one whose
 * package is older than 24 h is cancelled (CANCELLED then refunds).
 */
export async function reconcileTransfers(db: Db, deps: Omit<PayoutsDeps, 'db'>, now: Date, opts: { limit?: number } = {}): Promise<ReconcileReport> {
  const d: PayoutsDeps = { ...deps, db }
  const report: ReconcileReport = { checked: 0, settled: 0, resubmitted: 0, cancelled: 0, unknown: 0 }
  const due = await repo.dueForCheck(db, new Date(now.getTime() - deps.reconcileAfterMs), opts.limit ?? 200)
  for (const row of due) {
    report.checked++
    let m: PayMerchant
    try {
      m = await payMerchant(db, row.merchantId)
    } catch {
      report.unknown++
      continue
    }
    const found = await check(d, m, row)
    if (found === 'unknown') {
      report.unknown++
      continue
    }
    if (found === 'absent') {
      if (row.status !== 'created') {
        deps.logger.error({ alert: 'transfer_missing', id: row.id, status: row.status }, 'ALERT: WeChat has no bill for a submitted withdrawal')
        await repo.recordAttempt(db, row.id, 'bill not found at WeChat', now)
        report.unknown++
        continue
      }
      const r = await submit(d, m, row)
      report.resubmitted++
      if (FINAL.includes(r.row.status as repo.TransferStatus)) report.settled++
      continue
    }
    if (FINAL.includes(found.status as repo.TransferStatus)) {
      report.settled++
      continue
    }
    if (found.status === 'wait_user_confirm' && !found.packageInfo) {
      await submit(d, m, found)
      report.resubmitted++
    } else if (found.status === 'wait_user_confirm' && found.packageAt && now.getTime() - found.packageAt.getTime() >= PACKAGE_TTL_MS) {
      try {
        const a = await deps.transfers.cancelBill(m, found.outBillNo)
        await db.transaction((tx) => applyBillState(tx, found, { state: a.state }, deps.clock.now(), deps.logger))
        report.cancelled++
      } catch (e) {
        await repo.recordAttempt(db, row.id, describe(e), now)
        report.unknown++
      }
    }
  }
  return report
}

/** The scheduled run of reconcileTransfers, bound to this process's transfer client and settings. */
export function transferReconcileJob(deps: Omit<PayoutsDeps, 'db' | 'clock' | 'logger'>): ScheduledJob {
  return {
    name: 'transfer-reconcile',
    cron: '*/2 * * * *',
    run: async (ctx: JobContext) => reconcileTransfers(ctx.db, { ...deps, clock: ctx.clock, logger: ctx.logger }, ctx.clock.now()),
  }
}
