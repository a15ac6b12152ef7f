import type { Context, Middleware, Next } from 'koa'

/**
 * CORS for the H5 build of the mini-program (development and browser tests). The weapp build
 * is not a browser and needs none. `origins`: exact origins, or ['*'] to reflect any origin.
 */
export function cors(origins: string[]): Middleware {
  const any = origins.includes('*')
  const allowed = new Set(origins)
  return async (ctx: Context, next: Next) => {
    const origin = ctx.get('origin')
    if (!origin || !(any || allowed.has(origin))) return next()
    ctx.set('Access-Control-Allow-Origin', origin)
    ctx.set('Vary', 'Origin')
    ctx.set('Access-Control-Expose-Headers', 'X-Request-Id')
    if (ctx.method === 'OPTIONS' && ctx.get('access-control-request-method')) {
      ctx.set('Access-Control-Allow-Methods', 'GET,POST,PUT,PATCH,DELETE,OPTIONS')
      ctx.set('Access-Control-Allow-Headers', ctx.get('access-control-request-headers') || 'authorization,content-type')
      ctx.set('Access-Control-Max-Age', '600')
      ctx.status = 204
      return
    }
    return next()
  }
}
