import Koa from 'koa'
import { bodyParser } from '@koa/bodyparser'
import type { Config } from './config'
import type { Db } from './db/client'
import type { Logger } from './logger'
import { errorHandler, requestContext } from './http/middleware'
import { cors } from './http/cors'
import { createMetrics, type Metrics } from './http/metrics'
import { Router, type AppRouter } from './http/router'
import type { TokenService } from './modules/auth/tokens'
import type { MpClient } from './wechat/mp-client'
import { createPayClient, type PayClient } from './wechat/pay-client'
import { systemClock, type Clock } from './lib/clock'
import { authRoutes } from './modules/auth/auth.routes'
import { referralsRoutes } from './modules/referrals/referrals.routes'
import { socialRoutes } from './modules/social/social.routes'
import { registerPurchaseSource } from './modules/social/social.service'
import { purchaseTotals as orderPurchaseTotals } from './modules/payments/payments.service'
import { purchaseTotals as storePurchaseTotals } from './modules/staff-desk/staff-desk.service'
import { tasksRoutes } from './modules/tasks/tasks.routes'
import { funnelRoutes } from './modules/funnel/funnel.routes'
import { healthRoutes } from './modules/health/health.routes'
import { staffRoutes } from './modules/staff/staff.routes'
import { jobsRoutes } from './modules/jobs/jobs.routes'
import { pointsRoutes } from './modules/points/points.routes'
import { tagsRoutes } from './modules/tags/tags.routes'
import { couponsRoutes } from './modules/coupons/coupons.routes'
import { lotteryRoutes } from './modules/lottery/lottery.routes'
import { checkinRoutes } from './modules/checkin/checkin.routes'
import { membershipRoutes } from './modules/membership/membership.routes'
import { staffDeskRoutes } from './modules/staff-desk/staff-desk.routes'
import { paymentsRoutes } from './modules/payments/payments.routes'
import { walletRoutes } from './modules/wallet/wallet.routes'
import { redpacketsRoutes } from './modules/redpackets/redpackets.routes'
import { payoutsRoutes } from './modules/payouts/payouts.routes'

export type AppDeps = {
  config: Config
  db: Db
  logger: Logger
  tokens: TokenService
  mp: MpClient
  metrics: Metrics
  clock: Clock
  /** WeChat Pay APIv3 client (base URL from config: WECHAT_PAY_API_BASE, else WECHAT_API_BASE, the sandbox serving both). */
  pay: PayClient
  /** Where WeChat reaches us (PUBLIC_BASE_URL); main.ts and tests fill it in after listen when unset. */
  publicBaseUrl: string | null
}

/** Builds the Koa app from its dependencies; main.ts wires real ones and listens, tests do the same. */
export function createApp(
  input: Omit<AppDeps, 'metrics' | 'clock' | 'pay' | 'publicBaseUrl'> & { metrics?: Metrics; clock?: Clock; pay?: PayClient; publicBaseUrl?: string | null },
) {
  const deps: AppDeps = {
    ...input,
    metrics: input.metrics ?? createMetrics(),
    clock: input.clock ?? systemClock,
    pay: input.pay ?? createPayClient({ baseUrl: payApiBase(input.config) }),
    publicBaseUrl: input.publicBaseUrl ?? input.config.PUBLIC_BASE_URL ?? null,
  }
  const app = new Koa({ proxy: true })
  app.use(requestContext(deps.logger, deps.metrics))
  app.use(errorHandler())
  const origins = deps.config.CORS_ORIGINS ?? (deps.config.NODE_ENV === 'production' ? '' : '*')
  if (origins) app.use(cors(origins.split(',').map((o) => o.trim()).filter(Boolean)))
  app.use(
    bodyParser({
      enableTypes: ['json', 'text'],
      extendTypes: { text: ['text/csv'] },
      jsonLimit: '256kb',
      textLimit: '20mb',
      jsonStrict: true,
      // Koa-bodyparser keeps ctx.request.rawBody: WeChat Pay signatures are verified on it.
    }),
  )
  // RFM (wallet value) is summed over every module that owns purchases.
  registerPurchaseSource('orders', orderPurchaseTotals)
  registerPurchaseSource('store_purchases', storePurchaseTotals)
  const routers: AppRouter[] = [
    healthRoutes(deps),
    authRoutes(deps),
    funnelRoutes(deps),
    staffRoutes(deps),
    jobsRoutes(deps),
    // domain modules: one line each
    referralsRoutes(deps),
    socialRoutes(deps),
    tasksRoutes(deps),
    pointsRoutes(deps),
    tagsRoutes(deps),
    couponsRoutes(deps),
    lotteryRoutes(deps),
    checkinRoutes(deps),
    membershipRoutes(deps),
    staffDeskRoutes(deps),
    paymentsRoutes(deps),
    walletRoutes(deps),
    redpacketsRoutes(deps),
    payoutsRoutes(deps),
  ]
  // one router holding every module's routes: a request is matched once, not once per module
  const root = new Router()
  for (const r of routers) root.use(r.routes())
  app.use(root.routes()).use(root.allowedMethods())
  return { app, deps }
}

/**
 * WeChat Pay's base URL: WECHAT_PAY_API_BASE; else, when WECHAT_API_BASE points at a sandbox (not a
 * weixin.qq.com host), that sandbox, which serves both hosts on one port; else the real host.
 */
export function payApiBase(config: Pick<Config, 'WECHAT_PAY_API_BASE' | 'WECHAT_API_BASE'>): string {
  if (config.WECHAT_PAY_API_BASE) return config.WECHAT_PAY_API_BASE
  if (config.WECHAT_API_BASE && !new URL(config.WECHAT_API_BASE).hostname.endsWith('weixin.qq.com')) return config.WECHAT_API_BASE
  return 'https://api.mch.weixin.qq.com'
}
