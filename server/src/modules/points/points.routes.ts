import { AdminPointsAdjustInput, PointsLedgerQuery, PointsPolicyInput } from '@siyu/shared'
import type { AppDeps } from '../../app'
import { AppError } from '../../http/errors'
import { Router } from '../../http/router'
import { parse } from '../../http/validate'
import { adminOf, requireAdmin, requireUser, userOf } from '../auth/auth.middleware'
import { startImport } from './points.import'
import * as points from './points.service'

export function pointsRoutes(deps: AppDeps) {
  const r = new Router()
  const user = requireUser(deps.db, deps.tokens)
  r.get('/api/v1/points', user, async (ctx) => {
    const p = userOf(ctx)
    ctx.body = await points.getSummary(deps.db, p.merchantId, p.userId, deps.clock.now())
  })
  r.get('/api/v1/points/ledger', user, async (ctx) => {
    const p = userOf(ctx)
    ctx.body = await points.getLedger(deps.db, p.merchantId, p.userId, parse(PointsLedgerQuery, ctx.query))
  })

  const admin = requireAdmin(deps.db, deps.tokens)
  r.post('/admin/v1/points/adjust', admin, async (ctx) => {
    const p = adminOf(ctx)
    const input = parse(AdminPointsAdjustInput, ctx.request.body)
    // a user of another merchant (or none) is USER_NOT_FOUND from the ledger itself
    ctx.body = await deps.db.transaction((tx) =>
      points.adjust(tx, {
        merchantId: p.merchantId,
        userId: input.userId,
        amount: input.amount,
        reasonCode: 'admin_adjust',
        reason: input.reason,
        // admin keys live in their own namespace: they can never collide with a module's keys
        idempotencyKey: `admin:${input.idempotencyKey}`,
        source: { type: 'admin_key', id: p.keyId },
        now: deps.clock.now(),
      }),
    )
  })
  r.get('/admin/v1/points/policy', admin, async (ctx) => {
    ctx.body = await points.getPolicy(deps.db, adminOf(ctx).merchantId, deps.clock.now())
  })
  r.put('/admin/v1/points/policy', admin, async (ctx) => {
    const input = parse(PointsPolicyInput, ctx.request.body)
    ctx.body = await points.setPolicy(deps.db, adminOf(ctx).merchantId, input.expiry, deps.clock.now())
  })
  r.post('/admin/v1/points/import', admin, async (ctx) => {
    if (!ctx.is('text/csv')) throw new AppError('VALIDATION_FAILED', { reason: 'Content-Type must be text/csv' })
    ctx.status = 202
    ctx.body = await startImport(deps, adminOf(ctx).merchantId, ctx.request.body)
  })
  return r
}
