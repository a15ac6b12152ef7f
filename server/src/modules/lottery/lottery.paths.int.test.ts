/**
 * A draw runs as one database call when nobody listens to the interaction, and in a transaction with
 * the listeners told when someone does (lottery.draw.ts). Both paths must give the same draws, prices,
 * payouts and stock; the second also tells the listeners, once per stage and once per draw.
 */
import { client, seedMerchant, startTestApp, type SeededMerchant, type TestApp } from '../../../../tests/src/support/harness'
import * as funnel from '../funnel/funnel.service'
import { createUsers, grantPoints } from './lottery.fixtures'

let t: TestApp
let m: SeededMerchant
beforeAll(async () => {
  t = await startTestApp()
  m = await seedMerchant(t)
})
afterAll(() => t.close())

let seq = 0
const key = () => `paths-key-${++seq}`

async function create(prizes: unknown[]) {
  const now = Date.now()
  const r = await m.admin.post('/admin/v1/lotteries', {
    name: '路径测试',
    kind: 'grid',
    startAt: new Date(now - 3600_000).toISOString(),
    endAt: new Date(now + 3600_000).toISOString(),
    enabled: true,
    costPoints: 10,
    freeDrawsPerDay: 1,
    limitPerDay: 3,
    prizes,
  })
  if (r.status !== 201) throw new Error(`create failed: ${r.status} ${JSON.stringify(r.body)}`)
  return r.body as { id: string; prizes: { id: string; type: string }[] }
}

describe.each([
  ['one call (nobody listens)', false],
  ['a transaction (listeners told)', true],
])('draws through %s', (_, listen) => {
  const told: string[] = []
  beforeAll(() => {
    if (!listen) return
    funnel.onStageReached('lottery-paths-test', ['interactor'], async (_tx, s) => void told.push(`stage:${s.userId}`))
    funnel.onEventsRecorded('lottery-paths-test', ['lottery_draw'], async (_tx, _m, userId, events) => void told.push(`events:${userId}:${events.map((e) => e.type).join()}`))
  })

  it('points, physical and "none" slots: payout, stock, price and record; out of stock pays nothing', async () => {
    expect(funnel.interactionIsQuiet('lottery_draw')).toBe(!listen)
    const points = await create([{ type: 'points', name: '100积分', weight: 1, points: 100, stock: 2 }, { type: 'none', name: '谢谢', weight: 0 }])
    const physical = await create([{ type: 'physical', name: '公仔', weight: 1, stock: 1 }, { type: 'none', name: '谢谢', weight: 0 }])
    const blank = await create([{ type: 'none', name: '谢谢', weight: 1 }])
    const [u] = await createUsers(t.deps, m, 1)
    const api = client(t.url, u!.token)
    await grantPoints(t.db, m.merchantId, [u!.userId], 100, new Date())
    const draw = async (id: string) => (await api.post(`/api/v1/lotteries/${id}/draws`, { idempotencyKey: key() })).body

    expect(await draw(points.id)).toMatchObject({ outcome: 'prize', reason: 'won', free: true, costPoints: 0, prize: { type: 'points', points: 100 } })
    expect(await draw(points.id)).toMatchObject({ outcome: 'prize', reason: 'won', free: false, costPoints: 10, prize: { type: 'points', points: 100 } })
    expect(await draw(points.id)).toMatchObject({ outcome: 'none', reason: 'out_of_stock', free: false, costPoints: 10, prize: { type: 'none', points: null } })
    const won = await draw(physical.id)
    expect(won).toMatchObject({ outcome: 'prize', reason: 'won', free: true, prize: { type: 'physical' } })
    expect(won.prize.redeemCode).toMatch(/^[A-Z0-9]{10}$/)
    expect(await draw(physical.id)).toMatchObject({ outcome: 'none', reason: 'out_of_stock', costPoints: 10, prize: { type: 'none', redeemCode: null } })
    expect(await draw(blank.id)).toMatchObject({ outcome: 'none', reason: 'no_prize', free: true, costPoints: 0 })

    // 100 granted + 2 x 100 won - 3 paid draws x 10
    expect((await api.get('/api/v1/points')).body.balance).toBe(270)
    const q = async (text: string, params: unknown[]) => (await t.pool.query(text, params)).rows
    expect(await q(`select kind, count(*)::int as n, sum(amount)::int as total from points_entries where user_id = $1 group by kind order by kind`, [u!.userId])).toEqual([
      { kind: 'earn', n: 3, total: 300 }, // the grant and two prizes
      { kind: 'spend', n: 3, total: -30 },
    ])
    expect(await q('select stock from lottery_prizes where id = any($1::uuid[]) and stock is not null order by stock', [[points.prizes[0]!.id, physical.prizes[0]!.id]])).toEqual([
      { stock: 0 },
      { stock: 0 },
    ])
    expect(await q('select count(*)::int as n from lottery_draws where user_id = $1', [u!.userId])).toEqual([{ n: 6 }])
    expect(await q(`select count(*)::int as n from funnel_events where user_id = $1 and type = 'lottery_draw'`, [u!.userId])).toEqual([{ n: 6 }])
    expect((await api.get('/api/v1/me')).body.stage).toBe('interactor')

    // a fourth draw of the day: refused, nothing written
    const limited = await api.post(`/api/v1/lotteries/${points.id}/draws`, { idempotencyKey: key() })
    expect(limited.body.error).toMatchObject({ code: 'DRAW_LIMIT_REACHED', details: { scope: 'day', limit: 3 } })
    expect(await q('select count(*)::int as n from lottery_draws where user_id = $1', [u!.userId])).toEqual([{ n: 6 }])

    // once per draw, and once more for the points draw that ran out after its payout: its first run was
    // rolled back (with whatever the listeners wrote) and ran again
    expect(told).toEqual(listen ? [`stage:${u!.userId}`, ...Array.from({ length: 7 }, () => `events:${u!.userId}:lottery_draw`)] : [])
  })
})
