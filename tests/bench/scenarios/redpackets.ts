import type { BenchContext, BenchRow } from '../lib'

/**
 * Red-packet grabs at 32 connections. Every grab is one transaction: claim a slice (UPDATE ... WHERE
 * id = (SELECT ... FOR UPDATE SKIP LOCKED), falling back to a waiting lock when every free slice is
 * being claimed), credit the wallet (one upsert + entry statement), record the funnel interaction.
 * Each request is a distinct (user, packet) pair, so every request claims a slice (no 409/410 path).
 * - hot: one packet of 1,000 slices at a time takes all grabs (1,000 users; when it is drained the
 *   next packet takes over), i.e. all contention on one row set;
 * - spread: 100 packets grabbed in parallel (request k: user k mod 400, packet (k div 400) mod 100).
 * Also printed as a ratio of pgbench tpcb-like TPS on the same server.
 */
export async function run(ctx: BenchContext): Promise<BenchRow[]> {
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
  const SLICES = 1000
  const TOTAL = 100_000
  const HOT_PACKETS = 20
  const SPREAD_PACKETS = 100
  const campaign = await admin<{ id: string }>('POST', '/admin/v1/redpacket-campaigns', {
    name: `bench 红包 ${tag}`,
    budgetFen: (HOT_PACKETS + SPREAD_PACKETS) * TOTAL,
    packetTotalFen: TOTAL,
    slicesPerPacket: SLICES,
    floorFen: 1,
    eligibility: { maxPacketsPerUser: HOT_PACKETS + SPREAD_PACKETS },
    endsAt: new Date(Date.now() + 7 * 86400_000).toISOString(),
  })
  const [sharer] = await ctx.loginUsers(1, `bench-rp-sharer-${tag}`)
  const open = async () => {
    const r = await ctx.post<{ id: string }>('/api/v1/redpackets', { campaignId: campaign.id }, sharer!.token)
    if (r.status !== 201) throw new Error(`open packet: ${r.status} ${JSON.stringify(r.body)}`)
    return r.body.id
  }
  const hot: string[] = []
  for (let i = 0; i < HOT_PACKETS; i++) hot.push(await open())
  const spread: string[] = []
  for (let i = 0; i < SPREAD_PACKETS; i++) spread.push(await open())
  const users = await ctx.loginUsers(SLICES, `bench-rp-${tag}`)

  const rows: BenchRow[] = []
  let k = 0
  const hotRow = await ctx.load('POST /api/v1/redpackets/:id/grabs (1 hot packet)', {
    method: 'POST',
    path: `/api/v1/redpackets/${hot[0]}/grabs`,
    setupRequest: (req) => {
      const i = k++
      return {
        ...req,
        path: `/api/v1/redpackets/${hot[Math.min(HOT_PACKETS - 1, Math.floor(i / SLICES))]}/grabs`,
        headers: { ...req.headers, authorization: `Bearer ${users[i % SLICES]!.token}` },
      }
    },
  })
  rows.push({
    ...hotRow,
    note: hotRow.requests > HOT_PACKETS * SLICES ? 'ran out of hot packets: later requests are 410s' : `${hotRow.requests} grabs over ${Math.ceil(hotRow.requests / SLICES)} packets in turn`,
  })

  const U = 400
  let j = 0
  const spreadRow = await ctx.load(`POST /api/v1/redpackets/:id/grabs (${SPREAD_PACKETS} packets)`, {
    method: 'POST',
    path: `/api/v1/redpackets/${spread[0]}/grabs`,
    setupRequest: (req) => {
      const i = j++
      return {
        ...req,
        path: `/api/v1/redpackets/${spread[Math.floor(i / U) % SPREAD_PACKETS]}/grabs`,
        headers: { ...req.headers, authorization: `Bearer ${users[i % U]!.token}` },
      }
    },
  })
  rows.push({ ...spreadRow, note: spreadRow.requests > U * SPREAD_PACKETS ? 'ran out of distinct (user, packet) pairs: later requests are 409s' : undefined })

  const tps = await ctx.pgbenchTps()
  if (tps) for (const r of rows) r.note = [r.note, `${(r.reqPerSec / tps).toFixed(2)} x pgbench tpcb-like (${tps} TPS)`].filter(Boolean).join('; ')
  return rows
}
