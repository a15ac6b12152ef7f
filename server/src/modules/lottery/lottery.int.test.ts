/** Lotteries over HTTP on the real database: campaigns, published odds, draws, limits, prizes, security. */
import { client, loginAs, seedMerchant, staffOf, startTestApp, type SeededMerchant, type TestApp } from '../../../../tests/src/support/harness'
import { createUsers, grantPoints } from './lottery.fixtures'

let t: TestApp
let m: SeededMerchant
beforeAll(async () => {
  t = await startTestApp()
  m = await seedMerchant(t)
})
afterAll(() => t.close())
afterEach(() => t.clock.reset())

const HOUR = 3600_000
let seq = 0
const key = () => `draw-key-${Date.now()}-${++seq}`

function campaign(over: Record<string, unknown> = {}) {
  const now = t.clock.now().getTime()
  return {
    name: '幸运大转盘',
    kind: 'wheel',
    startAt: new Date(now - HOUR).toISOString(),
    endAt: new Date(now + 24 * HOUR).toISOString(),
    enabled: true,
    freeDrawsPerDay: 10,
    prizes: [
      { type: 'points', name: '100积分', weight: 30, points: 100 },
      { type: 'none', name: '谢谢参与', weight: 70 },
    ],
    ...over,
  }
}

async function create(over: Record<string, unknown> = {}, mm: SeededMerchant = m) {
  const r = await mm.admin.post('/admin/v1/lotteries', campaign(over))
  if (r.status !== 201) throw new Error(`create failed: ${r.status} ${JSON.stringify(r.body)}`)
  return r.body as { id: string; prizes: { id: string; type: string; position: number }[] }
}

async function amountTemplate(mm: SeededMerchant = m, over: Record<string, unknown> = {}) {
  const r = await mm.admin.post('/admin/v1/coupons/templates', {
    kind: 'amount_off',
    name: '满30减5',
    amountOffFen: 500,
    minSpendFen: 3000,
    validity: { type: 'relative', days: 7 },
    claimable: false,
    ...over,
  })
  expect(r.status).toBe(201)
  return r.body as { id: string }
}

describe('admin campaigns', () => {
  it('creates a campaign with odds computed from the weights and appends a "none" slot when missing', async () => {
    const r = await m.admin.post(
      '/admin/v1/lotteries',
      campaign({ prizes: [{ type: 'physical', name: '保温杯', weight: 1, stock: 10 }] }),
    )
    expect(r.status).toBe(201)
    expect(r.body.prizes).toHaveLength(2)
    expect(r.body.prizes[1]).toMatchObject({ type: 'none', name: '谢谢参与', weight: 0, stock: null, probability: 0, position: 1 })
    expect(r.body.prizes[0]).toMatchObject({ type: 'physical', probability: 1, probabilityText: '100.00%', stock: 10, won: 0 })
    expect(r.body).toMatchObject({ kind: 'wheel', enabled: true, costPoints: null, freeDrawsPerDay: 10, drawCount: 0, eligibility: {} })
    const got = await m.admin.get(`/admin/v1/lotteries/${r.body.id}`)
    expect(got.body).toEqual(r.body)
    const list = await m.admin.get('/admin/v1/lotteries')
    expect(list.body.items.map((x: { id: string }) => x.id)).toContain(r.body.id)
  })

  it('validates the campaign: unknown fields, window, weights, free draws, several "none" slots', async () => {
    const bad = [
      { ...campaign(), extra: 1 },
      campaign({ endAt: new Date(t.clock.now().getTime() - 2 * HOUR).toISOString() }),
      campaign({ prizes: [{ type: 'none', name: 'x', weight: 0 }] }),
      campaign({ costPoints: null, freeDrawsPerDay: 0 }),
      campaign({ prizes: [{ type: 'none', name: 'a', weight: 1 }, { type: 'none', name: 'b', weight: 1 }] }),
      campaign({ prizes: [{ type: 'points', name: 'p', weight: 1 }] }),
      campaign({ kind: 'slots' }),
    ]
    for (const body of bad) {
      const r = await m.admin.post('/admin/v1/lotteries', body)
      expect(r.status).toBe(400)
      expect(r.body.error.code).toBe('VALIDATION_FAILED')
    }
  })

  it('coupon prizes must be templates of this merchant', async () => {
    const other = await seedMerchant(t)
    const foreign = await amountTemplate(other)
    const r = await m.admin.post('/admin/v1/lotteries', campaign({ prizes: [{ type: 'coupon', name: '券', weight: 1, couponTemplateId: foreign.id }] }))
    expect(r.status).toBe(404)
    expect(r.body.error.code).toBe('COUPON_TEMPLATE_NOT_FOUND')
  })

  it('red-packet prizes can be enabled: cash is paid from a red-packet campaign budget (see redpackets.lottery.int.test.ts)', async () => {
    const prizes = [{ type: 'red_packet', name: '现金红包', weight: 5, amountFen: 888, stock: 100 }]
    const on = await m.admin.post('/admin/v1/lotteries', campaign({ prizes }))
    expect(on.status).toBe(201)
    expect(on.body.prizes[0]).toMatchObject({ type: 'red_packet', amountFen: 888 })
  })

  it('updates fields; replaces prizes only before the first draw; deletes only without draws', async () => {
    const l = await create()
    const p = await m.admin.patch(`/admin/v1/lotteries/${l.id}`, {
      name: '新名字',
      limitPerDay: 5,
      prizes: [
        { type: 'physical', name: '公仔', weight: 10, stock: 3 },
        { type: 'none', name: '再接再厉', weight: 90 },
      ],
    })
    expect(p.status).toBe(200)
    expect(p.body).toMatchObject({ name: '新名字', limitPerDay: 5 })
    expect(p.body.prizes.map((x: { name: string }) => x.name)).toEqual(['公仔', '再接再厉'])

    const u = await loginAs(t, m)
    expect((await u.api.post(`/api/v1/lotteries/${l.id}/draws`, { idempotencyKey: key() })).status).toBe(201)

    const again = await m.admin.patch(`/admin/v1/lotteries/${l.id}`, { prizes: [{ type: 'none', name: 'x', weight: 1 }] })
    expect(again.status).toBe(409)
    expect(again.body.error.code).toBe('LOTTERY_HAS_DRAWS')
    const del = await m.admin.del(`/admin/v1/lotteries/${l.id}`)
    expect(del.status).toBe(409)
    expect(del.body.error.code).toBe('LOTTERY_HAS_DRAWS')

    const fresh = await create()
    expect((await m.admin.del(`/admin/v1/lotteries/${fresh.id}`)).status).toBe(204)
    expect((await m.admin.get(`/admin/v1/lotteries/${fresh.id}`)).body.error.code).toBe('LOTTERY_NOT_FOUND')
  })

  it('tops up a limited prize and changes a weight (published odds follow)', async () => {
    const l = await create({ prizes: [{ type: 'physical', name: '杯子', weight: 10, stock: 0 }, { type: 'none', name: '谢谢', weight: 90 }] })
    const before = await m.admin.get(`/admin/v1/lotteries/${l.id}`)
    expect(before.body.prizes.map((x: { probability: number }) => x.probability)).toEqual([0, 1])
    const r = await m.admin.patch(`/admin/v1/lotteries/${l.id}/prizes/${l.prizes[0]!.id}`, { addStock: 5, weight: 30 })
    expect(r.status).toBe(200)
    expect(r.body.prizes[0]).toMatchObject({ stock: 5, weight: 30, probability: 0.25 })
    const unlimited = await m.admin.patch(`/admin/v1/lotteries/${l.id}/prizes/${l.prizes[1]!.id}`, { addStock: 5 })
    expect(unlimited.status).toBe(400)
    const missing = await m.admin.patch(`/admin/v1/lotteries/${l.id}/prizes/${l.id}`, { weight: 1 })
    expect(missing.body.error.code).toBe('PRIZE_NOT_FOUND')
  })

  it('security: no key 401, a user token 403, another merchant 404', async () => {
    const l = await create()
    expect((await client(t.url).get('/admin/v1/lotteries')).status).toBe(401)
    const u = await loginAs(t, m)
    const asUser = await u.api.get(`/admin/v1/lotteries/${l.id}`)
    expect(asUser.status).toBe(403)
    const other = await seedMerchant(t)
    for (const r of [
      await other.admin.get(`/admin/v1/lotteries/${l.id}`),
      await other.admin.patch(`/admin/v1/lotteries/${l.id}`, { name: 'x' }),
      await other.admin.del(`/admin/v1/lotteries/${l.id}`),
      await other.admin.get(`/admin/v1/lotteries/${l.id}/draws`),
      await other.admin.get('/admin/v1/lotteries/not-a-uuid'),
    ]) {
      expect(r.status).toBe(404)
      expect(r.body.error.code).toBe('LOTTERY_NOT_FOUND')
    }
    const ou = await loginAs(t, other)
    expect((await ou.api.get(`/api/v1/lotteries/${l.id}`)).status).toBe(404)
    expect((await ou.api.post(`/api/v1/lotteries/${l.id}/draws`, { idempotencyKey: key() })).status).toBe(404)
  })
})

describe('GET /api/v1/lotteries/:id', () => {
  it('shows prizes with published odds, the odds sentence, and my remaining draws', async () => {
    const l = await create({
      costPoints: 10,
      freeDrawsPerDay: 1,
      limitPerDay: 3,
      limitTotal: 5,
      prizes: [
        { type: 'physical', name: '一等奖', weight: 1, stock: 0 },
        { type: 'points', name: '积分', weight: 9, points: 5 },
        { type: 'none', name: '谢谢参与', weight: 90 },
      ],
    })
    const u = await loginAs(t, m)
    const r = await u.api.get(`/api/v1/lotteries/${l.id}`)
    expect(r.status).toBe(200)
    expect(r.body.prizes.map((p: { probabilityText: string }) => p.probabilityText)).toEqual(['0%', '9.00%', '91.00%'])
    expect(r.body.oddsText).toContain('其概率计入“谢谢参与”')
    expect(r.body.oddsText).toContain('已抽完：一等奖')
    expect(r.body).toMatchObject({ active: true, costPoints: 10 })
    expect(r.body.me).toEqual({ today: 0, total: 0, remainingToday: 3, remainingTotal: 5, freeRemainingToday: 1, eligible: true })
    expect(r.body).not.toHaveProperty('eligibility')
    await u.api.post(`/api/v1/lotteries/${l.id}/draws`, { idempotencyKey: key() })
    const after = await u.api.get(`/api/v1/lotteries/${l.id}`)
    expect(after.body.me).toEqual({ today: 1, total: 1, remainingToday: 2, remainingTotal: 4, freeRemainingToday: 0, eligible: true })
    const list = await u.api.get('/api/v1/lotteries')
    expect(list.body.items.map((x: { id: string }) => x.id)).toContain(l.id)
  })
})

describe('POST /api/v1/lotteries/:id/draws', () => {
  it('a points prize credits the ledger; the draw makes the user an interactor and keeps an audit record', async () => {
    const l = await create({ prizes: [{ type: 'points', name: '100积分', weight: 1, points: 100 }] })
    const u = await loginAs(t, m)
    const r = await u.api.post(`/api/v1/lotteries/${l.id}/draws`, { idempotencyKey: key() })
    expect(r.status).toBe(201)
    expect(r.body).toMatchObject({ outcome: 'prize', reason: 'won', free: true, costPoints: 0, replayed: false })
    expect(r.body.prize).toMatchObject({ id: l.prizes[0]!.id, position: 0, type: 'points', points: 100, couponCode: null, redeemCode: null })
    expect((await u.api.get('/api/v1/points')).body.balance).toBe(100)
    expect((await u.api.get('/api/v1/me')).body.stage).toBe('interactor')
    const { rows } = await t.pool.query('select * from lottery_draws where id = $1', [r.body.drawId])
    expect(rows[0]).toMatchObject({ total_weight: 1, random_value: 0, drawn_prize_id: l.prizes[0]!.id, prize_id: l.prizes[0]!.id, outcome: 'prize' })
    expect(rows[0].weights).toEqual(l.prizes.map((p) => ({ id: p.id, w: p.type === 'none' ? 0 : 1 })))
    const audit = await m.admin.get(`/admin/v1/lotteries/${l.id}/draws`)
    expect(audit.body.items[0]).toMatchObject({ id: r.body.drawId, userId: u.user.id, randomValue: 0, totalWeight: 1 })
    const mine = await u.api.get(`/api/v1/lotteries/${l.id}/draws`)
    expect(mine.body.items).toEqual([{ ...r.body, collectedAt: null }])
  })

  it('a coupon prize issues a coupon of the template to the winner', async () => {
    const tpl = await amountTemplate()
    const l = await create({ prizes: [{ type: 'coupon', name: '5元券', weight: 1, couponTemplateId: tpl.id, stock: 10 }] })
    const u = await loginAs(t, m)
    const r = await u.api.post(`/api/v1/lotteries/${l.id}/draws`, { idempotencyKey: key() })
    expect(r.body).toMatchObject({ outcome: 'prize', prize: { type: 'coupon', couponCode: expect.stringMatching(/^[A-Z0-9]{12}$/) } })
    const mine = await u.api.get('/api/v1/coupons?status=available')
    expect(mine.body.items).toHaveLength(1)
    expect(mine.body.items[0]).toMatchObject({ code: r.body.prize.couponCode, templateId: tpl.id, source: { type: 'lottery', id: r.body.drawId } })
  })

  it('a coupon prize whose template ran out becomes "no prize" (out_of_stock) and the prize is marked exhausted', async () => {
    const tpl = await amountTemplate(m, { totalStock: 1 })
    const l = await create({ prizes: [{ type: 'coupon', name: '5元券', weight: 1, couponTemplateId: tpl.id }, { type: 'none', name: '谢谢', weight: 0 }] })
    const [a, b] = [await loginAs(t, m), await loginAs(t, m)]
    expect((await a.api.post(`/api/v1/lotteries/${l.id}/draws`, { idempotencyKey: key() })).body.outcome).toBe('prize')
    const second = await b.api.post(`/api/v1/lotteries/${l.id}/draws`, { idempotencyKey: key() })
    expect(second.body).toMatchObject({ outcome: 'none', reason: 'out_of_stock', prize: { type: 'none', name: '谢谢' } })
    const view = await b.api.get(`/api/v1/lotteries/${l.id}`)
    expect(view.body.prizes[0]).toMatchObject({ stock: 0, probability: 0 })
    expect(view.body.prizes[1]).toMatchObject({ probability: 1 })
  })

  it('a drawn prize that has just run out yields "no prize", never another prize, and stock never goes negative', async () => {
    const l = await create({
      prizes: [
        { type: 'physical', name: '公仔', weight: 1, stock: 1 },
        { type: 'points', name: '积分', weight: 0, points: 1 },
        { type: 'none', name: '谢谢参与', weight: 0 },
      ],
    })
    const u = await loginAs(t, m)
    const first = await u.api.post(`/api/v1/lotteries/${l.id}/draws`, { idempotencyKey: key() })
    expect(first.body).toMatchObject({ outcome: 'prize', prize: { type: 'physical', redeemCode: expect.stringMatching(/^[A-Z0-9]{10}$/) } })
    const second = await u.api.post(`/api/v1/lotteries/${l.id}/draws`, { idempotencyKey: key() })
    expect(second.body).toMatchObject({ outcome: 'none', reason: 'out_of_stock', prize: { type: 'none' } })
    const { rows } = await t.pool.query('select stock from lottery_prizes where id = $1', [l.prizes[0]!.id])
    expect(rows[0].stock).toBe(0)
    const audit = await t.pool.query('select drawn_prize_id, prize_id from lottery_draws where id = $1', [second.body.drawId])
    expect(audit.rows[0]).toEqual({ drawn_prize_id: l.prizes[0]!.id, prize_id: l.prizes[2]!.id })
  })

  it('a points prize that has just run out pays nothing: its credit is undone, the draw is "no prize", charged once', async () => {
    const l = await create({
      costPoints: 30,
      freeDrawsPerDay: 0,
      prizes: [
        { type: 'points', name: '50积分', weight: 1, points: 50, stock: 1 },
        { type: 'none', name: '谢谢参与', weight: 0 },
      ],
    })
    const [u] = await createUsers(t.deps, m, 1)
    const api = client(t.url, u!.token)
    await grantPoints(t.db, m.merchantId, [u!.userId], 100, t.clock.now())
    expect((await api.post(`/api/v1/lotteries/${l.id}/draws`, { idempotencyKey: key() })).body).toMatchObject({ outcome: 'prize', prize: { points: 50 } })
    // this process still has the campaign cached with 1 in stock: the credit is made, then undone
    const k = key()
    const second = await api.post(`/api/v1/lotteries/${l.id}/draws`, { idempotencyKey: k })
    expect(second.status).toBe(201)
    expect(second.body).toMatchObject({ outcome: 'none', reason: 'out_of_stock', costPoints: 30, prize: { id: l.prizes[1]!.id, type: 'none', points: null } })
    expect((await api.get('/api/v1/points')).body.balance).toBe(100 - 30 + 50 - 30)
    const entries = await t.pool.query(`select kind, amount from points_entries where user_id = $1 and reason_code <> 'test_grant' order by kind, amount`, [u!.userId])
    expect(entries.rows).toEqual([
      { kind: 'earn', amount: 50 },
      { kind: 'spend', amount: -30 },
      { kind: 'spend', amount: -30 },
    ])
    const audit = await t.pool.query('select drawn_prize_id, prize_id, reason from lottery_draws where id = $1', [second.body.drawId])
    expect(audit.rows).toEqual([{ drawn_prize_id: l.prizes[0]!.id, prize_id: l.prizes[1]!.id, reason: 'out_of_stock' }])
    const again = await api.post(`/api/v1/lotteries/${l.id}/draws`, { idempotencyKey: k })
    expect(again.status).toBe(200)
    expect(again.body).toEqual({ ...second.body, replayed: true })
    expect((await api.get(`/api/v1/lotteries/${l.id}`)).body.prizes[0]).toMatchObject({ stock: 0, probability: 0 })
  })

  it('a top-up reaches the draws at once: a cached stock of 0 never costs a prize', async () => {
    const l = await create({ prizes: [{ type: 'physical', name: '公仔', weight: 1, stock: 0 }, { type: 'none', name: '谢谢参与', weight: 0 }] })
    const u = await loginAs(t, m)
    const go = () => u.api.post(`/api/v1/lotteries/${l.id}/draws`, { idempotencyKey: key() })
    expect((await go()).body).toMatchObject({ outcome: 'none', reason: 'out_of_stock' })
    expect((await m.admin.patch(`/admin/v1/lotteries/${l.id}/prizes/${l.prizes[0]!.id}`, { addStock: 1 })).status).toBe(200)
    expect((await go()).body).toMatchObject({ outcome: 'prize', prize: { id: l.prizes[0]!.id, type: 'physical' } })
    expect((await go()).body).toMatchObject({ outcome: 'none', reason: 'out_of_stock' })
  })

  it('campaign changes reach the draws at once: disabled, prizes replaced, deleted', async () => {
    const u = await loginAs(t, m)
    const go = (id: string) => u.api.post(`/api/v1/lotteries/${id}/draws`, { idempotencyKey: key() })
    const l = await create({ prizes: [{ type: 'none', name: '谢谢参与', weight: 1 }] })
    expect((await go(l.id)).status).toBe(201)
    expect((await m.admin.patch(`/admin/v1/lotteries/${l.id}`, { enabled: false })).status).toBe(200)
    expect((await go(l.id)).body.error.code).toBe('LOTTERY_NOT_ACTIVE')

    // refused draws (not eligible) read the campaign, so it is cached, but record nothing: its prizes can still be replaced
    const vip = await create({ eligibility: { tags: ['vip'] }, prizes: [{ type: 'points', name: '积分', weight: 1, points: 5 }] })
    expect((await go(vip.id)).status).toBe(403)
    const replaced = await m.admin.patch(`/admin/v1/lotteries/${vip.id}`, { eligibility: {}, prizes: [{ type: 'physical', name: '公仔', weight: 1, stock: 5 }] })
    expect(replaced.status).toBe(200)
    const won = await go(vip.id)
    expect(won.status).toBe(201)
    expect(won.body.prize).toMatchObject({ id: replaced.body.prizes[0].id, type: 'physical' })

    const gone = await create({ eligibility: { tags: ['vip'] } })
    expect((await go(gone.id)).status).toBe(403)
    expect((await m.admin.del(`/admin/v1/lotteries/${gone.id}`)).status).toBe(204)
    expect((await go(gone.id)).body.error.code).toBe('LOTTERY_NOT_FOUND')
  })

  it('charges points beyond the free draws through the ledger; not enough points changes nothing', async () => {
    const l = await create({ costPoints: 30, freeDrawsPerDay: 1, prizes: [{ type: 'none', name: '谢谢', weight: 1 }] })
    const [u] = await createUsers(t.deps, m, 1)
    const api = client(t.url, u!.token)
    await grantPoints(t.db, m.merchantId, [u!.userId], 50, t.clock.now())
    const free = await api.post(`/api/v1/lotteries/${l.id}/draws`, { idempotencyKey: key() })
    expect(free.body).toMatchObject({ free: true, costPoints: 0 })
    const paid = await api.post(`/api/v1/lotteries/${l.id}/draws`, { idempotencyKey: key() })
    expect(paid.body).toMatchObject({ free: false, costPoints: 30 })
    expect((await api.get('/api/v1/points')).body.balance).toBe(20)
    const poor = await api.post(`/api/v1/lotteries/${l.id}/draws`, { idempotencyKey: key() })
    expect(poor.status).toBe(409)
    expect(poor.body.error).toMatchObject({ code: 'POINTS_INSUFFICIENT', details: { balance: 20, needed: 30 } })
    expect((await api.get(`/api/v1/lotteries/${l.id}`)).body.me).toMatchObject({ today: 2, total: 2 })
    const { rows } = await t.pool.query('select count(*)::int as n from lottery_draws where user_id = $1', [u!.userId])
    expect(rows[0].n).toBe(2)
  })

  it('is idempotent: the same key returns the same draw (200), charged once; a key reused on another lottery is IDEMPOTENCY_CONFLICT', async () => {
    const l = await create({ costPoints: 10, freeDrawsPerDay: 0 })
    const [u] = await createUsers(t.deps, m, 1)
    const api = client(t.url, u!.token)
    await grantPoints(t.db, m.merchantId, [u!.userId], 100, t.clock.now())
    const k = key()
    const first = await api.post(`/api/v1/lotteries/${l.id}/draws`, { idempotencyKey: k })
    expect(first.status).toBe(201)
    const again = await api.post(`/api/v1/lotteries/${l.id}/draws`, { idempotencyKey: k })
    expect(again.status).toBe(200)
    expect(again.body).toEqual({ ...first.body, replayed: true })
    const balance = (await api.get('/api/v1/points')).body.balance
    expect(balance).toBe(100 - 10 + (first.body.prize.points ?? 0))
    const other = await create()
    const clash = await api.post(`/api/v1/lotteries/${other.id}/draws`, { idempotencyKey: k })
    expect(clash.status).toBe(409)
    expect(clash.body.error.code).toBe('IDEMPOTENCY_CONFLICT')
  })

  it('daily and total limits; the day is the merchant business day (Asia/Shanghai)', async () => {
    t.clock.set('2026-11-10T15:30:00Z') // 23:30 in Shanghai
    const l = await create({ limitPerDay: 2, limitTotal: 3 })
    const u = await loginAs(t, m)
    const go = () => u.api.post(`/api/v1/lotteries/${l.id}/draws`, { idempotencyKey: key() })
    expect((await go()).status).toBe(201)
    expect((await go()).status).toBe(201)
    const third = await go()
    expect(third.status).toBe(409)
    expect(third.body.error).toMatchObject({ code: 'DRAW_LIMIT_REACHED', details: { scope: 'day', limit: 2 } })
    t.clock.set('2026-11-10T16:05:00Z') // 00:05 the next day in Shanghai (still the 10th in UTC)
    expect((await go()).status).toBe(201)
    const total = await go()
    expect(total.body.error).toMatchObject({ code: 'DRAW_LIMIT_REACHED', details: { scope: 'total', limit: 3 } })
    expect((await u.api.get(`/api/v1/lotteries/${l.id}`)).body.me).toMatchObject({ today: 1, total: 3, remainingToday: 0, remainingTotal: 0 })
  })

  it('only while enabled and inside its window: LOTTERY_NOT_ACTIVE otherwise', async () => {
    const now = t.clock.now().getTime()
    const later = await create({ startAt: new Date(now + HOUR).toISOString() })
    const off = await create({ enabled: false })
    const u = await loginAs(t, m)
    for (const id of [later.id, off.id]) {
      const r = await u.api.post(`/api/v1/lotteries/${id}/draws`, { idempotencyKey: key() })
      expect(r.status).toBe(409)
      expect(r.body.error.code).toBe('LOTTERY_NOT_ACTIVE')
    }
    t.clock.set(new Date(now + 25 * HOUR))
    const ended = await create({ startAt: new Date(now).toISOString(), endAt: new Date(now + HOUR).toISOString() })
    expect((await u.api.post(`/api/v1/lotteries/${ended.id}/draws`, { idempotencyKey: key() })).body.error.code).toBe('LOTTERY_NOT_ACTIVE')
  })

  it('eligibility by funnel stage, tag and tier', async () => {
    const byStage = await create({ eligibility: { minStage: 'fan' } })
    const byTag = await create({ eligibility: { tags: ['vip', 'svip'] } })
    const byTier = await create({ eligibility: { minTier: 1 } })
    const u = await loginAs(t, m)
    for (const l of [byStage, byTag, byTier]) {
      const r = await u.api.post(`/api/v1/lotteries/${l.id}/draws`, { idempotencyKey: key() })
      expect(r.status).toBe(403)
      expect(r.body.error.code).toBe('LOTTERY_NOT_ELIGIBLE')
    }
    expect((await u.api.get(`/api/v1/lotteries/${byTag.id}`)).body.me.eligible).toBe(false)
    const tag = await m.admin.post(`/admin/v1/users/${u.user.id}/tags`, { tags: ['svip'] })
    expect(tag.body).toEqual({ tags: ['svip'] })
    expect((await u.api.post(`/api/v1/lotteries/${byTag.id}/draws`, { idempotencyKey: key() })).status).toBe(201)
    await m.admin.post('/admin/v1/funnel/events', { userId: u.user.id, type: 'followed' })
    expect((await u.api.post(`/api/v1/lotteries/${byStage.id}/draws`, { idempotencyKey: key() })).status).toBe(201)
    expect((await m.admin.del(`/admin/v1/users/${u.user.id}/tags/svip`)).body).toEqual({ tags: [] })
    expect((await u.api.post(`/api/v1/lotteries/${byTag.id}/draws`, { idempotencyKey: key() })).status).toBe(403)
  })

  it('validates the body', async () => {
    const l = await create()
    const u = await loginAs(t, m)
    for (const body of [{}, { idempotencyKey: 'short' }, { idempotencyKey: 'has spaces in it' }, { idempotencyKey: key(), x: 1 }]) {
      const r = await u.api.post(`/api/v1/lotteries/${l.id}/draws`, body)
      expect(r.status).toBe(400)
      expect(r.body.error.code).toBe('VALIDATION_FAILED')
    }
    expect((await client(t.url).post(`/api/v1/lotteries/${l.id}/draws`, { idempotencyKey: key() })).status).toBe(401)
    expect((await m.admin.post(`/api/v1/lotteries/${l.id}/draws`, { idempotencyKey: key() })).status).toBe(403)
  })
})

describe('POST /staff/v1/prizes/redeem', () => {
  it('staff mark a physical prize collected once; unknown and foreign codes are PRIZE_NOT_FOUND', async () => {
    const l = await create({ prizes: [{ type: 'physical', name: '帆布袋', weight: 1, stock: 5 }] })
    const u = await loginAs(t, m)
    const won = await u.api.post(`/api/v1/lotteries/${l.id}/draws`, { idempotencyKey: key() })
    const code = won.body.prize.redeemCode as string
    const s = await staffOf(t, m)
    const r = await s.api.post('/staff/v1/prizes/redeem', { code: code.toLowerCase() })
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ drawId: won.body.drawId, userId: u.user.id, prizeName: '帆布袋', storeId: m.storeId, staffId: s.staffId })
    const twice = await s.api.post('/staff/v1/prizes/redeem', { code })
    expect(twice.status).toBe(409)
    expect(twice.body.error.code).toBe('PRIZE_ALREADY_COLLECTED')
    expect((await u.api.get(`/api/v1/lotteries/${l.id}/draws`)).body.items[0].collectedAt).toEqual(r.body.collectedAt)
    expect((await s.api.post('/staff/v1/prizes/redeem', { code: 'ZZZZZZZZZZ' })).body.error.code).toBe('PRIZE_NOT_FOUND')
    const other = await seedMerchant(t)
    const os = await staffOf(t, other)
    expect((await os.api.post('/staff/v1/prizes/redeem', { code })).body.error.code).toBe('PRIZE_NOT_FOUND')
    expect((await u.api.post('/staff/v1/prizes/redeem', { code })).status).toBe(403)
  })
})
