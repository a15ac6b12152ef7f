import { CheckinCalendarQuery, CheckinMakeupInput, CheckinPolicyInput } from '@siyu/shared'
import type { AppDeps } from '../../app'
import { parse } from '../../http/validate'
import { Router } from '../../http/router'
import { adminOf, requireAdmin, requireUser, userOf } from '../auth/auth.middleware'
import * as checkin from './checkin.service'

/** Consumer check-ins (/api/v1/checkins) and the merchant's reward rule (/admin/v1/checkin/policy). */
export function checkinRoutes(deps: AppDeps) {
  const r = new Router()
  const user = requireUser(deps.db, deps.tokens)
  r.post('/api/v1/checkins', user, async (ctx) => {
    const p = userOf(ctx)
    ctx.status = 201
    ctx.body = await checkin.checkIn(deps.db, p.merchantId, p.userId, deps.clock.now())
  })
  r.post('/api/v1/checkins/makeup', user, async (ctx) => {
    const p = userOf(ctx)
    const { day } = parse(CheckinMakeupInput, ctx.request.body)
    ctx.status = 201
    ctx.body = await checkin.makeUp(deps.db, p.merchantId, p.userId, day, deps.clock.now())
  })
  r.get('/api/v1/checkins', user, async (ctx) => {
    const p = userOf(ctx)
    const { month } = parse(CheckinCalendarQuery, ctx.query)
    ctx.body = await checkin.calendar(deps.db, p.merchantId, p.userId, month, deps.clock.now())
  })

  const admin = requireAdmin(deps.db, deps.tokens)
  r.get('/admin/v1/checkin/policy', admin, async (ctx) => {
    ctx.body = await checkin.getPolicy(deps.db, adminOf(ctx).merchantId)
  })
  r.put('/admin/v1/checkin/policy', admin, async (ctx) => {
    const input = parse(CheckinPolicyInput, ctx.request.body)
    ctx.body = await checkin.setPolicy(deps.db, adminOf(ctx).merchantId, input, deps.clock.now())
  })
  return r
}
