import Koa from 'koa'
import { bodyParser } from '@koa/bodyparser'
import type { Config } from './config'
import type { Db } from './db/client'
import type { Logger } from './logger'
import { errorHandler, requestContext } from './http/middleware'
import { cors } from './http/cors'
import { createMetrics, type Metrics } from './http/metrics'
import type { AppRouter } from './http/router'
import type { TokenService } from './modules/auth/tokens'
import type { MpClient } from './wechat/mp-client'
import { systemClock, type Clock } from './lib/clock'
import { authRoutes } from './modules/auth/auth.routes'
import { funnelRoutes } from './modules/funnel/funnel.routes'
import { healthRoutes } from './modules/health/health.routes'
import { staffRoutes } from './modules/staff/staff.routes'
import { jobsRoutes } from './modules/jobs/jobs.routes'

export type AppDeps = {
  config: Config
  db: Db
  logger: Logger
  tokens: TokenService
  mp: MpClient
  metrics: Metrics
  clock: Clock
}

/** Builds the Koa app from its dependencies; main.ts wires real ones and listens, tests do the same. */
export function createApp(input: Omit<AppDeps, 'metrics' | 'clock'> & { metrics?: Metrics; clock?: Clock }) {
  const deps: AppDeps = { ...input, metrics: input.metrics ?? createMetrics(), clock: input.clock ?? systemClock }
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
  const routers: AppRouter[] = [
    healthRoutes(deps),
    authRoutes(deps),
    funnelRoutes(deps),
    staffRoutes(deps),
    jobsRoutes(deps),
    // domain modules: one line each
  ]
  for (const r of routers) app.use(r.routes()).use(r.allowedMethods())
  return { app, deps }
}
