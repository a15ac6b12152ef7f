/**
 * Red packets under contention, over HTTP on the real database: thousands of concurrent grabs of one
 * packet, one user racing themself, and parallel grants against one budget. Invariants are sampled
 * while the storm runs, not only after it.
 */
import { loginAs, seedMerchant, startTestApp, type SeededMerchant, type TestApp } from '../../../../tests/src/support/harness'
import { grantCash } from './redpackets.service'
import { burstClient, insertUsers, moneyViolations, walletViolations } from './redpackets.support'

let t: TestApp
beforeAll(async () => {
  t = await startTestApp()
})
afterAll(() => t.close())

const future = () => new Date(Date.now() + 30 * 24 * 3600_000).toISOString()

async function campaign(m: SeededMerchant, over: Record<string, unknown>) {
  const r = await m.admin.post('/admin/v1/redpacket-campaigns', { name: '压测红包', endsAt: future(), ...over })
  if (r.status !== 201) throw new Error(`campaign: ${r.status} ${JSON.stringify(r.body)}`)
  return r.body as { id: string }
}

/** Checks the money invariants over and over until `done` settles; returns every violation seen. */
async function sampleWhile(done: Promise<unknown>, check: () => Promise<string[]>): Promise<{ samples: number; violations: string[] }> {
  let finished = false
  void done.finally(() => (finished = true))
  const violations: string[] = []
  let samples = 0
  while (!finished) {
    violations.push(...(await check()))
    samples++
    await new Promise((r) => setTimeout(r, 250))
  }
  return { samples, violations }
}

describe('grabs under contention', () => {
  it('5,000 concurrent grabs of one packet of 1,000 slices: exactly 1,000 claims, one per user, summing to the total', async () => {
    const m = await seedMerchant(t)
    const TOTAL = 500_000
    const c = await campaign(m, { budgetFen: TOTAL, packetTotalFen: TOTAL, slicesPerPacket: 1000, floorFen: 1 })
    const sharer = await loginAs(t, m)
    const packet = (await sharer.api.post('/api/v1/redpackets', { campaignId: c.id })).body
    const users = await insertUsers(t, m.merchantId, 5000)
    const http = burstClient(t.url, 128)
    try {
      const storm = Promise.all(users.map((u) => http.post(`/api/v1/redpackets/${packet.id}/grabs`, u.token)))
      const sampled = await sampleWhile(storm, () => moneyViolations(t.pool, c.id))
      const rs = await storm

      const won = rs.filter((r) => r.status === 201)
      const lost = rs.filter((r) => r.status === 410)
      expect(won).toHaveLength(1000)
      expect(lost).toHaveLength(4000)
      expect(lost.every((r) => r.body.error.code === 'PACKET_EMPTY')).toBe(true)
      expect(won.reduce((s, r) => s + (r.body.amountFen as number), 0)).toBe(TOTAL)
      expect(won.every((r) => Number.isInteger(r.body.amountFen) && r.body.amountFen >= 1)).toBe(true)

      const db = (await t.pool.query('select count(*)::int n, count(distinct claimed_by)::int users, sum(amount_fen)::int8 fen from redpacket_slices where packet_id = $1 and claimed_by is not null', [packet.id])).rows[0]
      expect({ n: db.n, users: db.users, fen: Number(db.fen) }).toEqual({ n: 1000, users: 1000, fen: TOTAL })
      // each winner was paid exactly their slice, once
      const paid = (await t.pool.query(`select count(*)::int n, count(distinct user_id)::int users, sum(amount_fen)::int8 fen from wallet_entries where merchant_id = $1 and reason_code = 'redpacket_grab'`, [m.merchantId])).rows[0]
      expect({ n: paid.n, users: paid.users, fen: Number(paid.fen) }).toEqual({ n: 1000, users: 1000, fen: TOTAL })

      expect(sampled.samples).toBeGreaterThan(0)
      expect(sampled.violations).toEqual([])
      expect(await moneyViolations(t.pool, c.id)).toEqual([])
      expect(await walletViolations(t.pool, m.merchantId)).toEqual([])
    } finally {
      http.close()
    }
  }, 600_000)

  it('a user firing many grabs at once gets exactly one slice; the rest are 409 ALREADY_GRABBED', async () => {
    const m = await seedMerchant(t)
    const c = await campaign(m, { budgetFen: 100_000, packetTotalFen: 100_000, slicesPerPacket: 1000, floorFen: 1 })
    const packet = (await (await loginAs(t, m)).api.post('/api/v1/redpackets', { campaignId: c.id })).body
    const users = await insertUsers(t, m.merchantId, 100)
    const http = burstClient(t.url, 64)
    try {
      const rs = await Promise.all(users.flatMap((u) => Array.from({ length: 5 }, () => http.post(`/api/v1/redpackets/${packet.id}/grabs`, u.token).then((r) => ({ u: u.id, r })))))
      for (const u of users) {
        const mine = rs.filter((x) => x.u === u.id).map((x) => x.r)
        expect(mine.filter((r) => r.status === 201)).toHaveLength(1)
        expect(mine.filter((r) => r.status === 409 && r.body.error.code === 'ALREADY_GRABBED')).toHaveLength(4)
      }
      const db = (await t.pool.query('select count(*)::int n, count(distinct claimed_by)::int users from redpacket_slices where packet_id = $1 and claimed_by is not null', [packet.id])).rows[0]
      expect(db).toEqual({ n: 100, users: 100 })
      expect(await moneyViolations(t.pool, c.id)).toEqual([])
      expect(await walletViolations(t.pool, m.merchantId)).toEqual([])
    } finally {
      http.close()
    }
  }, 300_000)
})

describe('budget under parallel grants', () => {
  it('parallel packet opens and cash grants never exceed the budget, and take it as far as they can', async () => {
    const m = await seedMerchant(t)
    const BUDGET = 10_000
    const c = await campaign(m, { budgetFen: BUDGET, packetTotalFen: 1_000, slicesPerPacket: 10, floorFen: 1, fundsLotteryPrizes: true })
    const openers = await insertUsers(t, m.merchantId, 30)
    const grantees = await insertUsers(t, m.merchantId, 60)
    const http = burstClient(t.url, 64)
    try {
      const opens = openers.map((u) => http.post('/api/v1/redpackets', u.token, { campaignId: c.id }))
      const grants = grantees.map((u, i) =>
        t.db
          .transaction((tx) => grantCash(tx, { merchantId: m.merchantId, userId: u.id, amountFen: 300, source: { type: 'test_prize', id: `p${i}` }, reasonCode: 'lottery_prize', now: new Date() }))
          .then(
            () => 'ok' as const,
            (e: { code?: string }) => e.code ?? 'error',
          ),
      )
      const storm = Promise.all([Promise.all(opens), Promise.all(grants)])
      const sampled = await sampleWhile(storm, () => moneyViolations(t.pool, c.id))
      const [openRs, grantRs] = await storm

      const opened = openRs.filter((r) => r.status === 201).length
      const granted = grantRs.filter((g) => g === 'ok').length
      expect(openRs.every((r) => r.status === 201 || (r.status === 409 && r.body.error.code === 'BUDGET_EXHAUSTED'))).toBe(true)
      expect(grantRs.every((g) => g === 'ok' || g === 'BUDGET_EXHAUSTED')).toBe(true)
      const money = (await m.admin.get(`/admin/v1/redpacket-campaigns/${c.id}`)).body
      expect(money.grantedFen).toBe(opened * 1_000 + granted * 300)
      expect(money.grantedFen).toBeLessThanOrEqual(BUDGET)
      // refusals only when the rest could not fund the request
      if (opened < openRs.length) expect(BUDGET - money.grantedFen).toBeLessThan(1_000)
      if (granted < grantRs.length) expect(BUDGET - money.grantedFen).toBeLessThan(300)
      expect(sampled.violations).toEqual([])
      expect(await moneyViolations(t.pool, c.id)).toEqual([])
      expect(await walletViolations(t.pool, m.merchantId)).toEqual([])
    } finally {
      http.close()
    }
  }, 300_000)
})
