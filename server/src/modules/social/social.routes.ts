import { SocialLeaderboardQuery } from '@siyu/shared'
import type { AppDeps } from '../../app'
import { idParam, parse } from '../../http/validate'
import { Router } from '../../http/router'
import { adminOf, requireAdmin, requireStaff, requireUser, staffOf, userOf } from '../auth/auth.middleware'
import * as social from './social.service'

/** Social value: the KOC leaderboard (admin), a customer's value (their guide), my own (consumer). */
export function socialRoutes(deps: AppDeps) {
  // the counters follow funnel events: subscribe once, when the app is built
  social.registerHooks(deps.clock)
  const r = new Router()
  r.get('/admin/v1/leaderboards/social', requireAdmin(deps.db, deps.tokens), async (ctx) => {
    const { limit } = parse(SocialLeaderboardQuery, ctx.query)
    ctx.body = await social.leaderboard(deps.db, adminOf(ctx).merchantId, limit)
  })
  r.get('/staff/v1/customers/:id/social', requireStaff(deps.db, deps.tokens), async (ctx) => {
    const id = idParam(ctx.params.id, 'USER_NOT_FOUND')
    ctx.body = await social.customerInsightsForStaff(deps.db, staffOf(ctx), id, deps.clock.now())
  })
  r.get('/api/v1/me/social', requireUser(deps.db, deps.tokens), async (ctx) => {
    const p = userOf(ctx)
    ctx.body = await social.socialValueOf(deps.db, p.merchantId, p.userId)
  })
  return r
}
