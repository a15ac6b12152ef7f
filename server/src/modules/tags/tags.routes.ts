import { UserTag, UserTagsInput } from '@siyu/shared'
import type { AppDeps } from '../../app'
import { idParam, parse } from '../../http/validate'
import { Router } from '../../http/router'
import { adminOf, requireAdmin } from '../auth/auth.middleware'
import * as tags from './tags.service'

/** Admin tagging of users (eligibility and segments). */
export function tagsRoutes(deps: AppDeps) {
  const r = new Router()
  const admin = requireAdmin(deps.db, deps.tokens)
  r.get('/admin/v1/users/:id/tags', admin, async (ctx) => {
    ctx.body = await tags.tagsOf(deps.db, adminOf(ctx).merchantId, idParam(ctx.params.id, 'USER_NOT_FOUND'))
  })
  r.post('/admin/v1/users/:id/tags', admin, async (ctx) => {
    const input = parse(UserTagsInput, ctx.request.body)
    ctx.body = await tags.addTags(deps.db, adminOf(ctx).merchantId, idParam(ctx.params.id, 'USER_NOT_FOUND'), input.tags)
  })
  r.delete('/admin/v1/users/:id/tags/:tag', admin, async (ctx) => {
    const tag = parse(UserTag, ctx.params.tag)
    ctx.body = await tags.removeTag(deps.db, adminOf(ctx).merchantId, idParam(ctx.params.id, 'USER_NOT_FOUND'), tag)
  })
  return r
}
