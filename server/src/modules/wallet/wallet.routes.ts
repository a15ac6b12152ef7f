import { WalletLedgerQuery, type WalletSummary } from '@siyu/shared'
import type { AppDeps } from '../../app'
import { Router } from '../../http/router'
import { parse } from '../../http/validate'
import { requireUser, userOf } from '../auth/auth.middleware'
import * as wallet from './wallet.service'

/** The consumer's cash wallet: balance and ledger (withdrawals are the payouts module's). */
export function walletRoutes(deps: AppDeps) {
  const r = new Router()
  const user = requireUser(deps.db, deps.tokens)
  r.get('/api/v1/wallet', user, async (ctx) => {
    const p = userOf(ctx)
    const body: WalletSummary = {
      balanceFen: await wallet.balanceOf(deps.db, p.merchantId, p.userId),
      minWithdrawalFen: deps.config.WALLET_MIN_WITHDRAWAL_FEN,
      maxWithdrawalFen: deps.config.WALLET_MAX_WITHDRAWAL_FEN,
    }
    ctx.body = body
  })
  r.get('/api/v1/wallet/ledger', user, async (ctx) => {
    const p = userOf(ctx)
    ctx.body = await wallet.getLedger(deps.db, p.merchantId, p.userId, parse(WalletLedgerQuery, ctx.query))
  })
  return r
}
