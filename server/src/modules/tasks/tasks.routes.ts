import { CreateTaskInput, UpdateTaskInput } from '@siyu/shared'
import type { AppDeps } from '../../app'
import { idParam, parse } from '../../http/validate'
import { Router } from '../../http/router'
import { adminOf, requireAdmin, requireUser, userOf } from '../auth/auth.middleware'
import * as tasks from './tasks.service'

function taskId(value: string | undefined): string {
  return idParam(value, 'TASK_NOT_FOUND')
}

/** Task centre: admin defines tasks; consumers see theirs with progress and claim the reward once. */
export function tasksRoutes(deps: AppDeps) {
  // first purchase and card claims arrive through the funnel: subscribe once, when the app is built
  tasks.registerHooks(deps.clock)
  const r = new Router()
  const admin = requireAdmin(deps.db, deps.tokens)
  r.post('/admin/v1/tasks', admin, async (ctx) => {
    ctx.status = 201
    ctx.body = await tasks.createTask(deps.db, adminOf(ctx).merchantId, parse(CreateTaskInput, ctx.request.body), deps.clock.now())
  })
  r.get('/admin/v1/tasks', admin, async (ctx) => {
    ctx.body = await tasks.listTasks(deps.db, adminOf(ctx).merchantId)
  })
  r.get('/admin/v1/tasks/:id', admin, async (ctx) => {
    ctx.body = await tasks.getTask(deps.db, adminOf(ctx).merchantId, taskId(ctx.params.id))
  })
  r.patch('/admin/v1/tasks/:id', admin, async (ctx) => {
    const id = taskId(ctx.params.id)
    ctx.body = await tasks.updateTask(deps.db, adminOf(ctx).merchantId, id, parse(UpdateTaskInput, ctx.request.body), deps.clock.now())
  })
  r.del('/admin/v1/tasks/:id', admin, async (ctx) => {
    await tasks.archiveTask(deps.db, adminOf(ctx).merchantId, taskId(ctx.params.id), deps.clock.now())
    ctx.status = 204
  })

  const user = requireUser(deps.db, deps.tokens)
  r.get('/api/v1/tasks', user, async (ctx) => {
    const p = userOf(ctx)
    ctx.body = await tasks.myTasks(deps.db, p.merchantId, p.userId, deps.clock.now())
  })
  r.post('/api/v1/tasks/:id/claim', user, async (ctx) => {
    const p = userOf(ctx)
    ctx.status = 201
    ctx.body = await tasks.claim(deps.db, p.merchantId, p.userId, taskId(ctx.params.id), deps.clock.now())
  })
  return r
}
