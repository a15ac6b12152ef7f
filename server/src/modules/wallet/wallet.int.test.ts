/** The cash wallet's ledger on the real database: idempotency, never negative, balance = sum, concurrency. */
import fc from 'fast-check'
import { client, loginAs, seedMerchant, startTestApp, type SeededMerchant, type TestApp } from '../../../../tests/src/support/harness'
import type { DbOrTx } from '../../db/client'
import { insertUsers, walletViolations } from '../redpackets/redpackets.support'
import * as wallet from './wallet.service'

let t: TestApp
let m: SeededMerchant
beforeAll(async () => {
  t = await startTestApp()
  m = await seedMerchant(t)
})
afterAll(() => t.close())

let k = 0
const key = (p = 'k') => `${p}-${++k}`
const tx = <T>(fn: (tx: DbOrTx) => Promise<T>) => t.db.transaction(fn)
const now = () => new Date()

async function codeOf(p: Promise<unknown>): Promise<{ code: string; details: unknown }> {
  try {
    await p
  } catch (e) {
    const err = e as { code: string; details: unknown }
    return { code: err.code, details: err.details }
  }
  throw new Error('expected an error')
}

async function user() {
  return (await insertUsers(t, m.merchantId, 1))[0]!.id
}

describe('ledger rules', () => {
  it('credits, holds and refunds with balances recorded; a replayed key changes nothing; a reused key for another operation conflicts', async () => {
    const u = await user()
    const base = { merchantId: m.merchantId, userId: u, reasonCode: 't', now: now() }
    const c = await tx((x) => wallet.credit(x, { ...base, amountFen: 500, idempotencyKey: 'c1' }))
    expect(c).toEqual({ entryId: expect.any(String), kind: 'credit', amountFen: 500, balanceFen: 500, replayed: false })
    expect(await tx((x) => wallet.credit(x, { ...base, amountFen: 500, idempotencyKey: 'c1' }))).toEqual({ ...c, replayed: true })
    expect((await codeOf(tx((x) => wallet.credit(x, { ...base, amountFen: 501, idempotencyKey: 'c1' })))).code).toBe('IDEMPOTENCY_CONFLICT')
    const h = await tx((x) => wallet.debitForWithdrawal(x, { ...base, amountFen: 200, idempotencyKey: 'h1' }))
    expect(h).toMatchObject({ kind: 'withdraw_hold', amountFen: -200, balanceFen: 300, replayed: false })
    expect(await tx((x) => wallet.debitForWithdrawal(x, { ...base, amountFen: 200, idempotencyKey: 'h1' }))).toMatchObject({ replayed: true, balanceFen: 300 })
    expect((await codeOf(tx((x) => wallet.refund(x, { ...base, amountFen: 200, idempotencyKey: 'h1' })))).code).toBe('IDEMPOTENCY_CONFLICT')
    const r = await tx((x) => wallet.refund(x, { ...base, amountFen: 200, idempotencyKey: 'r1' }))
    expect(r).toMatchObject({ kind: 'withdraw_refund', amountFen: 200, balanceFen: 500 })
    expect(await wallet.balanceOf(t.db, m.merchantId, u)).toBe(500)
    expect(await walletViolations(t.pool, m.merchantId)).toEqual([])
  })

  it('a hold beyond the balance is WALLET_INSUFFICIENT and writes nothing; no account means balance 0', async () => {
    const u = await user()
    const base = { merchantId: m.merchantId, userId: u, reasonCode: 't', now: now() }
    expect(await codeOf(tx((x) => wallet.debitForWithdrawal(x, { ...base, amountFen: 1, idempotencyKey: key() })))).toEqual({
      code: 'WALLET_INSUFFICIENT',
      details: { balanceFen: 0, neededFen: 1 },
    })
    await tx((x) => wallet.credit(x, { ...base, amountFen: 100, idempotencyKey: key() }))
    expect(await codeOf(tx((x) => wallet.debitForWithdrawal(x, { ...base, amountFen: 101, idempotencyKey: key() })))).toEqual({
      code: 'WALLET_INSUFFICIENT',
      details: { balanceFen: 100, neededFen: 101 },
    })
    const n = (await t.pool.query('select count(*)::int n from wallet_entries where user_id = $1', [u])).rows[0].n
    expect(n).toBe(1)
  })

  it('rejects non-positive, fractional and huge amounts and empty keys', async () => {
    const u = await user()
    const base = { merchantId: m.merchantId, userId: u, reasonCode: 't', now: now() }
    for (const amountFen of [0, -1, 1.5, Number.NaN, 100_000_001]) {
      expect((await codeOf(tx((x) => wallet.credit(x, { ...base, amountFen, idempotencyKey: key() })))).code).toBe('VALIDATION_FAILED')
    }
    expect((await codeOf(tx((x) => wallet.credit(x, { ...base, amountFen: 1, idempotencyKey: '' })))).code).toBe('VALIDATION_FAILED')
  })

  it("creditNew under a used key aborts the caller's transaction whole", async () => {
    const u = await user()
    const base = { merchantId: m.merchantId, userId: u, reasonCode: 't', now: now() }
    await tx((x) => wallet.creditNew(x, { ...base, amountFen: 70, idempotencyKey: 'fresh-1' }))
    await expect(tx((x) => wallet.creditNew(x, { ...base, amountFen: 70, idempotencyKey: 'fresh-1' }))).rejects.toMatchObject({ cause: { code: '23505' } })
    expect(await wallet.balanceOf(t.db, m.merchantId, u)).toBe(70)
    expect(await walletViolations(t.pool, m.merchantId)).toEqual([])
  })

  it("a user of another merchant cannot get an account here (composite foreign key)", async () => {
    const other = await seedMerchant(t)
    const stranger = (await insertUsers(t, other.merchantId, 1))[0]!.id
    await expect(tx((x) => wallet.credit(x, { merchantId: m.merchantId, userId: stranger, amountFen: 1, reasonCode: 't', idempotencyKey: key(), now: now() }))).rejects.toMatchObject({
      cause: { code: '23503' },
    })
  })
})

describe('concurrency', () => {
  it('parallel holds never overdraw: exactly balance / amount succeed', async () => {
    const u = await user()
    const base = { merchantId: m.merchantId, userId: u, reasonCode: 't', now: now() }
    await tx((x) => wallet.credit(x, { ...base, amountFen: 1_000, idempotencyKey: key() }))
    const rs = await Promise.all(
      Array.from({ length: 30 }, () =>
        tx((x) => wallet.debitForWithdrawal(x, { ...base, amountFen: 100, idempotencyKey: key() })).then(
          () => 'ok',
          (e: { code: string }) => e.code,
        ),
      ),
    )
    expect(rs.filter((r) => r === 'ok')).toHaveLength(10)
    expect(rs.filter((r) => r === 'WALLET_INSUFFICIENT')).toHaveLength(20)
    expect(await wallet.balanceOf(t.db, m.merchantId, u)).toBe(0)
    expect(await walletViolations(t.pool, m.merchantId)).toEqual([])
  })

  it('the same key credited in parallel applies once', async () => {
    const u = await user()
    const base = { merchantId: m.merchantId, userId: u, reasonCode: 't', now: now(), amountFen: 40, idempotencyKey: key() }
    const rs = await Promise.all(Array.from({ length: 10 }, () => tx((x) => wallet.credit(x, base))))
    expect(rs.filter((r) => !r.replayed)).toHaveLength(1)
    expect(await wallet.balanceOf(t.db, m.merchantId, u)).toBe(40)
  })

  it('parallel credits and holds on one account keep balance = sum(entries) >= 0', async () => {
    const u = await user()
    const base = { merchantId: m.merchantId, userId: u, reasonCode: 't', now: now() }
    const ops = Array.from({ length: 60 }, (_, i) =>
      tx((x) =>
        i % 3 === 0
          ? wallet.debitForWithdrawal(x, { ...base, amountFen: 70, idempotencyKey: key() })
          : i % 3 === 1
            ? wallet.credit(x, { ...base, amountFen: 30, idempotencyKey: key() })
            : wallet.creditNew(x, { ...base, amountFen: 20, idempotencyKey: key() }),
      ).then(
        (r) => r.amountFen,
        () => 0,
      ),
    )
    const moved = (await Promise.all(ops)).reduce((a, b) => a + b, 0)
    expect(await wallet.balanceOf(t.db, m.merchantId, u)).toBe(moved)
    expect(await walletViolations(t.pool, m.merchantId)).toEqual([])
  })
})

describe('property: any sequence of operations', () => {
  type Op = { kind: 'credit' | 'hold' | 'refund' | 'replay'; amount: number }
  const op = fc.record({ kind: fc.constantFrom<Op['kind']>('credit', 'hold', 'refund', 'replay'), amount: fc.integer({ min: 1, max: 500 }) })

  it('matches a model balance, never negative, balance = sum(entries)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 15 }), async (ops) => {
        const u = await user()
        const base = { merchantId: m.merchantId, userId: u, reasonCode: 't', now: now() }
        let model = 0
        let lastKey: { key: string; kind: Op['kind']; amount: number } | null = null
        for (const o of ops) {
          if (o.kind === 'replay') {
            if (!lastKey) continue
            const again = lastKey
            const fn = again.kind === 'credit' ? wallet.credit : again.kind === 'refund' ? wallet.refund : wallet.debitForWithdrawal
            const r = await tx((x) => fn(x, { ...base, amountFen: again.amount, idempotencyKey: again.key }))
            expect(r.replayed).toBe(true)
            continue
          }
          const kk = key('p')
          if (o.kind === 'hold') {
            const r = await tx((x) => wallet.debitForWithdrawal(x, { ...base, amountFen: o.amount, idempotencyKey: kk })).then(
              () => true,
              () => false,
            )
            expect(r).toBe(model >= o.amount)
            if (r) model -= o.amount
            else continue
          } else {
            await tx((x) => (o.kind === 'credit' ? wallet.credit : wallet.refund)(x, { ...base, amountFen: o.amount, idempotencyKey: kk }))
            model += o.amount
          }
          lastKey = { key: kk, kind: o.kind, amount: o.amount }
        }
        expect(await wallet.balanceOf(t.db, m.merchantId, u)).toBe(model)
        expect(await walletViolations(t.pool, m.merchantId)).toEqual([])
      }),
      { numRuns: 25 },
    )
  })
})

describe('HTTP', () => {
  it('GET /api/v1/wallet and the ledger, newest first with a cursor; consumer token only', async () => {
    const u = await loginAs(t, m)
    expect((await u.api.get('/api/v1/wallet')).body).toEqual({ balanceFen: 0, minWithdrawalFen: 10, maxWithdrawalFen: 20_000 })
    for (let i = 1; i <= 3; i++) {
      await tx((x) => wallet.credit(x, { merchantId: m.merchantId, userId: u.user.id, amountFen: i * 10, reasonCode: 'redpacket_grab', idempotencyKey: key(), source: { type: 'redpacket_slice', id: `s${i}` }, now: new Date(Date.now() + i) }))
    }
    expect((await u.api.get('/api/v1/wallet')).body.balanceFen).toBe(60)
    const p1 = await u.api.get('/api/v1/wallet/ledger?limit=2')
    expect(p1.body.items.map((e: { amountFen: number }) => e.amountFen)).toEqual([30, 20])
    expect(p1.body.items[0]).toMatchObject({ kind: 'credit', balanceAfterFen: 60, source: { type: 'redpacket_slice', id: 's3' } })
    const p2 = await u.api.get(`/api/v1/wallet/ledger?limit=2&cursor=${p1.body.nextCursor}`)
    expect(p2.body).toEqual({ items: [expect.objectContaining({ amountFen: 10 })], nextCursor: null })
    expect((await u.api.get('/api/v1/wallet/ledger?cursor=%%%')).body.error.code).toBe('VALIDATION_FAILED')
    expect((await u.api.get('/api/v1/wallet/ledger?limit=0')).status).toBe(400)
    expect((await client(t.url).get('/api/v1/wallet')).status).toBe(401)
    expect((await m.admin.get('/api/v1/wallet')).status).toBe(403)
  })
})
