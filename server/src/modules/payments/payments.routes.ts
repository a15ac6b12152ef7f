import {
  CatalogueQuery,
  CreateMembershipPlanInput,
  CreateOrderInput,
  CreateProductInput,
  CreateRefundInput,
  OrdersQuery,
  UpdateMembershipPlanInput,
  UpdateProductInput,
} from '@siyu/shared'
import type { AppDeps } from '../../app'
import { idParam, parse } from '../../http/validate'
import { Router } from '../../http/router'
import { wechatNotifyEndpoint } from '../../http/wechat-notify'
import { adminOf, requireAdmin, requireUser, userOf } from '../auth/auth.middleware'
import * as catalogue from './catalogue.service'
import { handlePayNotification } from './payments.notify'
import * as payments from './payments.service'
import { NOTIFY_PATH, type PaymentsDeps } from './payments.wechat'

export function paymentsDepsOf(deps: AppDeps): PaymentsDeps {
  return {
    db: deps.db,
    pay: deps.pay,
    clock: deps.clock,
    logger: deps.logger,
    orderTtlMs: deps.config.PAY_ORDER_TTL_MINUTES * 60_000,
    notifyUrl: () => (deps.publicBaseUrl ? `${deps.publicBaseUrl.replace(/\/+$/, '')}${NOTIFY_PATH}` : null),
  }
}

const activeOf = (q: CatalogueQuery) => (q.active === undefined ? undefined : q.active === 'true')

/** Catalogue (admin CRUD, consumer read), orders, payment, refunds, and WeChat Pay's notify URL. */
export function paymentsRoutes(deps: AppDeps) {
  const r = new Router()
  const p = paymentsDepsOf(deps)
  const admin = requireAdmin(deps.db, deps.tokens)
  const user = requireUser(deps.db, deps.tokens)
  const now = () => deps.clock.now()

  // ---- catalogue (admin) ----
  r.post('/admin/v1/products', admin, async (ctx) => {
    ctx.status = 201
    ctx.body = await catalogue.createProduct(deps.db, adminOf(ctx).merchantId, parse(CreateProductInput, ctx.request.body), now())
  })
  r.get('/admin/v1/products', admin, async (ctx) => {
    ctx.body = { items: await catalogue.listProducts(deps.db, adminOf(ctx).merchantId, activeOf(parse(CatalogueQuery, ctx.query))) }
  })
  r.get('/admin/v1/products/:id', admin, async (ctx) => {
    ctx.body = await catalogue.getProduct(deps.db, adminOf(ctx).merchantId, idParam(ctx.params.id, 'PRODUCT_NOT_FOUND'))
  })
  r.patch('/admin/v1/products/:id', admin, async (ctx) => {
    const id = idParam(ctx.params.id, 'PRODUCT_NOT_FOUND')
    ctx.body = await catalogue.updateProduct(deps.db, adminOf(ctx).merchantId, id, parse(UpdateProductInput, ctx.request.body), now())
  })
  r.delete('/admin/v1/products/:id', admin, async (ctx) => {
    await catalogue.archiveProduct(deps.db, adminOf(ctx).merchantId, idParam(ctx.params.id, 'PRODUCT_NOT_FOUND'), now())
    ctx.status = 204
  })
  r.post('/admin/v1/membership-plans', admin, async (ctx) => {
    ctx.status = 201
    ctx.body = await catalogue.createPlan(deps.db, adminOf(ctx).merchantId, parse(CreateMembershipPlanInput, ctx.request.body), now())
  })
  r.get('/admin/v1/membership-plans', admin, async (ctx) => {
    ctx.body = { items: await catalogue.listPlans(deps.db, adminOf(ctx).merchantId, activeOf(parse(CatalogueQuery, ctx.query))) }
  })
  r.get('/admin/v1/membership-plans/:id', admin, async (ctx) => {
    ctx.body = await catalogue.getPlan(deps.db, adminOf(ctx).merchantId, idParam(ctx.params.id, 'MEMBERSHIP_PLAN_NOT_FOUND'))
  })
  r.patch('/admin/v1/membership-plans/:id', admin, async (ctx) => {
    const id = idParam(ctx.params.id, 'MEMBERSHIP_PLAN_NOT_FOUND')
    ctx.body = await catalogue.updatePlan(deps.db, adminOf(ctx).merchantId, id, parse(UpdateMembershipPlanInput, ctx.request.body), now())
  })
  r.delete('/admin/v1/membership-plans/:id', admin, async (ctx) => {
    await catalogue.archivePlan(deps.db, adminOf(ctx).merchantId, idParam(ctx.params.id, 'MEMBERSHIP_PLAN_NOT_FOUND'), now())
    ctx.status = 204
  })

  // ---- orders and refunds (admin) ----
  r.get('/admin/v1/orders', admin, async (ctx) => {
    ctx.body = await payments.listOrders(p, adminOf(ctx).merchantId, parse(OrdersQuery, ctx.query))
  })
  r.get('/admin/v1/orders/:id', admin, async (ctx) => {
    ctx.body = await payments.getOrder(p, adminOf(ctx).merchantId, idParam(ctx.params.id, 'ORDER_NOT_FOUND'))
  })
  r.post('/admin/v1/orders/:id/refunds', admin, async (ctx) => {
    const id = idParam(ctx.params.id, 'ORDER_NOT_FOUND')
    ctx.status = 201
    ctx.body = await payments.createRefund(p, adminOf(ctx).merchantId, id, parse(CreateRefundInput, ctx.request.body))
  })

  // ---- consumer ----
  r.get('/api/v1/products', user, async (ctx) => {
    ctx.body = { items: await catalogue.listProducts(deps.db, userOf(ctx).merchantId, true) }
  })
  r.get('/api/v1/membership-plans', user, async (ctx) => {
    ctx.body = { items: await catalogue.listPlans(deps.db, userOf(ctx).merchantId, true) }
  })
  r.post('/api/v1/orders', user, async (ctx) => {
    const u = userOf(ctx)
    ctx.status = 201
    ctx.body = await payments.createOrder(p, u.merchantId, u.userId, parse(CreateOrderInput, ctx.request.body))
  })
  r.get('/api/v1/orders', user, async (ctx) => {
    const u = userOf(ctx)
    ctx.body = await payments.listOrders(p, u.merchantId, parse(OrdersQuery, ctx.query), u.userId)
  })
  r.get('/api/v1/orders/:id', user, async (ctx) => {
    const u = userOf(ctx)
    ctx.body = await payments.getOrder(p, u.merchantId, idParam(ctx.params.id, 'ORDER_NOT_FOUND'), u.userId)
  })
  r.post('/api/v1/orders/:id/pay', user, async (ctx) => {
    const u = userOf(ctx)
    ctx.body = await payments.payOrder(p, u.merchantId, u.userId, idParam(ctx.params.id, 'ORDER_NOT_FOUND'))
  })

  // ---- WeChat Pay notifications ----
  r.post(NOTIFY_PATH, wechatNotifyEndpoint('pay', (req) => handlePayNotification(p, req)))
  return r
}
