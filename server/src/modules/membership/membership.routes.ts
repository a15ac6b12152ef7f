import { MembershipPolicyInput, TiersInput } from '@siyu/shared'
import type { AppDeps } from '../../app'
import { parse } from '../../http/validate'
import { Router } from '../../http/router'
import { adminOf, requireAdmin, requireUser, userOf } from '../auth/auth.middleware'
import * as membership from './membership.service'

/** The consumer's card and member code (/api/v1/membership) and the programme's configuration (admin). */
export function membershipRoutes(deps: AppDeps) {
  const r = new Router()
  const user = requireUser(deps.db, deps.tokens)
  r.post('/api/v1/membership', user, async (ctx) => {
    const p = userOf(ctx)
    const { created, view } = await membership.claimCard(deps.db, p.merchantId, p.userId, deps.clock.now())
    // claiming is idempotent: 201 when this call claimed the card, 200 with the same card afterwards
    ctx.status = created ? 201 : 200
    ctx.body = view
  })
  r.get('/api/v1/membership', user, async (ctx) => {
    const p = userOf(ctx)
    ctx.body = await membership.getMembership(deps.db, p.merchantId, p.userId, deps.clock.now())
  })
  r.get('/api/v1/membership/code', user, async (ctx) => {
    const p = userOf(ctx)
    ctx.set('Cache-Control', 'no-store')
    ctx.body = await membership.issueCode(deps.db, p.merchantId, p.userId, deps.clock.now())
  })

  const admin = requireAdmin(deps.db, deps.tokens)
  r.get('/admin/v1/membership/policy', admin, async (ctx) => {
    ctx.body = await membership.getPolicy(deps.db, adminOf(ctx).merchantId)
  })
  r.put('/admin/v1/membership/policy', admin, async (ctx) => {
    const input = parse(MembershipPolicyInput, ctx.request.body)
    ctx.body = await membership.setPolicy(deps.db, adminOf(ctx).merchantId, input, deps.clock.now())
  })
  r.get('/admin/v1/tiers', admin, async (ctx) => {
    ctx.body = await membership.getTiers(deps.db, adminOf(ctx).merchantId)
  })
  r.put('/admin/v1/tiers', admin, async (ctx) => {
    const input = parse(TiersInput, ctx.request.body)
    ctx.body = await membership.setTiers(deps.db, adminOf(ctx).merchantId, input)
  })
  return r
}
