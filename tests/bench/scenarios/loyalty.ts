import pg_ from 'pg'
import { FUNNEL_STAGES, type MembershipPolicy, type Tier } from '@siyu/shared'
import { purchaseRewards } from '../../../server/src/modules/membership/membership.service'
import { pgbenchRow, type BenchContext, type BenchRow } from '../lib'

/**
 * Loyalty: check-ins by many distinct users (each one a transaction: advisory lock, streak query, ledger
 * earn, growth, funnel event), the repeat-tap path (409), the calendar read, and staff purchases
 * (member code HMAC check, ledger earn × tier multiplier, growth/tier, funnel, guide binding), each with a
 * unique receipt number: each member's first purchase (becoming a customer) as its own phase, then
 * purchases of existing customers for BENCH_DURATION. With pgbench installed, the purchase's database function is also called
 * straight from pgbench (no HTTP, no Node): the database's own ceiling for the same work.
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
  const purchases = (name: string, opts: { amount?: number; duration?: number }) =>
    ctx.load(name, {
      method: 'POST',
      path: '/staff/v1/purchases',
      headers: auth(guide!.token),
      ...opts,
      setupRequest: (req) => {
        const n = p++
        return { ...req, body: JSON.stringify({ memberCode: codes[n % codes.length], amountFen: 1000 + (n % 50) * 137, receiptNo: `B${run}-${n}`, storeId: ctx.storeId }) }
      },
    })
  // each member's first purchase makes them a customer and runs the stage listeners (referrals, tasks)
  // in a transaction: a once-per-customer path, measured on its own rather than mixed into the rest
  const first = await purchases('POST /staff/v1/purchases (first of each member)', { amount: codes.length })
  const purchase = await purchases('POST /staff/v1/purchases', { duration: Math.min(ctx.duration, 50) })
  const tps = await ctx.pgbenchTps()
  rows.push({ ...first, note: `${codes.length} members becoming customers` })
  rows.push({ ...purchase, note: tps ? `${((purchase.reqPerSec / tps) * 100).toFixed(0)}% of pgbench tpcb ${tps} TPS` : '200 members, unique receipts' })
  if (tps) rows[0] = { ...rows[0]!, note: `${rows[0]!.note}; ${((rows[0]!.reqPerSec / tps) * 100).toFixed(0)}% of pgbench tpcb` }

  const dbOnly = await ctx.pgbenchScript('staff-purchase', await purchaseScript(ctx, guide!.userId, codes.map((c) => c.slice(0, 12))))
  if (dbOnly !== null) rows.push(pgbenchRow('staff_purchase() from pgbench (no HTTP, no Node)', dbOnly, tps, ''))
  return rows
}

/**
 * A pgbench script making the same database call as POST /staff/v1/purchases (one statement, the
 * purchase of 23.70 yuan by one of the members, a unique receipt per call), with the merchant's own
 * earn rule and tiers.
 */
async function purchaseScript(ctx: BenchContext, guideUserId: string, cardNos: string[]): Promise<string> {
  const c = new pg_.Client({ connectionString: ctx.databaseUrl })
  await c.connect()
  const staff = (await c.query<{ merchant_id: string; id: string }>('SELECT merchant_id, id FROM staff WHERE user_id = $1', [guideUserId])).rows[0]!
  await c.end()
  const admin = async <T>(path: string) => (await (await fetch(ctx.serverUrl + path, { headers: { authorization: `Bearer ${ctx.adminKey}` } })).json()) as T
  const policy = await admin<MembershipPolicy>('/admin/v1/membership/policy')
  const { tiers } = await admin<{ tiers: Tier[] }>('/admin/v1/tiers')
  const amountFen = 2370
  const byLevel = tiers.map((t) => purchaseRewards(policy, t.multiplierPermille, amountFen))
  const list = (xs: (string | number)[]) => `'{${xs.join(',')}}'`
  return `\\set n random(1, ${cardNos.length})
\\set r random(1, 2000000000)
SELECT status FROM staff_purchase('${staff.merchant_id}', (${list(cardNos)}::text[])[:n], '${staff.id}', '${ctx.storeId}', 'PGB' || :r || '-' || :client_id, ${amountFen}, ${list(byLevel.map((r) => r.points))}::int[], ${list(tiers.map((t) => t.multiplierPermille))}::int[], ${byLevel[0]!.growth}, 'pgbench', now(), now() + interval '1 year', now() - interval '12 months', ${list(tiers.map((t) => t.threshold))}::bigint[], ${list(tiers.map((t) => `"${t.name}"`))}::text[], ${list([...FUNNEL_STAGES])}::text[], false);
`
}
