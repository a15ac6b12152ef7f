import { BindPhoneInput, LoginInput, UpdateProfileInput } from '@siyu/shared'
import type { AppDeps } from '../../app'
import { parse } from '../../http/validate'
import { Router } from '../../http/router'
import * as members from '../members/members.service'
import { clientSignals } from '../referrals/referrals.routes'
import { requireUser, userOf } from './auth.middleware'
import * as auth from './auth.service'

/** /api/v1/auth/login (public) and /api/v1/me (consumer). */
export function authRoutes(deps: AppDeps) {
  const r = new Router()
  r.post('/api/v1/auth/login', async (ctx) => {
    ctx.body = await auth.login(deps, parse(LoginInput, ctx.request.body), clientSignals(ctx))
  })

  const me = requireUser(deps.db, deps.tokens)
  r.get('/api/v1/me', me, async (ctx) => {
    const p = userOf(ctx)
    ctx.body = await members.getProfile(deps.db, p.merchantId, p.userId)
  })
  r.patch('/api/v1/me', me, async (ctx) => {
    const p = userOf(ctx)
    const input = parse(UpdateProfileInput, ctx.request.body)
    const u = await members.updateProfile(deps.db, p.merchantId, p.userId, input)
    ctx.body = await members.toProfile(deps.db, u ?? (await members.getUser(deps.db, p.merchantId, p.userId)))
  })
  r.post('/api/v1/me/phone', me, async (ctx) => {
    const p = userOf(ctx)
    const { code } = parse(BindPhoneInput, ctx.request.body)
    ctx.body = await auth.bindPhone(deps, p.merchantId, p.userId, code)
  })
  return r
}
