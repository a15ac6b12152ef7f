/** Coupons over HTTP and through the order functions, on the real database. */
import { client, loginAs, seedMerchant, staffOf, startTestApp, type SeededMerchant, type TestApp } from '../../../../tests/src/support/harness'
import { createUsers } from '../lottery/lottery.fixtures'
import * as repo from './coupons.repo'
import * as coupons from './coupons.service'

let t: TestApp
let m: SeededMerchant
beforeAll(async () => {
  t = await startTestApp()
  m = await seedMerchant(t)
})
afterAll(() => t.close())
afterEach(() => t.clock.reset())

const DAY = 24 * 3600_000

async function template(over: Record<string, unknown> = {}, mm: SeededMerchant = m) {
  const r = await mm.admin.post('/admin/v1/coupons/templates', {
    kind: 'amount_off',
    name: '满30减5',
    amountOffFen: 500,
    minSpendFen: 3000,
    validity: { type: 'relative', days: 7 },
    ...over,
  })
  if (r.status !== 201) throw new Error(`template failed: ${r.status} ${JSON.stringify(r.body)}`)
  return r.body as { id: string; remaining: number | null }
}

async function claimOne(api: ReturnType<typeof client>, templateId: string) {
  const r = await api.post('/api/v1/coupons/claim', { templateId })
  if (r.status !== 201) throw new Error(`claim failed: ${r.status} ${JSON.stringify(r.body)}`)
  return r.body as { id: string; code: string; status: string; validFrom: string; validTo: string }
}

async function couponRow(id: string) {
  return (await t.pool.query('select status, order_id, used_at, used_store_id from coupons where id = $1', [id])).rows[0]
}

describe('admin templates', () => {
  it('creates the three kinds with their terms, lists, reads and updates them', async () => {
    const a = await m.admin.post('/admin/v1/coupons/templates', {
      kind: 'amount_off',
      name: '满100减20',
      amountOffFen: 2000,
      minSpendFen: 10000,
      validity: { type: 'fixed', from: '2026-01-01T00:00:00+08:00', to: '2027-01-01T00:00:00+08:00' },
      totalStock: 100,
      perUserLimit: 2,
    })
    expect(a.status).toBe(201)
    expect(a.body).toMatchObject({
      kind: 'amount_off',
      amountOffFen: 2000,
      minSpendFen: 10000,
      validity: { type: 'fixed', from: '2025-12-31T16:00:00.000Z', to: '2026-12-31T16:00:00.000Z' },
      totalStock: 100,
      issued: 0,
      remaining: 100,
      perUserLimit: 2,
      claimable: true,
      active: true,
    })
    const p = await m.admin.post('/admin/v1/coupons/templates', { kind: 'percent_off', name: '八五折', percentOff: 15, maxDiscountFen: 3000, validity: { type: 'relative', days: 30 } })
    expect(p.body).toMatchObject({ kind: 'percent_off', percentOff: 15, maxDiscountFen: 3000, minSpendFen: 0, totalStock: null, remaining: null })
    const f = await m.admin.post('/admin/v1/coupons/templates', { kind: 'free_item', name: '免费拿铁', itemName: '拿铁', itemSku: 'LATTE', validity: { type: 'relative', days: 3 } })
    expect(f.body).toMatchObject({ kind: 'free_item', itemName: '拿铁', itemSku: 'LATTE', amountOffFen: null })

    expect((await m.admin.get(`/admin/v1/coupons/templates/${a.body.id}`)).body).toEqual(a.body)
    const list = await m.admin.get('/admin/v1/coupons/templates')
    expect(list.body.items.map((x: { id: string }) => x.id)).toEqual(expect.arrayContaining([a.body.id, p.body.id, f.body.id]))
    const up = await m.admin.patch(`/admin/v1/coupons/templates/${a.body.id}`, { addStock: 50, claimable: false, perUserLimit: null })
    expect(up.body).toMatchObject({ totalStock: 150, remaining: 150, claimable: false, perUserLimit: null, amountOffFen: 2000 })
    const unlimited = await m.admin.patch(`/admin/v1/coupons/templates/${p.body.id}`, { addStock: 5 })
    expect(unlimited.status).toBe(400)
  })

  it('rejects invalid templates, and terms cannot be changed', async () => {
    for (const body of [
      { kind: 'amount_off', name: 'x', validity: { type: 'relative', days: 7 } },
      { kind: 'amount_off', name: 'x', amountOffFen: 1.5, validity: { type: 'relative', days: 7 } },
      { kind: 'percent_off', name: 'x', percentOff: 100, validity: { type: 'relative', days: 7 } },
      { kind: 'free_item', name: 'x', validity: { type: 'relative', days: 7 } },
      { kind: 'amount_off', name: 'x', amountOffFen: 1, validity: { type: 'fixed', from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' } },
      { kind: 'amount_off', name: 'x', amountOffFen: 1, percentOff: 5, validity: { type: 'relative', days: 7 } },
    ]) {
      const r = await m.admin.post('/admin/v1/coupons/templates', body)
      expect(r.status).toBe(400)
      expect(r.body.error.code).toBe('VALIDATION_FAILED')
    }
    const tpl = await template()
    const r = await m.admin.patch(`/admin/v1/coupons/templates/${tpl.id}`, { amountOffFen: 9999 })
    expect(r.status).toBe(400)
  })

  it('security: 401 without a key, 403 with a user token, 404 for another merchant', async () => {
    const tpl = await template()
    expect((await client(t.url).get('/admin/v1/coupons/templates')).status).toBe(401)
    const u = await loginAs(t, m)
    expect((await u.api.get('/admin/v1/coupons/templates')).status).toBe(403)
    const other = await seedMerchant(t)
    for (const r of [
      await other.admin.get(`/admin/v1/coupons/templates/${tpl.id}`),
      await other.admin.patch(`/admin/v1/coupons/templates/${tpl.id}`, { name: 'x' }),
      await other.admin.post(`/admin/v1/coupons/templates/${tpl.id}/issue`, { userIds: [u.user.id] }),
      await other.admin.get('/admin/v1/coupons/templates/nope'),
    ]) {
      expect(r.status).toBe(404)
      expect(r.body.error.code).toBe('COUPON_TEMPLATE_NOT_FOUND')
    }
  })
})

describe('claim centre', () => {
  it('lists claimable templates, claims within the per-user limit, and makes the user an interactor', async () => {
    const tpl = await template({ perUserLimit: 2, totalStock: 10 })
    const hidden = await template({ claimable: false })
    const u = await loginAs(t, m)
    const list = await u.api.get('/api/v1/coupons/templates')
    const ids = list.body.items.map((x: { id: string }) => x.id)
    expect(ids).toContain(tpl.id)
    expect(ids).not.toContain(hidden.id)
    const c = await claimOne(u.api, tpl.id)
    expect(c).toMatchObject({ status: 'available', code: expect.stringMatching(/^[A-Z0-9]{12}$/), templateId: tpl.id, amountOffFen: 500, source: { type: 'claim' } })
    await claimOne(u.api, tpl.id)
    const third = await u.api.post('/api/v1/coupons/claim', { templateId: tpl.id })
    expect(third.status).toBe(409)
    expect(third.body.error).toMatchObject({ code: 'COUPON_CLAIM_LIMIT', details: { limit: 2 } })
    const after = await u.api.get('/api/v1/coupons/templates')
    expect(after.body.items.find((x: { id: string }) => x.id === tpl.id)).toMatchObject({ claimedByMe: 2, remaining: 8 })
    expect((await u.api.get('/api/v1/me')).body.stage).toBe('interactor')
    const nope = await u.api.post('/api/v1/coupons/claim', { templateId: hidden.id })
    expect(nope.body.error.code).toBe('COUPON_NOT_CLAIMABLE')
  })

  it('relative validity ends at a business-day boundary in the merchant time zone', async () => {
    t.clock.set('2026-11-10T15:30:00Z') // 23:30 in Shanghai
    const tpl = await template({ validity: { type: 'relative', days: 1 } })
    const u = await loginAs(t, m)
    const c = await claimOne(u.api, tpl.id)
    expect(c.validFrom).toBe('2026-11-10T15:30:00.000Z')
    expect(c.validTo).toBe('2026-11-10T16:00:00.000Z') // midnight in Shanghai
  })

  it('out of stock, expired, another merchant: clear 4xx and nothing issued', async () => {
    const tpl = await template({ totalStock: 1 })
    const [a, b] = [await loginAs(t, m), await loginAs(t, m)]
    await claimOne(a.api, tpl.id)
    const out = await b.api.post('/api/v1/coupons/claim', { templateId: tpl.id })
    expect(out.status).toBe(409)
    expect(out.body.error.code).toBe('COUPON_OUT_OF_STOCK')
    const old = await template({ validity: { type: 'fixed', from: '2020-01-01T00:00:00Z', to: '2020-02-01T00:00:00Z' } })
    expect((await b.api.post('/api/v1/coupons/claim', { templateId: old.id })).body.error.code).toBe('COUPON_EXPIRED')
    const other = await seedMerchant(t)
    const foreign = await template({}, other)
    const r = await b.api.post('/api/v1/coupons/claim', { templateId: foreign.id })
    expect(r.status).toBe(404)
    expect(r.body.error.code).toBe('COUPON_TEMPLATE_NOT_FOUND')
    expect((await b.api.get('/api/v1/coupons')).body.items).toEqual([])
    const { rows } = await t.pool.query('select count(*)::int as n from coupon_claim_counts where user_id = $1', [b.user.id])
    expect(rows[0].n).toBe(0)
  })

  it('parallel claims: one user with a limit of 1 gets one; 30 users racing for 5 coupons get exactly 5', async () => {
    const limited = await template({ perUserLimit: 1 })
    const u = await loginAs(t, m)
    const taps = await Promise.all(Array.from({ length: 15 }, () => u.api.post('/api/v1/coupons/claim', { templateId: limited.id })))
    expect(taps.filter((r) => r.status === 201)).toHaveLength(1)
    expect(taps.filter((r) => r.status === 409 && r.body.error.code === 'COUPON_CLAIM_LIMIT')).toHaveLength(14)

    const scarce = await template({ totalStock: 5 })
    const users = await createUsers(t.deps, m, 30)
    const race = await Promise.all(users.map((x) => client(t.url, x.token).post('/api/v1/coupons/claim', { templateId: scarce.id })))
    expect(race.filter((r) => r.status === 201)).toHaveLength(5)
    expect(race.filter((r) => r.status === 409 && r.body.error.code === 'COUPON_OUT_OF_STOCK')).toHaveLength(25)
    const { rows } = await t.pool.query('select issued, (select count(*)::int from coupons where template_id = $1) as n from coupon_templates where id = $1', [scarce.id])
    expect(rows[0]).toEqual({ issued: 5, n: 5 })
  })

  it('an unlimited template: parallel claims never write its row; the views count its coupons, a limited one reads its counter', async () => {
    const unlimited = await template()
    const limited = await template({ totalStock: 50 })
    // xmin: the row version, so "not written" rather than "written with the same value"
    const rowOf = async (id: string) => (await t.pool.query('select xmin::text as version, issued from coupon_templates where id = $1', [id])).rows[0]
    const before = await rowOf(unlimited.id)
    const users = await createUsers(t.deps, m, 30)
    const race = await Promise.all(users.map((x) => client(t.url, x.token).post('/api/v1/coupons/claim', { templateId: unlimited.id })))
    expect(race.filter((r) => r.status === 201)).toHaveLength(30)
    await Promise.all(users.slice(0, 10).map((x) => claimOne(client(t.url, x.token), limited.id)))
    expect(await repo.takeTemplateStock(t.db, m.merchantId, unlimited.id)).toBe(true)
    expect(await rowOf(unlimited.id)).toEqual({ version: before.version, issued: 0 })
    expect((await rowOf(limited.id)).issued).toBe(10)

    expect((await m.admin.get(`/admin/v1/coupons/templates/${unlimited.id}`)).body).toMatchObject({ totalStock: null, issued: 30, remaining: null })
    const list = (await m.admin.get('/admin/v1/coupons/templates')).body.items as { id: string }[]
    expect(list.find((x) => x.id === unlimited.id)).toMatchObject({ issued: 30, remaining: null })
    expect(list.find((x) => x.id === limited.id)).toMatchObject({ issued: 10, remaining: 40 })
    const centre = (await client(t.url, users[0]!.token).get('/api/v1/coupons/templates')).body.items as { id: string }[]
    const offer = centre.find((x) => x.id === unlimited.id)
    expect(offer).toMatchObject({ remaining: null, claimedByMe: 1 })
    expect(offer).not.toHaveProperty('issued') // the claim centre counts nothing
    expect((await m.admin.patch(`/admin/v1/coupons/templates/${unlimited.id}`, { name: '无限券' })).body).toMatchObject({ name: '无限券', issued: 30 })
  })

  it('GET /api/v1/coupons filters by status: available, used, expired', async () => {
    const tpl = await template({ validity: { type: 'relative', days: 2 } })
    const u = await loginAs(t, m)
    const c1 = await claimOne(u.api, tpl.id)
    const c2 = await claimOne(u.api, tpl.id)
    const s = await staffOf(t, m)
    expect((await s.api.post('/staff/v1/coupons/redeem', { code: c1.code, storeId: m.storeId })).status).toBe(200)
    const codes = async (status: string) => (await u.api.get(`/api/v1/coupons?status=${status}`)).body.items.map((x: { code: string }) => x.code)
    expect(await codes('available')).toEqual([c2.code])
    expect(await codes('used')).toEqual([c1.code])
    expect(await codes('expired')).toEqual([])
    t.clock.set(new Date(Date.now() + 3 * DAY))
    expect(await codes('available')).toEqual([])
    expect(await codes('expired')).toEqual([c2.code])
    expect((await u.api.get('/api/v1/coupons?status=bogus')).status).toBe(400)
    const other = await loginAs(t, m)
    expect((await other.api.get('/api/v1/coupons')).body.items).toEqual([])
  })
})

describe('POST /staff/v1/coupons/redeem', () => {
  it('redeems once at the staff member’s store; twice, expired, not yet valid, foreign: clear 4xx, nothing changed', async () => {
    const tpl = await template()
    const u = await loginAs(t, m)
    const s = await staffOf(t, m)
    const c = await claimOne(u.api, tpl.id)
    const ok = await s.api.post('/staff/v1/coupons/redeem', { code: c.code.toLowerCase(), storeId: m.storeId })
    expect(ok.status).toBe(200)
    expect(ok.body).toMatchObject({ id: c.id, status: 'used', userId: u.user.id, storeId: m.storeId, staffId: s.staffId, usedAt: expect.any(String) })
    const twice = await s.api.post('/staff/v1/coupons/redeem', { code: c.code, storeId: m.storeId })
    expect(twice.status).toBe(409)
    expect(twice.body.error.code).toBe('COUPON_ALREADY_USED')

    const fresh = await claimOne(u.api, tpl.id)
    t.clock.set(new Date(Date.now() + 30 * DAY))
    const expired = await s.api.post('/staff/v1/coupons/redeem', { code: fresh.code, storeId: m.storeId })
    expect(expired.body.error.code).toBe('COUPON_EXPIRED')
    t.clock.reset()

    const future = await template({ validity: { type: 'fixed', from: new Date(Date.now() + DAY).toISOString(), to: new Date(Date.now() + 5 * DAY).toISOString() } })
    const f = await claimOne(u.api, future.id)
    expect((await s.api.post('/staff/v1/coupons/redeem', { code: f.code, storeId: m.storeId })).body.error.code).toBe('COUPON_NOT_YET_VALID')

    const other = await seedMerchant(t)
    const os = await staffOf(t, other)
    const foreign = await os.api.post('/staff/v1/coupons/redeem', { code: fresh.code, storeId: other.storeId })
    expect(foreign.status).toBe(404)
    expect(foreign.body.error.code).toBe('COUPON_NOT_FOUND')
    const wrongStore = await s.api.post('/staff/v1/coupons/redeem', { code: fresh.code, storeId: other.storeId })
    expect(wrongStore.status).toBe(403)
    expect((await u.api.post('/staff/v1/coupons/redeem', { code: fresh.code, storeId: m.storeId })).status).toBe(403)
    expect(await couponRow(fresh.id)).toMatchObject({ status: 'issued', used_at: null })
    expect(await couponRow(f.id)).toMatchObject({ status: 'issued', used_at: null })
  })

  it('double redemption in parallel: exactly one succeeds', async () => {
    const tpl = await template()
    const u = await loginAs(t, m)
    const c = await claimOne(u.api, tpl.id)
    const [s1, s2] = [await staffOf(t, m), await staffOf(t, m)]
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? s1 : s2).api.post('/staff/v1/coupons/redeem', { code: c.code, storeId: m.storeId })),
    )
    expect(results.filter((r) => r.status === 200)).toHaveLength(1)
    expect(results.filter((r) => r.status === 409 && r.body.error.code === 'COUPON_ALREADY_USED')).toHaveLength(19)
  })
})

describe('coupons on orders (quote, lock, consume, release)', () => {
  const orderId = () => `ord_${Math.random().toString(36).slice(2)}`

  it('quotes on the server: owner, status, validity and minimum spend are checked', async () => {
    const tpl = await template({ kind: 'percent_off', name: '九折', amountOffFen: undefined, percentOff: 10, maxDiscountFen: 800, minSpendFen: 1000 })
    const u = await loginAs(t, m)
    const c = await claimOne(u.api, tpl.id)
    const now = t.clock.now()
    const base = { merchantId: m.merchantId, userId: u.user.id, code: c.code.toLowerCase(), now }
    expect(await coupons.quoteCoupon(t.db, { ...base, amountFen: 5000 })).toEqual({ couponId: c.id, code: c.code, name: '九折', kind: 'percent_off', discountFen: 500 })
    expect(await coupons.quoteCoupon(t.db, { ...base, items: [{ sku: 'A', unitPriceFen: 5000, quantity: 3 }] })).toMatchObject({ discountFen: 800 })
    const err = async (p: Promise<unknown>) => p.then(() => 'ok', (e: { code: string }) => e.code)
    expect(await err(coupons.quoteCoupon(t.db, { ...base, amountFen: 999 }))).toBe('COUPON_MIN_SPEND_NOT_MET')
    const other = await loginAs(t, m)
    expect(await err(coupons.quoteCoupon(t.db, { ...base, userId: other.user.id, amountFen: 5000 }))).toBe('COUPON_NOT_OWNED')
    const om = await seedMerchant(t)
    expect(await err(coupons.quoteCoupon(t.db, { ...base, merchantId: om.merchantId, amountFen: 5000 }))).toBe('COUPON_NOT_FOUND')
    expect(await err(coupons.quoteCoupon(t.db, { ...base, now: new Date(now.getTime() + 30 * DAY), amountFen: 5000 }))).toBe('COUPON_EXPIRED')
  })

  it('lock -> release -> lock -> consume; a locked coupon is not usable elsewhere; parallel locks: one order wins', async () => {
    const tpl = await template()
    const u = await loginAs(t, m)
    const c = await claimOne(u.api, tpl.id)
    const s = await staffOf(t, m)
    const err = async (p: Promise<unknown>) => p.then(() => 'ok', (e: { code: string }) => e.code)
    const o1 = orderId()
    await t.db.transaction((tx) => coupons.lockForOrder(tx, { couponId: c.id, orderId: o1, merchantId: m.merchantId }))
    expect(await couponRow(c.id)).toMatchObject({ status: 'locked', order_id: o1 })
    await t.db.transaction((tx) => coupons.lockForOrder(tx, { couponId: c.id, orderId: o1 })) // same order: idempotent
    expect(await err(t.db.transaction((tx) => coupons.lockForOrder(tx, { couponId: c.id, orderId: orderId() })))).toBe('COUPON_LOCKED')
    expect((await s.api.post('/staff/v1/coupons/redeem', { code: c.code, storeId: m.storeId })).body.error.code).toBe('COUPON_LOCKED')
    expect(await err(coupons.quoteCoupon(t.db, { merchantId: m.merchantId, userId: u.user.id, code: c.code, amountFen: 5000, now: t.clock.now() }))).toBe('COUPON_LOCKED')
    expect((await u.api.get('/api/v1/coupons?status=locked')).body.items.map((x: { id: string }) => x.id)).toEqual([c.id])

    expect(await t.db.transaction((tx) => coupons.releaseForOrder(tx, o1))).toBe(1)
    expect(await t.db.transaction((tx) => coupons.releaseForOrder(tx, o1))).toBe(0)
    expect(await couponRow(c.id)).toMatchObject({ status: 'issued', order_id: null })

    const contenders = Array.from({ length: 10 }, orderId)
    const locks = await Promise.all(contenders.map((o) => err(t.db.transaction((tx) => coupons.lockForOrder(tx, { couponId: c.id, orderId: o })))))
    expect(locks.filter((x) => x === 'ok')).toHaveLength(1)
    expect(locks.filter((x) => x === 'COUPON_LOCKED')).toHaveLength(9)
    const winner = contenders[locks.indexOf('ok')]!
    expect(await t.db.transaction((tx) => coupons.consumeForOrder(tx, winner, t.clock.now()))).toBe(1)
    expect(await t.db.transaction((tx) => coupons.consumeForOrder(tx, winner))).toBe(0)
    expect(await couponRow(c.id)).toMatchObject({ status: 'used', order_id: winner })
    expect(await t.db.transaction((tx) => coupons.releaseForOrder(tx, winner))).toBe(0)
    expect(await err(t.db.transaction((tx) => coupons.lockForOrder(tx, { couponId: c.id, orderId: orderId() })))).toBe('COUPON_ALREADY_USED')
  })
})

describe('admin bulk issue', () => {
  async function waitJob(jobId: string) {
    const until = Date.now() + 60_000
    while (Date.now() < until) {
      const j = await m.admin.get(`/admin/v1/jobs/${jobId}`)
      if (j.body.status !== 'running' && j.body.status !== 'queued') return j.body
      await new Promise((r) => setTimeout(r, 100))
    }
    throw new Error('job did not finish')
  }

  it('issues to a list as a job with progress; unknown and foreign users fail; resubmitting the batch issues nothing twice', async () => {
    const tpl = await template({ totalStock: 1000, claimable: false })
    const users = await createUsers(t.deps, m, 250)
    const other = await seedMerchant(t)
    const [foreign] = await createUsers(t.deps, other, 1)
    const userIds = [...users.map((u) => u.userId), foreign!.userId, '00000000-0000-4000-8000-000000000000']
    const r = await m.admin.post(`/admin/v1/coupons/templates/${tpl.id}/issue`, { userIds, batchKey: 'nov-vip' })
    expect(r.status).toBe(202)
    expect(r.body).toMatchObject({ jobId: expect.any(String), batchKey: 'nov-vip', total: 252 })
    const job = await waitJob(r.body.jobId)
    expect(job).toMatchObject({ kind: 'coupon_bulk_issue', status: 'succeeded', total: 252, processed: 252, succeeded: 250, failed: 2 })
    expect(job.result).toEqual({ batchKey: 'nov-vip', issued: 250, alreadyIssued: 0, failed: 2 })
    expect(job.errors).toEqual(expect.arrayContaining([{ userId: foreign!.userId, code: 'USER_NOT_FOUND' }]))
    const again = await waitJob((await m.admin.post(`/admin/v1/coupons/templates/${tpl.id}/issue`, { userIds, batchKey: 'nov-vip' })).body.jobId)
    expect(again.result).toEqual({ batchKey: 'nov-vip', issued: 0, alreadyIssued: 250, failed: 2 })
    const { rows } = await t.pool.query('select count(*)::int as n, count(distinct user_id)::int as u from coupons where template_id = $1', [tpl.id])
    expect(rows[0]).toEqual({ n: 250, u: 250 })
    const mine = await client(t.url, users[0]!.token).get('/api/v1/coupons')
    expect(mine.body.items[0]).toMatchObject({ templateId: tpl.id, source: { type: 'admin', id: 'nov-vip' } })
    expect((await other.admin.get(`/admin/v1/jobs/${r.body.jobId}`)).status).toBe(404)
  })

  it('issues to a segment (tag and stage); stock runs out mid-way as failures', async () => {
    const tpl = await template({ totalStock: 2, claimable: false })
    const users = await createUsers(t.deps, m, 4)
    for (const u of users.slice(0, 3)) await m.admin.post(`/admin/v1/users/${u.userId}/tags`, { tags: ['vip-seg'] })
    const r = await m.admin.post(`/admin/v1/coupons/templates/${tpl.id}/issue`, { segment: { tag: 'vip-seg', stage: 'visitor' } })
    expect(r.body.total).toBe(3)
    const job = await waitJob(r.body.jobId)
    expect(job).toMatchObject({ succeeded: 2, failed: 1 })
    expect(job.errors).toEqual([{ userId: expect.any(String), code: 'COUPON_OUT_OF_STOCK' }])
    expect((await m.admin.post(`/admin/v1/coupons/templates/${tpl.id}/issue`, { segment: {} })).status).toBe(400)
  })
})
