import type { Context } from 'koa'
import { BindReferralInput, ReferralDecisionInput, ReferralPolicyInput, ReferralReviewsQuery } from '@siyu/shared'
import type { AppDeps } from '../../app'
import { idParam, parse } from '../../http/validate'
import { Router } from '../../http/router'
import { adminOf, requireAdmin, requireStaff, requireUser, staffOf, userOf } from '../auth/auth.middleware'
import * as referrals from './referrals.service'

/** Ids in paths: anything but a uuid can't exist. */
function referralId(value: string | undefined): string {
  return idParam(value, 'REFERRAL_NOT_FOUND')
}

const DEVICE_ID_RE = /^[\x21-\x7e]{1,128}$/

/** The invitee's client IP (the app trusts X-Forwarded-For: proxy: true) and optional X-Device-Id fingerprint. */
export function clientSignals(ctx: Context): referrals.ClientSignals {
  const device = ctx.get('x-device-id').trim()
  return { ip: ctx.ip || null, deviceId: DEVICE_ID_RE.test(device) ? device : null }
}

/** Invite codes (consumers and guides), binding, my invitees; admin policy and review of held referrals. */
export function referralsRoutes(deps: AppDeps) {
  // milestones (card claimed, first purchase) arrive through the funnel: subscribe once, when the app is built
  referrals.registerHooks(deps.clock)
  const r = new Router()
  const user = requireUser(deps.db, deps.tokens)
  r.get('/api/v1/referrals/invite', user, async (ctx) => {
    const p = userOf(ctx)
    ctx.body = await referrals.inviteOf(deps, { merchantId: p.merchantId, userId: p.userId, kind: 'user', staffId: null }, deps.clock.now())
  })
  r.post('/api/v1/referrals/bind', user, async (ctx) => {
    const p = userOf(ctx)
    const { inviteCode } = parse(BindReferralInput, ctx.request.body)
    const b = await referrals.bind(deps.db, p.merchantId, p.userId, inviteCode, clientSignals(ctx), deps.clock.now())
    ctx.status = b.status !== 'rejected' && b.replayed ? 200 : 201
    ctx.body = b
  })
  r.get('/api/v1/referrals', user, async (ctx) => {
    const p = userOf(ctx)
    ctx.body = await referrals.myReferrals(deps.db, p.merchantId, p.userId)
  })

  r.get('/staff/v1/referrals/invite', requireStaff(deps.db, deps.tokens), async (ctx) => {
    const s = staffOf(ctx)
    ctx.body = await referrals.inviteOf(deps, { merchantId: s.merchantId, userId: s.userId, kind: 'guide', staffId: s.staffId }, deps.clock.now())
  })

  const admin = requireAdmin(deps.db, deps.tokens)
  r.get('/admin/v1/referrals/policy', admin, async (ctx) => {
    ctx.body = await referrals.getPolicy(deps.db, adminOf(ctx).merchantId)
  })
  r.put('/admin/v1/referrals/policy', admin, async (ctx) => {
    ctx.body = await referrals.setPolicy(deps.db, adminOf(ctx).merchantId, parse(ReferralPolicyInput, ctx.request.body), deps.clock.now())
  })
  r.get('/admin/v1/referrals/reviews', admin, async (ctx) => {
    const q = parse(ReferralReviewsQuery, ctx.query)
    ctx.body = await referrals.listReviews(deps.db, adminOf(ctx).merchantId, q.status, q.limit)
  })
  r.post('/admin/v1/referrals/reviews/:id', admin, async (ctx) => {
    const id = referralId(ctx.params.id)
    const { decision } = parse(ReferralDecisionInput, ctx.request.body)
    ctx.body = await referrals.decide(deps.db, adminOf(ctx).merchantId, id, decision, deps.clock.now())
  })
  return r
}
