/** Red-packet campaigns, share packets, grabs and expiry over HTTP on the real database. */
import fc from 'fast-check'
import { CreateRedpacketCampaignInput } from '@siyu/shared'
import { client, loginAs, seedMerchant, startTestApp, type SeededMerchant, type TestApp } from '../../../../tests/src/support/harness'
import { isAppError } from '../../http/errors'
import { runExclusive } from '../jobs/jobs.service'
import { createCampaign, endCampaign, expirePackets, grab, grantCash, openPacket, redpacketExpiryJob } from './redpackets.service'
import { insertUsers, moneyViolations, packetMoney, walletViolations } from './redpackets.support'

let t: TestApp
beforeAll(async () => {
  t = await startTestApp()
})
afterAll(() => t.close())

const HOUR = 3600_000
const future = (ms = 30 * 24 * HOUR) => new Date(Date.now() + ms).toISOString()

async function campaign(m: SeededMerchant, over: Record<string, unknown> = {}) {
  const r = await m.admin.post('/admin/v1/redpacket-campaigns', {
    name: '新春红包',
    budgetFen: 10_000,
    packetTotalFen: 1_000,
    slicesPerPacket: 5,
    floorFen: 10,
    endsAt: future(),
    ...over,
  })
  if (r.status !== 201) throw new Error(`campaign: ${r.status} ${JSON.stringify(r.body)}`)
  return r.body as { id: string }
}

describe('admin campaigns', () => {
  it('creates with defaults, lists, shows money stats, ends', async () => {
    const m = await seedMerchant(t)
    const r = await m.admin.post('/admin/v1/redpacket-campaigns', { name: '双11', budgetFen: 50_000, packetTotalFen: 2_000, slicesPerPacket: 10, endsAt: future() })
    expect(r.status).toBe(201)
    expect(r.body).toMatchObject({
      name: '双11',
      status: 'active',
      budgetFen: 50_000,
      grantedFen: 0,
      returnedFen: 0,
      availableFen: 50_000,
      floorFen: 1,
      sharerCanGrab: false,
      fundsLotteryPrizes: false,
      eligibility: { minStage: null, maxPacketsPerUser: 1 },
      packetTtlMinutes: 1440,
    })
    expect((await m.admin.get('/admin/v1/redpacket-campaigns')).body.items.map((c: { id: string }) => c.id)).toEqual([r.body.id])
    const one = await m.admin.get(`/admin/v1/redpacket-campaigns/${r.body.id}`)
    expect(one.body.stats).toEqual({ packets: 0, fundedFen: 0, claimedFen: 0, unclaimedFen: 0, returnedFen: 0, prizeGrantsFen: 0 })
    const ended = await m.admin.post(`/admin/v1/redpacket-campaigns/${r.body.id}/end`)
    expect(ended.body.status).toBe('ended')
  })

  it('rejects impossible splits, budgets below one packet, bad windows and unknown fields', async () => {
    const m = await seedMerchant(t)
    const base = { name: 'x', budgetFen: 1_000, packetTotalFen: 100, slicesPerPacket: 10, floorFen: 10, endsAt: future() }
    const bad = [
      { ...base, floorFen: 11 },
      { ...base, budgetFen: 99 },
      { ...base, slicesPerPacket: 1001, packetTotalFen: 100_000, budgetFen: 100_000, floorFen: 1 },
      { ...base, startsAt: future(2 * HOUR), endsAt: future(HOUR) },
      { ...base, packetTotalFen: 100.5 },
      { ...base, merchantId: m.merchantId },
    ]
    for (const body of bad) {
      const r = await m.admin.post('/admin/v1/redpacket-campaigns', body)
      expect(r.status).toBe(400)
      expect(r.body.error.code).toBe('VALIDATION_FAILED')
    }
    expect((await m.admin.get('/admin/v1/redpacket-campaigns')).body.items).toEqual([])
  })

  it('needs an admin key of the same merchant', async () => {
    const m = await seedMerchant(t)
    const other = await seedMerchant(t)
    const c = await campaign(m)
    expect((await client(t.url).get('/admin/v1/redpacket-campaigns')).status).toBe(401)
    const u = await loginAs(t, m)
    expect((await u.api.get('/admin/v1/redpacket-campaigns')).status).toBe(403)
    const x = await other.admin.get(`/admin/v1/redpacket-campaigns/${c.id}`)
    expect(x.status).toBe(404)
    expect(x.body.error.code).toBe('REDPACKET_CAMPAIGN_NOT_FOUND')
    expect((await other.admin.post(`/admin/v1/redpacket-campaigns/${c.id}/end`)).status).toBe(404)
    expect((await m.admin.get('/admin/v1/redpacket-campaigns/not-a-uuid')).status).toBe(404)
  })
})

describe('opening a share packet', () => {
  it('reserves the packet total from the budget and stores the pre-split slices', async () => {
    const m = await seedMerchant(t)
    const c = await campaign(m)
    const sharer = await loginAs(t, m)
    const r = await sharer.api.post('/api/v1/redpackets', { campaignId: c.id })
    expect(r.status).toBe(201)
    expect(r.body).toMatchObject({ campaignId: c.id, campaignName: '新春红包', isSharer: true, totalFen: 1_000, sliceCount: 5, claimedCount: 0, claimedFen: 0, status: 'active', canGrab: false, myGrab: null, grabs: [] })
    expect(new Date(r.body.expiresAt).getTime() - new Date(r.body.createdAt).getTime()).toBe(24 * HOUR)
    const slices = (await t.pool.query('select amount_fen from redpacket_slices where packet_id = $1', [r.body.id])).rows.map((x) => x.amount_fen as number)
    expect(slices).toHaveLength(5)
    expect(slices.reduce((a, b) => a + b, 0)).toBe(1_000)
    expect(Math.min(...slices)).toBeGreaterThanOrEqual(10)
    const after = (await m.admin.get(`/admin/v1/redpacket-campaigns/${c.id}`)).body
    expect(after).toMatchObject({ grantedFen: 1_000, availableFen: 9_000, stats: { packets: 1, fundedFen: 1_000, unclaimedFen: 1_000 } })
    expect(await moneyViolations(t.pool, c.id)).toEqual([])
  })

  it('BUDGET_EXHAUSTED once the budget cannot fund another packet; nothing is written', async () => {
    const m = await seedMerchant(t)
    const c = await campaign(m, { budgetFen: 2_500 })
    for (let i = 0; i < 2; i++) expect((await (await loginAs(t, m)).api.post('/api/v1/redpackets', { campaignId: c.id })).status).toBe(201)
    const third = await (await loginAs(t, m)).api.post('/api/v1/redpackets', { campaignId: c.id })
    expect(third.status).toBe(409)
    expect(third.body.error).toMatchObject({ code: 'BUDGET_EXHAUSTED', details: { availableFen: 500, neededFen: 1_000 } })
    expect((await packetMoney(t.pool, c.id)).length).toBe(2)
  })

  it('enforces the window, the end, eligibility and the per-user packet limit', async () => {
    const m = await seedMerchant(t)
    const later = await campaign(m, { startsAt: future(HOUR) })
    const u = await loginAs(t, m)
    const notYet = await u.api.post('/api/v1/redpackets', { campaignId: later.id })
    expect(notYet.status).toBe(409)
    expect(notYet.body.error.code).toBe('CAMPAIGN_NOT_ACTIVE')

    const ended = await campaign(m)
    await m.admin.post(`/admin/v1/redpacket-campaigns/${ended.id}/end`)
    expect((await u.api.post('/api/v1/redpackets', { campaignId: ended.id })).body.error.code).toBe('CAMPAIGN_NOT_ACTIVE')

    const members = await campaign(m, { eligibility: { minStage: 'member' } })
    const ne = await u.api.post('/api/v1/redpackets', { campaignId: members.id })
    expect(ne.status).toBe(403)
    expect(ne.body.error).toMatchObject({ code: 'REDPACKET_NOT_ELIGIBLE', details: { minStage: 'member', stage: 'visitor' } })

    const two = await campaign(m, { eligibility: { maxPacketsPerUser: 2 } })
    expect((await u.api.post('/api/v1/redpackets', { campaignId: two.id })).status).toBe(201)
    expect((await u.api.post('/api/v1/redpackets', { campaignId: two.id })).status).toBe(201)
    const third = await u.api.post('/api/v1/redpackets', { campaignId: two.id })
    expect(third.status).toBe(409)
    expect(third.body.error).toMatchObject({ code: 'PACKET_LIMIT_REACHED', details: { maxPacketsPerUser: 2 } })
  })

  it('one packet per user even when the same user opens many at once', async () => {
    const m = await seedMerchant(t)
    const c = await campaign(m)
    const u = await loginAs(t, m)
    const rs = await Promise.all(Array.from({ length: 8 }, () => u.api.post('/api/v1/redpackets', { campaignId: c.id })))
    expect(rs.filter((r) => r.status === 201)).toHaveLength(1)
    expect(rs.filter((r) => r.status === 409).every((r) => r.body.error.code === 'PACKET_LIMIT_REACHED')).toBe(true)
    expect((await m.admin.get(`/admin/v1/redpacket-campaigns/${c.id}`)).body.grantedFen).toBe(1_000)
    expect(await moneyViolations(t.pool, c.id)).toEqual([])
  })

  it('validates the body, hides other merchants, needs a consumer token', async () => {
    const m = await seedMerchant(t)
    const other = await seedMerchant(t)
    const c = await campaign(other)
    const u = await loginAs(t, m)
    expect((await u.api.post('/api/v1/redpackets', { campaignId: 'x' })).body.error.code).toBe('VALIDATION_FAILED')
    expect((await u.api.post('/api/v1/redpackets', { campaignId: c.id, extra: 1 })).body.error.code).toBe('VALIDATION_FAILED')
    const x = await u.api.post('/api/v1/redpackets', { campaignId: c.id })
    expect(x.status).toBe(404)
    expect(x.body.error.code).toBe('REDPACKET_CAMPAIGN_NOT_FOUND')
    expect((await client(t.url).post('/api/v1/redpackets', { campaignId: c.id })).status).toBe(401)
    expect((await m.admin.post('/api/v1/redpackets', { campaignId: c.id })).status).toBe(403)
  })
})

describe('viewing and grabbing', () => {
  it('a friend brought by the share opens (attributed, redpacket_open once), grabs once, is paid into the wallet', async () => {
    const m = await seedMerchant(t)
    const c = await campaign(m)
    const sharer = await loginAs(t, m)
    await sharer.api.patch('/api/v1/me', { nickname: '张三丰' })
    const packet = (await sharer.api.post('/api/v1/redpackets', { campaignId: c.id })).body

    const friend = await loginAs(t, m, undefined, { channel: 'red_packet', sharerId: sharer.user.id })
    await friend.api.patch('/api/v1/me', { nickname: '李四' })
    const acq = (await t.pool.query('select acq_channel, acq_sharer_id from users where id = $1', [friend.user.id])).rows[0]
    expect(acq).toEqual({ acq_channel: 'red_packet', acq_sharer_id: sharer.user.id })

    const view = await friend.api.get(`/api/v1/redpackets/${packet.id}`)
    expect(view.status).toBe(200)
    expect(view.body).toMatchObject({ isSharer: false, canGrab: true, status: 'active', sharer: { name: '张*丰' } })
    await friend.api.get(`/api/v1/redpackets/${packet.id}`)
    const opens = (await t.pool.query(`select props from funnel_events where user_id = $1 and type = 'redpacket_open'`, [friend.user.id])).rows
    expect(opens).toEqual([{ props: { packetId: packet.id, campaignId: c.id, sharerId: sharer.user.id } }])
    expect((await friend.api.get('/api/v1/me')).body.stage).toBe('interactor')

    const g = await friend.api.post(`/api/v1/redpackets/${packet.id}/grabs`)
    expect(g.status).toBe(201)
    expect(g.body).toEqual({ packetId: packet.id, amountFen: expect.any(Number), walletBalanceFen: g.body.amountFen, grabbedAt: expect.any(String) })
    expect(g.body.amountFen).toBeGreaterThanOrEqual(10)
    expect((await friend.api.get('/api/v1/wallet')).body).toEqual({ balanceFen: g.body.amountFen, minWithdrawalFen: 10, maxWithdrawalFen: 20_000 })
    const ledger = (await friend.api.get('/api/v1/wallet/ledger')).body.items
    expect(ledger).toEqual([expect.objectContaining({ kind: 'credit', amountFen: g.body.amountFen, balanceAfterFen: g.body.amountFen, reasonCode: 'redpacket_grab' })])
    const grabEvents = (await t.pool.query(`select props from funnel_events where user_id = $1 and type = 'redpacket_grab'`, [friend.user.id])).rows
    expect(grabEvents).toEqual([{ props: { packetId: packet.id, campaignId: c.id, sharerId: sharer.user.id, amountFen: g.body.amountFen } }])

    const again = await friend.api.post(`/api/v1/redpackets/${packet.id}/grabs`)
    expect(again.status).toBe(409)
    expect(again.body.error.code).toBe('ALREADY_GRABBED')

    const seen = (await sharer.api.get(`/api/v1/redpackets/${packet.id}`)).body
    expect(seen).toMatchObject({ claimedCount: 1, claimedFen: g.body.amountFen, canGrab: false })
    expect(seen.grabs).toEqual([{ name: '李*', avatarUrl: null, amountFen: g.body.amountFen, grabbedAt: expect.any(String), best: false }])
    // the sharer's own views record nothing
    expect((await t.pool.query(`select count(*)::int n from funnel_events where user_id = $1 and type = 'redpacket_open'`, [sharer.user.id])).rows[0].n).toBe(0)
    expect(await moneyViolations(t.pool, c.id)).toEqual([])
    expect(await walletViolations(t.pool, m.merchantId)).toEqual([])
  })

  it('the sharer may not grab unless the campaign allows it', async () => {
    const m = await seedMerchant(t)
    const sharer = await loginAs(t, m)
    const no = (await sharer.api.post('/api/v1/redpackets', { campaignId: (await campaign(m)).id })).body
    const r = await sharer.api.post(`/api/v1/redpackets/${no.id}/grabs`)
    expect(r.status).toBe(403)
    expect(r.body.error.code).toBe('SHARER_CANNOT_GRAB')
    const yes = (await sharer.api.post('/api/v1/redpackets', { campaignId: (await campaign(m, { sharerCanGrab: true })).id })).body
    expect(yes.canGrab).toBe(true)
    expect((await sharer.api.post(`/api/v1/redpackets/${yes.id}/grabs`)).status).toBe(201)
  })

  it('an emptied packet answers 410 PACKET_EMPTY, shows every grab and marks the best one', async () => {
    const m = await seedMerchant(t)
    const c = await campaign(m, { packetTotalFen: 300, slicesPerPacket: 3, floorFen: 1 })
    const sharer = await loginAs(t, m)
    const packet = (await sharer.api.post('/api/v1/redpackets', { campaignId: c.id })).body
    const users = await insertUsers(t, m.merchantId, 4)
    const amounts: number[] = []
    for (const u of users.slice(0, 3)) {
      const r = await client(t.url, u.token).post(`/api/v1/redpackets/${packet.id}/grabs`)
      expect(r.status).toBe(201)
      amounts.push(r.body.amountFen)
    }
    expect(amounts.reduce((a, b) => a + b, 0)).toBe(300)
    const late = await client(t.url, users[3]!.token).post(`/api/v1/redpackets/${packet.id}/grabs`)
    expect(late.status).toBe(410)
    expect(late.body.error.code).toBe('PACKET_EMPTY')
    // someone who already grabbed hears 409, not 410
    expect((await client(t.url, users[0]!.token).post(`/api/v1/redpackets/${packet.id}/grabs`)).body.error.code).toBe('ALREADY_GRABBED')
    const v = (await client(t.url, users[3]!.token).get(`/api/v1/redpackets/${packet.id}`)).body
    expect(v).toMatchObject({ status: 'empty', claimedCount: 3, claimedFen: 300, canGrab: false })
    expect(v.grabs).toHaveLength(3)
    expect(v.grabs.filter((g: { best: boolean }) => g.best)).toEqual([expect.objectContaining({ amountFen: Math.max(...amounts) })])
  })

  it('hides other merchants, needs a consumer token, 404s unknown and malformed ids', async () => {
    const m = await seedMerchant(t)
    const other = await seedMerchant(t)
    const packet = (await (await loginAs(t, m)).api.post('/api/v1/redpackets', { campaignId: (await campaign(m)).id })).body
    const stranger = await loginAs(t, other)
    for (const r of [await stranger.api.get(`/api/v1/redpackets/${packet.id}`), await stranger.api.post(`/api/v1/redpackets/${packet.id}/grabs`)]) {
      expect(r.status).toBe(404)
      expect(r.body.error.code).toBe('REDPACKET_NOT_FOUND')
    }
    const u = await loginAs(t, m)
    expect((await u.api.post('/api/v1/redpackets/00000000-0000-4000-8000-000000000000/grabs')).body.error.code).toBe('REDPACKET_NOT_FOUND')
    expect((await u.api.post('/api/v1/redpackets/nope/grabs')).status).toBe(404)
    expect((await client(t.url).post(`/api/v1/redpackets/${packet.id}/grabs`)).status).toBe(401)
    expect((await m.admin.post(`/api/v1/redpackets/${packet.id}/grabs`)).status).toBe(403)
    expect(await walletViolations(t.pool, other.merchantId)).toEqual([])
  })
})

describe('expiry', () => {
  it('returns the unclaimed slices to the pool once; later grabs get 410 PACKET_EXPIRED', async () => {
    const m = await seedMerchant(t)
    const c = await campaign(m, { budgetFen: 1_800, packetTotalFen: 1_000, slicesPerPacket: 5, packetTtlMinutes: 60 })
    const t0 = new Date()
    t.clock.set(t0)
    try {
      const sharer = await loginAs(t, m)
      const packet = (await sharer.api.post('/api/v1/redpackets', { campaignId: c.id })).body
      const users = await insertUsers(t, m.merchantId, 3)
      let claimed = 0
      for (const u of users.slice(0, 2)) claimed += (await client(t.url, u.token).post(`/api/v1/redpackets/${packet.id}/grabs`)).body.amountFen
      // 800 left in the budget: no second packet yet
      const before = await (await loginAs(t, m)).api.post('/api/v1/redpackets', { campaignId: c.id })
      expect(before.body.error).toMatchObject({ code: 'BUDGET_EXHAUSTED', details: { availableFen: 800 } })
      expect(await expirePackets(t.db, new Date(t0.getTime() + 59 * 60_000))).toEqual({ packets: 0, returnedFen: 0 })

      t.clock.set(new Date(t0.getTime() + HOUR))
      const late = await client(t.url, users[2]!.token).post(`/api/v1/redpackets/${packet.id}/grabs`)
      expect(late.status).toBe(410)
      expect(late.body.error.code).toBe('PACKET_EXPIRED')

      // the scheduled job, as node-cron runs it
      const r = await runExclusive(t.db, redpacketExpiryJob.name, () => redpacketExpiryJob.run({ db: t.db, clock: t.clock, logger: t.deps.logger }))
      expect(r).toEqual({ status: 'succeeded', details: { packets: 1, returnedFen: 1_000 - claimed } })
      expect(await expirePackets(t.db, t.clock.now())).toEqual({ packets: 0, returnedFen: 0 })
      const after = (await m.admin.get(`/admin/v1/redpacket-campaigns/${c.id}`)).body
      expect(after).toMatchObject({ grantedFen: claimed, returnedFen: 1_000 - claimed, availableFen: 1_800 - claimed })
      expect(after.stats).toMatchObject({ fundedFen: 1_000, claimedFen: claimed, unclaimedFen: 0, returnedFen: 1_000 - claimed })
      expect((await client(t.url, users[2]!.token).get(`/api/v1/redpackets/${packet.id}`)).body).toMatchObject({ status: 'expired', canGrab: false })
      expect(await moneyViolations(t.pool, c.id)).toEqual([])

      // the returned money funds new packets (when what was claimed leaves room for one)
      const next = await (await loginAs(t, m)).api.post('/api/v1/redpackets', { campaignId: c.id })
      expect(next.status).toBe(claimed <= 800 ? 201 : 409)
      expect(await moneyViolations(t.pool, c.id)).toEqual([])
    } finally {
      t.clock.reset()
    }
  })

  it('expiry racing grabs: every slice ends either claimed or returned, never both, and the sums hold', async () => {
    const m = await seedMerchant(t)
    const c = await campaign(m, { budgetFen: 20_000, packetTotalFen: 20_000, slicesPerPacket: 200, floorFen: 1, packetTtlMinutes: 5 })
    const sharer = await loginAs(t, m)
    const packet = (await sharer.api.post('/api/v1/redpackets', { campaignId: c.id })).body
    const users = await insertUsers(t, m.merchantId, 150)
    const grabs = Promise.all(users.map((u) => client(t.url, u.token).post(`/api/v1/redpackets/${packet.id}/grabs`)))
    await new Promise((r) => setTimeout(r, 30))
    const expired = await expirePackets(t.db, new Date(Date.now() + 10 * 60_000))
    const rs = await grabs
    const won = rs.filter((r) => r.status === 201)
    const claimed = won.reduce((s, r) => s + (r.body.amountFen as number), 0)
    expect(rs.every((r) => r.status === 201 || (r.status === 410 && ['PACKET_EMPTY', 'PACKET_EXPIRED'].includes(r.body.error.code)))).toBe(true)
    expect(expired.returnedFen).toBe(20_000 - claimed)
    expect(await moneyViolations(t.pool, c.id)).toEqual([])
    expect(await walletViolations(t.pool, m.merchantId)).toEqual([])
  })
})

describe('property: any sequence of opens, grabs, cash grants and expiries', () => {
  type Op = { op: 'open'; who: number } | { op: 'grab'; who: number; packet: number } | { op: 'grant'; who: number; amount: number } | { op: 'expire' }
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ op: fc.constant('open' as const), who: fc.nat(5) }),
    fc.record({ op: fc.constant('grab' as const), who: fc.nat(5), packet: fc.nat(5) }),
    fc.record({ op: fc.constant('grab' as const), who: fc.nat(5), packet: fc.nat(5) }),
    fc.record({ op: fc.constant('grant' as const), who: fc.nat(5), amount: fc.integer({ min: 1, max: 400 }) }),
    fc.record({ op: fc.constant('expire' as const) }),
  )
  const cfgArb = fc
    .record({ budget: fc.integer({ min: 100, max: 3_000 }), total: fc.integer({ min: 20, max: 600 }), slices: fc.integer({ min: 1, max: 8 }), floor: fc.integer({ min: 1, max: 3 }) })
    .filter((c) => c.total >= c.slices * c.floor && c.budget >= c.total)

  it('keeps granted <= budget and funded = claimed + unclaimed + returned after every step, matching a model', async () => {
    const m = await seedMerchant(t)
    const users = await insertUsers(t, m.merchantId, 6)
    const expected = new Set(['BUDGET_EXHAUSTED', 'PACKET_LIMIT_REACHED', 'SHARER_CANNOT_GRAB', 'ALREADY_GRABBED', 'PACKET_EMPTY', 'PACKET_EXPIRED'])
    const attempt = async <T>(p: Promise<T>): Promise<T | null> => {
      try {
        return await p
      } catch (e) {
        if (isAppError(e) && expected.has(e.code)) return null
        throw e
      }
    }

    async function steps(cfg: { budget: number; total: number }, ops: Op[], campaignId: string, start: Date) {
      let now = start
      const packets: string[] = []
      let funded = 0
      let grants = 0
      let claimed = 0
      let returned = 0
      for (const o of ops) {
        if (o.op === 'open') {
          const r = await attempt(openPacket(t.db, m.merchantId, users[o.who]!.id, campaignId, now))
          if (r) {
            packets.push(r.id)
            funded += cfg.total
          }
        } else if (o.op === 'grab' && packets.length > 0) {
          const r = await attempt(grab(t.db, m.merchantId, users[o.who]!.id, packets[o.packet % packets.length]!, now))
          if (r) claimed += r.amountFen
        } else if (o.op === 'grant') {
          const source = { type: 'prop', id: `${campaignId}:${Math.random()}` }
          const r = await attempt(t.db.transaction((x) => grantCash(x, { merchantId: m.merchantId, userId: users[o.who]!.id, amountFen: o.amount, source, reasonCode: 'lottery_prize', now })))
          if (r) grants += o.amount
        } else if (o.op === 'expire') {
          now = new Date(now.getTime() + 6 * 60_000)
          returned += (await expirePackets(t.db, now)).returnedFen
        }
        expect(await moneyViolations(t.pool, campaignId)).toEqual([])
        const money = (await t.pool.query('select granted_fen, returned_fen from redpacket_campaigns where id = $1', [campaignId])).rows[0]
        expect({ granted: Number(money.granted_fen), returned: Number(money.returned_fen) }).toEqual({ granted: funded + grants - returned, returned })
        expect(funded + grants - returned).toBeLessThanOrEqual(cfg.budget)
      }
      expect((await packetMoney(t.pool, campaignId)).reduce((sum, p) => sum + p.claimed, 0)).toBe(claimed)
    }

    await fc.assert(
      fc.asyncProperty(cfgArb, fc.array(opArb, { maxLength: 18 }), async (cfg, ops) => {
        // expiry and grants are merchant-wide: settle earlier runs' packets, and keep only this run's campaign running
        await expirePackets(t.db, new Date(Date.now() + 365 * 24 * HOUR))
        const now = new Date()
        const c = await createCampaign(
          t.db,
          m.merchantId,
          CreateRedpacketCampaignInput.parse({
            name: 'prop',
            budgetFen: cfg.budget,
            packetTotalFen: cfg.total,
            slicesPerPacket: cfg.slices,
            floorFen: cfg.floor,
            fundsLotteryPrizes: true,
            eligibility: { maxPacketsPerUser: 2 },
            packetTtlMinutes: 5,
            startsAt: now.toISOString(),
            endsAt: new Date(now.getTime() + 24 * HOUR).toISOString(),
          }),
          now,
        )
        try {
          await steps(cfg, ops, c.id, now)
        } finally {
          await endCampaign(t.db, m.merchantId, c.id)
        }
      }),
      { numRuns: 12 },
    )
    expect(await walletViolations(t.pool, m.merchantId)).toEqual([])
  }, 300_000)
})
