import type { Context } from 'koa'
import { codeToStatus, isAppError } from './errors'

export type NotifyInput = { rawBody: string | undefined; header(name: string): string | undefined }

/**
 * A WeChat Pay notification endpoint, answering in WeChat's shape: 204 once the state change has
 * committed; otherwise 4xx/5xx with `{code, message}`, which makes WeChat retry (probes and forgeries
 * included: they must never be acknowledged). `handle` verifies, decrypts and applies.
 */
export function wechatNotifyEndpoint(label: string, handle: (req: NotifyInput) => Promise<object>) {
  return async (ctx: Context) => {
    try {
      const result = await handle({ rawBody: ctx.request.rawBody, header: (n) => ctx.get(n) || undefined })
      ctx.state.log.info({ ...result }, `${label} notification handled`)
      ctx.status = 204
    } catch (err) {
      if (isAppError(err)) {
        ctx.status = codeToStatus(err.code)
        ctx.body = { code: err.code, message: err.message }
        return
      }
      ctx.state.log.error({ err }, `${label} notification failed; WeChat will retry`)
      ctx.status = 500
      ctx.body = { code: 'FAIL', message: 'internal error; retry later' }
    }
  }
}
