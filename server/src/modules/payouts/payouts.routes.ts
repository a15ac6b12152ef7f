import { WithdrawalInput, WithdrawalListQuery } from '@siyu/shared'
import type { AppDeps } from '../../app'
import { Router } from '../../http/router'
import { wechatNotifyEndpoint } from '../../http/wechat-notify'
import { idParam, parse } from '../../http/validate'
import type { PayClient } from '../../wechat/pay-client'
import { createTransferClient, type TransferClient } from '../../wechat/transfer-client'
import { requireUser, userOf } from '../auth/auth.middleware'
import { handleTransferNotification } from './payouts.notify'
import * as payouts from './payouts.service'

// One transfer client per pay client: same base URL and wall clock as the payments calls.
const clients = new WeakMap<PayClient, TransferClient>()
function transferClientOf(pay: PayClient): TransferClient {
  let c = clients.get(pay)
  if (!c) {
    c = createTransferClient({ baseUrl: pay.baseUrl, now: () => pay.nowSeconds() * 1000 })
    clients.set(pay, c)
  }
  return c
}

export function payoutsDepsOf(deps: AppDeps): payouts.PayoutsDeps {
  return {
    db: deps.db,
    transfers: transferClientOf(deps.pay),
    clock: deps.clock,
    logger: deps.logger,
    minFen: deps.config.WALLET_MIN_WITHDRAWAL_FEN,
    maxFen: Math.max(deps.config.WALLET_MIN_WITHDRAWAL_FEN, deps.config.WALLET_MAX_WITHDRAWAL_FEN),
    sceneId: deps.config.TRANSFER_SCENE_ID,
    reconcileAfterMs: deps.config.TRANSFER_RECONCILE_AFTER_MINUTES * 60_000,
    notifyUrl: () => (deps.publicBaseUrl ? `${deps.publicBaseUrl.replace(/\/+$/, '')}${payouts.TRANSFER_NOTIFY_PATH}` : null),
    nowSeconds: () => deps.pay.nowSeconds(),
  }
}

function withdrawalId(value: string | undefined): string {
  return idParam(value, 'WITHDRAWAL_NOT_FOUND')
}

/** Withdrawals from the cash wallet (/api/v1/wallet/withdrawals) and WeChat's transfer notify URL. */
export function payoutsRoutes(deps: AppDeps) {
  const p = payoutsDepsOf(deps)
  const r = new Router()
  const user = requireUser(deps.db, deps.tokens)
  r.post('/api/v1/wallet/withdrawals', user, async (ctx) => {
    const u = userOf(ctx)
    const { amountFen } = parse(WithdrawalInput, ctx.request.body)
    ctx.status = 201
    ctx.body = await payouts.withdraw(p, u.merchantId, u.userId, amountFen)
  })
  r.get('/api/v1/wallet/withdrawals', user, async (ctx) => {
    const u = userOf(ctx)
    ctx.body = await payouts.listWithdrawals(deps.db, u.merchantId, u.userId, parse(WithdrawalListQuery, ctx.query))
  })
  r.get('/api/v1/wallet/withdrawals/:id', user, async (ctx) => {
    const u = userOf(ctx)
    ctx.body = await payouts.getWithdrawal(deps.db, u.merchantId, u.userId, withdrawalId(ctx.params.id))
  })
  r.post('/api/v1/wallet/withdrawals/:id/cancel', user, async (ctx) => {
    const u = userOf(ctx)
    ctx.body = await payouts.cancelWithdrawal(p, u.merchantId, u.userId, withdrawalId(ctx.params.id))
  })

  r.post(payouts.TRANSFER_NOTIFY_PATH, wechatNotifyEndpoint('transfer', (req) => handleTransferNotification(p, req)))
  return r
}
