import { sql } from 'drizzle-orm'
import type { AppDeps } from '../../app'
import { Router } from '../../http/router'

export function healthRoutes(deps: AppDeps) {
  const r = new Router()
  r.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' }
  })
  /** Ready when the database answers within a second. */
  r.get('/readyz', async (ctx) => {
    try {
      await Promise.race([
        deps.db.execute(sql`select 1`),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 1000).unref()),
      ])
      ctx.body = { status: 'ready', database: 'ok' }
    } catch {
      ctx.status = 503
      ctx.body = { status: 'not ready', database: 'unreachable' }
    }
  })
  r.get('/metrics', async (ctx) => {
    ctx.type = deps.metrics.registry.contentType
    ctx.body = await deps.metrics.registry.metrics()
  })
  return r
}
