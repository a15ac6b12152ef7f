/** Test helpers of the points module (imported by its *.test.ts files only). */
import { randomUUID } from 'node:crypto'
import type { Pool } from 'pg'

/** A user of the merchant, inserted directly (fast enough for a fresh user per property run). */
export async function insertUser(pool: Pool, merchantId: string): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `insert into users (merchant_id, appid, openid) values ($1, 'wx_points_test', $2) returning id`,
    [merchantId, `o_${randomUUID()}`],
  )
  return rows[0]!.id
}

export type InvariantReport = {
  balance: number
  debt: number
  lifetimeEarned: number
  sumAmount: number
  sumDebtChange: number
  sumEarn: number
  sumRemaining: number
  dueLots: number
  badLots: number
  badDebits: number
  lastBalanceAfter: number | null
  lastDebtAfter: number | null
  entries: number
}

/** Everything the invariants compare, for one account, in one statement. */
export async function invariantReport(pool: Pool, merchantId: string, userId: string, now: Date): Promise<InvariantReport | null> {
  const { rows } = await pool.query(
    `select a.balance, a.debt, a.lifetime_earned,
       (select coalesce(sum(e.amount), 0) from points_entries e where e.account_id = a.id) as sum_amount,
       (select coalesce(sum(e.debt_change), 0) from points_entries e where e.account_id = a.id) as sum_debt_change,
       (select coalesce(sum(e.amount) filter (where e.kind = 'earn'), 0) from points_entries e where e.account_id = a.id) as sum_earn,
       (select coalesce(sum(l.remaining), 0) from points_lots l where l.account_id = a.id) as sum_remaining,
       (select count(*) from points_lots l where l.account_id = a.id and l.remaining > 0 and l.expires_at <= $3) as due_lots,
       (select count(*) from points_lots l where l.account_id = a.id
          and l.amount - l.remaining <> coalesce((select sum(c.amount) from points_lot_consumptions c where c.lot_id = l.id), 0)) as bad_lots,
       (select count(*) from points_entries e where e.account_id = a.id
          and greatest(-(e.amount + e.debt_change), 0) <> coalesce((select sum(c.amount) from points_lot_consumptions c where c.entry_id = e.id), 0)) as bad_debits,
       (select e.balance_after from points_entries e where e.account_id = a.id order by e.seq desc limit 1) as last_balance_after,
       (select e.debt_after from points_entries e where e.account_id = a.id order by e.seq desc limit 1) as last_debt_after,
       (select count(*) from points_entries e where e.account_id = a.id) as entries
     from points_accounts a where a.merchant_id = $1 and a.user_id = $2`,
    [merchantId, userId, now.toISOString()],
  )
  const r = rows[0]
  if (!r) return null
  const n = (v: unknown) => (v === null ? null : Number(v))
  return {
    balance: Number(r.balance),
    debt: Number(r.debt),
    lifetimeEarned: Number(r.lifetime_earned),
    sumAmount: Number(r.sum_amount),
    sumDebtChange: Number(r.sum_debt_change),
    sumEarn: Number(r.sum_earn),
    sumRemaining: Number(r.sum_remaining),
    dueLots: Number(r.due_lots),
    badLots: Number(r.bad_lots),
    badDebits: Number(r.bad_debits),
    lastBalanceAfter: n(r.last_balance_after),
    lastDebtAfter: n(r.last_debt_after),
    entries: Number(r.entries),
  }
}

/** The invariants of points.schema.ts; `swept` = expireDue has run for `now`. Returns the violations. */
export function violations(r: InvariantReport, swept: boolean): string[] {
  const v: string[] = []
  if (r.balance < 0) v.push('balance < 0')
  if (r.debt < 0) v.push('debt < 0')
  if (r.balance > 0 && r.debt > 0) v.push('balance and debt both > 0')
  if (r.balance - r.debt !== r.sumAmount) v.push(`balance - debt (${r.balance - r.debt}) != sum(amount) (${r.sumAmount})`)
  if (r.debt !== r.sumDebtChange) v.push(`debt ${r.debt} != sum(debt_change) ${r.sumDebtChange}`)
  if (r.balance !== r.sumRemaining) v.push(`balance ${r.balance} != sum(lots.remaining) ${r.sumRemaining}`)
  if (r.lifetimeEarned !== r.sumEarn) v.push(`lifetime ${r.lifetimeEarned} != sum(earn) ${r.sumEarn}`)
  if (r.badLots) v.push(`${r.badLots} lots whose consumptions do not add up`)
  if (r.badDebits) v.push(`${r.badDebits} debits whose consumptions do not add up`)
  if (r.entries > 0 && (r.lastBalanceAfter !== r.balance || r.lastDebtAfter !== r.debt)) v.push('last entry balance_after/debt_after != account')
  if (swept && r.dueLots) v.push(`${r.dueLots} due lots still hold points after expireDue`)
  return v
}
