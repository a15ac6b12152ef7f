import { randomUUID } from 'node:crypto'
import type { Context, Middleware, Next } from 'koa'
import type { Logger } from '../logger'
import { AppError, codeToStatus, isAppError, translatePgError } from './errors'
import type { Metrics } from './metrics'

declare module 'koa' {
  interface DefaultState {
    requestId: string
    log: Logger
  }
}

const REQUEST_ID_RE = /^[A-Za-z0-9._-]{1,64}$/

/** Request id (taken from X-Request-Id when sane), a child logger carrying it, and one access-log line. */
export function requestContext(logger: Logger, metrics?: Metrics): Middleware {
  return async (ctx: Context, next: Next) => {
    const incoming = ctx.get('x-request-id')
    const requestId = REQUEST_ID_RE.test(incoming) ? incoming : randomUUID()
    ctx.state.requestId = requestId
    ctx.state.log = logger.child({ requestId })
    ctx.set('X-Request-Id', requestId)
    const started = process.hrtime.bigint()
    try {
      await next()
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6
      const route = (ctx as Context & { _matchedRoute?: string })._matchedRoute ?? 'unmatched'
      metrics?.observe(ctx.method, String(route), ctx.status, ms)
      ctx.state.log.info({ method: ctx.method, path: ctx.path, route, status: ctx.status, ms: Math.round(ms * 10) / 10 }, 'request')
    }
  }
}

/** The one place errors become HTTP: `{ error: { code, message, details, requestId } }`. */
export function errorHandler(): Middleware {
  return async (ctx: Context, next: Next) => {
    try {
      await next()
      if (ctx.status === 404 && ctx.body === undefined) throw new AppError('NOT_FOUND', { path: ctx.path })
      if (ctx.status === 405 && ctx.body === undefined) throw new AppError('NOT_FOUND', { path: ctx.path, method: ctx.method })
    } catch (err) {
      const appErr = toAppError(err)
      if (appErr) {
        ctx.status = codeToStatus(appErr.code)
        ctx.body = { error: { code: appErr.code, message: appErr.message, details: appErr.details, requestId: ctx.state.requestId } }
        return
      }
      ctx.state.log.error({ err }, 'unhandled error')
      ctx.status = 500
      ctx.body = { error: { code: 'INTERNAL', message: 'Internal error', requestId: ctx.state.requestId } }
    }
  }
}

function toAppError(err: unknown): AppError | null {
  if (isAppError(err)) return err
  const pg = translatePgError(err)
  if (pg) return pg
  // Errors thrown by the body parser (koa's http-errors): malformed JSON, too large, wrong type.
  const httpErr = err as { status?: number; expose?: boolean; message?: string; type?: string }
  if (typeof httpErr?.status === 'number' && httpErr.status >= 400 && httpErr.status < 500) {
    if (httpErr.status === 413) return new AppError('PAYLOAD_TOO_LARGE')
    if (httpErr.status === 401) return new AppError('UNAUTHENTICATED')
    return new AppError('VALIDATION_FAILED', { reason: httpErr.expose ? httpErr.message : 'malformed request body' })
  }
  return null
}
