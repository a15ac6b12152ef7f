/** Test helpers of red packets, wallet and payouts (imported by *.test.ts files only). */
import http from 'node:http'
import type { Pool } from 'pg'
import type { TestApp } from '../../../../tests/src/support/harness'

/** `n` users of the merchant inserted in one statement, each with a session token (no WeChat login needed). */
export async function insertUsers(t: TestApp, merchantId: string, n: number, prefix = 'o_rp'): Promise<{ id: string; token: string }[]> {
  const { rows } = await t.pool.query<{ id: string }>(
    `insert into users (merchant_id, appid, openid, nickname)
     select $1, 'wx_rp_test', $2 || '_' || g || '_' || md5(random()::text), '用户' || g from generate_series(1, $3) g returning id`,
    [merchantId, prefix, n],
  )
  return rows.map((r) => ({ id: r.id, token: t.deps.tokens.issue(r.id, merchantId).token }))
}

export type Reply = { status: number; body: any }

/**
 * Many concurrent requests against one server through a bounded keep-alive socket pool (all requests
 * are issued at once; the pool queues them), so thousands of "concurrent" calls don't open thousands
 * of sockets in the test process.
 */
export function burstClient(baseUrl: string, maxSockets = 128) {
  const agent = new http.Agent({ keepAlive: true, maxSockets })
  const u = new URL(baseUrl)
  function request(method: string, path: string, token?: string, body?: unknown): Promise<Reply> {
    const payload = body === undefined ? undefined : JSON.stringify(body)
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          agent,
          host: u.hostname,
          port: u.port,
          method,
          path,
          headers: {
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8')
            let parsed: unknown = text
            try {
              parsed = text ? JSON.parse(text) : undefined
            } catch {
              /* not JSON */
            }
            resolve({ status: res.statusCode ?? 0, body: parsed })
          })
          res.on('error', reject)
        },
      )
      req.on('error', reject)
      if (payload) req.write(payload)
      req.end()
    })
  }
  return { request, post: (p: string, token?: string, body?: unknown) => request('POST', p, token, body), close: () => agent.destroy() }
}

export type PacketMoney = { packetId: string; funded: number; slicesSum: number; claimed: number; unclaimed: number; returned: number; returnedColumn: number }

/** funded = claimed + unclaimed + returned, for every packet of a campaign (one snapshot). */
export async function packetMoney(pool: Pool, campaignId: string): Promise<PacketMoney[]> {
  const { rows } = await pool.query(
    `select p.id, p.total_fen, p.returned_fen,
       coalesce(sum(s.amount_fen), 0)::int8 as slices_sum,
       coalesce(sum(s.amount_fen) filter (where s.claimed_by is not null), 0)::int8 as claimed,
       coalesce(sum(s.amount_fen) filter (where s.claimed_by is null and s.returned_at is null), 0)::int8 as unclaimed,
       coalesce(sum(s.amount_fen) filter (where s.returned_at is not null), 0)::int8 as returned
     from redpacket_packets p left join redpacket_slices s on s.packet_id = p.id
     where p.campaign_id = $1 group by p.id`,
    [campaignId],
  )
  return rows.map((r) => ({
    packetId: r.id,
    funded: Number(r.total_fen),
    slicesSum: Number(r.slices_sum),
    claimed: Number(r.claimed),
    unclaimed: Number(r.unclaimed),
    returned: Number(r.returned),
    returnedColumn: Number(r.returned_fen),
  }))
}

export type CampaignMoney = {
  budget: number
  granted: number
  returnedColumn: number
  funded: number
  claimed: number
  unclaimed: number
  returned: number
  grants: number
  packetsReturnedColumn: number
}

/** A campaign's counters and what its rows say, read in one statement. */
export async function campaignMoney(pool: Pool, campaignId: string): Promise<CampaignMoney> {
  const { rows } = await pool.query(
    `select c.budget_fen, c.granted_fen, c.returned_fen,
       (select coalesce(sum(total_fen), 0) from redpacket_packets where campaign_id = c.id)::int8 as funded,
       (select coalesce(sum(returned_fen), 0) from redpacket_packets where campaign_id = c.id)::int8 as packets_returned,
       (select coalesce(sum(amount_fen), 0) from redpacket_grants where campaign_id = c.id)::int8 as grants,
       (select coalesce(sum(s.amount_fen) filter (where s.claimed_by is not null), 0) from redpacket_slices s join redpacket_packets p on p.id = s.packet_id where p.campaign_id = c.id)::int8 as claimed,
       (select coalesce(sum(s.amount_fen) filter (where s.claimed_by is null and s.returned_at is null), 0) from redpacket_slices s join redpacket_packets p on p.id = s.packet_id where p.campaign_id = c.id)::int8 as unclaimed,
       (select coalesce(sum(s.amount_fen) filter (where s.returned_at is not null), 0) from redpacket_slices s join redpacket_packets p on p.id = s.packet_id where p.campaign_id = c.id)::int8 as returned
     from redpacket_campaigns c where c.id = $1`,
    [campaignId],
  )
  const r = rows[0]
  return {
    budget: Number(r.budget_fen),
    granted: Number(r.granted_fen),
    returnedColumn: Number(r.returned_fen),
    funded: Number(r.funded),
    claimed: Number(r.claimed),
    unclaimed: Number(r.unclaimed),
    returned: Number(r.returned),
    grants: Number(r.grants),
    packetsReturnedColumn: Number(r.packets_returned),
  }
}

/** Every money invariant of a campaign and its packets; [] when all hold. */
export async function moneyViolations(pool: Pool, campaignId: string): Promise<string[]> {
  const out: string[] = []
  for (const p of await packetMoney(pool, campaignId)) {
    if (p.funded !== p.claimed + p.unclaimed + p.returned) out.push(`packet ${p.packetId}: funded ${p.funded} != ${p.claimed} + ${p.unclaimed} + ${p.returned}`)
    if (p.slicesSum !== p.funded) out.push(`packet ${p.packetId}: slices sum ${p.slicesSum} != funded ${p.funded}`)
    if (p.returnedColumn !== p.returned) out.push(`packet ${p.packetId}: returned_fen ${p.returnedColumn} != returned slices ${p.returned}`)
  }
  const c = await campaignMoney(pool, campaignId)
  if (c.granted > c.budget) out.push(`campaign: granted ${c.granted} > budget ${c.budget}`)
  if (c.funded + c.grants !== c.claimed + c.grants + c.unclaimed + c.returned) out.push(`campaign: funded ${c.funded + c.grants} != claimed + unclaimed + returned`)
  if (c.granted !== c.funded + c.grants - c.returned) out.push(`campaign: granted ${c.granted} != funded ${c.funded} + grants ${c.grants} - returned ${c.returned}`)
  if (c.returnedColumn !== c.returned || c.packetsReturnedColumn !== c.returned) out.push(`campaign: returned_fen ${c.returnedColumn} / packets ${c.packetsReturnedColumn} != returned slices ${c.returned}`)
  return out
}

/** Wallet invariants of every account of a merchant: balance = sum(entries) >= 0, last balance_after = balance. */
export async function walletViolations(pool: Pool, merchantId: string): Promise<string[]> {
  const { rows } = await pool.query(
    `select a.id, a.balance_fen,
       (select coalesce(sum(e.amount_fen), 0) from wallet_entries e where e.account_id = a.id)::int8 as sum,
       (select e.balance_after_fen from wallet_entries e where e.account_id = a.id order by e.seq desc limit 1) as last_after
     from wallet_accounts a where a.merchant_id = $1`,
    [merchantId],
  )
  const out: string[] = []
  for (const r of rows) {
    const balance = Number(r.balance_fen)
    if (balance < 0) out.push(`account ${r.id}: negative balance ${balance}`)
    if (balance !== Number(r.sum)) out.push(`account ${r.id}: balance ${balance} != sum(entries) ${r.sum}`)
    if (r.last_after !== null && Number(r.last_after) !== balance) out.push(`account ${r.id}: last balance_after ${r.last_after} != balance ${balance}`)
  }
  return out
}
