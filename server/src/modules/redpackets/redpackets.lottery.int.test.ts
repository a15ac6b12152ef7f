/** Lottery cash (red-packet) prizes paid into the wallet from a red-packet campaign's budget, over HTTP. */
import { loginAs, seedMerchant, startTestApp, type SeededMerchant, type TestApp } from '../../../../tests/src/support/harness'
import { moneyViolations, walletViolations } from './redpackets.support'

let t: TestApp
beforeAll(async () => {
  t = await startTestApp()
})
afterAll(() => t.close())

const HOUR = 3600_000

async function cashLottery(m: SeededMerchant, amountFen: number, stock?: number) {
  const now = Date.now()
  const r = await m.admin.post('/admin/v1/lotteries', {
    name: '现金转盘',
    kind: 'wheel',
    startAt: new Date(now - HOUR).toISOString(),
    endAt: new Date(now + 24 * HOUR).toISOString(),
    enabled: true,
    freeDrawsPerDay: 100,
    prizes: [
      { type: 'red_packet', name: '现金红包', weight: 1, amountFen, ...(stock === undefined ? {} : { stock }) },
      { type: 'none', name: '谢谢参与', weight: 0 },
    ],
  })
  if (r.status !== 201) throw new Error(`lottery: ${r.status} ${JSON.stringify(r.body)}`)
  return r.body as { id: string }
}

async function fundingCampaign(m: SeededMerchant, budgetFen: number) {
  const r = await m.admin.post('/admin/v1/redpacket-campaigns', {
    name: '抽奖奖金池',
    budgetFen,
    packetTotalFen: budgetFen,
    slicesPerPacket: 1,
    fundsLotteryPrizes: true,
    endsAt: new Date(Date.now() + 24 * HOUR).toISOString(),
  })
  return r.body as { id: string }
}

let n = 0
const drawKey = () => `draw-key-${++n}-${Date.now()}`

describe('lottery cash prizes', () => {
  it('a won cash prize credits the wallet and takes the budget; once per draw; BUDGET_EXHAUSTED rolls the draw back', async () => {
    const m = await seedMerchant(t)
    const c = await fundingCampaign(m, 1_000)
    const l = await cashLottery(m, 400)
    const u = await loginAs(t, m)

    const key = drawKey()
    const d = await u.api.post(`/api/v1/lotteries/${l.id}/draws`, { idempotencyKey: key })
    expect(d.status).toBe(201)
    expect(d.body).toMatchObject({ outcome: 'prize', prize: { type: 'red_packet' } })
    expect((await u.api.get('/api/v1/wallet')).body.balanceFen).toBe(400)
    expect((await u.api.get('/api/v1/wallet/ledger')).body.items[0]).toMatchObject({ kind: 'credit', amountFen: 400, reasonCode: 'lottery_prize', source: { type: 'lottery_draw', id: d.body.drawId } })
    // the same tap again: the same draw, no second payment
    expect((await u.api.post(`/api/v1/lotteries/${l.id}/draws`, { idempotencyKey: key })).status).toBe(200)
    expect((await u.api.get('/api/v1/wallet')).body.balanceFen).toBe(400)

    expect((await u.api.post(`/api/v1/lotteries/${l.id}/draws`, { idempotencyKey: drawKey() })).status).toBe(201)
    const broke = await u.api.post(`/api/v1/lotteries/${l.id}/draws`, { idempotencyKey: drawKey() })
    expect(broke.status).toBe(409)
    expect(broke.body.error.code).toBe('BUDGET_EXHAUSTED')
    expect((await u.api.get('/api/v1/wallet')).body.balanceFen).toBe(800)
    // the refused draw left no trace
    expect((await u.api.get(`/api/v1/lotteries/${l.id}/draws`)).body.items).toHaveLength(2)

    const money = (await m.admin.get(`/admin/v1/redpacket-campaigns/${c.id}`)).body
    expect(money).toMatchObject({ grantedFen: 800, availableFen: 200, stats: { prizeGrantsFen: 800, claimedFen: 800 } })
    expect(await moneyViolations(t.pool, c.id)).toEqual([])
    expect(await walletViolations(t.pool, m.merchantId)).toEqual([])
  })

  it('parallel draws never take more than the budget', async () => {
    const m = await seedMerchant(t)
    const c = await fundingCampaign(m, 1_000)
    const l = await cashLottery(m, 300)
    const users = await Promise.all(Array.from({ length: 8 }, () => loginAs(t, m)))
    const rs = await Promise.all(users.map((u) => u.api.post(`/api/v1/lotteries/${l.id}/draws`, { idempotencyKey: drawKey() })))
    expect(rs.filter((r) => r.status === 201)).toHaveLength(3)
    expect(rs.filter((r) => r.status === 409 && r.body.error.code === 'BUDGET_EXHAUSTED')).toHaveLength(5)
    expect((await m.admin.get(`/admin/v1/redpacket-campaigns/${c.id}`)).body.grantedFen).toBe(900)
    expect(await moneyViolations(t.pool, c.id)).toEqual([])
  })

  it('a cash prize out of stock pays nothing', async () => {
    const m = await seedMerchant(t)
    const c = await fundingCampaign(m, 10_000)
    const l = await cashLottery(m, 100, 1)
    const u = await loginAs(t, m)
    expect((await u.api.post(`/api/v1/lotteries/${l.id}/draws`, { idempotencyKey: drawKey() })).body.outcome).toBe('prize')
    const second = await u.api.post(`/api/v1/lotteries/${l.id}/draws`, { idempotencyKey: drawKey() })
    expect(second.body).toMatchObject({ outcome: 'none' })
    expect((await u.api.get('/api/v1/wallet')).body.balanceFen).toBe(100)
    expect((await m.admin.get(`/admin/v1/redpacket-campaigns/${c.id}`)).body.grantedFen).toBe(100)
  })
})
