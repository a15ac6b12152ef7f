/** The ledger's service API on the real database: rules, idempotency, expiry, debt, concurrency. */
import { seedMerchant, startTestApp, type SeededMerchant, type TestApp } from '../../../../tests/src/support/harness'
import type { DbOrTx } from '../../db/client'
import * as points from './points.service'
import { insertUser, invariantReport, violations } from './points.support'

let t: TestApp
beforeAll(async () => {
  t = await startTestApp()
})
afterAll(() => t.close())

const T0 = new Date('2026-03-15T02:00:00Z') // 10:00 in Shanghai
const HOUR = 3600_000
const DAY = 24 * HOUR
let k = 0
const key = (p = 'k') => `${p}-${++k}`
const tx = <T>(fn: (tx: DbOrTx) => Promise<T>) => t.db.transaction(fn)

async function fresh(): Promise<{ m: SeededMerchant; userId: string }> {
  const m = await seedMerchant(t)
  return { m, userId: await insertUser(t.pool, m.merchantId) }
}

async function expectInvariants(merchantId: string, userId: string, now: Date, swept = false) {
  const r = await invariantReport(t.pool, merchantId, userId, now)
  expect(r).not.toBeNull()
  expect(violations(r!, swept)).toEqual([])
  return r!
}

async function codeOf(p: Promise<unknown>): Promise<{ code: string; details: unknown }> {
  try {
    await p
  } catch (e) {
    const err = e as { code: string; details: unknown }
    return { code: err.code, details: err.details }
  }
  throw new Error('expected an AppError')
}

describe('earn and spend', () => {
  it('credits, debits and records balances; spend beyond the balance is POINTS_INSUFFICIENT and writes nothing', async () => {
    const { m, userId } = await fresh()
    const base = { merchantId: m.merchantId, userId, reasonCode: 'test', now: T0 }
    const e = await tx((x) => points.earn(x, { ...base, amount: 100, idempotencyKey: key(), source: { type: 'checkin', id: 'c1' } }))
    expect(e).toEqual({ entryId: expect.any(String), kind: 'earn', amount: 100, balance: 100, replayed: false })
    const s = await tx((x) => points.spend(x, { ...base, amount: 30, idempotencyKey: key() }))
    expect(s).toMatchObject({ kind: 'spend', amount: -30, balance: 70, replayed: false })
    const before = await invariantReport(t.pool, m.merchantId, userId, T0)
    const err = await codeOf(tx((x) => points.spend(x, { ...base, amount: 71, idempotencyKey: key() })))
    expect(err).toEqual({ code: 'POINTS_INSUFFICIENT', details: { balance: 70, needed: 71 } })
    expect(await invariantReport(t.pool, m.merchantId, userId, T0)).toEqual(before)
    await expectInvariants(m.merchantId, userId, T0)
    const sum = await points.getSummary(t.db, m.merchantId, userId, T0)
    expect(sum).toMatchObject({ balance: 70, debt: 0, lifetimeEarned: 100 })
  })

  it('spending without any account is POINTS_INSUFFICIENT with balance 0 and creates nothing', async () => {
    const { m, userId } = await fresh()
    const err = await codeOf(tx((x) => points.spend(x, { merchantId: m.merchantId, userId, amount: 1, reasonCode: 't', idempotencyKey: key(), now: T0 })))
    expect(err).toEqual({ code: 'POINTS_INSUFFICIENT', details: { balance: 0, needed: 1 } })
    expect((await t.pool.query('select count(*)::int n from points_accounts where user_id = $1', [userId])).rows[0].n).toBe(0)
  })

  it('rejects non-positive or fractional amounts and an expiry in the past', async () => {
    const { m, userId } = await fresh()
    const base = { merchantId: m.merchantId, userId, reasonCode: 't', now: T0 }
    for (const amount of [0, -5, 1.5, Number.NaN]) {
      expect((await codeOf(tx((x) => points.earn(x, { ...base, amount, idempotencyKey: key() })))).code).toBe('VALIDATION_FAILED')
    }
    expect((await codeOf(tx((x) => points.adjust(x, { ...base, amount: 0, idempotencyKey: key() })))).code).toBe('VALIDATION_FAILED')
    const past = await codeOf(tx((x) => points.earn(x, { ...base, amount: 5, idempotencyKey: key(), expiresAt: new Date(T0.getTime() - 1) })))
    expect(past.code).toBe('VALIDATION_FAILED')
  })

  it("a user of another merchant is USER_NOT_FOUND here, and the composite foreign key backs it", async () => {
    const a = await fresh()
    const b = await fresh()
    const base = { merchantId: a.m.merchantId, userId: b.userId, amount: 5, reasonCode: 't', now: T0 }
    expect((await codeOf(tx((x) => points.earn(x, { ...base, idempotencyKey: key() })))).code).toBe('USER_NOT_FOUND')
    expect((await codeOf(tx((x) => points.spend(x, { ...base, idempotencyKey: key() })))).code).toBe('USER_NOT_FOUND')
    expect((await codeOf(tx((x) => points.clawback(x, { ...base, idempotencyKey: key() })))).code).toBe('USER_NOT_FOUND')
    await expect(
      t.pool.query('insert into points_accounts (merchant_id, user_id) values ($1, $2)', [a.m.merchantId, b.userId]),
    ).rejects.toMatchObject({ code: '23503', constraint: 'points_accounts_user_fk' })
  })

  it('a refused operation leaves the caller transaction usable', async () => {
    const { m, userId } = await fresh()
    const base = { merchantId: m.merchantId, userId, reasonCode: 't', now: T0 }
    const r = await tx(async (x) => {
      await points.earn(x, { ...base, amount: 5, idempotencyKey: key() })
      await points.spend(x, { ...base, amount: 6, idempotencyKey: key() }).catch(() => null)
      return points.spend(x, { ...base, amount: 5, idempotencyKey: key() })
    })
    expect(r.balance).toBe(0)
    await expectInvariants(m.merchantId, userId, T0)
  })
})

describe('idempotency', () => {
  it('replaying a key returns the first result and changes nothing; a different request with it is IDEMPOTENCY_CONFLICT', async () => {
    const { m, userId } = await fresh()
    const other = await insertUser(t.pool, m.merchantId)
    const base = { merchantId: m.merchantId, userId, reasonCode: 't', now: T0 }
    const kk = key('order')
    const first = await tx((x) => points.earn(x, { ...base, amount: 50, idempotencyKey: kk }))
    await tx((x) => points.spend(x, { ...base, amount: 10, idempotencyKey: key() }))
    const again = await tx((x) => points.earn(x, { ...base, amount: 50, idempotencyKey: kk, now: new Date(T0.getTime() + DAY) }))
    expect(again).toEqual({ ...first, replayed: true })
    expect((await codeOf(tx((x) => points.earn(x, { ...base, amount: 51, idempotencyKey: kk })))).code).toBe('IDEMPOTENCY_CONFLICT')
    expect((await codeOf(tx((x) => points.spend(x, { ...base, amount: 50, idempotencyKey: kk })))).code).toBe('IDEMPOTENCY_CONFLICT')
    expect((await codeOf(tx((x) => points.earn(x, { ...base, userId: other, amount: 50, idempotencyKey: kk })))).code).toBe('IDEMPOTENCY_CONFLICT')
    const r = await expectInvariants(m.merchantId, userId, T0)
    expect(r).toMatchObject({ balance: 40, entries: 2 })
    expect((await t.pool.query('select count(*)::int n from points_accounts where user_id = $1', [other])).rows[0].n).toBe(0)
  })

  it('keys are per merchant: the same key at two merchants are two entries', async () => {
    const a = await fresh()
    const b = await fresh()
    const kk = key('shared')
    await tx((x) => points.earn(x, { merchantId: a.m.merchantId, userId: a.userId, amount: 5, reasonCode: 't', idempotencyKey: kk, now: T0 }))
    const r = await tx((x) => points.earn(x, { merchantId: b.m.merchantId, userId: b.userId, amount: 7, reasonCode: 't', idempotencyKey: kk, now: T0 }))
    expect(r).toMatchObject({ replayed: false, balance: 7 })
  })

  it('20 parallel replays of one key write one entry', async () => {
    const { m, userId } = await fresh()
    const kk = key('par')
    const rs = await Promise.all(
      Array.from({ length: 20 }, () => tx((x) => points.earn(x, { merchantId: m.merchantId, userId, amount: 10, reasonCode: 't', idempotencyKey: kk, now: T0 }))),
    )
    expect(rs.filter((r) => !r.replayed)).toHaveLength(1)
    expect(new Set(rs.map((r) => r.entryId)).size).toBe(1)
    expect(rs.every((r) => r.balance === 10)).toBe(true)
    expect(await expectInvariants(m.merchantId, userId, T0)).toMatchObject({ balance: 10, entries: 1 })
  })
})

describe('clawback and debt', () => {
  it('takes what the balance allows, records the rest as debt, and later credits pay the debt first', async () => {
    const { m, userId } = await fresh()
    const base = { merchantId: m.merchantId, userId, reasonCode: 't', now: T0 }
    await tx((x) => points.earn(x, { ...base, amount: 30, idempotencyKey: key() }))
    const c = await tx((x) => points.clawback(x, { ...base, amount: 50, idempotencyKey: key(), source: { type: 'order', id: 'o1' } }))
    expect(c).toMatchObject({ kind: 'clawback', amount: -50, balance: 0, clawed: 30, debt: 20, replayed: false })
    expect(await points.getSummary(t.db, m.merchantId, userId, T0)).toMatchObject({ balance: 0, debt: 20 })
    const e1 = await tx((x) => points.earn(x, { ...base, amount: 15, idempotencyKey: key() }))
    expect(e1).toMatchObject({ balance: 0, amount: 15 })
    const e2 = await tx((x) => points.adjust(x, { ...base, amount: 8, idempotencyKey: key() }))
    expect(e2).toMatchObject({ kind: 'adjust', balance: 3 })
    const r = await expectInvariants(m.merchantId, userId, T0)
    expect(r).toMatchObject({ balance: 3, debt: 0, lifetimeEarned: 45 })
    const { rows } = await t.pool.query('select kind, amount, debt_change, balance_after, debt_after from points_entries where user_id = $1 order by seq', [userId])
    expect(rows.map((x) => [x.kind, x.amount, x.debt_change, Number(x.balance_after), Number(x.debt_after)])).toEqual([
      ['earn', 30, 0, 30, 0],
      ['clawback', -50, 20, 0, 20],
      ['earn', 15, -15, 0, 5],
      ['adjust', 8, -5, 3, 0],
    ])
    // a replayed clawback reports the same split
    const cKey = (await t.pool.query(`select idempotency_key from points_entries where user_id = $1 and kind = 'clawback'`, [userId])).rows[0].idempotency_key
    expect(await tx((x) => points.clawback(x, { ...base, amount: 50, idempotencyKey: cKey }))).toMatchObject({ clawed: 30, debt: 20, replayed: true })
  })

  it('a clawback of a user without an account creates the debt; negative adjusts never create debt', async () => {
    const { m, userId } = await fresh()
    const base = { merchantId: m.merchantId, userId, reasonCode: 't', now: T0 }
    expect(await tx((x) => points.clawback(x, { ...base, amount: 9, idempotencyKey: key() }))).toMatchObject({ clawed: 0, debt: 9, balance: 0 })
    expect((await codeOf(tx((x) => points.adjust(x, { ...base, amount: -1, idempotencyKey: key() })))).code).toBe('POINTS_INSUFFICIENT')
    await expectInvariants(m.merchantId, userId, T0)
  })
})

describe('expiry', () => {
  it('computes the local instant: end of the N-th month / day after earning in the merchant time zone', () => {
    const at = new Date('2026-03-15T02:00:00Z')
    expect(points.expiryFor({ mode: 'months_after_earn', months: 12 }, at, 'Asia/Shanghai')?.toISOString()).toBe('2027-03-31T16:00:00.000Z')
    // 2026-03-31 20:00 UTC is already April 1st in Shanghai
    expect(points.expiryFor({ mode: 'months_after_earn', months: 1 }, new Date('2026-03-31T20:00:00Z'), 'Asia/Shanghai')?.toISOString()).toBe('2026-05-31T16:00:00.000Z')
    expect(points.expiryFor({ mode: 'months_after_earn', months: 10 }, at, 'Asia/Shanghai')?.toISOString()).toBe('2027-01-31T16:00:00.000Z')
    expect(points.expiryFor({ mode: 'days_after_earn', days: 30 }, at, 'Asia/Shanghai')?.toISOString()).toBe('2026-04-14T16:00:00.000Z')
    expect(points.expiryFor({ mode: 'days_after_earn', days: 1 }, at, 'UTC')?.toISOString()).toBe('2026-03-17T00:00:00.000Z')
    expect(points.expiryFor({ mode: 'never' }, at, 'Asia/Shanghai')).toBeNull()
  })

  it('uses the merchant policy (default 12 months) unless the caller sets an expiry; a policy change is not retroactive', async () => {
    const { m, userId } = await fresh()
    const base = { merchantId: m.merchantId, userId, reasonCode: 't', now: T0 }
    await tx((x) => points.earn(x, { ...base, amount: 1, idempotencyKey: key('default') }))
    await tx((x) => points.earn(x, { ...base, amount: 2, idempotencyKey: key('never'), expiresAt: null }))
    await tx((x) => points.earn(x, { ...base, amount: 3, idempotencyKey: key('fixed'), expiresAt: new Date('2026-06-01T00:00:00Z') }))
    await points.setPolicy(t.db, m.merchantId, { mode: 'days_after_earn', days: 7 }, T0)
    await tx((x) => points.earn(x, { ...base, amount: 4, idempotencyKey: key('days') }))
    const { rows } = await t.pool.query('select amount, expires_at from points_lots where account_id = (select id from points_accounts where user_id = $1) order by amount', [userId])
    expect(rows.map((r) => [r.amount, r.expires_at?.toISOString() ?? null])).toEqual([
      [1, '2027-03-31T16:00:00.000Z'],
      [2, null],
      [3, '2026-06-01T00:00:00.000Z'],
      [4, '2026-03-22T16:00:00.000Z'],
    ])
  })

  it('expires at the exact instant, spends soonest-expiry-first (never-expiring last), and expireDue twice = once', async () => {
    const { m, userId } = await fresh()
    const base = { merchantId: m.merchantId, userId, reasonCode: 't', now: T0 }
    const at1 = new Date(T0.getTime() + 2 * DAY)
    const at2 = new Date(T0.getTime() + 5 * DAY)
    await tx((x) => points.earn(x, { ...base, amount: 10, idempotencyKey: key(), expiresAt: null }))
    await tx((x) => points.earn(x, { ...base, amount: 10, idempotencyKey: key(), expiresAt: at2 }))
    await tx((x) => points.earn(x, { ...base, amount: 10, idempotencyKey: key(), expiresAt: at1 }))
    // 15 = all of the at1 lot + 5 of the at2 lot
    await tx((x) => points.spend(x, { ...base, amount: 15, idempotencyKey: key() }))
    const lots = async () =>
      (await t.pool.query('select remaining, expires_at from points_lots where account_id = (select id from points_accounts where user_id = $1) order by expires_at nulls last', [userId])).rows.map(
        (r) => r.remaining,
      )
    expect(await lots()).toEqual([0, 5, 10])

    const justBefore = new Date(at2.getTime() - 1)
    expect(await points.getSummary(t.db, m.merchantId, userId, justBefore)).toEqual({
      balance: 15,
      debt: 0,
      expiringSoon: [{ amount: 5, at: at2.toISOString() }],
      lifetimeEarned: 30,
    })
    expect(await points.expireDue(t.db, justBefore)).toEqual({ lots: 0, points: 0 })
    // at the instant: gone from the summary before the sweep, and not spendable
    expect((await points.getSummary(t.db, m.merchantId, userId, at2)).balance).toBe(10)
    expect(await codeOf(tx((x) => points.spend(x, { ...base, now: at2, amount: 11, idempotencyKey: key() })))).toEqual({
      code: 'POINTS_INSUFFICIENT',
      details: { balance: 10, needed: 11 },
    })
    expect(await points.expireDue(t.db, at2)).toEqual({ lots: 1, points: 5 })
    expect(await points.expireDue(t.db, at2)).toEqual({ lots: 0, points: 0 })
    expect(await lots()).toEqual([0, 0, 10])
    const r = await expectInvariants(m.merchantId, userId, at2, true)
    expect(r.balance).toBe(10)
    const exp = await t.pool.query(`select amount, idempotency_key from points_entries where user_id = $1 and kind = 'expire'`, [userId])
    expect(exp.rows).toEqual([{ amount: -5, idempotency_key: expect.stringMatching(/^expire:/) }])
  })

  it('a debit after the expiry instant expires the due lots itself, before the nightly sweep', async () => {
    const { m, userId } = await fresh()
    const base = { merchantId: m.merchantId, userId, reasonCode: 't', now: T0 }
    await tx((x) => points.earn(x, { ...base, amount: 10, idempotencyKey: key(), expiresAt: new Date(T0.getTime() + HOUR) }))
    await tx((x) => points.earn(x, { ...base, amount: 10, idempotencyKey: key(), expiresAt: null }))
    const later = new Date(T0.getTime() + 2 * HOUR)
    const s = await tx((x) => points.spend(x, { ...base, now: later, amount: 4, idempotencyKey: key() }))
    expect(s.balance).toBe(6)
    const kinds = (await t.pool.query('select kind, amount, balance_after from points_entries where user_id = $1 order by seq', [userId])).rows
    expect(kinds.map((r) => [r.kind, r.amount, Number(r.balance_after)])).toEqual([
      ['earn', 10, 10],
      ['earn', 10, 20],
      ['expire', -10, 10],
      ['spend', -4, 6],
    ])
    expect(await points.expireDue(t.db, later)).toEqual({ lots: 0, points: 0 })
    await expectInvariants(m.merchantId, userId, later, true)
  })

  it('expireDue works in batches: one expire entry per batch of lots', async () => {
    const { m, userId } = await fresh()
    const exp = new Date(T0.getTime() + HOUR)
    for (let i = 0; i < 5; i++) {
      await tx((x) => points.earn(x, { merchantId: m.merchantId, userId, amount: 1 + i, reasonCode: 't', idempotencyKey: key(), now: T0, expiresAt: exp }))
    }
    const at = new Date(exp.getTime() + 1)
    expect(await points.expireDue(t.db, at, { batchSize: 2 })).toEqual({ lots: 5, points: 15 })
    expect((await t.pool.query(`select count(*)::int n from points_entries where user_id = $1 and kind = 'expire'`, [userId])).rows[0].n).toBe(3)
    await expectInvariants(m.merchantId, userId, at, true)
  })

  it('expiry running concurrently with spends (and with itself) keeps every invariant', async () => {
    const { m, userId } = await fresh()
    const base = { merchantId: m.merchantId, userId, reasonCode: 't', now: T0 }
    for (let i = 0; i < 10; i++) {
      await tx((x) => points.earn(x, { ...base, amount: 10, idempotencyKey: key(), expiresAt: i % 2 ? null : new Date(T0.getTime() + HOUR) }))
    }
    const at = new Date(T0.getTime() + 2 * HOUR)
    const spends = Array.from({ length: 12 }, () =>
      tx((x) => points.spend(x, { ...base, now: at, amount: 5, idempotencyKey: key() })).then(
        () => 'ok',
        (e) => e.code,
      ),
    )
    const [sweepA, sweepB, ...results] = await Promise.all([points.expireDue(t.db, at), points.expireDue(t.db, at), ...spends])
    expect(results.filter((r) => r === 'ok')).toHaveLength(10)
    expect(results.filter((r) => r === 'POINTS_INSUFFICIENT')).toHaveLength(2)
    // the 50 expired points were expired exactly once, by whoever got the account lock first
    expect((await t.pool.query(`select coalesce(sum(amount), 0)::int s from points_entries where user_id = $1 and kind = 'expire'`, [userId])).rows[0].s).toBe(-50)
    expect(sweepA.points + sweepB.points).toBeLessThanOrEqual(50)
    expect(await expectInvariants(m.merchantId, userId, at, true)).toMatchObject({ balance: 0 })
  })
})

describe('concurrency', () => {
  it('50 parallel spends of 10 against 100 (separate connections): exactly 10 succeed, the balance ends at 0', async () => {
    const { m, userId } = await fresh()
    const base = { merchantId: m.merchantId, userId, reasonCode: 't', now: T0 }
    await tx((x) => points.earn(x, { ...base, amount: 100, idempotencyKey: key() }))
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        tx((x) => points.spend(x, { ...base, amount: 10, idempotencyKey: key() })).then(
          () => 'ok',
          (e) => e.code,
        ),
      ),
    )
    expect(results.filter((r) => r === 'ok')).toHaveLength(10)
    expect(results.filter((r) => r === 'POINTS_INSUFFICIENT')).toHaveLength(40)
    expect(await expectInvariants(m.merchantId, userId, T0)).toMatchObject({ balance: 0, entries: 11 })
  })

  it('concurrent first credits of a new user create one account', async () => {
    const { m, userId } = await fresh()
    await Promise.all(
      Array.from({ length: 10 }, () => tx((x) => points.earn(x, { merchantId: m.merchantId, userId, amount: 3, reasonCode: 't', idempotencyKey: key(), now: T0 }))),
    )
    expect(await expectInvariants(m.merchantId, userId, T0)).toMatchObject({ balance: 30, entries: 10 })
  })
})

describe('ledger and job', () => {
  it('pages the ledger newest first with an opaque cursor', async () => {
    const { m, userId } = await fresh()
    for (let i = 0; i < 5; i++) {
      await tx((x) => points.earn(x, { merchantId: m.merchantId, userId, amount: i + 1, reasonCode: 't', idempotencyKey: key(), now: new Date(T0.getTime() + (i % 3) * HOUR) }))
    }
    const p1 = await points.getLedger(t.db, m.merchantId, userId, { limit: 2 })
    const p2 = await points.getLedger(t.db, m.merchantId, userId, { limit: 2, cursor: p1.nextCursor! })
    const p3 = await points.getLedger(t.db, m.merchantId, userId, { limit: 2, cursor: p2.nextCursor! })
    expect(p3.nextCursor).toBeNull()
    // created at +0h: 1, 4; +1h: 2, 5; +2h: 3 — newest first, ties by insertion order
    expect([...p1.items, ...p2.items, ...p3.items].map((i) => i.amount)).toEqual([3, 5, 2, 4, 1])
  })

  it('the scheduled job sweeps through runExclusive-style context', async () => {
    const { m, userId } = await fresh()
    await tx((x) => points.earn(x, { merchantId: m.merchantId, userId, amount: 7, reasonCode: 't', idempotencyKey: key(), now: T0, expiresAt: new Date(T0.getTime() + HOUR) }))
    const at = new Date(T0.getTime() + DAY)
    const r = await points.pointsExpiryJob.run({ db: t.db, clock: { now: () => at }, logger: t.deps.logger })
    expect(r).toMatchObject({ lots: expect.any(Number), points: expect.any(Number) })
    expect((await points.getSummary(t.db, m.merchantId, userId, at)).balance).toBe(0)
    await expectInvariants(m.merchantId, userId, at, true)
  })
})
