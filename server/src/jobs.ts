import type { AppDeps } from './app'
import type { ScheduledJob } from './modules/jobs/jobs.service'
import { tierEvaluationJob } from './modules/membership/membership.service'
import { paymentsReconcileJob } from './modules/payments/payments.reconcile'
import { payoutsDepsOf } from './modules/payouts/payouts.routes'
import { transferReconcileJob } from './modules/payouts/payouts.service'
import { pointsExpiryJob } from './modules/points/points.service'
import { redpacketExpiryJob } from './modules/redpackets/redpackets.service'

/** Every scheduled job of the server. Each domain module exports its jobs (or a factory taking its clients); add them here. */
export function scheduledJobs(deps: AppDeps): ScheduledJob[] {
  const minutes = (n: number) => n * 60_000
  return [
    pointsExpiryJob,
    tierEvaluationJob,
    redpacketExpiryJob,
    paymentsReconcileJob(deps.pay, {
      orderTtlMs: minutes(deps.config.PAY_ORDER_TTL_MINUTES),
      pendingAfterMs: minutes(deps.config.PAY_RECONCILE_AFTER_MINUTES),
    }),
    transferReconcileJob(payoutsDepsOf(deps)),
  ]
}
