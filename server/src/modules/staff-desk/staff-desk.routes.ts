import { CursorQuery, StaffPurchaseInput, StaffRedeemInput, StaffScanInput, StaffStatsQuery } from '@siyu/shared'
import type { AppDeps } from '../../app'
import { parse } from '../../http/validate'
import { Router } from '../../http/router'
import { requireStaff, staffOf } from '../auth/auth.middleware'
import * as desk from './staff-desk.service'

/** Staff mode at the counter (/staff/v1): scan a member code, record purchases, redeem points, my customers and figures. */
export function staffDeskRoutes(deps: AppDeps) {
  const r = new Router()
  const staff = requireStaff(deps.db, deps.tokens)
  r.post('/staff/v1/scan', staff, async (ctx) => {
    const { memberCode } = parse(StaffScanInput, ctx.request.body)
    ctx.body = await desk.scan(deps.db, staffOf(ctx), memberCode, deps.clock.now())
  })
  r.post('/staff/v1/purchases', staff, async (ctx) => {
    const input = parse(StaffPurchaseInput, ctx.request.body)
    const { created, result } = await desk.recordPurchase(deps.db, staffOf(ctx), input, deps.clock.now())
    ctx.status = created ? 201 : 200
    ctx.body = result
  })
  r.post('/staff/v1/points/redeem', staff, async (ctx) => {
    const input = parse(StaffRedeemInput, ctx.request.body)
    const { created, result } = await desk.redeem(deps.db, staffOf(ctx), input, deps.clock.now())
    ctx.status = created ? 201 : 200
    ctx.body = result
  })
  r.get('/staff/v1/customers', staff, async (ctx) => {
    ctx.body = await desk.customers(deps.db, staffOf(ctx), parse(CursorQuery, ctx.query))
  })
  r.get('/staff/v1/stats', staff, async (ctx) => {
    const { period } = parse(StaffStatsQuery, ctx.query)
    ctx.body = await desk.stats(deps.db, staffOf(ctx), period, deps.clock.now())
  })
  return r
}
