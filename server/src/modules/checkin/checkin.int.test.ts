import { client, loginAs, seedMerchant, type SeededMerchant, type TestApp, startTestApp } from '../../../../tests/src/support/harness'
import fc from 'fast-check'
import { addDays } from '../../lib/time'
import * as repo from './checkin.repo'

let t: TestApp
beforeAll(async () => {
  t = await startTestApp()
})
afterAll(() => t.close())
afterEach(() => t.clock.reset())

/** Noon in Shanghai on a calendar day. */
const noon = (day: string) => `${day}T04:00:00Z`

const POLICY = { basePoints: 10, streakBonuses: { '3': 5, '7': 20 }, cycle: 'none', makeupWindowDays: 7, makeupCost: 15, makeupPerMonth: 2, growthPerCheckin: 1 }

async function setup(policy: Partial<typeof POLICY> = {}) {
  const m = await seedMerchant(t)
  const r = await m.admin.put('/admin/v1/checkin/policy', { ...POLICY, ...policy })
  expect(r.status).toBe(200)
  return m
}

/** Points to spend on make-ups, earned on 1 March 2026 (before every day these tests use). */
async function giftPoints(m: SeededMerchant, userId: string, amount: number) {
  t.clock.set(noon('2026-03-01'))
  const r = await m.admin.post('/admin/v1/points/adjust', { userId, amount, reason: 'test gift', idempotencyKey: `gift-${userId}-${amount}-${Math.random()}` })
  expect(r.status).toBeLessThan(300)
}

async function checkInOn(api: ReturnType<typeof client>, day: string) {
  t.clock.set(noon(day))
  return api.post('/api/v1/checkins')
}

describe('POST /api/v1/checkins', () => {
  it('checks in once per day, earns the reward through the ledger, records the interaction', async () => {
    const m = await setup()
    const u = await loginAs(t, m)
    const r = await checkInOn(u.api, '2026-03-10')
    expect(r.status).toBe(201)
    expect(r.body).toEqual({ day: '2026-03-10', streak: 1, reward: { points: 10, bonus: 0 }, balance: 10 })
    const again = await u.api.post('/api/v1/checkins')
    expect(again.status).toBe(409)
    expect(again.body.error).toMatchObject({ code: 'ALREADY_CHECKED_IN', details: { day: '2026-03-10' } })
    const ledger = await t.pool.query(`select kind, amount, reason_code, idempotency_key, source_type from points_entries where user_id = $1`, [u.user.id])
    expect(ledger.rows).toEqual([{ kind: 'earn', amount: 10, reason_code: 'checkin', idempotency_key: `checkin:${u.user.id}:2026-03-10`, source_type: 'checkin' }])
    const ev = await t.pool.query(`select type from funnel_events where user_id = $1`, [u.user.id])
    expect(ev.rows).toEqual([{ type: 'checkin' }])
    expect((await u.api.get('/api/v1/me')).body.stage).toBe('interactor')
    const growth = await t.pool.query(`select growth from memberships where user_id = $1`, [u.user.id])
    expect(growth.rows).toEqual([{ growth: 1 }])
  })

  it('20 parallel taps give one check-in and one reward; the 19 others get 409 ALREADY_CHECKED_IN', async () => {
    const m = await setup()
    const u = await loginAs(t, m)
    t.clock.set(noon('2026-03-10'))
    const rs = await Promise.all(Array.from({ length: 20 }, () => u.api.post('/api/v1/checkins')))
    const statuses = rs.map((r) => r.status).sort()
    expect(statuses.filter((s) => s === 201)).toHaveLength(1)
    expect(statuses.filter((s) => s === 409)).toHaveLength(19)
    for (const r of rs.filter((x) => x.status === 409)) expect(r.body.error.code).toBe('ALREADY_CHECKED_IN')
    const rows = await t.pool.query(`select count(*)::int as n from checkins where user_id = $1`, [u.user.id])
    expect(rows.rows[0].n).toBe(1)
    const entries = await t.pool.query(`select count(*)::int as n, sum(amount)::int as s from points_entries where user_id = $1`, [u.user.id])
    expect(entries.rows[0]).toEqual({ n: 1, s: 10 })
    const g = await t.pool.query(`select count(*)::int as n from growth_entries where user_id = $1`, [u.user.id])
    expect(g.rows[0].n).toBe(1)
  })

  it('a make-up committed between the priced read and the write: the check-in is priced again on the joined streak', async () => {
    const m = await setup()
    const u = await loginAs(t, m)
    expect((await checkInOn(u.api, '2026-03-07')).status).toBe(201)
    t.clock.set(noon('2026-03-09')) // 8 March missed: read now, today would be day 1 of a new run
    // a make-up of 8 March holding the user's check-in lock (what makeUp takes), not committed yet
    const other = await t.pool.connect()
    try {
      await other.query('BEGIN')
      await other.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`checkin:${m.merchantId}:${u.user.id}`])
      await other.query(`INSERT INTO checkins (merchant_id, user_id, day, made_up, points, bonus, cost, bonus_streak, created_at) VALUES ($1, $2, '2026-03-08', true, 0, 0, 0, 0, now())`, [
        m.merchantId,
        u.user.id,
      ])
      const pending = u.api.post('/api/v1/checkins')
      // the check-in has read its context and waits for the lock
      for (let i = 0; ; i++) {
        const w = await t.pool.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`)
        if (w.rows[0].n === 1) break
        if (i > 200) throw new Error('the check-in never waited for the lock')
        await new Promise((r) => setTimeout(r, 20))
      }
      await other.query('COMMIT')
      const r = await pending
      expect(r.status).toBe(201)
      // 7, 8 (made up), 9: day 3 of the run, with the day-3 bonus
      expect(r.body).toEqual({ day: '2026-03-09', streak: 3, reward: { points: 10, bonus: 5 }, balance: 25 })
    } finally {
      other.release()
    }
    const entries = await t.pool.query(`SELECT amount, reason FROM points_entries WHERE user_id = $1 ORDER BY seq`, [u.user.id])
    expect(entries.rows).toEqual([
      { amount: 10, reason: '签到' },
      { amount: 15, reason: '签到（连续第3天奖励）' },
    ])
    const days = await t.pool.query(`SELECT to_char(day, 'YYYY-MM-DD') AS day, bonus_streak FROM checkins WHERE user_id = $1 ORDER BY day`, [u.user.id])
    expect(days.rows).toEqual([
      { day: '2026-03-07', bonus_streak: 1 },
      { day: '2026-03-08', bonus_streak: 0 },
      { day: '2026-03-09', bonus_streak: 3 },
    ])
  })

  it('uses the merchant business day: 23:59 and 00:01 Asia/Shanghai are two days on the same UTC day', async () => {
    const m = await setup()
    const u = await loginAs(t, m)
    t.clock.set('2026-03-10T15:59:00Z') // 23:59 in Shanghai
    const a = await u.api.post('/api/v1/checkins')
    t.clock.set('2026-03-10T16:01:00Z') // 00:01 the next day in Shanghai, still 10 March in UTC
    const b = await u.api.post('/api/v1/checkins')
    expect([a.status, b.status]).toEqual([201, 201])
    expect([a.body.day, b.body.day]).toEqual(['2026-03-10', '2026-03-11'])
    expect(b.body.streak).toBe(2)
  })

  it('pays the streak bonus on day 3 and day 7 (cycle none: once per run), and restarts after a gap', async () => {
    const m = await setup()
    const u = await loginAs(t, m)
    const start = '2026-03-02'
    const got: [number, number, number][] = []
    for (let i = 0; i < 8; i++) {
      const r = await checkInOn(u.api, addDays(start, i))
      expect(r.status).toBe(201)
      got.push([r.body.streak, r.body.reward.points, r.body.reward.bonus])
    }
    expect(got).toEqual([
      [1, 10, 0],
      [2, 10, 0],
      [3, 10, 5],
      [4, 10, 0],
      [5, 10, 0],
      [6, 10, 0],
      [7, 10, 20],
      [8, 10, 0],
    ])
    // a missed day breaks the run
    const r = await checkInOn(u.api, addDays(start, 9))
    expect(r.body).toMatchObject({ streak: 1, reward: { bonus: 0 } })
    expect(r.body.balance).toBe(9 * 10 + 5 + 20)
  })

  it('weekly cycle: the bonus counter restarts on Monday; monthly: on the 1st', async () => {
    const weekly = await setup({ cycle: 'weekly' })
    const u = await loginAs(t, weekly)
    // Sat 7, Sun 8, Mon 9, Tue 10, Wed 11 March 2026
    const rs = []
    for (const d of ['2026-03-07', '2026-03-08', '2026-03-09', '2026-03-10', '2026-03-11']) rs.push((await checkInOn(u.api, d)).body)
    expect(rs.map((r) => r.streak)).toEqual([1, 2, 3, 4, 5])
    expect(rs.map((r) => r.reward.bonus)).toEqual([0, 0, 0, 0, 5])

    const monthly = await setup({ cycle: 'monthly' })
    const v = await loginAs(t, monthly)
    const ms = []
    for (const d of ['2026-03-30', '2026-03-31', '2026-04-01', '2026-04-02', '2026-04-03']) ms.push((await checkInOn(v.api, d)).body)
    expect(ms.map((r) => r.reward.bonus)).toEqual([0, 0, 0, 0, 5])
    expect(ms[4].streak).toBe(5)
  })

  it('applies the tier multiplier to the base and adds the tier check-in bonus', async () => {
    const m = await setup({ basePoints: 7, growthPerCheckin: 0 })
    await m.admin.put('/admin/v1/tiers', {
      tiers: [
        { name: '普通', threshold: 0, multiplierPermille: 1500, checkinBonus: 1 },
        { name: '银卡', threshold: 100, multiplierPermille: 2000, checkinBonus: 3 },
      ],
    })
    const u = await loginAs(t, m)
    const r = await checkInOn(u.api, '2026-03-10')
    // floor(7 × 1.5) + 1
    expect(r.body.reward).toEqual({ points: 11, bonus: 0 })
  })

  it('a policy change applies from then on and never rewrites past rewards', async () => {
    const m = await setup()
    const u = await loginAs(t, m)
    await checkInOn(u.api, '2026-03-10')
    await m.admin.put('/admin/v1/checkin/policy', { ...POLICY, basePoints: 50 })
    const r = await checkInOn(u.api, '2026-03-11')
    expect(r.body.reward.points).toBe(50)
    const cal = await u.api.get('/api/v1/checkins?month=2026-03')
    expect(cal.body.days[9]).toMatchObject({ day: '2026-03-10', checked: true, reward: { points: 10, bonus: 0 } })
    const entries = await t.pool.query(`select amount from points_entries where user_id = $1 order by seq`, [u.user.id])
    expect(entries.rows.map((e) => e.amount)).toEqual([10, 50])
  })

  it('security: no token 401, an admin key 403', async () => {
    const m = await setup()
    expect((await client(t.url).post('/api/v1/checkins')).status).toBe(401)
    const r = await m.admin.post('/api/v1/checkins')
    expect(r.status).toBe(403)
    expect(r.body.error.code).toBe('FORBIDDEN')
  })
})

describe('GET /api/v1/checkins (calendar)', () => {
  it('lists every day of the month with checked / made-up flags, paid and projected rewards, streak and make-up quota', async () => {
    const m = await setup()
    const u = await loginAs(t, m)
    await giftPoints(m, u.user.id, 100)
    await checkInOn(u.api, '2026-03-08')
    await checkInOn(u.api, '2026-03-10')
    t.clock.set(noon('2026-03-10'))
    expect((await u.api.post('/api/v1/checkins/makeup', { day: '2026-03-09' })).status).toBe(201)
    const r = await u.api.get('/api/v1/checkins?month=2026-03')
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ month: '2026-03', today: '2026-03-10', checkedToday: true, streak: 3, makeup: { left: 1, perMonth: 2, cost: 15, windowDays: 7 } })
    expect(r.body.days).toHaveLength(31)
    const d = (day: string) => r.body.days.find((x: { day: string }) => x.day === day)
    expect(d('2026-03-07')).toEqual({ day: '2026-03-07', checked: false, madeUp: false, reward: null, projected: false, canMakeUp: true })
    expect(d('2026-03-02')).toMatchObject({ checked: false, canMakeUp: false }) // outside the 7-day window
    expect(d('2026-03-08')).toMatchObject({ checked: true, madeUp: false, reward: { points: 10, bonus: 0 } })
    expect(d('2026-03-09')).toMatchObject({ checked: true, madeUp: true, reward: { points: 0, bonus: 0 } })
    // streak is 3 today: the 14th would be day 7 of the run
    expect(d('2026-03-11')).toMatchObject({ checked: false, projected: true, reward: { points: 10, bonus: 0 } })
    expect(d('2026-03-14')).toMatchObject({ projected: true, reward: { points: 10, bonus: 20 } })
    // defaults to the current month
    expect((await u.api.get('/api/v1/checkins')).body.month).toBe('2026-03')
  })

  it('projects today as the next day of the streak when not checked yet', async () => {
    const m = await setup()
    const u = await loginAs(t, m)
    await checkInOn(u.api, '2026-03-09')
    await checkInOn(u.api, '2026-03-10')
    t.clock.set(noon('2026-03-11'))
    const r = await u.api.get('/api/v1/checkins?month=2026-03')
    expect(r.body).toMatchObject({ checkedToday: false, streak: 2 })
    expect(r.body.days[10]).toMatchObject({ day: '2026-03-11', projected: true, reward: { bonus: 5 } })
  })

  it('rejects a malformed month with 400', async () => {
    const m = await setup()
    const u = await loginAs(t, m)
    for (const q of ['2026-13', '2026-3', 'x']) {
      const r = await u.api.get(`/api/v1/checkins?month=${q}`)
      expect(r.status).toBe(400)
      expect(r.body.error.code).toBe('VALIDATION_FAILED')
    }
  })
})

describe('POST /api/v1/checkins/makeup', () => {
  it('bridging a gap joins the two runs: the streak is recomputed, the next check-in continues it', async () => {
    const m = await setup()
    const u = await loginAs(t, m)
    await giftPoints(m, u.user.id, 100)
    for (const d of ['2026-03-02', '2026-03-03', '2026-03-05', '2026-03-06']) await checkInOn(u.api, d)
    t.clock.set(noon('2026-03-06'))
    expect((await u.api.get('/api/v1/checkins?month=2026-03')).body.streak).toBe(2)
    const r = await u.api.post('/api/v1/checkins/makeup', { day: '2026-03-04' })
    expect(r.status).toBe(201)
    expect(r.body).toEqual({ day: '2026-03-04', cost: 15, streak: 5, balance: 100 + 40 - 15, makeupLeft: 1 })
    const next = await checkInOn(u.api, '2026-03-07')
    expect(next.body.streak).toBe(6)
    const spend = await t.pool.query(`select kind, amount, reason_code from points_entries where user_id = $1 and kind = 'spend'`, [u.user.id])
    expect(spend.rows).toEqual([{ kind: 'spend', amount: -15, reason_code: 'checkin_makeup' }])
  })

  it('enforces the window, the monthly quota and one check-in per day', async () => {
    const m = await setup({ makeupWindowDays: 3 })
    const u = await loginAs(t, m)
    await giftPoints(m, u.user.id, 100)
    t.clock.set(noon('2026-03-20'))
    const bad = async (day: string, status: number, code: string) => {
      const r = await u.api.post('/api/v1/checkins/makeup', { day })
      expect([r.status, r.body.error?.code]).toEqual([status, code])
    }
    await bad('2026-03-16', 400, 'MAKEUP_DAY_INVALID') // 4 days ago, window 3
    await bad('2026-03-20', 400, 'MAKEUP_DAY_INVALID') // today: check in instead
    await bad('2026-03-21', 400, 'MAKEUP_DAY_INVALID') // future
    expect((await u.api.post('/api/v1/checkins/makeup', { day: '2026-03-17' })).status).toBe(201)
    await bad('2026-03-17', 409, 'ALREADY_CHECKED_IN')
    expect((await u.api.post('/api/v1/checkins/makeup', { day: '2026-03-18' })).status).toBe(201)
    await bad('2026-03-19', 409, 'MAKEUP_QUOTA_EXCEEDED')
    // the quota counts make-ups done in the month: April has a fresh one
    t.clock.set(noon('2026-04-02'))
    expect((await u.api.post('/api/v1/checkins/makeup', { day: '2026-03-31' })).status).toBe(201)
    const bal = await u.api.get('/api/v1/points')
    expect(bal.body.balance).toBe(100 - 3 * 15)
  })

  it('the quota holds under concurrent make-ups of different days', async () => {
    const m = await setup({ makeupPerMonth: 1 })
    const u = await loginAs(t, m)
    await giftPoints(m, u.user.id, 100)
    t.clock.set(noon('2026-03-20'))
    const rs = await Promise.all(['2026-03-15', '2026-03-16', '2026-03-17', '2026-03-18', '2026-03-19'].map((day) => u.api.post('/api/v1/checkins/makeup', { day })))
    expect(rs.filter((r) => r.status === 201)).toHaveLength(1)
    expect(rs.filter((r) => r.status === 409 && r.body.error.code === 'MAKEUP_QUOTA_EXCEEDED')).toHaveLength(4)
  })

  it('insufficient points: 409 POINTS_INSUFFICIENT and nothing written', async () => {
    const m = await setup()
    const u = await loginAs(t, m)
    await checkInOn(u.api, '2026-03-10') // 10 points, cost is 15
    t.clock.set(noon('2026-03-11'))
    const r = await u.api.post('/api/v1/checkins/makeup', { day: '2026-03-09' })
    expect(r.status).toBe(409)
    expect(r.body.error).toMatchObject({ code: 'POINTS_INSUFFICIENT', details: { balance: 10, needed: 15 } })
    const rows = await t.pool.query(`select day::text from checkins where user_id = $1`, [u.user.id])
    expect(rows.rows).toEqual([{ day: '2026-03-10' }])
    const entries = await t.pool.query(`select count(*)::int as n from points_entries where user_id = $1`, [u.user.id])
    expect(entries.rows[0].n).toBe(1)
    const ev = await t.pool.query(`select count(*)::int as n from funnel_events where user_id = $1`, [u.user.id])
    expect(ev.rows[0].n).toBe(1)
    expect((await u.api.get('/api/v1/checkins?month=2026-03')).body.makeup.left).toBe(2)
  })

  it('a free make-up (cost 0) spends nothing; bad input is a 400', async () => {
    const m = await setup({ makeupCost: 0 })
    const u = await loginAs(t, m)
    t.clock.set(noon('2026-03-11'))
    const r = await u.api.post('/api/v1/checkins/makeup', { day: '2026-03-10' })
    expect(r.status).toBe(201)
    expect(r.body).toMatchObject({ cost: 0, balance: 0, streak: 1 })
    for (const body of [{}, { day: '2026-02-30' }, { day: '2026-03-10', extra: 1 }, { day: 20260310 }]) {
      const x = await u.api.post('/api/v1/checkins/makeup', body)
      expect([x.status, x.body.error.code]).toEqual([400, 'VALIDATION_FAILED'])
    }
  })
})

describe('GET/PUT /admin/v1/checkin/policy', () => {
  it('returns lazily seeded defaults, replaces the policy, validates it', async () => {
    const m = await seedMerchant(t)
    const g = await m.admin.get('/admin/v1/checkin/policy')
    expect(g.status).toBe(200)
    expect(g.body).toEqual({ basePoints: 5, streakBonuses: { '3': 5, '7': 20 }, cycle: 'weekly', makeupWindowDays: 7, makeupCost: 20, makeupPerMonth: 2, growthPerCheckin: 1, updatedAt: null })
    const p = await m.admin.put('/admin/v1/checkin/policy', POLICY)
    expect(p.body).toMatchObject({ ...POLICY, updatedAt: expect.any(String) })
    for (const bad of [{ ...POLICY, cycle: 'daily' }, { ...POLICY, basePoints: -1 }, { ...POLICY, streakBonuses: { '0': 5 } }, { ...POLICY, extra: true }, { basePoints: 1 }]) {
      const r = await m.admin.put('/admin/v1/checkin/policy', bad)
      expect([r.status, r.body.error.code]).toEqual([400, 'VALIDATION_FAILED'])
    }
    expect((await m.admin.get('/admin/v1/checkin/policy')).body.basePoints).toBe(10)
  })

  it('security: a consumer token is 403, no credential 401; each merchant has its own policy', async () => {
    const m = await seedMerchant(t)
    const other = await seedMerchant(t)
    await m.admin.put('/admin/v1/checkin/policy', { ...POLICY, basePoints: 99 })
    expect((await other.admin.get('/admin/v1/checkin/policy')).body.basePoints).toBe(5)
    const u = await loginAs(t, m)
    expect((await u.api.get('/admin/v1/checkin/policy')).status).toBe(403)
    expect((await client(t.url).put('/admin/v1/checkin/policy', POLICY)).status).toBe(401)
  })
})

describe('streak computation (property, real database)', () => {
  it('streakEndingAt equals the naive count of consecutive checked days, for any set of days', async () => {
    const m = await seedMerchant(t)
    const u = await loginAs(t, m)
    const base = '2026-01-01'
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.integer({ min: 0, max: 39 }), { maxLength: 40 }), fc.integer({ min: 0, max: 40 }), async (offsets, probe) => {
        await t.pool.query(`delete from checkins where user_id = $1`, [u.user.id])
        const days = new Set(offsets.map((o) => addDays(base, o)))
        for (const day of days) await repo.insertCheckin(t.db, { merchantId: m.merchantId, userId: u.user.id, day, points: 0, bonus: 0, bonusStreak: 0, createdAt: new Date() })
        const at = addDays(base, probe)
        let naive = 0
        while (days.has(addDays(at, -naive))) naive++
        expect(await repo.streakEndingAt(t.db, m.merchantId, u.user.id, at)).toBe(naive)
      }),
      { numRuns: 40 },
    )
  })
})
