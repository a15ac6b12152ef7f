import crypto from 'node:crypto'
import { Pool } from 'pg'
import { generateMerchantKeys } from '../../src/sandbox'
import type { BenchContext, BenchRow } from '../lib'

/**
 * WeChat Pay callbacks settled per second. N orders (BENCH_PAY_N, a list, default "100,500") are created and
 * prepaid through the server; then the payers "confirm" all N at once in the sandbox, which fires N
 * distinct TRANSACTION.SUCCESS notifications at POST /wechat/pay/notify concurrently, each signed and
 * AES-GCM encrypted like WeChat's. Every one is verified (RSA over the raw body, serial → key, 300 s
 * window), decrypted (tag checked), matched against its payment attempt and settled in one
 * transaction (notification row, attempt, order, funnel stage, points ledger entry, growth).
 *
 * Figures, from the sandbox's delivery log: settled/s = N / (last reply − first send); p50/p99 = time
 * from the sandbox starting a delivery to our 204 (queueing included); non-2xx = first attempts not
 * acknowledged (e.g. beyond WeChat's 5 s reply limit; WeChat would retry them). The sandbox signs
 * and encrypts on the same 2 cores, so this is the end-to-end rate, not the server's alone.
 */
export async function run(ctx: BenchContext): Promise<BenchRow[]> {
  const sizes = (process.env.BENCH_PAY_N ?? '100,500').split(',').map(Number).filter((x) => x > 0)
  const admin = { 'content-type': 'application/json', authorization: `Bearer ${ctx.adminKey}` }
  await enablePay(ctx)
  const sku = `BENCH-PAY-${Date.now().toString(36)}`
  const p = await fetch(`${ctx.serverUrl}/admin/v1/products`, { method: 'POST', headers: admin, body: JSON.stringify({ sku, name: '压测商品', priceFen: 990 }) })
  if (p.status !== 201) throw new Error(`product: ${p.status} ${await p.text()}`)
  const users = await ctx.loginUsers(200, `bench-pay-${Date.now().toString(36)}`)
  const rows: BenchRow[] = []
  for (const n of sizes) rows.push(await phase(ctx, n, sku, users))
  return rows
}

async function phase(ctx: BenchContext, n: number, sku: string, users: { token: string }[]): Promise<BenchRow> {
  const payments: Record<string, string>[] = []
  for (let i = 0; i < n; i += 32) {
    const part = await Promise.all(
      Array.from({ length: Math.min(32, n - i) }, async (_, j) => {
        const u = users[(i + j) % users.length]!
        const o = await ctx.post<{ id: string }>('/api/v1/orders', { items: [{ sku, qty: 1 }] }, u.token)
        if (o.status !== 201) throw new Error(`order: ${o.status} ${JSON.stringify(o.body)}`)
        const pay = await ctx.post<{ payment: Record<string, string> }>(`/api/v1/orders/${o.body.id}/pay`, {}, u.token)
        if (pay.status !== 200) throw new Error(`pay: ${pay.status} ${JSON.stringify(pay.body)}`)
        return pay.body.payment
      }),
    )
    payments.push(...part)
  }

  // The payers confirm all at once: the sandbox fires N notifications concurrently.
  const confirmed = await Promise.all(
    payments.map(async (pm) => {
      const r = await fetch(`${ctx.sandboxUrl}/__sim/pay/confirm`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ appId: ctx.appid, ...pm }),
      })
      if (r.status !== 200) throw new Error(`confirm: ${r.status} ${await r.text()}`)
      return ((await r.json()) as { notification_id: string }).notification_id
    }),
  )
  const ids = new Set(confirmed)

  type Delivery = { id: string; state: string; attempts: { at: number; probe: boolean; status?: number; durationMs: number }[] }
  let mine: Delivery[] = []
  const until = Date.now() + 120_000
  for (;;) {
    const all = ((await (await fetch(`${ctx.sandboxUrl}/__sim/deliveries?event_type=TRANSACTION.SUCCESS`)).json()) as { deliveries: Delivery[] }).deliveries
    mine = all.filter((d) => ids.has(d.id))
    // done when every notification got its first real answer (acknowledged or not)
    if (mine.length === n && mine.every((d) => d.attempts.some((a) => !a.probe))) break
    if (Date.now() > until) break
    await new Promise((r) => setTimeout(r, 250))
  }

  const first = mine.map((d) => d.attempts.find((a) => !a.probe)).filter((a): a is NonNullable<typeof a> => a !== undefined)
  const ok = first.filter((a) => a.status !== undefined && a.status >= 200 && a.status < 300)
  const start = Math.min(...first.map((a) => a.at))
  const end = Math.max(...ok.map((a) => a.at + a.durationMs))
  const lat = first.map((a) => a.durationMs).sort((a, b) => a - b)
  const pct = (q: number) => lat[Math.min(lat.length - 1, Math.floor(lat.length * q))] ?? 0

  // What the database says, not what the replies say (a reply may time out after the commit).
  const pool = new Pool({ connectionString: ctx.databaseUrl, max: 1 })
  const { rows } = await pool.query<{ n: number }>(
    `select count(*)::int as n from payment_notifications where notification_id = any($1::text[]) and outcome = 'settled'`,
    [[...ids]],
  )
  await pool.end()

  return {
    scenario: `WeChat Pay callbacks, ${n} fired at once (settled/s)`,
    reqPerSec: ok.length > 0 ? Math.round((ok.length / Math.max(1, end - start)) * 1000) : 0,
    p50ms: pct(0.5),
    p99ms: pct(0.99),
    requests: first.length,
    non2xx: first.length - ok.length,
    errors: n - first.length,
    note: `${rows[0]?.n ?? 0}/${n} settled once in the DB; latency = sandbox send -> our 204; non-2xx = first attempts past WeChat's 5 s (retried by WeChat)`,
  }
}

/**
 * The bench server runs against an external sandbox (WECHAT_API_BASE set), so its demo merchant has
 * no WeChat Pay yet: give it merchant keys and the sandbox's platform keys, and register it there.
 */
async function enablePay(ctx: BenchContext) {
  const pool = new Pool({ connectionString: ctx.databaseUrl, max: 1 })
  try {
    const { rows } = await pool.query<{ mchid: string | null }>('select mchid from merchant_apps where appid = $1', [ctx.appid])
    if (rows[0]?.mchid) return
    const mchid = '1900000109'
    const mk = generateMerchantKeys(mchid)
    const apiV3Key = Array.from(crypto.randomBytes(32), (b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'[b % 62]).join('')
    const keys = (await (await fetch(`${ctx.sandboxUrl}/__sim/keys`)).json()) as { certificateSerial: string; certificatePem: string; publicKeyId: string; publicKeyPem: string }
    const r = await fetch(`${ctx.sandboxUrl}/__sim/merchants`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mchid, appids: [ctx.appid], merchantSerial: mk.serial, merchantPublicKeyPem: mk.certificatePem, apiV3Key }),
    })
    if (r.status !== 201) throw new Error(`register merchant: ${r.status} ${await r.text()}`)
    await pool.query(
      'update merchant_apps set mchid = $2, mch_serial = $3, mch_private_key_pem = $4, api_v3_key = $5, wechatpay_keys = $6 where appid = $1',
      [ctx.appid, mchid, mk.serial, mk.privateKeyPem, apiV3Key, JSON.stringify({ [keys.certificateSerial]: keys.certificatePem, [keys.publicKeyId]: keys.publicKeyPem })],
    )
  } finally {
    await pool.end()
  }
}
