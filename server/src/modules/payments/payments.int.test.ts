import crypto from 'node:crypto'
import { client, loginAs, seedMerchant, seedPayMerchant, type SeededPayMerchant, type TestApp, startTestApp } from '../../../../tests/src/support/harness'
import { confirm, createProduct, delivered, ledgerInvariants, orderAndPay } from './payments.test-support'

let t: TestApp
let m: SeededPayMerchant
beforeAll(async () => {
  t = await startTestApp()
  m = await seedPayMerchant(t)
})
afterAll(() => t.close())

describe('catalogue (admin CRUD)', () => {
  it('creates, lists, reads, updates and archives products; SKU unique per merchant', async () => {
    const c = await m.admin.post('/admin/v1/products', { sku: 'TEA-1', name: '龙井茶', priceFen: 8800, description: '明前' })
    expect(c.status).toBe(201)
    expect(c.body).toMatchObject({ sku: 'TEA-1', name: '龙井茶', priceFen: 8800, active: true, description: '明前' })
    expect((await m.admin.post('/admin/v1/products', { sku: 'TEA-1', name: 'x', priceFen: 1 })).body.error.code).toBe('SKU_TAKEN')
    const other = await seedPayMerchant(t)
    expect((await other.admin.post('/admin/v1/products', { sku: 'TEA-1', name: '别家的茶', priceFen: 100 })).status).toBe(201)

    const id = c.body.id
    expect((await m.admin.get(`/admin/v1/products/${id}`)).body.name).toBe('龙井茶')
    const u = await m.admin.patch(`/admin/v1/products/${id}`, { priceFen: 9900, description: null })
    expect(u.body).toMatchObject({ priceFen: 9900, description: null })
    expect((await m.admin.get('/admin/v1/products')).body.items.map((p: { sku: string }) => p.sku)).toContain('TEA-1')
    expect((await m.admin.del(`/admin/v1/products/${id}`)).status).toBe(204)
    expect((await m.admin.get(`/admin/v1/products/${id}`)).body.active).toBe(false)
    expect((await m.admin.get('/admin/v1/products?active=true')).body.items.map((p: { id: string }) => p.id)).not.toContain(id)
  })

  it('validates input: price must be positive integer fen, unknown fields rejected', async () => {
    for (const body of [
      { sku: 'A1', name: 'x', priceFen: 0 },
      { sku: 'A1', name: 'x', priceFen: 1.5 },
      { sku: 'A 1', name: 'x', priceFen: 100 },
      { sku: 'A1', name: 'x', priceFen: 100, merchantId: crypto.randomUUID() },
    ]) {
      const r = await m.admin.post('/admin/v1/products', body)
      expect(r.status).toBe(400)
      expect(r.body.error.code).toBe('VALIDATION_FAILED')
    }
    expect((await m.admin.patch(`/admin/v1/products/${crypto.randomUUID()}`, {})).status).toBe(400)
  })

  it('membership plans: CRUD, duration and price checked', async () => {
    const c = await m.admin.post('/admin/v1/membership-plans', { name: '年卡', durationDays: 365, priceFen: 19900 })
    expect(c.status).toBe(201)
    expect((await m.admin.patch(`/admin/v1/membership-plans/${c.body.id}`, { priceFen: 16800 })).body.priceFen).toBe(16800)
    expect((await m.admin.post('/admin/v1/membership-plans', { name: 'x', durationDays: 0, priceFen: 1 })).status).toBe(400)
    expect((await m.admin.get('/admin/v1/membership-plans')).body.items.length).toBeGreaterThan(0)
    expect((await m.admin.del(`/admin/v1/membership-plans/${c.body.id}`)).status).toBe(204)
  })

  it('security: 401 without a key, 403 with a user token, 404 for another merchant’s ids', async () => {
    const p = await createProduct(m, 100)
    expect((await client(t.url).get('/admin/v1/products')).status).toBe(401)
    const buyer = await loginAs(t, m)
    expect((await buyer.api.get('/admin/v1/products')).status).toBe(403)
    const other = await seedPayMerchant(t)
    const r = await other.admin.get(`/admin/v1/products/${p.id}`)
    expect(r.status).toBe(404)
    expect(r.body.error.code).toBe('PRODUCT_NOT_FOUND')
    expect((await other.admin.patch(`/admin/v1/products/${p.id}`, { priceFen: 1 })).status).toBe(404)
    expect((await other.admin.del(`/admin/v1/products/${p.id}`)).status).toBe(404)
    expect((await other.admin.get('/admin/v1/products/not-a-uuid')).body.error.code).toBe('PRODUCT_NOT_FOUND')
  })
})

describe('POST /api/v1/orders (priced on the server)', () => {
  it('prices lines from the catalogue, merges repeated SKUs, snapshots names and prices', async () => {
    const a = await createProduct(m, 1250, '咖啡豆')
    const b = await createProduct(m, 399, '滤纸')
    const buyer = await loginAs(t, m)
    const r = await buyer.api.post('/api/v1/orders', { items: [{ sku: a.sku, qty: 2 }, { sku: b.sku, qty: 1 }, { sku: a.sku, qty: 1 }] })
    expect(r.status).toBe(201)
    expect(r.body).toMatchObject({ status: 'created', kind: 'products', subtotalFen: 4149, discountFen: 0, totalFen: 4149, paidFen: 0, description: '咖啡豆 等4件' })
    expect(r.body.items).toEqual([
      { productId: a.id, sku: a.sku, name: '咖啡豆', unitPriceFen: 1250, qty: 3, amountFen: 3750 },
      { productId: b.id, sku: b.sku, name: '滤纸', unitPriceFen: 399, qty: 1, amountFen: 399 },
    ])
    // a later price change does not touch the order
    await m.admin.patch(`/admin/v1/products/${a.id}`, { priceFen: 1 })
    expect((await buyer.api.get(`/api/v1/orders/${r.body.id}`)).body.totalFen).toBe(4149)
  })

  it('rejects client prices, unknown or archived SKUs, and empty orders; nothing written', async () => {
    const a = await createProduct(m, 100)
    const gone = await createProduct(m, 100)
    await m.admin.del(`/admin/v1/products/${gone.id}`)
    const buyer = await loginAs(t, m)
    expect((await buyer.api.post('/api/v1/orders', { items: [{ sku: a.sku, qty: 1, priceFen: 1 }] })).status).toBe(400)
    expect((await buyer.api.post('/api/v1/orders', { items: [] })).status).toBe(400)
    expect((await buyer.api.post('/api/v1/orders', { items: [{ sku: a.sku, qty: 0 }] })).status).toBe(400)
    const u = await buyer.api.post('/api/v1/orders', { items: [{ sku: a.sku, qty: 1 }, { sku: 'NOPE', qty: 1 }, { sku: gone.sku, qty: 1 }] })
    expect(u.status).toBe(409)
    expect(u.body.error).toMatchObject({ code: 'PRODUCT_UNAVAILABLE', details: { skus: ['NOPE', gone.sku] } })
    const { rows } = await t.pool.query('select count(*)::int as n from orders where user_id = $1', [buyer.user.id])
    expect(rows[0].n).toBe(0)
  })

  it('orders a membership plan; an archived or foreign plan cannot be bought', async () => {
    const plan = (await m.admin.post('/admin/v1/membership-plans', { name: '月卡', durationDays: 30, priceFen: 2990 })).body
    const buyer = await loginAs(t, m)
    const r = await buyer.api.post('/api/v1/orders', { membershipPlanId: plan.id })
    expect(r.body).toMatchObject({ kind: 'membership', totalFen: 2990, membershipPlanId: plan.id, description: '月卡' })
    const other = await seedPayMerchant(t)
    const foreign = (await other.admin.post('/admin/v1/membership-plans', { name: '别家', durationDays: 30, priceFen: 1 })).body
    expect((await buyer.api.post('/api/v1/orders', { membershipPlanId: foreign.id })).body.error.code).toBe('MEMBERSHIP_PLAN_NOT_FOUND')
    await m.admin.del(`/admin/v1/membership-plans/${plan.id}`)
    expect((await buyer.api.post('/api/v1/orders', { membershipPlanId: plan.id })).body.error.code).toBe('MEMBERSHIP_PLAN_UNAVAILABLE')
  })

  it('a user sees only their own orders; admin sees all of the merchant', async () => {
    const p = await createProduct(m, 100)
    const a = await loginAs(t, m)
    const b = await loginAs(t, m)
    const o = (await a.api.post('/api/v1/orders', { items: [{ sku: p.sku, qty: 1 }] })).body
    expect((await b.api.get(`/api/v1/orders/${o.id}`)).body.error.code).toBe('ORDER_NOT_FOUND')
    expect((await b.api.post(`/api/v1/orders/${o.id}/pay`)).body.error.code).toBe('ORDER_NOT_FOUND')
    expect((await a.api.get('/api/v1/orders')).body.items.map((x: { id: string }) => x.id)).toEqual([o.id])
    expect((await m.admin.get(`/admin/v1/orders/${o.id}`)).body).toMatchObject({ id: o.id, needsReview: false, refunds: [] })
    const other = await seedPayMerchant(t)
    expect((await other.admin.get(`/admin/v1/orders/${o.id}`)).status).toBe(404)
  })
})

describe('end to end: order → prepay → the user confirms in the sandbox → callback → paid', () => {
  it('settles the order, earns points through the ledger, makes the user a customer', async () => {
    const p = await createProduct(m, 12345, '礼盒')
    const buyer = await loginAs(t, m)
    const { order, payment } = await orderAndPay(buyer, { items: [{ sku: p.sku, qty: 2 }] })
    expect(order.totalFen).toBe(24690)
    expect(payment).toMatchObject({ signType: 'RSA', package: expect.stringMatching(/^prepay_id=wx/), timeStamp: expect.stringMatching(/^\d{10}$/) })
    expect(payment.nonceStr).toMatch(/^[A-Za-z0-9]{32}$/)
    // paySign is the merchant's RSA-SHA256 over appId, timeStamp, nonceStr, package
    const msg = `${m.appid}\n${payment.timeStamp}\n${payment.nonceStr}\n${payment.package}\n`
    expect(crypto.verify('sha256', Buffer.from(msg), m.merchantKeys.certificatePem, Buffer.from(payment.paySign, 'base64'))).toBe(true)

    const paid = confirm(t, m, payment)
    expect(paid.errMsg).toBe('requestPayment:ok')
    const d = await delivered(t, paid.notification_id)
    expect(d).toMatchObject({ state: 'delivered', lastStatus: 204, attemptCount: 1 })

    const o = (await buyer.api.get(`/api/v1/orders/${order.id}`)).body
    expect(o).toMatchObject({ status: 'paid', paidFen: 24690, refundedFen: 0, pointsEarned: 246 })
    expect((await buyer.api.get('/api/v1/points')).body).toMatchObject({ balance: 246, debt: 0 })
    expect((await m.admin.get(`/admin/v1/users/${buyer.user.id}`)).body.stage).toBe('customer')
    expect((await m.admin.get(`/admin/v1/orders/${order.id}`)).body.transactionId).toBe(paid.transaction_id)
    const entries = await t.pool.query('select kind, amount, idempotency_key, source_type, source_id from points_entries where user_id = $1', [buyer.user.id])
    expect(entries.rows).toEqual([{ kind: 'earn', amount: 246, idempotency_key: `order_paid:${paid.transaction_id}`, source_type: 'order', source_id: order.id }])
    const tr = await t.pool.query("select cause from funnel_transitions where user_id = $1 and to_stage = 'customer'", [buyer.user.id])
    expect(tr.rows).toEqual([{ cause: 'order_paid' }])
    expect(await ledgerInvariants(t, m.merchantId, buyer.user.id)).toMatchObject({ balance: 246, sum_amount: 246, debt: 0, sum_debt: 0 })

    // paying again is refused; the order keeps its single out_trade_no
    expect((await buyer.api.post(`/api/v1/orders/${order.id}/pay`)).body.error.code).toBe('ORDER_ALREADY_PAID')
    const attempts = await t.pool.query('select status, out_trade_no from payment_attempts where order_id = $1', [order.id])
    expect(attempts.rows).toEqual([{ status: 'paid', out_trade_no: paid.out_trade_no }])
    expect(paid.out_trade_no).not.toBe(order.id)
  })

  it('paying twice before confirming reuses the attempt (one payable out_trade_no per order)', async () => {
    const p = await createProduct(m, 500)
    const buyer = await loginAs(t, m)
    const { order, payment } = await orderAndPay(buyer, { items: [{ sku: p.sku, qty: 1 }] })
    const again = await buyer.api.post(`/api/v1/orders/${order.id}/pay`)
    expect(again.body.payment.package).toBe(payment.package)
    expect(again.body.payment.nonceStr).not.toBe(payment.nonceStr)
    const parallel = await Promise.all(Array.from({ length: 5 }, () => buyer.api.post(`/api/v1/orders/${order.id}/pay`)))
    expect(parallel.map((r) => r.status)).toEqual([200, 200, 200, 200, 200])
    const { rows } = await t.pool.query('select count(*)::int as n from payment_attempts where order_id = $1', [order.id])
    expect(rows[0].n).toBe(1)
    // and racing first taps on a fresh order still open a single attempt
    const fresh = (await buyer.api.post('/api/v1/orders', { items: [{ sku: p.sku, qty: 1 }] })).body
    const racing = await Promise.all(Array.from({ length: 5 }, () => buyer.api.post(`/api/v1/orders/${fresh.id}/pay`)))
    expect(racing.map((r) => r.status)).toEqual([200, 200, 200, 200, 200])
    const one = await t.pool.query('select count(*)::int as n from payment_attempts where order_id = $1', [fresh.id])
    expect(one.rows[0].n).toBe(1)
    const paid = confirm(t, m, racing[4]!.body.payment)
    await delivered(t, paid.notification_id)
    expect((await buyer.api.get(`/api/v1/orders/${fresh.id}`)).body.status).toBe('paid')
  })

  it('a paid membership plan: paid membership recorded, stage member; a second purchase extends it', async () => {
    const plan = (await m.admin.post('/admin/v1/membership-plans', { name: '季卡', durationDays: 90, priceFen: 8800 })).body
    const buyer = await loginAs(t, m)
    for (let i = 0; i < 2; i++) {
      const { order, payment } = await orderAndPay(buyer, { membershipPlanId: plan.id })
      await delivered(t, confirm(t, m, payment).notification_id)
      expect((await buyer.api.get(`/api/v1/orders/${order.id}`)).body.status).toBe('paid')
    }
    const { rows } = await t.pool.query('select starts_at, ends_at from paid_memberships where user_id = $1 order by starts_at', [buyer.user.id])
    expect(rows).toHaveLength(2)
    expect(rows[1].starts_at.getTime()).toBe(rows[0].ends_at.getTime())
    expect(rows[1].ends_at.getTime() - rows[0].starts_at.getTime()).toBe(180 * 86_400_000)
    expect((await m.admin.get(`/admin/v1/users/${buyer.user.id}`)).body.stage).toBe('member')
  })
})

describe('POST /api/v1/orders/:id/pay errors', () => {
  it('a merchant without WeChat Pay: 409 PAY_NOT_CONFIGURED, nothing sent', async () => {
    const plain = await seedMerchant(t)
    const p = (await plain.admin.post('/admin/v1/products', { sku: 'X1', name: 'x', priceFen: 100 })).body
    const buyer = await loginAs(t, plain)
    const o = (await buyer.api.post('/api/v1/orders', { items: [{ sku: p.sku, qty: 1 }] })).body
    const r = await buyer.api.post(`/api/v1/orders/${o.id}/pay`)
    expect(r.status).toBe(409)
    expect(r.body.error.code).toBe('PAY_NOT_CONFIGURED')
  })

  it('an expired order: 409 ORDER_EXPIRED (the last minute is not payable either)', async () => {
    const p = await createProduct(m, 100)
    const buyer = await loginAs(t, m)
    const o = (await buyer.api.post('/api/v1/orders', { items: [{ sku: p.sku, qty: 1 }] })).body
    t.clock.advance(14.5 * 60_000)
    try {
      expect((await buyer.api.post(`/api/v1/orders/${o.id}/pay`)).body.error.code).toBe('ORDER_EXPIRED')
    } finally {
      t.clock.reset()
    }
  })

  it('401 without a token; 403 with an admin key', async () => {
    const id = crypto.randomUUID()
    expect((await client(t.url).post(`/api/v1/orders/${id}/pay`)).status).toBe(401)
    expect((await m.admin.post(`/api/v1/orders/${id}/pay`)).status).toBe(403)
  })
})
