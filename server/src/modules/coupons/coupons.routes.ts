import {
  BulkIssueCouponsInput,
  ClaimCouponInput,
  CreateCouponTemplateInput,
  ListCouponsQuery,
  RedeemCouponInput,
  UpdateCouponTemplateInput,
} from '@siyu/shared'
import type { AppDeps } from '../../app'
import { idParam, parse } from '../../http/validate'
import { Router } from '../../http/router'
import { adminOf, requireAdmin, requireStaff, requireUser, staffOf, userOf } from '../auth/auth.middleware'
import { startBulkIssue } from './coupons.bulk'
import * as coupons from './coupons.service'

export function couponsRoutes(deps: AppDeps) {
  const r = new Router()
  const admin = requireAdmin(deps.db, deps.tokens)
  const user = requireUser(deps.db, deps.tokens)
  const tplId = (v: string | undefined) => idParam(v, 'COUPON_TEMPLATE_NOT_FOUND')

  // admin: templates and bulk issue
  r.post('/admin/v1/coupons/templates', admin, async (ctx) => {
    ctx.status = 201
    ctx.body = await coupons.createTemplate(deps.db, adminOf(ctx).merchantId, parse(CreateCouponTemplateInput, ctx.request.body), deps.clock.now())
  })
  r.get('/admin/v1/coupons/templates', admin, async (ctx) => {
    ctx.body = { items: await coupons.listTemplates(deps.db, adminOf(ctx).merchantId) }
  })
  r.get('/admin/v1/coupons/templates/:id', admin, async (ctx) => {
    ctx.body = await coupons.getTemplate(deps.db, adminOf(ctx).merchantId, tplId(ctx.params.id))
  })
  r.patch('/admin/v1/coupons/templates/:id', admin, async (ctx) => {
    const id = tplId(ctx.params.id)
    ctx.body = await coupons.updateTemplate(deps.db, adminOf(ctx).merchantId, id, parse(UpdateCouponTemplateInput, ctx.request.body), deps.clock.now())
  })
  r.post('/admin/v1/coupons/templates/:id/issue', admin, async (ctx) => {
    const id = tplId(ctx.params.id)
    const input = parse(BulkIssueCouponsInput, ctx.request.body)
    ctx.status = 202
    ctx.body = await startBulkIssue(deps, adminOf(ctx).merchantId, id, input)
  })

  // consumer: claim centre and my coupons
  r.get('/api/v1/coupons/templates', user, async (ctx) => {
    const p = userOf(ctx)
    ctx.body = { items: await coupons.listClaimable(deps.db, p.merchantId, p.userId, deps.clock.now()) }
  })
  r.post('/api/v1/coupons/claim', user, async (ctx) => {
    const p = userOf(ctx)
    const { templateId } = parse(ClaimCouponInput, ctx.request.body)
    ctx.status = 201
    ctx.body = await coupons.claim(deps.db, p.merchantId, p.userId, templateId, deps.clock.now())
  })
  r.get('/api/v1/coupons', user, async (ctx) => {
    const p = userOf(ctx)
    ctx.body = await coupons.listMine(deps.db, p.merchantId, p.userId, parse(ListCouponsQuery, ctx.query), deps.clock.now())
  })

  // staff: redeem at the counter
  r.post('/staff/v1/coupons/redeem', requireStaff(deps.db, deps.tokens), async (ctx) => {
    const s = staffOf(ctx)
    ctx.body = await coupons.redeemAtCounter(deps.db, s, parse(RedeemCouponInput, ctx.request.body), deps.clock.now())
  })
  return r
}
