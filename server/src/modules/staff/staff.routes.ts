import { CreateStaffInviteInput, CreateStoreInput, JoinStaffInput, ListStaffQuery, TransferCustomersInput, UpdateStaffInput } from '@siyu/shared'
import type { AppDeps } from '../../app'
import { idParam, parse } from '../../http/validate'
import { Router } from '../../http/router'
import { adminOf, requireAdmin, requireStaff, requireUser, staffOf, userOf } from '../auth/auth.middleware'
import * as members from '../members/members.service'
import * as referrals from '../referrals/referrals.service'
import * as social from '../social/social.service'
import * as tenancy from '../tenancy/tenancy.service'

/**
 * Stores and staff: admin creates stores and invites, lists and manages staff (deactivate, move, hand a
 * guide's customers over); a consumer joins with a code; staff see themselves.
 */
export function staffRoutes(deps: AppDeps) {
  const r = new Router()
  const admin = requireAdmin(deps.db, deps.tokens)
  r.post('/admin/v1/stores', admin, async (ctx) => {
    ctx.status = 201
    ctx.body = await tenancy.createStore(deps.db, adminOf(ctx).merchantId, parse(CreateStoreInput, ctx.request.body))
  })
  r.get('/admin/v1/stores', admin, async (ctx) => {
    ctx.body = { items: await tenancy.listStores(deps.db, adminOf(ctx).merchantId) }
  })
  r.get('/admin/v1/stores/:id', admin, async (ctx) => {
    ctx.body = await tenancy.getStore(deps.db, adminOf(ctx).merchantId, idParam(ctx.params.id, 'STORE_NOT_FOUND'))
  })
  r.post('/admin/v1/staff/invites', admin, async (ctx) => {
    ctx.status = 201
    ctx.body = await tenancy.createStaffInvite(deps.db, adminOf(ctx).merchantId, parse(CreateStaffInviteInput, ctx.request.body))
  })
  r.get('/admin/v1/staff', admin, async (ctx) => {
    ctx.body = { items: await tenancy.listStaff(deps.db, adminOf(ctx).merchantId, parse(ListStaffQuery, ctx.query)) }
  })
  r.patch('/admin/v1/staff/:id', admin, async (ctx) => {
    const id = idParam(ctx.params.id, 'STAFF_NOT_FOUND')
    ctx.body = await tenancy.updateStaff(deps.db, adminOf(ctx).merchantId, id, parse(UpdateStaffInput, ctx.request.body))
  })
  r.post('/admin/v1/staff/:id/customers/transfer', admin, async (ctx) => {
    const id = idParam(ctx.params.id, 'STAFF_NOT_FOUND')
    const { toStaffId } = parse(TransferCustomersInput, ctx.request.body)
    ctx.body = await tenancy.transferCustomers(deps.db, adminOf(ctx).merchantId, id, toStaffId.toLowerCase())
  })
  r.get('/admin/v1/users/:id', admin, async (ctx) => {
    const p = adminOf(ctx)
    const u = await members.getUser(deps.db, p.merchantId, idParam(ctx.params.id, 'USER_NOT_FOUND'))
    ctx.body = {
      ...(await members.toProfile(deps.db, u)),
      phone: u.phone,
      guideStaffId: u.guideStaffId,
      acquisition: { channel: u.acqChannel, storeId: u.acqStoreId, guideId: u.acqGuideId, sharerId: u.acqSharerId },
      lastSeenAt: u.lastSeenAt.toISOString(),
      // social value beside wallet value (RFM), and who invited this user
      ...(await social.insightsOf(deps.db, p.merchantId, u.id, deps.clock.now())),
      referral: await referrals.referralOf(deps.db, p.merchantId, u.id),
    }
  })

  r.post('/api/v1/staff/join', requireUser(deps.db, deps.tokens), async (ctx) => {
    const p = userOf(ctx)
    const { code } = parse(JoinStaffInput, ctx.request.body)
    ctx.status = 201
    ctx.body = await tenancy.joinStaff(deps.db, p.merchantId, p.userId, code)
  })
  r.get('/staff/v1/me', requireStaff(deps.db, deps.tokens), async (ctx) => {
    const s = staffOf(ctx)
    const store = await tenancy.getStore(deps.db, s.merchantId, s.storeId)
    ctx.body = { staffId: s.staffId, role: s.role, store }
  })
  return r
}
