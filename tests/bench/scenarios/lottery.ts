import type { BenchContext, BenchRow } from '../lib'

/**
 * Lottery draws at 32 connections on campaigns with ample stock. Every draw is one transaction:
 * per-user counters, the points price through the ledger (paid phase), crypto.randomInt, the
 * conditional stock update on the drawn prize (hot rows shared by all users), prize payout (points
 * credit, coupon issue, physical prize code), funnel interaction, the audit record.
 * Phases: paid draws (10 points each), free draws (no ledger), and the campaign page (published odds).
 * The paid phase is also printed as a ratio of pgbench tpcb-like TPS on the same server (target >= 0.5).
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

  const stats = await admin<{ drawCount: number; prizes: { name: string; won: number; stock: number | null }[] }>('GET', `/admin/v1/lotteries/${paid.id}`)
  const tps = await ctx.pgbenchTps()
  const ratio = (r: BenchRow) => (tps ? `; ${(r.reqPerSec / tps).toFixed(2)} x pgbench tpcb-like (${tps} TPS)` : '; pgbench not installed')
  rows.push({ ...paidRow, note: `400 users, ${stats.drawCount} draws recorded${ratio(paidRow)}` })
  rows.push({ ...freeRow, note: `no ledger${ratio(freeRow)}` })
  rows.push({ ...blankRow, note: `no ledger, no prize rows: the draw's floor${ratio(blankRow)}` })
  rows.push({ ...view, note: 'published odds + my allowance' })
  return rows
}
