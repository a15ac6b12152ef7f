import { CreateLotteryInput, DrawInput, RedeemPrizeInput, UpdateLotteryInput, UpdatePrizeInput } from '@siyu/shared'
import { z } from 'zod'
import type { AppDeps } from '../../app'
import { idParam, parse } from '../../http/validate'
import { Router } from '../../http/router'
import { adminOf, requireAdmin, requireStaff, requireUser, staffOf, userOf } from '../auth/auth.middleware'
import * as draws from './lottery.draw'
import * as lottery from './lottery.service'

const AuditQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(100) })

const lotteryId = (v: string | undefined) => idParam(v, 'LOTTERY_NOT_FOUND')

export function lotteryRoutes(deps: AppDeps) {
  const r = new Router()
  const admin = requireAdmin(deps.db, deps.tokens)
  const user = requireUser(deps.db, deps.tokens)

  // admin: campaigns
  r.post('/admin/v1/lotteries', admin, async (ctx) => {
    ctx.status = 201
    ctx.body = await lottery.createLottery(deps.db, adminOf(ctx).merchantId, parse(CreateLotteryInput, ctx.request.body), deps.clock.now())
  })
  r.get('/admin/v1/lotteries', admin, async (ctx) => {
    ctx.body = await lottery.listLotteries(deps.db, adminOf(ctx).merchantId)
  })
  r.get('/admin/v1/lotteries/:id', admin, async (ctx) => {
    ctx.body = await lottery.getLottery(deps.db, adminOf(ctx).merchantId, lotteryId(ctx.params.id))
  })
  r.patch('/admin/v1/lotteries/:id', admin, async (ctx) => {
    const id = lotteryId(ctx.params.id)
    ctx.body = await lottery.updateLottery(deps.db, adminOf(ctx).merchantId, id, parse(UpdateLotteryInput, ctx.request.body), deps.clock.now())
  })
  r.delete('/admin/v1/lotteries/:id', admin, async (ctx) => {
    await lottery.deleteLottery(deps.db, adminOf(ctx).merchantId, lotteryId(ctx.params.id))
    ctx.status = 204
  })
  r.patch('/admin/v1/lotteries/:id/prizes/:prizeId', admin, async (ctx) => {
    const id = lotteryId(ctx.params.id)
    const prizeId = idParam(ctx.params.prizeId, 'NOT_FOUND')
    ctx.body = await lottery.updatePrize(deps.db, adminOf(ctx).merchantId, id, prizeId, parse(UpdatePrizeInput, ctx.request.body))
  })
  r.get('/admin/v1/lotteries/:id/draws', admin, async (ctx) => {
    const id = lotteryId(ctx.params.id)
    ctx.body = await draws.auditDraws(deps.db, adminOf(ctx).merchantId, id, parse(AuditQuery, ctx.query).limit)
  })

  // consumer
  r.get('/api/v1/lotteries', user, async (ctx) => {
    ctx.body = await lottery.listActive(deps.db, userOf(ctx).merchantId, deps.clock.now())
  })
  r.get('/api/v1/lotteries/:id', user, async (ctx) => {
    const p = userOf(ctx)
    ctx.body = await lottery.publicView(deps.db, p.merchantId, p.userId, lotteryId(ctx.params.id), deps.clock.now())
  })
  r.post('/api/v1/lotteries/:id/draws', user, async (ctx) => {
    const id = lotteryId(ctx.params.id)
    const { idempotencyKey } = parse(DrawInput, ctx.request.body)
    const { created, ...result } = await draws.draw(deps.db, userOf(ctx), id, idempotencyKey, deps.clock.now())
    ctx.status = created ? 201 : 200
    ctx.body = result
  })
  r.get('/api/v1/lotteries/:id/draws', user, async (ctx) => {
    const p = userOf(ctx)
    ctx.body = await draws.myDraws(deps.db, p.merchantId, p.userId, lotteryId(ctx.params.id))
  })

  // staff: physical prizes
  r.post('/staff/v1/prizes/redeem', requireStaff(deps.db, deps.tokens), async (ctx) => {
    const { code } = parse(RedeemPrizeInput, ctx.request.body)
    ctx.body = await draws.redeemPrize(deps.db, staffOf(ctx), code, deps.clock.now())
  })
  return r
}
