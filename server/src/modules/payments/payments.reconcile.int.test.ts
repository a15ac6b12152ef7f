import { createLogger } from '../../logger'
import { loginAs, seedPayMerchant, startTestApp, type SeededPayMerchant, type TestApp } from '../../../../tests/src/support/harness'
import { runExclusive } from '../jobs/jobs.service'
import { paymentsReconcileJob, reconcilePayments } from './payments.reconcile'
import { confirm, createProduct, orderAndPay, outTradeNoOf, postNotification, signNotification } from './payments.test-support'

/** Reconciliation: a lost callback never loses a payment; unpaid orders close after their TTL. */

let t: TestApp
let m: SeededPayMerchant
const logger = createLogger('silent')
const MIN = 60_000
const reconcile = () => reconcilePayments(t.db, t.deps.pay, t.clock, { logger })

beforeAll(async () => {
  t = await startTestApp()
  m = await seedPayMerchant(t)
})
afterAll(() => t.close())
afterEach(() => t.clock.reset())

it('lost callback: the sandbox delivers nothing; reconciliation settles the order; the late callback changes nothing', async () => {
  const p = await createProduct(m, 5000)
  const buyer = await loginAs(t, m)
  const { order, payment } = await orderAndPay(buyer, { items: [{ sku: p.sku, qty: 1 }] })
  const paid = confirm(t, m, payment, false)
  expect(t.sandbox.deliveries.list().find((d) => d.id === paid.notification_id)!.state).toBe('suppressed')

  // younger than 5 minutes: left alone (its callback may still come)
  expect(await reconcile()).toMatchObject({ attemptsChecked: 0, settled: 0 })
  t.clock.advance(6 * MIN)
  expect(await reconcile()).toMatchObject({ attemptsChecked: 1, settled: 1, errors: 0 })

  const o = (await buyer.api.get(`/api/v1/orders/${order.id}`)).body
  expect(o).toMatchObject({ status: 'paid', paidFen: 5000, pointsEarned: 50 })
  expect((await buyer.api.get('/api/v1/points')).body.balance).toBe(50)
  expect((await m.admin.get(`/admin/v1/users/${buyer.user.id}`)).body.stage).toBe('customer')
  expect((await m.admin.get(`/admin/v1/orders/${order.id}`)).body.transactionId).toBe(paid.transaction_id)

  // WeChat's retry finally arrives: acknowledged, recorded as a duplicate, no second earn
  const body = t.sandbox.deliveries.list().find((d) => d.id === paid.notification_id)!.body
  expect((await postNotification(t, body, signNotification(t, body))).status).toBe(204)
  const n = await t.pool.query('select outcome from payment_notifications where notification_id = $1', [paid.notification_id])
  expect(n.rows).toEqual([{ outcome: 'duplicate' }])
  const e = await t.pool.query('select count(*)::int as n from points_entries where user_id = $1', [buyer.user.id])
  expect(e.rows[0].n).toBe(1)
  // and a second run finds nothing left to do
  expect(await reconcile()).toMatchObject({ attemptsChecked: 0 })
})

it('unpaid orders close after 15 minutes: closed at WeChat first, then locally; the cashier then refuses', async () => {
  const p = await createProduct(m, 300)
  const buyer = await loginAs(t, m)
  const withAttempt = await orderAndPay(buyer, { items: [{ sku: p.sku, qty: 1 }] })
  const noAttempt = (await buyer.api.post('/api/v1/orders', { items: [{ sku: p.sku, qty: 1 }] })).body

  t.clock.advance(10 * MIN)
  const early = await reconcile()
  expect(early).toMatchObject({ attemptsChecked: 1, stillPending: 1, ordersClosed: 0 })

  t.clock.advance(6 * MIN)
  const r = await reconcile()
  expect(r).toMatchObject({ attemptsChecked: 1, attemptsClosed: 1, ordersClosed: 1, errors: 0 })
  for (const id of [withAttempt.order.id, noAttempt.id]) {
    expect((await buyer.api.get(`/api/v1/orders/${id}`)).body).toMatchObject({ status: 'closed' })
  }
  const a = await t.pool.query('select status from payment_attempts where order_id = $1', [withAttempt.order.id])
  expect(a.rows).toEqual([{ status: 'closed' }])
  expect(() => confirm(t, m, withAttempt.payment)).toThrow()
  expect((await buyer.api.post(`/api/v1/orders/${withAttempt.order.id}/pay`)).body.error.code).toBe('ORDER_CLOSED')
})

it('an expired order that WeChat reports paid (paid at the last moment, callback lost) is settled, not closed', async () => {
  const p = await createProduct(m, 800)
  const buyer = await loginAs(t, m)
  const { order, payment } = await orderAndPay(buyer, { items: [{ sku: p.sku, qty: 1 }] })
  confirm(t, m, payment, false)
  t.clock.advance(20 * MIN)
  expect(await reconcile()).toMatchObject({ settled: 1, ordersClosed: 0 })
  expect((await buyer.api.get(`/api/v1/orders/${order.id}`)).body.status).toBe('paid')
})

it('runs under the advisory lock as a scheduled job and records the run', async () => {
  const job = paymentsReconcileJob(t.deps.pay, { orderTtlMs: 15 * MIN, pendingAfterMs: 5 * MIN })
  const r = await runExclusive(t.db, job.name, () => job.run({ db: t.db, clock: t.clock, logger }))
  expect(r.status).toBe('succeeded')
  const runs = await t.pool.query("select status from job_runs where job = 'payments-reconcile'")
  expect(runs.rows.at(-1)).toEqual({ status: 'succeeded' })
})

it('a notification arriving while reconciliation settles the same payment: settled once', async () => {
  const p = await createProduct(m, 1000)
  const buyer = await loginAs(t, m)
  const { order, payment } = await orderAndPay(buyer, { items: [{ sku: p.sku, qty: 1 }] })
  const paid = confirm(t, m, payment, false)
  const body = t.sandbox.deliveries.list().find((d) => d.id === paid.notification_id)!.body
  t.clock.advance(6 * MIN)
  const [rec, ...notes] = await Promise.all([reconcile(), ...Array.from({ length: 4 }, () => postNotification(t, body, signNotification(t, body)))])
  expect(rec.errors).toBe(0)
  expect(notes.map((n) => n.status)).toEqual([204, 204, 204, 204])
  const e = await t.pool.query('select count(*)::int as n from points_entries where user_id = $1', [buyer.user.id])
  expect(e.rows[0].n).toBe(1)
  expect((await buyer.api.get(`/api/v1/orders/${order.id}`)).body).toMatchObject({ status: 'paid', pointsEarned: 10 })
  expect(await outTradeNoOf(t, order.id)).toBe(paid.out_trade_no)
})
