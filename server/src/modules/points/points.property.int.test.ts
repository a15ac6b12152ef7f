/**
 * Property test: random sequences of earn / spend / adjust / clawback / expireDue / replays under a
 * moving clock, against a reference model, on the real database (one merchant, a fresh user per run).
 * After every step all ledger invariants hold; replaying a step's key changes nothing.
 */
import fc from 'fast-check'
import { seedMerchant, startTestApp, type SeededMerchant, type TestApp } from '../../../../tests/src/support/harness'
import * as points from './points.service'
import { insertUser, invariantReport, violations } from './points.support'

let t: TestApp
let m: SeededMerchant
const POLICY = { mode: 'days_after_earn', days: 2 } as const
const TZ = 'Asia/Shanghai'
beforeAll(async () => {
  t = await startTestApp()
  m = await seedMerchant(t)
  await points.setPolicy(t.db, m.merchantId, POLICY, new Date())
})
afterAll(() => t.close())

type Expiry = { type: 'policy' } | { type: 'never' } | { type: 'hours'; hours: number }
type Op =
  | { op: 'earn'; amount: number; expiry: Expiry }
  | { op: 'spend'; amount: number }
  | { op: 'adjust'; amount: number }
  | { op: 'clawback'; amount: number }
  | { op: 'expire' }
  | { op: 'advance'; hours: number }
  | { op: 'replay'; pick: number }

const amount = fc.integer({ min: 1, max: 60 })
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('earn' as const),
      amount,
      expiry: fc.oneof(
        fc.constant<Expiry>({ type: 'policy' }),
        fc.constant<Expiry>({ type: 'never' }),
        fc.integer({ min: 1, max: 96 }).map((hours): Expiry => ({ type: 'hours', hours })),
      ),
    }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('spend' as const), amount }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('adjust' as const), amount: fc.integer({ min: -60, max: 60 }).filter((n) => n !== 0) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('clawback' as const), amount }) },
  { weight: 1, arbitrary: fc.constant({ op: 'expire' as const }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('advance' as const), hours: fc.integer({ min: 1, max: 72 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('replay' as const), pick: fc.nat() }) },
)

/** The reference model: lots in creation order, debt; due lots are dropped when any write or the sweep runs. */
class Model {
  lots: { remaining: number; expiresAt: number | null }[] = []
  debt = 0
  balance() {
    return this.lots.reduce((s, l) => s + l.remaining, 0)
  }
  live(now: number) {
    return this.lots.filter((l) => l.expiresAt === null || l.expiresAt > now).reduce((s, l) => s + l.remaining, 0)
  }
  sweep(now: number) {
    for (const l of this.lots) if (l.expiresAt !== null && l.expiresAt <= now) l.remaining = 0
  }
  credit(n: number, expiresAt: number | null) {
    const toDebt = Math.min(n, this.debt)
    this.debt -= toDebt
    if (n - toDebt > 0) this.lots.push({ remaining: n - toDebt, expiresAt })
  }
  take(n: number) {
    const order = this.lots
      .map((l, i) => ({ l, i }))
      .filter(({ l }) => l.remaining > 0)
      .sort((a, b) => (a.l.expiresAt ?? Infinity) - (b.l.expiresAt ?? Infinity) || a.i - b.i)
    for (const { l } of order) {
      const x = Math.min(l.remaining, n)
      l.remaining -= x
      n -= x
    }
  }
}

type Done = { op: Op; key: string; now: Date; result: unknown }
let seq = 0

async function run(ops: Op[]) {
  const userId = await insertUser(t.pool, m.merchantId)
  const model = new Model()
  let now = new Date('2026-03-15T02:00:00Z')
  const done: Done[] = []
  for (const op of ops) {
    if (op.op === 'advance') {
      now = new Date(now.getTime() + op.hours * 3600_000)
      continue
    }
    let swept = false
    if (op.op === 'expire') {
      await points.expireDue(t.db, now)
      model.sweep(now.getTime())
      swept = true
    } else if (op.op === 'replay') {
      if (done.length === 0) continue
      const d = done[op.pick % done.length]!
      const before = await invariantReport(t.pool, m.merchantId, userId, now)
      const again = await exec(userId, d.op, d.key, now)
      expect(again).toEqual({ ...(d.result as object), replayed: true })
      expect(await invariantReport(t.pool, m.merchantId, userId, now)).toEqual(before)
      continue
    } else {
      const key = `p${++seq}`
      const ms = now.getTime()
      const live = model.live(ms)
      let expectInsufficient = false
      // every ledger write first expires the account's due lots (a refused debit writes nothing)
      const sweepFirst = () => model.sweep(ms)
      if (op.op === 'earn' || (op.op === 'adjust' && op.amount > 0)) {
        const exp =
          op.op === 'adjust' || op.expiry.type === 'policy'
            ? points.expiryFor(POLICY, now, TZ)!.getTime()
            : op.expiry.type === 'never'
              ? null
              : ms + op.expiry.hours * 3600_000
        sweepFirst()
        model.credit(op.amount, exp)
      } else if (op.op === 'clawback') {
        sweepFirst()
        const take = Math.min(live, op.amount)
        model.take(take)
        model.debt += op.amount - take
      } else {
        const need = Math.abs(op.amount)
        if (live < need) expectInsufficient = true
        else {
          sweepFirst()
          model.take(need)
        }
      }
      let result: unknown
      try {
        result = await exec(userId, op, key, now)
      } catch (e) {
        const err = e as { code?: string; details?: unknown }
        if (!expectInsufficient || err.code !== 'POINTS_INSUFFICIENT') throw e
        expect(err.details).toEqual({ balance: live, needed: Math.abs((op as { amount: number }).amount) })
        result = null
      }
      if (expectInsufficient && result !== null) throw new Error(`expected POINTS_INSUFFICIENT for ${JSON.stringify(op)} with live ${live}`)
      if (result !== null) {
        expect((result as { balance: number }).balance).toBe(model.balance())
        done.push({ op, key, now, result })
      }
    }
    const r = await invariantReport(t.pool, m.merchantId, userId, now)
    if (r) {
      expect(violations(r, swept)).toEqual([])
      expect({ balance: r.balance, debt: r.debt }).toEqual({ balance: model.balance(), debt: model.debt })
    }
    const summary = await points.getSummary(t.db, m.merchantId, userId, now)
    expect({ balance: summary.balance, debt: summary.debt }).toEqual({ balance: model.live(now.getTime()), debt: model.debt })
  }
}

function exec(userId: string, op: Op, idempotencyKey: string, now: Date) {
  const base = { merchantId: m.merchantId, userId, reasonCode: 'prop', idempotencyKey, now }
  return t.db.transaction(async (tx) => {
    switch (op.op) {
      case 'earn':
        return points.earn(tx, {
          ...base,
          amount: op.amount,
          ...(op.expiry.type === 'never' ? { expiresAt: null } : op.expiry.type === 'hours' ? { expiresAt: new Date(now.getTime() + op.expiry.hours * 3600_000) } : {}),
        })
      case 'spend':
        return points.spend(tx, { ...base, amount: op.amount })
      case 'adjust':
        return points.adjust(tx, { ...base, amount: op.amount })
      case 'clawback':
        return points.clawback(tx, { ...base, amount: op.amount })
      default:
        throw new Error(`not a ledger op: ${op.op}`)
    }
  })
}

it('random ledger sequences keep every invariant and match the reference model; replays change nothing', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 20 }), (ops) => run(ops)),
    { numRuns: 100 },
  )
}, 240_000)
