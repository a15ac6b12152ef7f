/** A coupon on an order (payments module): priced on the server, locked at creation, used when paid, back when closed unpaid. */
import { createLogger } from '../../logger'
import { loginAs, seedPayMerchant, startTestApp, type SeededPayMerchant, type TestApp } from '../../../../tests/src/support/harness'
import { reconcilePayments } from '../payments/payments.reconcile'
import { confirm, createProduct, delivered } from '../payments/payments.test-support'

let t: TestApp
let m: SeededPayMerchant
beforeAll(async () => {
  t = await startTestApp()
  m = await seedPayMerchant(t)
})
afterAll(() => t.close())
afterEach(() => t.clock.reset())

async function claimed(buyer: Awaited<ReturnType<typeof loginAs>>, over: Record<string, unknown> = {}) {
  const tpl = await m.admin.post('/admin/v1/coupons/templates', {
    kind: 'amount_off',
    name: '满50减8',
    amountOffFen: 800,
    minSpendFen: 5000,
    validity: { type: 'relative', days: 7 },
    ...over,
  })
  const c = await buyer.api.post('/api/v1/coupons/claim', { templateId: tpl.body.id })
  expect(c.status).toBe(201)
  return c.body as { id: string; code: string }
}

const couponStatus = async (buyer: Awaited<ReturnType<typeof loginAs>>, id: string) =>
  ((await buyer.api.get('/api/v1/coupons')).body.items as { id: string; status: string }[]).find((x) => x.id === id)?.status

it('the discount is computed on the server; the coupon is locked by the order and used when it is paid', async () => {
  const p = await createProduct(m, 3000)
  const buyer = await loginAs(t, m)
  const c = await claimed(buyer)
  const o = await buyer.api.post('/api/v1/orders', { items: [{ sku: p.sku, qty: 2 }], couponCode: c.code.toLowerCase() })
  expect(o.status).toBe(201)
  expect(o.body).toMatchObject({ subtotalFen: 6000, discountFen: 800, totalFen: 5200 })
  expect(await couponStatus(buyer, c.id)).toBe('locked')
  // a locked coupon can't price a second order
  const second = await buyer.api.post('/api/v1/orders', { items: [{ sku: p.sku, qty: 2 }], couponCode: c.code })
  expect(second.body.error.code).toBe('COUPON_LOCKED')

  const pay = await buyer.api.post(`/api/v1/orders/${o.body.id}/pay`)
  expect(pay.status).toBe(200)
  const paid = confirm(t, m, pay.body.payment)
  await delivered(t, paid.notification_id)
  expect((await buyer.api.get(`/api/v1/orders/${o.body.id}`)).body).toMatchObject({ status: 'paid', paidFen: 5200 })
  expect(await couponStatus(buyer, c.id)).toBe('used')
})

it('an order closed unpaid gives the coupon back', async () => {
  const p = await createProduct(m, 6000)
  const buyer = await loginAs(t, m)
  const c = await claimed(buyer)
  const o = await buyer.api.post('/api/v1/orders', { items: [{ sku: p.sku, qty: 1 }], couponCode: c.code })
  expect(o.body.totalFen).toBe(5200)
  t.clock.advance(60 * 60_000)
  const r = await reconcilePayments(t.db, t.deps.pay, t.clock, { logger: createLogger('silent') })
  expect(r.ordersClosed).toBeGreaterThanOrEqual(1)
  expect((await buyer.api.get(`/api/v1/orders/${o.body.id}`)).body.status).toBe('closed')
  t.clock.reset()
  expect(await couponStatus(buyer, c.id)).toBe('available')
})

it('another user’s, a used or a too-small order: a clear 4xx and no order created', async () => {
  const p = await createProduct(m, 1000)
  const [owner, thief] = [await loginAs(t, m), await loginAs(t, m)]
  const c = await claimed(owner)
  const stolen = await thief.api.post('/api/v1/orders', { items: [{ sku: p.sku, qty: 9 }], couponCode: c.code })
  expect(stolen.status).toBe(403)
  expect(stolen.body.error.code).toBe('COUPON_NOT_OWNED')
  const small = await owner.api.post('/api/v1/orders', { items: [{ sku: p.sku, qty: 1 }], couponCode: c.code })
  expect(small.status).toBe(409)
  expect(small.body.error).toMatchObject({ code: 'COUPON_MIN_SPEND_NOT_MET', details: { minSpendFen: 5000, amountFen: 1000 } })
  expect((await owner.api.post('/api/v1/orders', { items: [{ sku: p.sku, qty: 9 }], couponCode: 'NOSUCHCODE12' })).body.error.code).toBe('COUPON_NOT_FOUND')
  const orders = await t.pool.query('select count(*)::int as n from orders where user_id = any($1::uuid[])', [[owner.user.id, thief.user.id]])
  expect(orders.rows[0].n).toBe(0)
  expect(await couponStatus(owner, c.id)).toBe('available')
})

it('a coupon worth the whole order leaves 1 fen to pay (WeChat Pay minimum)', async () => {
  const p = await createProduct(m, 500)
  const buyer = await loginAs(t, m)
  const c = await claimed(buyer, { minSpendFen: 0 })
  const o = await buyer.api.post('/api/v1/orders', { items: [{ sku: p.sku, qty: 1 }], couponCode: c.code })
  expect(o.body).toMatchObject({ subtotalFen: 500, discountFen: 499, totalFen: 1 })
})
