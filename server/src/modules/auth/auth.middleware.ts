import type { Context, Middleware, Next } from 'koa'
import type { Db } from '../../db/client'
import { AppError } from '../../http/errors'
import { MerchantCache } from '../../lib/cache'
import * as tenancyRepo from '../tenancy/tenancy.repo'
import { hashAdminKey, type TokenService } from './tokens'

export type UserPrincipal = { kind: 'user'; merchantId: string; userId: string }
export type StaffPrincipal = { kind: 'staff'; merchantId: string; userId: string; staffId: string; storeId: string; role: string }
export type AdminPrincipal = { kind: 'admin'; merchantId: string; keyId: string }
export type Principal = UserPrincipal | StaffPrincipal | AdminPrincipal

declare module 'koa' {
  interface DefaultState {
    principal?: Principal
  }
}

function bearer(ctx: Context): string | null {
  const h = ctx.get('authorization')
  const m = /^Bearer\s+(\S+)$/i.exec(h)
  return m ? m[1]! : null
}

/** What the bearer credential is: a session token (user) or an admin key. */
async function identify(ctx: Context, db: Db, tokens: TokenService): Promise<UserPrincipal | AdminPrincipal> {
  const cred = bearer(ctx)
  if (!cred) throw new AppError('UNAUTHENTICATED')
  if (cred.startsWith('v1.')) {
    const claims = tokens.verify(cred)
    if (claims === 'expired') throw new AppError('TOKEN_EXPIRED')
    if (!claims) throw new AppError('UNAUTHENTICATED')
    return { kind: 'user', merchantId: claims.merchantId, userId: claims.userId }
  }
  const key = await tenancyRepo.findActiveAdminKey(db, hashAdminKey(cred))
  if (!key) throw new AppError('UNAUTHENTICATED')
  return { kind: 'admin', merchantId: key.merchantId, keyId: key.id }
}

/** Consumer routes (/api/v1): a session token. An admin key here is the wrong scope. */
export function requireUser(db: Db, tokens: TokenService): Middleware {
  return async (ctx: Context, next: Next) => {
    const p = await identify(ctx, db, tokens)
    if (p.kind !== 'user') throw new AppError('FORBIDDEN', { need: 'user session' })
    ctx.state.principal = p
    await next()
  }
}

// every staff request needs the staff row: cached per process; joining (or any later change to staff)
// calls merchantConfigChanged, which drops it here and in the other server processes
const staffRows = new MerchantCache<Awaited<ReturnType<typeof tenancyRepo.findStaffByUser>>>(60_000)

/** Staff routes (/staff/v1): the same session token, plus an active staff row of that merchant. */
export function requireStaff(db: Db, tokens: TokenService): Middleware {
  return async (ctx: Context, next: Next) => {
    const p = await identify(ctx, db, tokens)
    if (p.kind !== 'user') throw new AppError('FORBIDDEN', { need: 'staff session' })
    const s = await staffRows.get(p.merchantId, () => tenancyRepo.findStaffByUser(db, p.merchantId, p.userId), p.userId)
    if (!s) throw new AppError('FORBIDDEN', { need: 'staff' })
    ctx.state.principal = { kind: 'staff', merchantId: p.merchantId, userId: p.userId, staffId: s.id, storeId: s.storeId, role: s.role }
    await next()
  }
}

/** Admin routes (/admin/v1): a merchant admin API key. */
export function requireAdmin(db: Db, tokens: TokenService): Middleware {
  return async (ctx: Context, next: Next) => {
    const p = await identify(ctx, db, tokens)
    if (p.kind !== 'admin') throw new AppError('FORBIDDEN', { need: 'admin key' })
    ctx.state.principal = p
    await next()
  }
}

export function userOf(ctx: Context): UserPrincipal {
  const p = ctx.state.principal
  if (!p || p.kind !== 'user') throw new AppError('UNAUTHENTICATED')
  return p
}
export function staffOf(ctx: Context): StaffPrincipal {
  const p = ctx.state.principal
  if (!p || p.kind !== 'staff') throw new AppError('FORBIDDEN')
  return p
}
export function adminOf(ctx: Context): AdminPrincipal {
  const p = ctx.state.principal
  if (!p || p.kind !== 'admin') throw new AppError('FORBIDDEN')
  return p
}
