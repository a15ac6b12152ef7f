import fc from 'fast-check'
import { client, loginAs, seedMerchant, staffOf, startTestApp, type SeededMerchant, type TestApp } from '../../../../tests/src/support/harness'
import { runExclusive } from '../jobs/jobs.service'
import { luhnValid } from './member-code'
import { addGrowth, evaluateTiers, monthsBefore, TIER_RETENTION_MONTHS, tierEvaluationJob } from './membership.service'

let t: TestApp
beforeAll(async () => {
  t = await startTestApp()
})
afterAll(() => t.close())
afterEach(() => t.clock.reset())

const TIERS = [
  { name: '普通', threshold: 0, multiplierPermille: 1000, checkinBonus: 0 },
  { name: '银卡', threshold: 100, multiplierPermille: 1200, checkinBonus: 2 },
  { name: '金卡', threshold: 1000, multiplierPermille: 1500, checkinBonus: 5 },
]

async function member(m: SeededMerchant) {
  const u = await loginAs(t, m)
  const r = await u.api.post('/api/v1/membership')
  expect(r.status).toBe(201)
  return { ...u, cardNo: r.body.card.cardNo as string, code: async () => (await u.api.get('/api/v1/membership/code')).body.code as string }
}

describe('POST /api/v1/membership (claim the card)', () => {
  it('claims a 12-digit card, makes the user a member; claiming again returns the same card (200)', async () => {
    const m = await seedMerchant(t)
    const u = await loginAs(t, m)
    const r = await u.api.post('/api/v1/membership')
    expect(r.status).toBe(201)
    expect(r.body.card.cardNo).toMatch(/^\d{12}$/)
    expect(luhnValid(r.body.card.cardNo)).toBe(true)
    expect(r.body).toMatchObject({ tier: { level: 0, name: '普通会员' }, growth: { total: 0, qualifying: 0 }, nextTier: { level: 1, growthNeeded: 500 }, points: { balance: 0 } })
    expect((await u.api.get('/api/v1/me')).body.stage).toBe('member')
    const tr = await t.pool.query(`select to_stage, cause from funnel_transitions where user_id = $1 and to_stage = 'member'`, [u.user.id])
    expect(tr.rows).toEqual([{ to_stage: 'member', cause: 'card_claimed' }])
    const again = await u.api.post('/api/v1/membership')
    expect(again.status).toBe(200)
    expect(again.body.card).toEqual(r.body.card)
  })

  it('20 parallel claims give one card', async () => {
    const m = await seedMerchant(t)
    const u = await loginAs(t, m)
    const rs = await Promise.all(Array.from({ length: 20 }, () => u.api.post('/api/v1/membership')))
    expect(rs.filter((r) => r.status === 201)).toHaveLength(1)
    expect(rs.filter((r) => r.status === 200)).toHaveLength(19)
    expect(new Set(rs.map((r) => r.body.card.cardNo)).size).toBe(1)
    const tr = await t.pool.query(`select count(*)::int as n from funnel_transitions where user_id = $1 and to_stage = 'member'`, [u.user.id])
    expect(tr.rows[0].n).toBe(1)
  })

  it('requires a bound phone when the policy says so (409 PHONE_REQUIRED, nothing written)', async () => {
    const m = await seedMerchant(t)
    const p = await m.admin.put('/admin/v1/membership/policy', { phoneRequired: true, pointsPerYuan: 1, growthPerYuan: 1 })
    expect(p.status).toBe(200)
    const u = await loginAs(t, m)
    const r = await u.api.post('/api/v1/membership')
    expect(r.status).toBe(409)
    expect(r.body.error.code).toBe('PHONE_REQUIRED')
    expect((await u.api.get('/api/v1/membership')).body.card).toBeNull()
    await u.api.post('/api/v1/me/phone', { code: t.sandbox.mintPhoneCode(m.appid, '13912345678') })
    expect((await u.api.post('/api/v1/membership')).status).toBe(201)
  })

  it('growth and tier earned before claiming are kept; GET shows the card, tier, next tier and benefits', async () => {
    const m = await seedMerchant(t)
    await m.admin.put('/admin/v1/checkin/policy', { basePoints: 1, streakBonuses: {}, cycle: 'none', makeupWindowDays: 0, makeupCost: 0, makeupPerMonth: 0, growthPerCheckin: 150 })
    await m.admin.put('/admin/v1/tiers', { tiers: TIERS })
    const u = await loginAs(t, m)
    t.clock.set('2026-03-10T04:00:00Z')
    expect((await u.api.post('/api/v1/checkins')).status).toBe(201)
    const before = await u.api.get('/api/v1/membership')
    expect(before.body).toMatchObject({ card: null, tier: { level: 1, name: '银卡' }, growth: { total: 150, qualifying: 150 } })
    const r = await u.api.post('/api/v1/membership')
    expect(r.body).toMatchObject({
      card: { cardNo: expect.any(String), claimedAt: '2026-03-10T04:00:00.000Z' },
      tier: { level: 1, name: '银卡', multiplierPermille: 1200, checkinBonus: 2 },
      nextTier: { level: 2, name: '金卡', threshold: 1000, growthNeeded: 850 },
      benefits: { pointsMultiplierPermille: 1200, checkinBonus: 2 },
      tierKeptUntil: '2027-03-10T04:00:00.000Z',
      points: { balance: 1 },
    })
  })

  it('security: no token 401, admin key 403', async () => {
    const m = await seedMerchant(t)
    expect((await client(t.url).post('/api/v1/membership')).status).toBe(401)
    expect((await client(t.url).get('/api/v1/membership/code')).status).toBe(401)
    expect((await m.admin.get('/api/v1/membership')).status).toBe(403)
  })
})

describe('GET /api/v1/membership/code', () => {
  it('needs a card (409 MEMBERSHIP_REQUIRED)', async () => {
    const m = await seedMerchant(t)
    const u = await loginAs(t, m)
    const r = await u.api.get('/api/v1/membership/code')
    expect([r.status, r.body.error.code]).toEqual([409, 'MEMBERSHIP_REQUIRED'])
  })

  it('is valid now and in the grace window, rejected after expiry, when forged and at another merchant', async () => {
    const m = await seedMerchant(t)
    const other = await seedMerchant(t)
    const guide = await staffOf(t, m)
    const foreignGuide = await staffOf(t, other)
    const u = await member(m)
    t.clock.set('2026-03-10T04:00:10Z')
    const c = await u.api.get('/api/v1/membership/code')
    expect(c.status).toBe(200)
    expect(c.headers.get('cache-control')).toBe('no-store')
    expect(c.body).toEqual({ code: expect.stringMatching(/^\d{20}$/), expiresAt: '2026-03-10T04:02:00.000Z', refreshInSeconds: 50 })
    const scan = (api: typeof guide.api, memberCode: string) => api.post('/staff/v1/scan', { memberCode })

    expect((await scan(guide.api, c.body.code)).status).toBe(200)
    t.clock.set('2026-03-10T04:01:59Z') // next window: grace
    expect((await scan(guide.api, c.body.code)).body.userId).toBe(u.user.id)
    t.clock.set('2026-03-10T04:02:00Z') // two windows later: expired
    const expired = await scan(guide.api, c.body.code)
    expect([expired.status, expired.body.error.code]).toEqual([400, 'MEMBER_CODE_INVALID'])

    t.clock.set('2026-03-10T05:00:00Z')
    const fresh = (await u.api.get('/api/v1/membership/code')).body.code as string
    const forged = fresh.slice(0, 19) + ((Number(fresh[19]) + 1) % 10)
    expect((await scan(guide.api, forged)).body.error.code).toBe('MEMBER_CODE_INVALID')
    // the card number alone (or with a guessed MAC) is not a code
    expect((await scan(guide.api, `${u.cardNo}00000000`)).body.error.code).toBe('MEMBER_CODE_INVALID')
    // another merchant's staff: different key, and the card is not theirs
    const foreign = await scan(foreignGuide.api, fresh)
    expect([foreign.status, foreign.body.error.code]).toEqual([400, 'MEMBER_CODE_INVALID'])
    // scanners may add spaces; anything that is not 20 digits is a validation error
    expect((await scan(guide.api, `${fresh.slice(0, 10)} ${fresh.slice(10)}`)).status).toBe(200)
    expect((await scan(guide.api, '123')).body.error.code).toBe('VALIDATION_FAILED')
  })
})

describe('tiers', () => {
  it('GET/PUT /admin/v1/tiers: defaults, replace, validation (first threshold 0, ascending)', async () => {
    const m = await seedMerchant(t)
    const g = await m.admin.get('/admin/v1/tiers')
    expect(g.body.tiers.map((x: { name: string; threshold: number }) => [x.name, x.threshold])).toEqual([
      ['普通会员', 0],
      ['银卡会员', 500],
      ['金卡会员', 2000],
    ])
    const p = await m.admin.put('/admin/v1/tiers', { tiers: TIERS })
    expect(p.status).toBe(200)
    expect(p.body.tiers[2]).toEqual({ level: 2, ...TIERS[2] })
    const bad = [
      { tiers: [{ ...TIERS[0], threshold: 10 }] },
      { tiers: [TIERS[0], TIERS[2], TIERS[1]] },
      { tiers: [TIERS[0], { ...TIERS[1], threshold: 0 }] },
      { tiers: [] },
      { tiers: [{ ...TIERS[0], multiplierPermille: 1.5 }] },
    ]
    for (const b of bad) {
      const r = await m.admin.put('/admin/v1/tiers', b)
      expect([r.status, r.body.error.code]).toEqual([400, 'VALIDATION_FAILED'])
    }
    expect((await m.admin.get('/admin/v1/tiers')).body.tiers).toHaveLength(3)
    const u = await loginAs(t, m)
    expect((await u.api.put('/admin/v1/tiers', { tiers: TIERS })).status).toBe(403)
  })

  it('GET/PUT /admin/v1/membership/policy', async () => {
    const m = await seedMerchant(t)
    expect((await m.admin.get('/admin/v1/membership/policy')).body).toEqual({ phoneRequired: false, pointsPerYuan: 1, growthPerYuan: 1, updatedAt: null })
    const p = await m.admin.put('/admin/v1/membership/policy', { phoneRequired: true, pointsPerYuan: 2, growthPerYuan: 3 })
    expect(p.body).toMatchObject({ phoneRequired: true, pointsPerYuan: 2, growthPerYuan: 3 })
    expect(JSON.stringify(p.body)).not.toMatch(/secret/i)
    const bad = await m.admin.put('/admin/v1/membership/policy', { phoneRequired: true, pointsPerYuan: 1.5, growthPerYuan: 1 })
    expect(bad.status).toBe(400)
  })

  it('upgrades at once on a purchase; downgrades only at evaluation after the 12-month retention', async () => {
    const m = await seedMerchant(t)
    await m.admin.put('/admin/v1/tiers', { tiers: TIERS })
    const guide = await staffOf(t, m)
    const lapsed = await member(m)
    const loyal = await member(m)
    const buy = async (u: Awaited<ReturnType<typeof member>>, at: string, amountFen: number, receiptNo: string) => {
      t.clock.set(at)
      const r = await guide.api.post('/staff/v1/purchases', { memberCode: await u.code(), amountFen, receiptNo, storeId: m.storeId })
      expect(r.status).toBe(201)
      return r.body
    }
    const first = await buy(lapsed, '2026-01-15T04:00:00Z', 15_000, 'R-lapsed-1')
    expect(first).toMatchObject({ points: 150, growth: 150, upgraded: true, tier: { level: 1, name: '银卡' } })
    expect((await lapsed.api.get('/api/v1/membership')).body.tier.level).toBe(1)
    // the next purchase earns with the new multiplier
    expect(await buy(lapsed, '2026-01-16T04:00:00Z', 10_000, 'R-lapsed-2')).toMatchObject({ points: 120, upgraded: false })
    await buy(loyal, '2026-01-15T04:00:00Z', 15_000, 'R-loyal-1')
    await buy(loyal, '2026-12-01T04:00:00Z', 12_000, 'R-loyal-2')

    // inside the retention period nothing changes, even with no recent growth
    expect(await evaluateTiers(t.db, new Date('2026-12-31T00:00:00Z'))).toEqual({ reviewed: 0, downgraded: 0 })
    // a growth credit never lowers a tier
    t.clock.set('2027-01-20T04:00:00Z')
    expect((await lapsed.api.get('/api/v1/membership')).body).toMatchObject({ tier: { level: 1 }, growth: { total: 250, qualifying: 0 } })

    const r = await evaluateTiers(t.db, new Date('2027-01-20T04:00:00Z'))
    expect(r).toEqual({ reviewed: 2, downgraded: 1 })
    expect((await lapsed.api.get('/api/v1/membership')).body.tier.level).toBe(0)
    // loyal earned 120 in the last 12 months >= 100: keeps silver
    expect((await loyal.api.get('/api/v1/membership')).body.tier.level).toBe(1)
    const changes = await t.pool.query(`select from_level, to_level, reason, qualifying_growth from tier_changes where user_id = $1 order by id`, [lapsed.user.id])
    expect(changes.rows).toEqual([
      { from_level: 0, to_level: 1, reason: 'upgrade', qualifying_growth: 150 },
      { from_level: 1, to_level: 0, reason: 'evaluation', qualifying_growth: 0 },
    ])
    // a rerun changes nothing
    expect((await evaluateTiers(t.db, new Date('2027-01-20T04:00:00Z'))).downgraded).toBe(0)
  })

  it('property: every credit upgrades to the highest tier the last 12 months of growth reach, never lower (real database)', async () => {
    const m = await seedMerchant(t)
    await m.admin.put('/admin/v1/tiers', { tiers: TIERS })
    const start = Date.parse('2026-01-01T00:00:00Z')
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ days: fc.integer({ min: 0, max: 120 }), amount: fc.integer({ min: 1, max: 400 }) }), { minLength: 1, maxLength: 12 }), async (credits) => {
        const u = await loginAs(t, m)
        const entries: { at: number; amount: number }[] = []
        let at = start
        let level = 0
        for (const [i, c] of credits.entries()) {
          at += c.days * 86_400_000
          const now = new Date(at)
          entries.push({ at, amount: c.amount })
          const since = monthsBefore(now, TIER_RETENTION_MONTHS).getTime()
          const window = entries.filter((e) => e.at > since && e.at <= at).reduce((s, e) => s + e.amount, 0)
          const reached = TIERS.reduce((best, tier, l) => (tier.threshold <= window ? l : best), 0)
          level = Math.max(level, reached) // upgrades at once; only the evaluation job lowers a tier
          const r = await addGrowth(t.db, m.merchantId, u.user.id, c.amount, { reason: 'test', source: { type: 'test', id: `${u.user.id}:${i}` }, now })
          expect({ credit: i, level: r.tier.level, growth: r.growth }).toEqual({ credit: i, level, growth: entries.reduce((s, e) => s + e.amount, 0) })
        }
      }),
      { numRuns: 40 },
    )
  })

  it('the scheduled job runs evaluateTiers under its advisory lock and records the run', async () => {
    const r = await runExclusive(t.db, tierEvaluationJob.name, () => tierEvaluationJob.run({ db: t.db, clock: t.clock, logger: t.deps.logger }))
    expect(r.status).toBe('succeeded')
    const runs = await t.pool.query(`select status from job_runs where job = $1`, [tierEvaluationJob.name])
    expect(runs.rows).toEqual([{ status: 'succeeded' }])
  })
})
