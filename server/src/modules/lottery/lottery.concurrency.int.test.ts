/**
 * Lottery draws under real concurrency: parallel HTTP requests against the real server and database.
 * Invariants: prizes won == initial stock - stock left <= initial stock; stock never negative; points
 * charged exactly once per recorded draw; per-user limits hold under parallel taps.
 */
import http from 'node:http'
import { client, seedMerchant, startTestApp, type SeededMerchant, type TestApp } from '../../../../tests/src/support/harness'
import { draw, drawNow, MAX_QUEUED_DRAWS_PER_USER } from './lottery.draw'
import { createUsers, grantPoints, postJson } from './lottery.fixtures'

let t: TestApp
let m: SeededMerchant
beforeAll(async () => {
  t = await startTestApp()
  m = await seedMerchant(t)
})
afterAll(() => t.close())

const HOUR = 3600_000

async function createLottery(over: Record<string, unknown>) {
  const now = Date.now()
  const r = await m.admin.post('/admin/v1/lotteries', {
    name: '并发测试',
    kind: 'grid',
    startAt: new Date(now - HOUR).toISOString(),
    endAt: new Date(now + 24 * HOUR).toISOString(),
    enabled: true,
    ...over,
  })
  if (r.status !== 201) throw new Error(`create failed: ${r.status} ${JSON.stringify(r.body)}`)
  return r.body as { id: string; prizes: { id: string; type: string }[] }
}

it('2,000 concurrent draws on one prize of stock 100 and weight 100%: exactly 100 wins, stock 0, points charged once per draw', async () => {
  const USERS = 100
  const PER_USER = 20
  const COST = 10
  const GRANT = 1_000
  const l = await createLottery({
    costPoints: COST,
    freeDrawsPerDay: 0,
    prizes: [{ type: 'physical', name: '限量公仔', weight: 100, stock: 100 }],
  })
  const prizeId = l.prizes.find((p) => p.type === 'physical')!.id
  const users = await createUsers(t.deps, m, USERS)
  await grantPoints(
    t.db,
    m.merchantId,
    users.map((u) => u.userId),
    GRANT,
    new Date(),
  )

  // All 2,000 requests are issued at once; 200 keep-alive sockets carry them (see postJson).
  const agent = new http.Agent({ keepAlive: true, maxSockets: 200 })
  const requests = users.flatMap((u) =>
    Array.from({ length: PER_USER }, (_, i) => postJson(agent, `${t.url}/api/v1/lotteries/${l.id}/draws`, u.token, { idempotencyKey: `c-${u.userId}-${i}` })),
  )
  const results = await Promise.all(requests)
  agent.destroy()

  const statuses = new Map<number, number>()
  for (const r of results) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1)
  expect(Object.fromEntries(statuses)).toEqual({ 201: 2000 })
  const wins = results.filter((r) => r.body.outcome === 'prize')
  const none = results.filter((r) => r.body.outcome === 'none')
  expect(wins).toHaveLength(100)
  expect(none).toHaveLength(1900)
  expect(none.every((r) => r.body.reason === 'out_of_stock' && r.body.prize.type === 'none')).toBe(true)
  expect(wins.every((r) => r.body.prize.id === prizeId && /^[A-Z0-9]{10}$/.test(r.body.prize.redeemCode))).toBe(true)
  expect(new Set(wins.map((r) => r.body.prize.redeemCode)).size).toBe(100)
  expect(results.every((r) => r.body.costPoints === COST && r.body.free === false)).toBe(true)

  const q = async (text: string, params: unknown[]) => (await t.pool.query(text, params)).rows
  expect(await q('select stock from lottery_prizes where id = $1', [prizeId])).toEqual([{ stock: 0 }])
  expect(await q(`select outcome, count(*)::int as n from lottery_draws where lottery_id = $1 group by outcome order by outcome`, [l.id])).toEqual([
    { outcome: 'none', n: 1900 },
    { outcome: 'prize', n: 100 },
  ])
  // exactly one spend entry per draw, linked to it, and every balance down by exactly PER_USER * COST
  expect(
    await q(
      `select count(*)::int as n, count(distinct e.source_id)::int as draws, sum(e.amount)::int as total
       from points_entries e join lottery_draws d on d.id::text = e.source_id
       where e.merchant_id = $1 and e.kind = 'spend' and d.lottery_id = $2`,
      [m.merchantId, l.id],
    ),
  ).toEqual([{ n: 2000, draws: 2000, total: -2000 * COST }])
  const balances = await q(`select balance::int as b from points_accounts where merchant_id = $1 and user_id = any($2::uuid[])`, [
    m.merchantId,
    users.map((u) => u.userId),
  ])
  expect(balances).toHaveLength(USERS)
  expect(balances.every((r) => r.b === GRANT - PER_USER * COST)).toBe(true)
  expect(await q('select n from lottery_draw_counts where lottery_id = $1 and user_id = $2 and period = $3', [l.id, users[0]!.userId, 'total'])).toEqual([
    { n: PER_USER },
  ])
}, 600_000) // 2 cores shared with other suites: generous

it('a points prize running out under parallel draws: exactly its stock paid, every other draw "no prize", charged once each', async () => {
  const USERS = 20
  const PER_USER = 10
  const STOCK = 30
  const l = await createLottery({
    costPoints: 10,
    freeDrawsPerDay: 0,
    prizes: [
      { type: 'points', name: '50积分', weight: 1, points: 50, stock: STOCK },
      { type: 'none', name: '谢谢参与', weight: 0 },
    ],
  })
  const prizeId = l.prizes.find((p) => p.type === 'points')!.id
  const users = await createUsers(t.deps, m, USERS)
  await grantPoints(
    t.db,
    m.merchantId,
    users.map((u) => u.userId),
    1_000,
    new Date(),
  )
  // without the in-process queue: several draws of one user race as from several server instances
  const results = await Promise.allSettled(
    users.flatMap((u) =>
      Array.from({ length: PER_USER }, (_, i) => drawNow(t.db, { merchantId: m.merchantId, userId: u.userId }, l.id, `pts-${u.userId}-${i}`, new Date())),
    ),
  )
  const ok = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
  expect(ok).toHaveLength(USERS * PER_USER)
  const wins = ok.filter((r) => r.outcome === 'prize')
  expect(wins).toHaveLength(STOCK)
  expect(wins.every((r) => r.prize.id === prizeId && r.prize.points === 50)).toBe(true)
  expect(ok.filter((r) => r.outcome === 'none').every((r) => r.reason === 'out_of_stock' && r.prize.points === null)).toBe(true)

  const q = async (text: string, params: unknown[]) => (await t.pool.query(text, params)).rows
  expect(await q('select stock from lottery_prizes where id = $1', [prizeId])).toEqual([{ stock: 0 }])
  expect(
    await q(
      `select e.kind, count(*)::int as n, sum(e.amount)::int as total
       from points_entries e join lottery_draws d on d.id::text = e.source_id
       where e.merchant_id = $1 and d.lottery_id = $2 group by e.kind order by e.kind`,
      [m.merchantId, l.id],
    ),
  ).toEqual([
    { kind: 'earn', n: STOCK, total: STOCK * 50 },
    { kind: 'spend', n: USERS * PER_USER, total: -USERS * PER_USER * 10 },
  ])
  // every credit belongs to a recorded win
  expect(
    await q(
      `select count(*)::int as n from points_entries e join lottery_draws d on d.id::text = e.source_id
       where e.kind = 'earn' and d.lottery_id = $1 and d.outcome = 'prize'`,
      [l.id],
    ),
  ).toEqual([{ n: STOCK }])
}, 300_000)

it('a coupon prize whose template runs out under parallel draws: exactly its stock issued, every other draw "no prize"', async () => {
  const TEMPLATE_STOCK = 15
  const tpl = await m.admin.post('/admin/v1/coupons/templates', {
    kind: 'amount_off',
    name: '限量券',
    amountOffFen: 500,
    minSpendFen: 3000,
    validity: { type: 'relative', days: 7 },
    totalStock: TEMPLATE_STOCK,
    claimable: false,
  })
  expect(tpl.status).toBe(201)
  const l = await createLottery({
    costPoints: 0,
    freeDrawsPerDay: 5,
    // the prize itself has stock to spare: the template is what runs out
    prizes: [{ type: 'coupon', name: '5元券', weight: 1, stock: 1000, couponTemplateId: tpl.body.id }, { type: 'none', name: '谢谢参与', weight: 0 }],
  })
  const users = await createUsers(t.deps, m, 20)
  const results = await Promise.all(users.flatMap((u) => Array.from({ length: 5 }, (_, i) => draw(t.db, { merchantId: m.merchantId, userId: u.userId }, l.id, `cpn-${u.userId}-${i}`, new Date()))))
  const wins = results.filter((r) => r.outcome === 'prize')
  expect(wins).toHaveLength(TEMPLATE_STOCK)
  expect(new Set(wins.map((r) => r.prize.couponCode)).size).toBe(TEMPLATE_STOCK)
  expect(results.filter((r) => r.outcome === 'none').every((r) => r.reason === 'out_of_stock')).toBe(true)
  const q = async (text: string, params: unknown[]) => (await t.pool.query(text, params)).rows
  expect(await q('select issued from coupon_templates where id = $1', [tpl.body.id])).toEqual([{ issued: TEMPLATE_STOCK }])
  expect(await q('select count(*)::int as n from coupons where template_id = $1', [tpl.body.id])).toEqual([{ n: TEMPLATE_STOCK }])
  expect(await q(`select count(*)::int as n from lottery_draws where lottery_id = $1 and outcome = 'prize'`, [l.id])).toEqual([{ n: TEMPLATE_STOCK }])
  // the prize is marked exhausted once the template could not issue (no draw is charged a coupon it did not get)
  expect(await q('select stock from lottery_prizes where lottery_id = $1 and type = $2', [l.id, 'coupon'])).toEqual([{ stock: 0 }])
}, 300_000)

it('a coupon prize of an unlimited template under parallel draws: every draw wins, the template row is never written, the admin view counts them', async () => {
  const tpl = await m.admin.post('/admin/v1/coupons/templates', {
    kind: 'amount_off',
    name: '不限量券',
    amountOffFen: 500,
    validity: { type: 'relative', days: 7 },
    claimable: false,
  })
  expect(tpl.status).toBe(201)
  const q = async (text: string, params: unknown[]) => (await t.pool.query(text, params)).rows
  // xmin: the row version, so "not written" rather than "written with the same value"
  const [before] = await q('select xmin::text as version, issued from coupon_templates where id = $1', [tpl.body.id])
  const l = await createLottery({ costPoints: 0, freeDrawsPerDay: 5, prizes: [{ type: 'coupon', name: '5元券', weight: 1, couponTemplateId: tpl.body.id }, { type: 'none', name: '谢谢参与', weight: 0 }] })
  const users = await createUsers(t.deps, m, 20)
  const results = await Promise.all(users.flatMap((u) => Array.from({ length: 5 }, (_, i) => draw(t.db, { merchantId: m.merchantId, userId: u.userId }, l.id, `unl-${u.userId}-${i}`, new Date()))))
  expect(results.filter((r) => r.outcome === 'prize')).toHaveLength(100)
  expect(await q('select xmin::text as version, issued from coupon_templates where id = $1', [tpl.body.id])).toEqual([{ version: before.version, issued: 0 }])
  expect(await q('select count(*)::int as n from coupons where template_id = $1', [tpl.body.id])).toEqual([{ n: 100 }])
  expect((await m.admin.get(`/admin/v1/coupons/templates/${tpl.body.id}`)).body).toMatchObject({ totalStock: null, issued: 100, remaining: null })
}, 300_000)

describe('parallel taps by one user with a limit of 3 per day', () => {
  const tapLottery = () => createLottery({ freeDrawsPerDay: 3, limitPerDay: 3, prizes: [{ type: 'none', name: '谢谢参与', weight: 1 }] })
  const count = async (lotteryId: string, userId: string) =>
    (await t.pool.query('select count(*)::int as n from lottery_draws where lottery_id = $1 and user_id = $2', [lotteryId, userId])).rows[0].n

  it('over HTTP: exactly 3 draws, the rest DRAW_LIMIT_REACHED', async () => {
    const l = await tapLottery()
    const [u] = await createUsers(t.deps, m, 1)
    const api = client(t.url, u!.token)
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => api.post(`/api/v1/lotteries/${l.id}/draws`, { idempotencyKey: `tap-${i}-xxxx` })))
    expect(results.filter((r) => r.status === 201)).toHaveLength(3)
    const refused = results.filter((r) => r.status !== 201)
    expect(refused).toHaveLength(27)
    expect(refused.every((r) => r.status === 409 && r.body.error.code === 'DRAW_LIMIT_REACHED')).toBe(true)
    expect(await count(l.id, u!.userId)).toBe(3)
  })

  it('without the in-process queue (as from several server instances): the database alone allows exactly 3', async () => {
    const l = await tapLottery()
    const [u] = await createUsers(t.deps, m, 1)
    const p = { merchantId: m.merchantId, userId: u!.userId }
    const results = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => drawNow(t.db, p, l.id, `raw-tap-${i}-xxxx`, new Date())))
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3)
    const codes = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as { code?: string }).code] : []))
    expect(codes).toEqual(Array.from({ length: 27 }, () => 'DRAW_LIMIT_REACHED'))
    expect(await count(l.id, u!.userId)).toBe(3)
  })
})

it('a flood of taps by one user is bounded: beyond the per-user queue, RATE_LIMITED', async () => {
  const l = await createLottery({ freeDrawsPerDay: 3, limitPerDay: 3, prizes: [{ type: 'none', name: '谢谢参与', weight: 1 }] })
  const [u] = await createUsers(t.deps, m, 1)
  const p = { merchantId: m.merchantId, userId: u!.userId }
  const n = MAX_QUEUED_DRAWS_PER_USER + 10
  const results = await Promise.allSettled(Array.from({ length: n }, (_, i) => draw(t.db, p, l.id, `flood-${i}-xxxx`, new Date())))
  const codes = results.map((r) => (r.status === 'fulfilled' ? 'ok' : (r.reason as { code?: string }).code))
  expect(codes.filter((c) => c === 'RATE_LIMITED')).toHaveLength(10)
  expect(codes.filter((c) => c === 'ok')).toHaveLength(3)
  expect(codes.filter((c) => c === 'DRAW_LIMIT_REACHED')).toHaveLength(n - 13)
})

describe('parallel retries of one tap (same idempotency key)', () => {
  const setup = async () => {
    const l = await createLottery({ costPoints: 25, freeDrawsPerDay: 0, prizes: [{ type: 'points', name: '积分', weight: 1, points: 5 }, { type: 'none', name: '谢谢', weight: 1 }] })
    const [u] = await createUsers(t.deps, m, 1)
    await grantPoints(t.db, m.merchantId, [u!.userId], 100, new Date())
    return { l, u: u! }
  }
  const balance = async (token: string) => (await client(t.url, token).get('/api/v1/points')).body.balance

  it('over HTTP: one draw (201), the others replay it (200), charged once', async () => {
    const { l, u } = await setup()
    const api = client(t.url, u.token)
    const results = await Promise.all(Array.from({ length: 20 }, () => api.post(`/api/v1/lotteries/${l.id}/draws`, { idempotencyKey: 'same-tap-0001' })))
    expect(results.every((r) => r.status === 200 || r.status === 201)).toBe(true)
    expect(results.filter((r) => r.status === 201)).toHaveLength(1)
    expect(new Set(results.map((r) => r.body.drawId)).size).toBe(1)
    expect(await balance(u.token)).toBe(100 - 25 + (results[0]!.body.prize.points ?? 0))
  })

  it('without the in-process queue: still one draw, charged once', async () => {
    const { l, u } = await setup()
    const p = { merchantId: m.merchantId, userId: u.userId }
    const results = await Promise.all(Array.from({ length: 20 }, () => drawNow(t.db, p, l.id, 'same-tap-raw1', new Date())))
    expect(results.filter((r) => !r.replayed)).toHaveLength(1)
    expect(new Set(results.map((r) => r.drawId)).size).toBe(1)
    expect(await balance(u.token)).toBe(100 - 25 + (results[0]!.prize.points ?? 0))
    const { rows } = await t.pool.query(`select count(*)::int as n from points_entries where user_id = $1 and kind = 'spend'`, [u.userId])
    expect(rows[0].n).toBe(1)
  })
})

// Draw records carry no foreign key to the campaign (a hot parent row); the per-user counter rows do,
// and deleting or re-prizing a campaign locks its row FOR UPDATE before checking them.
it.each([
  ['delete the campaign', (id: string) => m.admin.del(`/admin/v1/lotteries/${id}`)],
  ['replace its prizes', (id: string) => m.admin.patch(`/admin/v1/lotteries/${id}`, { prizes: [{ type: 'none', name: '谢谢参与', weight: 1 }] })],
])('a first draw still in flight makes the admin wait, then refuse (%s)', async (_, act) => {
  const l = await createLottery({ costPoints: 0, freeDrawsPerDay: 3, prizes: [{ type: 'none', name: '谢谢参与', weight: 1 }] })
  const [u] = await createUsers(t.deps, m, 1)
  const draw = await t.pool.connect()
  try {
    // what a user's first draw writes first: its counter row (the draw record follows in the same transaction)
    await draw.query('BEGIN')
    await draw.query(`INSERT INTO lottery_draw_counts (lottery_id, user_id, period, merchant_id, n) VALUES ($1, $2, 'total', $3, 1)`, [l.id, u!.userId, m.merchantId])
    let answered = false
    const pending = act(l.id).then((r) => {
      answered = true
      return r
    })
    await new Promise((r) => setTimeout(r, 500))
    expect(answered).toBe(false)
    await draw.query('COMMIT')
    const r = await pending
    expect(r.status).toBe(409)
    expect(r.body.error.code).toBe('LOTTERY_HAS_DRAWS')
  } finally {
    draw.release()
  }
  const after = await m.admin.get(`/admin/v1/lotteries/${l.id}`)
  expect(after.status).toBe(200)
  expect(after.body.prizes).toHaveLength(1)
})
