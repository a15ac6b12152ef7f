import { Pool } from 'pg'
import type { BenchContext, BenchRow } from '../lib'

/** Foundation: login (pre-minted sandbox codes), POST /api/v1/events, GET /api/v1/me, and a bare SELECT 1 baseline. */
export async function run(ctx: BenchContext): Promise<BenchRow[]> {
  const rows: BenchRow[] = []

  // Login: every request needs a fresh single-use code; pre-mint a pool and stop when it runs out.
  const codes = await ctx.mintLoginCodes(Math.max(2000, ctx.duration * 600))
  let next = 0
  const login = await ctx.load('login', {
    method: 'POST',
    path: '/api/v1/auth/login',
    amount: codes.length,
    setupRequest: (req) => ({ ...req, body: JSON.stringify({ appid: ctx.appid, code: codes[next++ % codes.length]!.code }) }),
  })
  rows.push({ ...login, note: 'includes jscode2session to the sandbox' })

  const users = await ctx.loginUsers(200, 'bench-events')
  let u = 0
  rows.push(
    await ctx.load('POST /api/v1/events', {
      method: 'POST',
      path: '/api/v1/events',
      body: JSON.stringify({ type: 'click', channel: 'bench', props: { button: 'buy' } }),
      setupRequest: (req) => ({ ...req, headers: { ...req.headers, authorization: `Bearer ${users[u++ % users.length]!.token}` } }),
    }),
  )
  rows.push(
    await ctx.load('GET /api/v1/me', {
      path: '/api/v1/me',
      setupRequest: (req) => ({ ...req, headers: { ...req.headers, authorization: `Bearer ${users[u++ % users.length]!.token}` } }),
    }),
  )
  rows.push(await selectOne(ctx))
  return rows
}

/** The ceiling of our HTTP layer: SELECT 1 through a pool of the server's size, 32 concurrent callers. */
async function selectOne(ctx: BenchContext): Promise<BenchRow> {
  const pool = new Pool({ connectionString: ctx.databaseUrl, max: 20 })
  const latencies: number[] = []
  const until = Date.now() + ctx.duration * 1000
  const worker = async () => {
    while (Date.now() < until) {
      const t = process.hrtime.bigint()
      await pool.query('select 1')
      latencies.push(Number(process.hrtime.bigint() - t) / 1e6)
    }
  }
  const started = Date.now()
  await Promise.all(Array.from({ length: ctx.connections }, worker))
  const secs = (Date.now() - started) / 1000
  await pool.end()
  latencies.sort((a, b) => a - b)
  const pct = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]! * 100) / 100
  return {
    scenario: 'SELECT 1 (pg pool, max 20)',
    reqPerSec: Math.round(latencies.length / secs),
    p50ms: pct(0.5),
    p99ms: pct(0.99),
    requests: latencies.length,
    non2xx: 0,
    errors: 0,
    note: 'baseline',
  }
}
