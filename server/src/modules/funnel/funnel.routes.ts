import { AdminFunnelEventInput, EventInput, EventsBatchInput, FunnelQuery } from '@siyu/shared'
import type { AppDeps } from '../../app'
import { parse } from '../../http/validate'
import { Router } from '../../http/router'
import { adminOf, requireAdmin, requireUser, userOf } from '../auth/auth.middleware'
import * as funnel from './funnel.service'

export function funnelRoutes(deps: AppDeps) {
  const r = new Router()
  r.post('/api/v1/events', requireUser(deps.db, deps.tokens), async (ctx) => {
    const p = userOf(ctx)
    const body = ctx.request.body as Record<string, unknown> | undefined
    // A body with `events` is a batch; anything else must be one event (so errors name the right fields).
    const events = body && typeof body === 'object' && 'events' in body ? parse(EventsBatchInput, body).events : [parse(EventInput, body)]
    ctx.status = 202
    ctx.body = await funnel.recordEvents(deps.db, p.merchantId, p.userId, events, deps.clock.now())
  })

  const admin = requireAdmin(deps.db, deps.tokens)
  r.post('/admin/v1/funnel/events', admin, async (ctx) => {
    const p = adminOf(ctx)
    const input = parse(AdminFunnelEventInput, ctx.request.body)
    ctx.body = await funnel.applyMilestone(deps.db, p.merchantId, input.userId, input.type, {
      channel: input.channel,
      storeId: input.storeId,
      guideId: input.guideId,
    })
  })
  r.get('/admin/v1/funnel', admin, async (ctx) => {
    const p = adminOf(ctx)
    ctx.body = await funnel.report(deps.db, p.merchantId, parse(FunnelQuery, ctx.query))
  })
  return r
}
