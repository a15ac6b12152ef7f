import { AppError } from '../../http/errors'
import { TransferBill } from '../../wechat/transfer-client'
import { openNotification, type NotifyRequest } from '../payments/payments.open-notification'
import * as repo from './payouts.repo'
import { applyBillState, type PayoutsDeps } from './payouts.service'

/**
 * POST /wechat/transfer/notify: MCHTRANSFER.BILL.FINISHED (§2.11.1). The same checks as payment
 * notifications (openNotification), each failure a 4xx so WeChat retries and nothing is written:
 * 1. signature over the RAW body with the keys of the merchants holding Wechatpay-Serial (300 s
 *    window, probes rejected);
 * 2. envelope shape; 3. AEAD_AES_256_GCM with the merchant's APIv3 key (tag checked; the key that
 *    authenticates tells which merchant it is when several share the platform key);
 * 4. the bill against our withdrawal (mchid, out_bill_no, amount, openid);
 * then one transaction: the notification id recorded (a replay stops here), the state applied
 * (SUCCESS settles, FAIL / CANCELLED refund once). The caller answers 204 after the commit.
 */

export type NotifyOutcome = { eventType: string; outcome: 'applied' | 'replayed' | 'already_final' | 'ignored'; status?: string }

const EVENT = 'MCHTRANSFER.BILL.FINISHED'

export async function handleTransferNotification(deps: PayoutsDeps, req: NotifyRequest): Promise<NotifyOutcome> {
  const receivedAt = deps.clock.now()
  const { app, envelope, resource } = await openNotification(deps, req, deps.nowSeconds(), 'transfer')
  if (envelope.event_type !== EVENT) {
    deps.logger.warn({ notificationId: envelope.id, eventType: envelope.event_type }, 'transfer notification of another event type acknowledged')
    return { eventType: envelope.event_type, outcome: 'ignored' }
  }
  const b = TransferBill.safeParse(resource)
  if (!b.success) throw new AppError('PAY_NOTIFY_MALFORMED', { reason: 'not a transfer bill' })
  const bill = b.data
  if (bill.mch_id !== app.mchid) throw mismatch(deps, ['mch_id'], envelope.id)
  const merchant = app

  return deps.db.transaction(async (tx) => {
    const row = await repo.findByOutBillNo(tx, merchant.merchantId, merchant.mchid!, bill.out_bill_no)
    if (!row) throw new AppError('PAY_NOTIFY_UNKNOWN_ORDER', { outBillNo: bill.out_bill_no })
    const wrong = [bill.transfer_amount !== row.amountFen && 'transfer_amount', bill.openid !== row.openid && 'openid'].filter((f): f is string => typeof f === 'string')
    if (wrong.length > 0) throw mismatch(deps, wrong, envelope.id)
    if (!(await repo.insertNotification(tx, { merchantId: merchant.merchantId, notificationId: envelope.id, outBillNo: bill.out_bill_no, state: bill.state, outcome: 'applied', receivedAt }))) {
      return { eventType: EVENT, outcome: 'replayed' as const, status: row.status }
    }
    const wasFinal = ['success', 'failed', 'cancelled'].includes(row.status)
    const next = await applyBillState(tx, row, { state: bill.state, transferBillNo: bill.transfer_bill_no, failReason: bill.fail_reason }, receivedAt, deps.logger)
    return { eventType: EVENT, outcome: wasFinal ? ('already_final' as const) : ('applied' as const), status: next.status }
  })
}

function mismatch(deps: PayoutsDeps, fields: string[], notificationId: string): AppError {
  deps.logger.error({ alert: 'transfer_notify_mismatch', fields, notificationId }, 'ALERT: transfer notification does not match our withdrawal; not applied')
  return new AppError('PAY_NOTIFY_MISMATCH', { fields })
}
