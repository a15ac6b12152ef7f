import { AdminFunnelEventInput, EventsInput, FunnelQuery } from '@siyu/shared'
import type { AppDeps } from '../../app'
import { parse } from '../../http/validate'
import { Router } from '../../http/router'
import { adminOf, requireAdmin, requireUser, userOf } from '../auth/auth.middleware'
import * as funnel from './funnel.service'

export function funnelRoutes(deps: AppDeps) {
  const r = new Router()
  r.post('/api/v1/events', requireUser(deps.db, deps.tokens), async (ctx) => {
    const p = userOf(ctx)
    const input = parse(EventsInput, ctx.request.body)
    const events = 'events' in input ? input.events : [input]
    ctx.status = 202
    ctx.body = await funnel.recordEvents(deps.db, p.merchantId, p.userId, events)
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
