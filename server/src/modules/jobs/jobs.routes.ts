import type { AppDeps } from '../../app'
import { idParam } from '../../http/validate'
import { Router } from '../../http/router'
import { adminOf, requireAdmin } from '../auth/auth.middleware'
import { getBackgroundJob } from './jobs.service'

export function jobsRoutes(deps: AppDeps) {
  const r = new Router()
  r.get('/admin/v1/jobs/:id', requireAdmin(deps.db, deps.tokens), async (ctx) => {
    ctx.body = await getBackgroundJob(deps.db, adminOf(ctx).merchantId, idParam(ctx.params.id))
  })
  return r
}
