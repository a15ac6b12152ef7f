import { CreateRedpacketCampaignInput, OpenRedpacketInput } from '@siyu/shared'
import type { AppDeps } from '../../app'
import { Router } from '../../http/router'
import { idParam, parse } from '../../http/validate'
import { adminOf, requireAdmin, requireUser, userOf } from '../auth/auth.middleware'
import * as redpackets from './redpackets.service'

/** Campaigns (/admin/v1/redpacket-campaigns) and share packets with their grabs (/api/v1/redpackets). */
export function redpacketsRoutes(deps: AppDeps) {
  const r = new Router()
  const admin = requireAdmin(deps.db, deps.tokens)
  r.post('/admin/v1/redpacket-campaigns', admin, async (ctx) => {
    const input = parse(CreateRedpacketCampaignInput, ctx.request.body)
    ctx.status = 201
    ctx.body = await redpackets.createCampaign(deps.db, adminOf(ctx).merchantId, input, deps.clock.now())
  })
  r.get('/admin/v1/redpacket-campaigns', admin, async (ctx) => {
    ctx.body = { items: await redpackets.listCampaigns(deps.db, adminOf(ctx).merchantId) }
  })
  r.get('/admin/v1/redpacket-campaigns/:id', admin, async (ctx) => {
    ctx.body = await redpackets.getCampaign(deps.db, adminOf(ctx).merchantId, idParam(ctx.params.id))
  })
  r.post('/admin/v1/redpacket-campaigns/:id/end', admin, async (ctx) => {
    ctx.body = await redpackets.endCampaign(deps.db, adminOf(ctx).merchantId, idParam(ctx.params.id))
  })

  const user = requireUser(deps.db, deps.tokens)
  r.post('/api/v1/redpackets', user, async (ctx) => {
    const p = userOf(ctx)
    const { campaignId } = parse(OpenRedpacketInput, ctx.request.body)
    ctx.status = 201
    ctx.body = await redpackets.openPacket(deps.db, p.merchantId, p.userId, campaignId, deps.clock.now())
  })
  r.get('/api/v1/redpackets/:id', user, async (ctx) => {
    const p = userOf(ctx)
    ctx.body = await redpackets.viewPacket(deps.db, p.merchantId, p.userId, idParam(ctx.params.id), deps.clock.now())
  })
  r.post('/api/v1/redpackets/:id/grabs', user, async (ctx) => {
    const p = userOf(ctx)
    const id = idParam(ctx.params.id)
    ctx.status = 201
    ctx.body = await redpackets.grab(deps.db, p.merchantId, p.userId, id, deps.clock.now())
  })
  return r
}
