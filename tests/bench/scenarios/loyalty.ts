import type { BenchContext, BenchRow } from '../lib'

/**
 * Loyalty: check-ins by many distinct users (each one a transaction: advisory lock, streak query, ledger
 * earn, growth, funnel event), the repeat-tap path (409), the calendar read, and staff purchases
 * (member code HMAC check, ledger earn × tier multiplier, growth/tier, funnel, guide binding), each with a
 * unique receipt number.
 */
export async function run(ctx: BenchContext): Promise<BenchRow[]> {
  const rows: BenchRow[] = []
  const auth = (token: string) => ({ authorization: `Bearer ${token}` })

  // --- check-in: one request per distinct user (a second one the same day is a 409 by design)
  const n = Math.max(2000, ctx.duration * 400)
  const users = await ctx.loginUsers(n, `bench-checkin-${Date.now().toString(36)}`)
  let i = 0
  const checkin = await ctx.load('POST /api/v1/checkins (distinct users)', {
    method: 'POST',
    path: '/api/v1/checkins',
    amount: users.length,
    setupRequest: (req) => ({ ...req, headers: { ...req.headers, ...auth(users[i++ % users.length]!.token) } }),
  })
  rows.push({ ...checkin, note: `${users.length} users, one check-in each` })
  let j = 0
  rows.push({
    ...(await ctx.load('POST /api/v1/checkins (repeat tap, 409)', {
      method: 'POST',
      path: '/api/v1/checkins',
      setupRequest: (req) => ({ ...req, headers: { ...req.headers, ...auth(users[j++ % users.length]!.token) } }),
    })),
    note: 'all non-2xx by design (ALREADY_CHECKED_IN)',
  })
  rows.push(
    await ctx.load('GET /api/v1/checkins (calendar)', {
      path: '/api/v1/checkins',
      setupRequest: (req) => ({ ...req, headers: { ...req.headers, ...auth(users[j++ % users.length]!.token) } }),
    }),
  )

  // --- staff purchase: one guide, 200 members showing fresh codes, a unique receipt per request
  const [guide] = await ctx.loginUsers(1, `bench-guide-${Date.now().toString(36)}`)
  const invite = await fetch(`${ctx.serverUrl}/admin/v1/staff/invites`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth(ctx.adminKey) },
    body: JSON.stringify({ storeId: ctx.storeId, role: 'guide' }),
  }).then((r) => r.json() as Promise<{ code: string }>)
  const joined = await ctx.post('/api/v1/staff/join', { code: invite.code }, guide!.token)
  if (joined.status !== 201) throw new Error(`staff join failed: ${joined.status}`)
  const members = await ctx.loginUsers(200, `bench-member-${Date.now().toString(36)}`)
  for (let k = 0; k < members.length; k += 32) await Promise.all(members.slice(k, k + 32).map((m) => ctx.post('/api/v1/membership', {}, m.token)))
  // member codes live 60-120 s: fetch them right before the phase (BENCH_DURATION must stay below 60)
  const codes: string[] = []
  for (let k = 0; k < members.length; k += 32) {
    codes.push(...(await Promise.all(members.slice(k, k + 32).map(async (m) => (await ctx.get<{ code: string }>('/api/v1/membership/code', m.token)).body.code))))
  }
  const run = Date.now().toString(36)
  let p = 0
  const purchase = await ctx.load('POST /staff/v1/purchases', {
    method: 'POST',
    path: '/staff/v1/purchases',
    headers: auth(guide!.token),
    duration: Math.min(ctx.duration, 50),
    setupRequest: (req) => {
      const n = p++
      return { ...req, body: JSON.stringify({ memberCode: codes[n % codes.length], amountFen: 1000 + (n % 50) * 137, receiptNo: `B${run}-${n}`, storeId: ctx.storeId }) }
    },
  })
  const tps = await ctx.pgbenchTps()
  rows.push({ ...purchase, note: tps ? `${((purchase.reqPerSec / tps) * 100).toFixed(0)}% of pgbench tpcb ${tps} TPS` : '200 members, unique receipts' })
  if (tps) rows[0] = { ...rows[0]!, note: `${rows[0]!.note}; ${((rows[0]!.reqPerSec / tps) * 100).toFixed(0)}% of pgbench tpcb` }
  return rows
}
