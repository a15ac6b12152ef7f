import type { BenchContext, BenchRow } from '../lib'

/**
 * Points ledger throughput at 32 connections. Debits go through POST /admin/v1/points/adjust (amount -1):
 * each is one transaction — idempotency check, account row lock, due-lot check, entry insert, lot
 * consumption (oldest expiry first) and account update. Phases:
 *   - debits spread over 400 accounts (each holding 10 lots, so a debit walks its lots),
 *   - debits on ONE hot account (serialised on its row lock: the per-account ceiling),
 *   - credits (amount +1, a lot each) spread over the accounts,
 *   - GET /api/v1/points and GET /api/v1/points/ledger (reads).
 * Write phases are also printed as a ratio of pgbench tpcb-like TPS on the same server.
 */
export async function run(ctx: BenchContext): Promise<BenchRow[]> {
  const rows: BenchRow[] = []
  const tag = Date.now().toString(36)
  const adjust = async (userId: string, amount: number, key: string) => {
    const r = await fetch(`${ctx.serverUrl}/admin/v1/points/adjust`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ctx.adminKey}` },
      body: JSON.stringify({ userId, amount, reason: 'bench', idempotencyKey: key }),
    })
    if (r.status !== 200) throw new Error(`adjust: ${r.status} ${await r.text()}`)
  }

  const users = await ctx.loginUsers(400, `bench-points-${tag}`)
  // 10 lots per account so debits consume across lots like real accounts with many earns
  for (let i = 0; i < users.length; i += 32) {
    await Promise.all(
      users.slice(i, i + 32).map(async (u) => {
        for (let l = 0; l < 10; l++) await adjust(u.userId, 100_000, `bench-seed-${tag}-${u.userId}-${l}`)
      }),
    )
  }

  let n = 0
  const adminHeaders = { authorization: `Bearer ${ctx.adminKey}` }
  const adjustLoad = (name: string, amount: number, pickUser: (k: number) => string) =>
    ctx.load(name, {
      method: 'POST',
      path: '/admin/v1/points/adjust',
      headers: adminHeaders,
      setupRequest: (req) => {
        const k = n++
        return { ...req, body: JSON.stringify({ userId: pickUser(k), amount, reason: 'bench', idempotencyKey: `bench-${tag}-${k}` }) }
      },
    })

  const spread = await adjustLoad('POST /admin/v1/points/adjust -1 (400 accounts)', -1, (k) => users[k % users.length]!.userId)
  const hot = await adjustLoad('POST /admin/v1/points/adjust -1 (1 hot account)', -1, () => users[0]!.userId)
  const credit = await adjustLoad('POST /admin/v1/points/adjust +1 (400 accounts)', 1, (k) => users[k % users.length]!.userId)
  const auth = (k: number) => ({ authorization: `Bearer ${users[k % users.length]!.token}` })
  const summary = await ctx.load('GET /api/v1/points', { path: '/api/v1/points', setupRequest: (req) => ({ ...req, headers: { ...req.headers, ...auth(n++) } }) })
  const ledger = await ctx.load('GET /api/v1/points/ledger', {
    path: '/api/v1/points/ledger?limit=20',
    setupRequest: (req) => ({ ...req, headers: { ...req.headers, ...auth(n++) } }),
  })

  const tps = await ctx.pgbenchTps()
  const ratio = (r: BenchRow) => (tps ? `${(r.reqPerSec / tps).toFixed(2)} x pgbench tpcb-like (${tps} TPS)` : 'pgbench not installed')
  rows.push({ ...spread, note: ratio(spread) }, { ...hot, note: `one row lock; ${ratio(hot)}` }, { ...credit, note: ratio(credit) }, summary, ledger)
  return rows
}
