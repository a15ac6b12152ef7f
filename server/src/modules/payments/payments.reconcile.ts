import type { Db } from '../../db/client'
import { isAppError } from '../../http/errors'
import type { Clock } from '../../lib/clock'
import type { Logger } from '../../logger'
import type { PayClient } from '../../wechat/pay-client'
import { isPayApiError } from '../../wechat/pay-client'
import type { ScheduledJob } from '../jobs/jobs.service'
import * as tenancy from '../tenancy/tenancy.service'
import { claimCardAfterPurchase } from './payments.notify'
import * as repo from './payments.repo'
import { applyRefundAnswer, closeUnpaidOrder, reconcileAttempt, submitRefund, type AttemptOutcome } from './payments.service'
import { RefundAnswer, requirePayMerchant, type PaymentsDeps } from './payments.wechat'

/**
 * Reconciliation: the safety net under notifications, so a lost callback never loses a payment.
 * - attempts still pending after `pendingAfterMs` are queried at WeChat: paid → settled exactly as a
 *   notification would; expired and unpaid → closed at WeChat, then locally;
 * - unpaid orders past their expiry with no attempt open at WeChat are closed;
 * - refunds without a final answer are queried (or resubmitted with the same out_refund_no).
 * Every step is idempotent and shares the settlement code with the notification path, so running it
 * concurrently with notifications (or twice) changes nothing twice. The scheduled job wraps it in an
 * advisory lock (runExclusive) so instances do not duplicate the WeChat calls.
 */

export type ReconcileOptions = {
  logger: Logger
  /** Unpaid orders' lifetime (only used to build deps; each order carries its own expires_at). */
  orderTtlMs?: number
  /** Attempts/refunds untouched for longer than this are checked. Default 5 minutes. */
  pendingAfterMs?: number
  /** Per step and run. */
  limit?: number
}

export type ReconcileReport = {
  attemptsChecked: number
  settled: number
  attemptsClosed: number
  attemptsFailed: number
  stillPending: number
  ordersClosed: number
  refundsChecked: number
  refundsUpdated: number
  errors: number
}

export async function reconcilePayments(db: Db, pay: PayClient, clock: Clock, opts: ReconcileOptions): Promise<ReconcileReport> {
  const deps: PaymentsDeps = { db, pay, clock, logger: opts.logger, orderTtlMs: opts.orderTtlMs ?? 15 * 60_000, notifyUrl: () => null }
  const pendingAfterMs = opts.pendingAfterMs ?? 5 * 60_000
  const limit = opts.limit ?? 500
  const now = clock.now()
  const report: ReconcileReport = {
    attemptsChecked: 0,
    settled: 0,
    attemptsClosed: 0,
    attemptsFailed: 0,
    stillPending: 0,
    ordersClosed: 0,
    refundsChecked: 0,
    refundsUpdated: 0,
    errors: 0,
  }

  const count = (o: AttemptOutcome) => {
    if (o === 'settled' || o === 'needs_review') report.settled += 1
    else if (o === 'closed') report.attemptsClosed += 1
    else if (o === 'failed') report.attemptsFailed += 1
    else if (o === 'pending') report.stillPending += 1
    // duplicate / replayed: a notification settled it meanwhile
  }

  for (const attempt of await repo.stalePendingAttempts(db, new Date(now.getTime() - pendingAfterMs), limit)) {
    report.attemptsChecked += 1
    try {
      const outcome = await reconcileAttempt(deps, attempt)
      count(outcome)
      if (outcome === 'settled') {
        deps.logger.warn({ outTradeNo: attempt.outTradeNo, orderId: attempt.orderId }, 'payment settled by reconciliation (its notification was lost or late)')
        const order = await repo.findOrder(db, attempt.merchantId, attempt.orderId)
        if (order?.kind === 'membership') await claimCardAfterPurchase(deps, order.merchantId, order.userId)
      }
    } catch (err) {
      report.errors += 1
      deps.logger.error({ err: describe(err), outTradeNo: attempt.outTradeNo }, 'reconciliation of a payment attempt failed; will retry next run')
    }
  }

  for (const { id } of await repo.expiredOrdersWithoutPending(db, now, limit)) {
    if (await closeUnpaidOrder(db, id, 'expired', now)) report.ordersClosed += 1
  }

  for (const refund of await repo.staleOpenRefunds(db, new Date(now.getTime() - pendingAfterMs), limit)) {
    report.refundsChecked += 1
    try {
      if (await reconcileRefund(deps, refund)) report.refundsUpdated += 1
    } catch (err) {
      report.errors += 1
      deps.logger.error({ err: describe(err), outRefundNo: refund.outRefundNo }, 'reconciliation of a refund failed; will retry next run')
    }
  }
  return report
}

/** Asks WeChat about an open refund; one it never received (404) is resubmitted unchanged. */
async function reconcileRefund(deps: PaymentsDeps, refund: repo.RefundRow): Promise<boolean> {
  const attempt = (await repo.findAttempt(deps.db, refund.attemptId))!
  const m = requirePayMerchant(await tenancy.findApp(deps.db, attempt.appid))
  let raw: Record<string, unknown>
  try {
    raw = await deps.pay.queryRefund(m, refund.outRefundNo)
  } catch (e) {
    if (isPayApiError(e) && e.status === 404 && refund.status === 'pending') {
      const after = await submitRefund(deps, refund, false)
      return after.status !== refund.status
    }
    throw e
  }
  const answer = RefundAnswer.safeParse(raw)
  if (!answer.success) throw new Error('malformed refund query answer')
  const after = await applyRefundAnswer(deps, refund.id, answer.data)
  if (after.status === refund.status) {
    // Nothing new: touch nothing (updated_at stays, so it is checked again next run).
    return false
  }
  return true
}

function describe(err: unknown) {
  if (isAppError(err)) return { code: err.code, details: err.details }
  if (isPayApiError(err)) return { status: err.status, code: err.code, message: err.message }
  return err
}

/** The scheduled job: every minute, under an advisory lock (runExclusive in the scheduler). */
export function paymentsReconcileJob(pay: PayClient, opts: { orderTtlMs: number; pendingAfterMs: number }): ScheduledJob {
  return {
    name: 'payments-reconcile',
    cron: '* * * * *',
    run: async (ctx) => reconcilePayments(ctx.db, pay, ctx.clock, { logger: ctx.logger, orderTtlMs: opts.orderTtlMs, pendingAfterMs: opts.pendingAfterMs }),
  }
}
