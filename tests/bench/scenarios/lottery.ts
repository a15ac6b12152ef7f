import pg_ from 'pg'
import { FUNNEL_STAGES, type LotteryAdminView } from '@siyu/shared'
import { pgbenchRow, type BenchContext, type BenchRow } from '../lib'

/**
 * Lottery draws at 32 connections on campaigns with ample stock. Every draw is one transaction:
 * per-user counters, the points price through the ledger (paid phase), crypto.randomInt, the
 * conditional stock update on the drawn prize (hot rows shared by all users), prize payout (points
 * credit, coupon issue, physical prize code), funnel interaction, the audit record.
 * Phases: paid draws (10 points each), free draws (no ledger), and the campaign page (published odds).
 * The paid phase is also printed as a ratio of pgbench tpcb-like TPS on the same server (target >= 0.5).
 * With pgbench installed, the paid draw's database function is also called straight from pgbench (no
 * HTTP, no Node): the database's own ceiling for the same work.
 */
export async function run(ctx: BenchContext): Promise<BenchRow[]> {
  const rows: BenchRow[] = []
  const admin = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const r = await fetch(ctx.serverUrl + path, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ctx.adminKey}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`)
    return (await r.json()) as T
  }
  const tag = Date.now().toString(36)

  const coupon = await admin<{ id: string }>('POST', '/admin/v1/coupons/templates', {
    kind: 'amount_off',
    name: `bench 5元券 ${tag}`,
    amountOffFen: 500,
    minSpendFen: 3000,
    validity: { type: 'relative', days: 7 },
    claimable: false,
  })
  const now = Date.now()
  const campaign = (name: string, over: Record<string, unknown>) =>
    admin<{ id: string }>('POST', '/admin/v1/lotteries', {
      name,
      kind: 'wheel',
      startAt: new Date(now - 3600_000).toISOString(),
      endAt: new Date(now + 7 * 86400_000).toISOString(),
      enabled: true,
      prizes: [
        { type: 'physical', name: '保温杯', weight: 2, stock: 1_000_000 },
        { type: 'coupon', name: '5元券', weight: 8, stock: 1_000_000, couponTemplateId: coupon.id },
        { type: 'points', name: '20积分', weight: 15, stock: 1_000_000, points: 20 },
        { type: 'none', name: '谢谢参与', weight: 75 },
      ],
      ...over,
    })
  const paid = await campaign(`bench paid ${tag}`, { costPoints: 10, freeDrawsPerDay: 0 })
  const free = await campaign(`bench free ${tag}`, { costPoints: 0, freeDrawsPerDay: 0 }) // price 0: every draw free, no ledger

  const users = await ctx.loginUsers(400, `bench-lottery-${tag}`)
  for (let i = 0; i < users.length; i += 32) {
    await Promise.all(
      users.slice(i, i + 32).map((u) =>
        admin('POST', '/admin/v1/points/adjust', { userId: u.userId, amount: 10_000_000, reason: 'bench', idempotencyKey: `bench-grant-${tag}-${u.userId}` }),
      ),
    )
  }

  let n = 0
  const drawLoad = (name: string, lotteryId: string) =>
    ctx.load(name, {
      method: 'POST',
      path: `/api/v1/lotteries/${lotteryId}/draws`,
      setupRequest: (req) => {
        const k = n++
        return {
          ...req,
          path: `/api/v1/lotteries/${lotteryId}/draws`,
          headers: { ...req.headers, authorization: `Bearer ${users[k % users.length]!.token}` },
          body: JSON.stringify({ idempotencyKey: `bench-${tag}-${k}` }),
        }
      },
    })

  const blank = await campaign(`bench blank ${tag}`, { costPoints: 0, freeDrawsPerDay: 0, prizes: [{ type: 'none', name: '谢谢参与', weight: 1 }] })
  const paidRow = await drawLoad('POST /api/v1/lotteries/:id/draws (10 points)', paid.id)
  const freeRow = await drawLoad('POST /api/v1/lotteries/:id/draws (free)', free.id)
  const blankRow = await drawLoad('POST /api/v1/lotteries/:id/draws (free, "none" only)', blank.id)
  const view = await ctx.load('GET /api/v1/lotteries/:id', {
    path: `/api/v1/lotteries/${paid.id}`,
    setupRequest: (req) => ({ ...req, headers: { ...req.headers, authorization: `Bearer ${users[n++ % users.length]!.token}` } }),
  })

  const stats = await admin<LotteryAdminView>('GET', `/admin/v1/lotteries/${paid.id}`)
  const tps = await ctx.pgbenchTps()
  const ratio = (r: BenchRow) => (tps ? `; ${(r.reqPerSec / tps).toFixed(2)} x pgbench tpcb-like (${tps} TPS)` : '; pgbench not installed')
  rows.push({ ...paidRow, note: `400 users, ${stats.drawCount} draws recorded${ratio(paidRow)}` })
  rows.push({ ...freeRow, note: `no ledger${ratio(freeRow)}` })
  rows.push({ ...blankRow, note: `no ledger, no prize rows: the draw's floor${ratio(blankRow)}` })
  rows.push({ ...view, note: 'published odds + my allowance' })

  const dbOnly = await ctx.pgbenchScript('lottery-draw', await drawScript(ctx, stats, users.map((u) => u.userId)))
  if (dbOnly !== null) {
    rows.push(pgbenchRow('lottery_draw() from pgbench (no HTTP, no Node)', dbOnly, tps, 'the paid campaign, coupon slot drawn as "none" (its payout needs TypeScript)'))
  }
  return rows
}

/**
 * A pgbench script making the paid draw's one database call (lottery_draw with p_complete) for one of
 * the users, the prize picked by the campaign's weights from pgbench's random number. The coupon slot
 * is drawn as "none": a coupon payout runs in TypeScript, so no single statement stands for it (this
 * makes the figure an upper bound).
 */
async function drawScript(ctx: BenchContext, l: LotteryAdminView, userIds: string[]): Promise<string> {
  const c = new pg_.Client({ connectionString: ctx.databaseUrl })
  await c.connect()
  const { merchant_id: merchantId } = (await c.query<{ merchant_id: string }>('SELECT merchant_id FROM lotteries WHERE id = $1', [l.id])).rows[0]!
  await c.end()
  const prize = (type: string) => l.prizes.find((p) => p.type === type)!
  const [physical, coupon, points, none] = [prize('physical'), prize('coupon'), prize('points'), prize('none')]
  const total = l.prizes.reduce((s, p) => s + p.weight, 0)
  const weights = JSON.stringify(l.prizes.map((p) => ({ id: p.id, w: p.weight })))
  const call = (drawn: typeof none, code: string, expires: string) =>
    `SELECT free FROM lottery_draw('${merchantId}', '${l.id}', ('{${userIds.join(',')}}'::uuid[])[:u], 'pgb' || :r || '-' || :client_id, ` +
    `(now() AT TIME ZONE 'Asia/Shanghai')::date, NULL, NULL, ${l.freeDrawsPerDay}, ${l.costPoints}, 'bench', gen_random_uuid(), now(), ` +
    `'{${FUNNEL_STAGES.join(',')}}'::text[], true, '${weights}'::jsonb, ${total}, :p, '${drawn.id}', '${drawn.type}', '${drawn.name}', ` +
    `${drawn.stock !== null}, ${drawn.points ?? 'NULL'}, false, '${none.id}', '${none.name}', ${code}, 'bench: ${drawn.name}', ${expires});`
  // the slots in campaign order: physical [0, w1), coupon [w1, w1 + w2), points [.., .. + w3), none after
  const a = physical.weight
  const b = a + coupon.weight
  const d = b + points.weight
  return `\\set u random(1, ${userIds.length})
\\set p random(0, ${total - 1})
\\set r random(1, 2000000000)
\\if :p < ${a}
${call(physical, `'PGB' || :r`, 'NULL')}
\\elif :p >= ${b} and :p < ${d}
${call(points, 'NULL', `now() + interval '1 year'`)}
\\else
${call(none, 'NULL', 'NULL')}
\\endif
`
}
