/** Points endpoints over HTTP: consumer summary and ledger, admin adjust, policy, CSV import. */
import { randomUUID } from 'node:crypto'
import { client, loginAs, seedMerchant, startTestApp, type SeededMerchant, type TestApp } from '../../../../tests/src/support/harness'
import { invariantReport, violations } from './points.support'

let t: TestApp
let m: SeededMerchant
let other: SeededMerchant
beforeAll(async () => {
  t = await startTestApp()
  m = await seedMerchant(t)
  other = await seedMerchant(t)
})
afterAll(() => t.close())

let n = 0
const key = () => `k-${++n}-${Date.now()}`
const adjust = (mm: SeededMerchant, userId: string, amount: number, idempotencyKey = key(), reason = '手工调整') =>
  mm.admin.post('/admin/v1/points/adjust', { userId, amount, reason, idempotencyKey })

async function waitForJob(mm: SeededMerchant, id: string) {
  for (const until = Date.now() + 150_000; Date.now() < until; ) {
    const r = await mm.admin.get(`/admin/v1/jobs/${id}`)
    if (r.body.status !== 'running' && r.body.status !== 'queued') return r.body
    await new Promise((res) => setTimeout(res, 50))
  }
  throw new Error('job did not finish')
}

const csv = (rows: string[]) => ['user_id,amount,reason,idempotency_key', ...rows].join('\n')
const postCsv = (mm: SeededMerchant, body: string, type = 'text/csv') => mm.admin.post('/admin/v1/points/import', body, { 'content-type': type })

describe('GET /api/v1/points and /api/v1/points/ledger', () => {
  it('shows the balance, points expiring within 30 days, and the ledger newest first', async () => {
    const u = await loginAs(t, m)
    expect((await u.api.get('/api/v1/points')).body).toEqual({ balance: 0, debt: 0, expiringSoon: [], lifetimeEarned: 0 })
    await m.admin.put('/admin/v1/points/policy', { expiry: { mode: 'days_after_earn', days: 10 } })
    t.clock.set('2026-05-10T04:00:00Z')
    try {
      expect((await adjust(m, u.user.id, 40)).status).toBe(200)
      expect((await adjust(m, u.user.id, -15)).status).toBe(200)
      const s = await u.api.get('/api/v1/points')
      expect(s.status).toBe(200)
      // earned 2026-05-10 (Shanghai) + 10 days -> valid through 05-20, expires at the start of 05-21 local
      expect(s.body).toEqual({ balance: 25, debt: 0, expiringSoon: [{ amount: 25, at: '2026-05-20T16:00:00.000Z' }], lifetimeEarned: 0 })
      const l = await u.api.get('/api/v1/points/ledger?limit=1')
      expect(l.status).toBe(200)
      expect(l.body.items).toEqual([
        {
          id: expect.any(String),
          kind: 'adjust',
          amount: -15,
          debtChange: 0,
          balanceAfter: 25,
          reasonCode: 'admin_adjust',
          reason: '手工调整',
          source: { type: 'admin_key', id: expect.any(String) },
          createdAt: '2026-05-10T04:00:00.000Z',
        },
      ])
      const l2 = await u.api.get(`/api/v1/points/ledger?limit=1&cursor=${l.body.nextCursor}`)
      expect(l2.body.items.map((i: { amount: number }) => i.amount)).toEqual([40])
      expect(l2.body.nextCursor).toBeNull()
    } finally {
      t.clock.reset()
      await m.admin.put('/admin/v1/points/policy', { expiry: { mode: 'months_after_earn', months: 12 } })
    }
  })

  it('rejects a malformed cursor, a bad limit and unknown parameters with 400', async () => {
    const u = await loginAs(t, m)
    for (const q of ['cursor=%%%', 'cursor=bm9wZQ', 'limit=0', 'limit=101', 'limit=x', 'foo=1']) {
      const r = await u.api.get(`/api/v1/points/ledger?${q}`)
      expect([q, r.status, r.body.error.code]).toEqual([q, 400, 'VALIDATION_FAILED'])
    }
  })

  it('needs a user session: 401 without a token, 403 with an admin key', async () => {
    expect((await client(t.url).get('/api/v1/points')).status).toBe(401)
    expect((await client(t.url).get('/api/v1/points/ledger')).body.error.code).toBe('UNAUTHENTICATED')
    const r = await m.admin.get('/api/v1/points')
    expect(r.status).toBe(403)
    expect(r.body.error.code).toBe('FORBIDDEN')
  })

  it("a user only ever sees their own account; another merchant's admin cannot touch it", async () => {
    const a = await loginAs(t, m)
    const b = await loginAs(t, other)
    await adjust(m, a.user.id, 70)
    expect((await b.api.get('/api/v1/points')).body.balance).toBe(0)
    expect((await b.api.get('/api/v1/points/ledger')).body.items).toEqual([])
    const r = await adjust(other, a.user.id, -10)
    expect(r.status).toBe(404)
    expect(r.body.error.code).toBe('USER_NOT_FOUND')
    expect((await a.api.get('/api/v1/points')).body.balance).toBe(70)
  })
})

describe('POST /admin/v1/points/adjust', () => {
  it('credits and debits; a replayed key answers the first result; the key reused differently is 409', async () => {
    const u = await loginAs(t, m)
    const k1 = key()
    const first = await adjust(m, u.user.id, 30, k1)
    expect(first.status).toBe(200)
    expect(first.body).toEqual({ entryId: expect.any(String), kind: 'adjust', amount: 30, balance: 30, replayed: false })
    const again = await adjust(m, u.user.id, 30, k1)
    expect(again.body).toEqual({ ...first.body, replayed: true })
    const conflict = await adjust(m, u.user.id, 31, k1)
    expect(conflict.status).toBe(409)
    expect(conflict.body.error.code).toBe('IDEMPOTENCY_CONFLICT')
    const short = await adjust(m, u.user.id, -31)
    expect(short.status).toBe(409)
    expect(short.body.error).toMatchObject({ code: 'POINTS_INSUFFICIENT', details: { balance: 30, needed: 31 } })
    expect((await u.api.get('/api/v1/points')).body.balance).toBe(30)
  })

  it('validates the body (400, nothing written) and answers 404 for unknown users', async () => {
    const u = await loginAs(t, m)
    const bad = [
      { userId: u.user.id, amount: 0, reason: 'x', idempotencyKey: 'a1' },
      { userId: u.user.id, amount: 1.5, reason: 'x', idempotencyKey: 'a2' },
      { userId: u.user.id, amount: 1, reason: '', idempotencyKey: 'a3' },
      { userId: u.user.id, amount: 1, reason: 'x', idempotencyKey: 'has space' },
      { userId: u.user.id, amount: 1, reason: 'x' },
      { userId: u.user.id, amount: 1, reason: 'x', idempotencyKey: 'a4', extra: true },
      { userId: 'not-a-uuid', amount: 1, reason: 'x', idempotencyKey: 'a5' },
    ]
    for (const body of bad) {
      const r = await m.admin.post('/admin/v1/points/adjust', body)
      expect([r.status, r.body.error.code]).toEqual([400, 'VALIDATION_FAILED'])
    }
    const missing = await adjust(m, randomUUID(), 5)
    expect([missing.status, missing.body.error.code]).toEqual([404, 'USER_NOT_FOUND'])
    expect((await u.api.get('/api/v1/points/ledger')).body.items).toEqual([])
  })

  it('needs an admin key: 401 without, 403 with a user session', async () => {
    const u = await loginAs(t, m)
    expect((await client(t.url).post('/admin/v1/points/adjust', { userId: u.user.id, amount: 1, reason: 'x', idempotencyKey: 'z' })).status).toBe(401)
    const r = await u.api.post('/admin/v1/points/adjust', { userId: u.user.id, amount: 1, reason: 'x', idempotencyKey: 'z' })
    expect([r.status, r.body.error.code]).toEqual([403, 'FORBIDDEN'])
  })

  it('50 parallel debits of 10 against 100 over HTTP: exactly 10 succeed, the balance ends at 0', async () => {
    const u = await loginAs(t, m)
    await adjust(m, u.user.id, 100)
    const rs = await Promise.all(Array.from({ length: 50 }, () => adjust(m, u.user.id, -10)))
    expect(rs.filter((r) => r.status === 200)).toHaveLength(10)
    const refused = rs.filter((r) => r.status === 409)
    expect(refused).toHaveLength(40)
    expect(refused.every((r) => r.body.error.code === 'POINTS_INSUFFICIENT')).toBe(true)
    expect((await u.api.get('/api/v1/points')).body.balance).toBe(0)
    const inv = await invariantReport(t.pool, m.merchantId, u.user.id, new Date())
    expect(violations(inv!, false)).toEqual([])
    expect(inv!.entries).toBe(11)
  })

  it('20 parallel requests with one key write one entry', async () => {
    const u = await loginAs(t, m)
    const k = key()
    const rs = await Promise.all(Array.from({ length: 20 }, () => adjust(m, u.user.id, 5, k)))
    expect(rs.every((r) => r.status === 200)).toBe(true)
    expect(rs.filter((r) => !r.body.replayed)).toHaveLength(1)
    expect((await u.api.get('/api/v1/points/ledger')).body.items).toHaveLength(1)
  })
})

describe('GET/PUT /admin/v1/points/policy', () => {
  it('defaults to 12 months, can be changed per merchant, and validates', async () => {
    const mm = await seedMerchant(t)
    const d = await mm.admin.get('/admin/v1/points/policy')
    expect(d.status).toBe(200)
    expect(d.body).toEqual({ expiry: { mode: 'months_after_earn', months: 12 }, updatedAt: expect.any(String) })
    const p = await mm.admin.put('/admin/v1/points/policy', { expiry: { mode: 'never' } })
    expect(p.body.expiry).toEqual({ mode: 'never' })
    expect((await mm.admin.get('/admin/v1/points/policy')).body.expiry).toEqual({ mode: 'never' })
    expect((await other.admin.get('/admin/v1/points/policy')).body.expiry).toEqual({ mode: 'months_after_earn', months: 12 })
    for (const expiry of [{ mode: 'days_after_earn', days: 0 }, { mode: 'months_after_earn' }, { mode: 'weekly' }, { mode: 'never', months: 3 }]) {
      const r = await mm.admin.put('/admin/v1/points/policy', { expiry })
      expect([r.status, r.body.error.code]).toEqual([400, 'VALIDATION_FAILED'])
    }
    const u = await loginAs(t, mm)
    expect((await u.api.get('/admin/v1/points/policy')).status).toBe(403)
    expect((await client(t.url).put('/admin/v1/points/policy', { expiry: { mode: 'never' } })).status).toBe(401)
  })
})

describe('POST /admin/v1/points/import', () => {
  it('applies good rows, reports bad ones with row numbers, and a re-submitted file changes nothing', async () => {
    const a = await loginAs(t, m)
    const b = await loginAs(t, m)
    const stranger = await loginAs(t, other)
    const kp = `imp-${Date.now()}`
    const body = csv([
      `${a.user.id},100,迁移余额,${kp}-1`,
      `${b.user.id},50,"迁移, 含逗号",${kp}-2`,
      `${randomUUID()},10,unknown user,${kp}-3`,
      `${stranger.user.id},10,other merchant,${kp}-4`,
      `${a.user.id},abc,bad amount,${kp}-5`,
      `${a.user.id},-500,too much,${kp}-6`,
      `${b.user.id},-20,,${kp}-7`,
      `${a.user.id},5,dup key differs,${kp}-1`,
      `not-a-user,5,x,${kp}-8`,
    ])
    const r = await postCsv(m, body)
    expect(r.status).toBe(202)
    expect(r.body).toEqual({ jobId: expect.any(String), total: 9 })
    const job = await waitForJob(m, r.body.jobId)
    expect(job).toMatchObject({ kind: 'points_import', status: 'succeeded', total: 9, processed: 9, succeeded: 3, failed: 6 })
    expect(job.result).toEqual({ applied: 3, replayed: 0, failed: 6 })
    expect(job.errors.map((e: { row: number; code: string }) => [e.row, e.code])).toEqual([
      [3, 'USER_NOT_FOUND'],
      [4, 'USER_NOT_FOUND'],
      [5, 'VALIDATION_FAILED'],
      [6, 'POINTS_INSUFFICIENT'],
      [8, 'IDEMPOTENCY_CONFLICT'],
      [9, 'VALIDATION_FAILED'],
    ])
    expect(job.errors[0].message).toEqual(expect.any(String))
    expect((await a.api.get('/api/v1/points')).body.balance).toBe(100)
    expect((await b.api.get('/api/v1/points')).body.balance).toBe(30)
    expect((await stranger.api.get('/api/v1/points')).body.balance).toBe(0)
    const reason = (await b.api.get('/api/v1/points/ledger')).body.items.map((i: { reason: string | null }) => i.reason)
    expect(reason).toEqual([null, '迁移, 含逗号'])

    const again = await postCsv(m, body)
    const job2 = await waitForJob(m, again.body.jobId)
    expect(job2.result).toEqual({ applied: 0, replayed: 3, failed: 6 })
    expect((await a.api.get('/api/v1/points')).body.balance).toBe(100)
    expect((await b.api.get('/api/v1/points')).body.balance).toBe(30)
    // the import shares the admin-key namespace with POST /adjust
    expect((await adjust(m, a.user.id, 100, `${kp}-1`, 'same key')).body.replayed).toBe(true)
    // another merchant cannot read the job
    expect((await other.admin.get(`/admin/v1/jobs/${r.body.jobId}`)).status).toBe(404)
  })

  it('reports progress per chunk of 500 rows', async () => {
    const u = await loginAs(t, m)
    const kp = `big-${Date.now()}`
    const rows = Array.from({ length: 1100 }, (_, i) => `${u.user.id},1,,${kp}-${i}`)
    const r = await postCsv(m, csv(rows))
    expect(r.status).toBe(202)
    const seen = new Set<number>()
    for (;;) {
      const j = (await m.admin.get(`/admin/v1/jobs/${r.body.jobId}`)).body
      seen.add(j.processed)
      if (j.status !== 'running') break
      await new Promise((res) => setTimeout(res, 20))
    }
    expect([...seen].every((p) => [0, 500, 1000, 1100].includes(p))).toBe(true)
    expect(seen.has(1100)).toBe(true)
    expect((await u.api.get('/api/v1/points')).body.balance).toBe(1100)
  }, 180_000)

  it('rejects a wrong content type, a bad header, an empty file and more than 100,000 rows', async () => {
    const u = await loginAs(t, m)
    const wrongType = await m.admin.post('/admin/v1/points/import', { rows: [] })
    expect([wrongType.status, wrongType.body.error.code]).toEqual([400, 'VALIDATION_FAILED'])
    const header = await postCsv(m, 'openid,amount\nx,1')
    expect([header.status, header.body.error.code]).toEqual([400, 'VALIDATION_FAILED'])
    const empty = await postCsv(m, 'user_id,amount,reason,idempotency_key\n')
    expect([empty.status, empty.body.error.code]).toEqual([400, 'VALIDATION_FAILED'])
    const line = `${u.user.id},1,,k\n`
    const huge = await postCsv(m, 'user_id,amount,reason,idempotency_key\n' + line.repeat(100_001))
    expect(huge.status).toBe(413)
    expect(huge.body.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', details: { maxRows: 100_000, rows: 100_001 } })
    const jobs = await t.pool.query(`select count(*)::int n from background_jobs where merchant_id = $1 and kind = 'points_import' and total > 100000`, [m.merchantId])
    expect(jobs.rows[0].n).toBe(0)
  })

  it('needs an admin key', async () => {
    const u = await loginAs(t, m)
    expect((await client(t.url).post('/admin/v1/points/import', 'a', { 'content-type': 'text/csv' })).status).toBe(401)
    expect((await u.api.post('/admin/v1/points/import', 'a', { 'content-type': 'text/csv' })).status).toBe(403)
  })
})
