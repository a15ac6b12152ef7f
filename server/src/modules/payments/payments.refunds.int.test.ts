import crypto from 'node:crypto'
import { createLogger } from '../../logger'
import * as points from '../points/points.service'
import { client, loginAs, seedPayMerchant, startTestApp, type SeededPayMerchant, type TestApp } from '../../../../tests/src/support/harness'
import { reconcilePayments } from './payments.reconcile'
import { confirm, createProduct, delivered, ledgerInvariants, orderAndPay, postNotification, signNotification, type Buyer } from './payments.test-support'

/** Refunds: partial allowed, never more than paid, points clawed back in proportion, debt when already spent. */

let t: TestApp
let m: SeededPayMerchant
beforeAll(async () => {
  t = await startTestApp()
  m = await seedPayMerchant(t)
})
afterAll(() => t.close())
afterEach(() => t.clock.reset())

async function paidOrder(priceFen: number): Promise<{ buyer: Buyer; orderId: string }> {
  const p = await createProduct(m, priceFen)
  const buyer = await loginAs(t, m)
  const { order, payment } = await orderAndPay(buyer, { items: [{ sku: p.sku, qty: 1 }] })
  await delivered(t, confirm(t, m, payment).notification_id)
  return { buyer, orderId: order.id }
}

/** WeChat finishes the refund and notifies us; resolves once the notification was acknowledged. */
async function settleRefund(outRefundNo: string, status: 'SUCCESS' | 'CLOSED' | 'ABNORMAL' = 'SUCCESS') {
  const s = t.sandbox.refund.settle({ outRefundNo, status })
  const d = await delivered(t, s.notification_id!)
  expect(d.state).toBe('delivered')
}

it('refund after the earned points were spent: debt recorded, balance never negative, ledger invariants hold', async () => {
  const { buyer, orderId } = await paidOrder(30_000) // 300 points
  await t.db.transaction((tx) =>
    points.spend(tx, { merchantId: m.merchantId, userId: buyer.user.id, amount: 280, reasonCode: 'redeem', idempotencyKey: `spend:${orderId}`, now: t.clock.now() }),
  )
  const r = await m.admin.post(`/admin/v1/orders/${orderId}/refunds`, { amountFen: 30_000, reason: '七天无理由' })
  expect(r.status).toBe(201)
  expect(r.body).toMatchObject({ amountFen: 30_000, status: 'processing', reason: '七天无理由' })
  // nothing moves before WeChat says SUCCESS
  expect((await m.admin.get(`/admin/v1/orders/${orderId}`)).body).toMatchObject({ status: 'paid', refundedFen: 0 })

  await settleRefund(r.body.outRefundNo)
  const o = (await m.admin.get(`/admin/v1/orders/${orderId}`)).body
  expect(o).toMatchObject({ status: 'refunded', paidFen: 30_000, refundedFen: 30_000, pointsEarned: 300, pointsClawed: 300 })
  expect(o.refunds).toEqual([expect.objectContaining({ status: 'succeeded', pointsClawed: 20, pointsDebt: 280 })])
  expect((await buyer.api.get('/api/v1/points')).body).toMatchObject({ balance: 0, debt: 280 })
  const inv = (await ledgerInvariants(t, m.merchantId, buyer.user.id))!
  expect(inv.balance).toBe(0)
  expect(inv.balance - inv.debt).toBe(inv.sum_amount)
  expect(inv.debt).toBe(inv.sum_debt)

  // the debt is settled from future earns: a 100-yuan purchase pays 100 of it
  const p2 = await createProduct(m, 10_000)
  const { payment } = await orderAndPay(buyer, { items: [{ sku: p2.sku, qty: 1 }] })
  await delivered(t, confirm(t, m, payment).notification_id)
  expect((await buyer.api.get('/api/v1/points')).body).toMatchObject({ balance: 0, debt: 180 })
})

it('partial refunds claw back in proportion, cumulatively exact; total refunded never exceeds paid', async () => {
  const { buyer, orderId } = await paidOrder(10_001) // 100 points
  const first = await m.admin.post(`/admin/v1/orders/${orderId}/refunds`, { amountFen: 3_333 })
  await settleRefund(first.body.outRefundNo)
  let o = (await m.admin.get(`/admin/v1/orders/${orderId}`)).body
  expect(o).toMatchObject({ status: 'partially_refunded', refundedFen: 3_333, pointsClawed: 33 }) // floor(100 * 3333 / 10001)
  const tooMuch = await m.admin.post(`/admin/v1/orders/${orderId}/refunds`, { amountFen: 6_669 })
  expect(tooMuch.status).toBe(409)
  expect(tooMuch.body.error).toMatchObject({ code: 'REFUND_EXCEEDS_PAID', details: { refundableFen: 6_668 } })
  const rest = await m.admin.post(`/admin/v1/orders/${orderId}/refunds`, { amountFen: 6_668 })
  await settleRefund(rest.body.outRefundNo)
  o = (await m.admin.get(`/admin/v1/orders/${orderId}`)).body
  expect(o).toMatchObject({ status: 'refunded', refundedFen: 10_001, pointsClawed: 100 })
  expect((await buyer.api.get('/api/v1/points')).body).toMatchObject({ balance: 0, debt: 0 })
  expect((await m.admin.post(`/admin/v1/orders/${orderId}/refunds`, { amountFen: 1 })).body.error.code).toBe('ORDER_NOT_REFUNDABLE')
})

it('refunds take back growth in proportion, like points; the tier waits for the evaluation', async () => {
  const { buyer, orderId } = await paidOrder(10_001) // 100 yuan: 100 growth (1 per yuan)
  const growthOf = async () => (await t.pool.query(`SELECT growth FROM memberships WHERE user_id = $1`, [buyer.user.id])).rows[0].growth
  expect((await m.admin.get(`/admin/v1/orders/${orderId}`)).body).toMatchObject({ growthEarned: 100, growthClawed: 0 })
  expect(await growthOf()).toBe(100)
  const tierBefore = (await buyer.api.get('/api/v1/membership')).body.tier.level

  const first = await m.admin.post(`/admin/v1/orders/${orderId}/refunds`, { amountFen: 3_333 })
  const s = t.sandbox.refund.settle({ outRefundNo: first.body.outRefundNo, status: 'SUCCESS' })
  const d = await delivered(t, s.notification_id!)
  expect((await m.admin.get(`/admin/v1/orders/${orderId}`)).body).toMatchObject({ growthClawed: 33 }) // floor(100 * 3333 / 10001)
  expect(await growthOf()).toBe(67)
  // the exact notification again takes nothing more
  expect((await postNotification(t, d.body, signNotification(t, d.body))).status).toBe(204)
  expect(await growthOf()).toBe(67)

  const rest = await m.admin.post(`/admin/v1/orders/${orderId}/refunds`, { amountFen: 6_668 })
  await settleRefund(rest.body.outRefundNo)
  expect((await m.admin.get(`/admin/v1/orders/${orderId}`)).body).toMatchObject({ status: 'refunded', growthEarned: 100, growthClawed: 100 })
  expect(await growthOf()).toBe(0)
  const entries = await t.pool.query(`SELECT amount, reason, source_type FROM growth_entries WHERE user_id = $1 ORDER BY id`, [buyer.user.id])
  expect(entries.rows).toEqual([
    { amount: 100, reason: 'purchase', source_type: 'order' },
    { amount: -33, reason: 'refund', source_type: 'refund' },
    { amount: -67, reason: 'refund', source_type: 'refund' },
  ])
  const view = (await buyer.api.get('/api/v1/membership')).body
  expect(view.growth).toMatchObject({ total: 0, qualifying: 0 })
  expect(view.tier.level).toBe(tierBefore) // lowered only by the evaluation job, after the retention period
})

it('concurrent refund requests never reserve more than was paid', async () => {
  const { orderId } = await paidOrder(1_000)
  const rs = await Promise.all(Array.from({ length: 8 }, () => m.admin.post(`/admin/v1/orders/${orderId}/refunds`, { amountFen: 300 })))
  expect(rs.filter((r) => r.status === 201)).toHaveLength(3)
  expect(rs.filter((r) => r.status === 409).every((r) => r.body.error.code === 'REFUND_EXCEEDS_PAID')).toBe(true)
  const { rows } = await t.pool.query("select coalesce(sum(amount_fen), 0)::int as s from refunds where order_id = $1 and status <> 'failed'", [orderId])
  expect(rows[0].s).toBe(900)
})

it('a refund WeChat closes (failed) releases its amount; the same notification twice changes nothing', async () => {
  const { orderId } = await paidOrder(2_000)
  const r = await m.admin.post(`/admin/v1/orders/${orderId}/refunds`, { amountFen: 2_000 })
  await settleRefund(r.body.outRefundNo, 'CLOSED')
  let o = (await m.admin.get(`/admin/v1/orders/${orderId}`)).body
  expect(o).toMatchObject({ status: 'paid', refundedFen: 0, pointsClawed: 0 })
  expect(o.refunds[0].status).toBe('closed')
  const again = await m.admin.post(`/admin/v1/orders/${orderId}/refunds`, { amountFen: 2_000 })
  expect(again.status).toBe(201)
  const s = t.sandbox.refund.settle({ outRefundNo: again.body.outRefundNo, status: 'SUCCESS' })
  const d = await delivered(t, s.notification_id!)
  // replay the exact notification: acknowledged, nothing applied twice
  expect((await postNotification(t, d.body, signNotification(t, d.body))).status).toBe(204)
  o = (await m.admin.get(`/admin/v1/orders/${orderId}`)).body
  expect(o).toMatchObject({ status: 'refunded', refundedFen: 2_000, pointsClawed: 20 })
})

it('a lost refund notification is settled by reconciliation', async () => {
  const { buyer, orderId } = await paidOrder(5_000)
  const r = await m.admin.post(`/admin/v1/orders/${orderId}/refunds`, { amountFen: 5_000 })
  t.sandbox.refund.settle({ outRefundNo: r.body.outRefundNo, status: 'SUCCESS', deliver: false })
  t.clock.advance(6 * 60_000)
  const rep = await reconcilePayments(t.db, t.deps.pay, t.clock, { logger: createLogger('silent') })
  // (the refunds still processing from the test above are checked too; only this one changed)
  expect(rep).toMatchObject({ refundsUpdated: 1, errors: 0 })
  expect((await m.admin.get(`/admin/v1/orders/${orderId}`)).body).toMatchObject({ status: 'refunded', pointsClawed: 50 })
  expect((await buyer.api.get('/api/v1/points')).body.balance).toBe(0)
})

it('validation and security', async () => {
  const { orderId, buyer } = await paidOrder(100)
  expect((await m.admin.post(`/admin/v1/orders/${orderId}/refunds`, { amountFen: 0 })).status).toBe(400)
  expect((await m.admin.post(`/admin/v1/orders/${orderId}/refunds`, { amountFen: 1, reason: '很长'.repeat(20) })).status).toBe(400)
  expect((await client(t.url).post(`/admin/v1/orders/${orderId}/refunds`, { amountFen: 1 })).status).toBe(401)
  expect((await buyer.api.post(`/admin/v1/orders/${orderId}/refunds`, { amountFen: 1 })).status).toBe(403)
  const other = await seedPayMerchant(t)
  expect((await other.admin.post(`/admin/v1/orders/${orderId}/refunds`, { amountFen: 1 })).body.error.code).toBe('ORDER_NOT_FOUND')
  expect((await m.admin.post(`/admin/v1/orders/${crypto.randomUUID()}/refunds`, { amountFen: 1 })).body.error.code).toBe('ORDER_NOT_FOUND')
  const { rows } = await t.pool.query('select count(*)::int as n from refunds where order_id = $1', [orderId])
  expect(rows[0].n).toBe(0)
})
