import crypto from 'node:crypto'
import { loginAs, seedPayMerchant, startTestApp, type SeededPayMerchant, type TestApp } from '../../../../tests/src/support/harness'
import {
  confirm,
  createProduct,
  delivered,
  orderAndPay,
  outTradeNoOf,
  postNotification,
  signNotification,
  transactionEnvelope,
  transactionPlaintext,
  type Buyer,
} from './payments.test-support'

/** WeChat Pay notifications: forged or tampered ones change nothing; a real one settles exactly once. */

let t: TestApp
let m: SeededPayMerchant
beforeAll(async () => {
  t = await startTestApp()
  m = await seedPayMerchant(t)
})
afterAll(() => t.close())

async function stateOf(orderId: string, userId: string) {
  const o = await t.pool.query('select status, paid_fen, points_earned from orders where id = $1', [orderId])
  const n = await t.pool.query('select count(*)::int as n from payment_notifications where merchant_id = $1', [m.merchantId])
  const e = await t.pool.query('select count(*)::int as n from points_entries where user_id = $1', [userId])
  const s = await t.pool.query('select stage from users where id = $1', [userId])
  return { order: o.rows[0], notifications: n.rows[0].n, entries: e.rows[0].n, stage: s.rows[0].stage }
}

describe('rejected with no state change', () => {
  let buyer: Buyer
  let orderId: string
  let outTradeNo: string
  const total = 4321
  const plain = (over: Record<string, unknown> = {}) => transactionPlaintext(m, outTradeNo, total, buyer.openid, over)

  beforeAll(async () => {
    const p = await createProduct(m, total)
    buyer = await loginAs(t, m)
    const r = await orderAndPay(buyer, { items: [{ sku: p.sku, qty: 1 }] })
    orderId = r.order.id
    outTradeNo = await outTradeNoOf(t, orderId)
  })

  const cases: [string, number, string, () => { body: string; headers: Record<string, string> }][] = [
    [
      'forged signature (another RSA key under the real serial)',
      401,
      'PAY_NOTIFY_SIGNATURE_INVALID',
      () => {
        const body = JSON.stringify(transactionEnvelope(plain(), m.apiV3Key))
        const forger = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
        return { body, headers: signNotification(t, body, { privateKeyPem: forger }) }
      },
    ],
    [
      'unknown serial',
      401,
      'PAY_NOTIFY_SIGNATURE_INVALID',
      () => {
        const body = JSON.stringify(transactionEnvelope(plain(), m.apiV3Key))
        return { body, headers: signNotification(t, body, { serial: 'PUB_KEY_ID_0114999999999999999999' }) }
      },
    ],
    [
      'body changed after signing',
      401,
      'PAY_NOTIFY_SIGNATURE_INVALID',
      () => {
        const body = JSON.stringify(transactionEnvelope(plain(), m.apiV3Key))
        return { body: body.replace('"summary":"支付成功"', '"summary":"支付成功 "'), headers: signNotification(t, body) }
      },
    ],
    [
      'tampered ciphertext (validly signed)',
      400,
      'PAY_NOTIFY_DECRYPT_FAILED',
      () => {
        const env = transactionEnvelope(plain(), m.apiV3Key)
        const ct = Buffer.from(env.resource.ciphertext, 'base64')
        ct[3] = ct[3]! ^ 0x01
        env.resource.ciphertext = ct.toString('base64')
        const body = JSON.stringify(env)
        return { body, headers: signNotification(t, body) }
      },
    ],
    [
      'tampered tag (validly signed)',
      400,
      'PAY_NOTIFY_DECRYPT_FAILED',
      () => {
        const env = transactionEnvelope(plain(), m.apiV3Key)
        const ct = Buffer.from(env.resource.ciphertext, 'base64')
        ct[ct.length - 1] = ct[ct.length - 1]! ^ 0x80
        env.resource.ciphertext = ct.toString('base64')
        const body = JSON.stringify(env)
        return { body, headers: signNotification(t, body) }
      },
    ],
    [
      'wrong associated data (validly signed)',
      400,
      'PAY_NOTIFY_DECRYPT_FAILED',
      () => {
        const body = JSON.stringify(transactionEnvelope(plain(), m.apiV3Key, { envelopeAad: 'refund' }))
        return { body, headers: signNotification(t, body) }
      },
    ],
    [
      'encrypted under another APIv3 key',
      400,
      'PAY_NOTIFY_DECRYPT_FAILED',
      () => {
        const body = JSON.stringify(transactionEnvelope(plain(), 'ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ'))
        return { body, headers: signNotification(t, body) }
      },
    ],
    [
      'timestamp older than 5 minutes',
      401,
      'PAY_NOTIFY_SIGNATURE_INVALID',
      () => {
        const body = JSON.stringify(transactionEnvelope(plain(), m.apiV3Key))
        return { body, headers: signNotification(t, body, { ts: Math.floor(Date.now() / 1000) - 301 }) }
      },
    ],
    [
      'amount differs from ours',
      400,
      'PAY_NOTIFY_MISMATCH',
      () => {
        const body = JSON.stringify(transactionEnvelope(plain({ amount: { total: 1, payer_total: 1, currency: 'CNY' } }), m.apiV3Key))
        return { body, headers: signNotification(t, body) }
      },
    ],
    [
      "another merchant's mchid",
      400,
      'PAY_NOTIFY_MISMATCH',
      () => {
        const body = JSON.stringify(transactionEnvelope(plain({ mchid: '1999999999' }), m.apiV3Key))
        return { body, headers: signNotification(t, body) }
      },
    ],
    [
      'another appid',
      400,
      'PAY_NOTIFY_MISMATCH',
      () => {
        const body = JSON.stringify(transactionEnvelope(plain({ appid: 'wx_someone_else' }), m.apiV3Key))
        return { body, headers: signNotification(t, body) }
      },
    ],
    [
      'unknown out_trade_no',
      404,
      'PAY_NOTIFY_UNKNOWN_ORDER',
      () => {
        const body = JSON.stringify(transactionEnvelope(plain({ out_trade_no: 'PNOSUCHATTEMPT0000000000' }), m.apiV3Key))
        return { body, headers: signNotification(t, body) }
      },
    ],
    [
      'trade_state other than SUCCESS',
      400,
      'PAY_NOTIFY_MISMATCH',
      () => {
        const body = JSON.stringify(transactionEnvelope(plain({ trade_state: 'NOTPAY' }), m.apiV3Key))
        return { body, headers: signNotification(t, body) }
      },
    ],
    [
      'probe signature (WECHATPAY/SIGNTEST/)',
      401,
      'PAY_NOTIFY_SIGNATURE_INVALID',
      () => {
        const body = JSON.stringify(transactionEnvelope(plain(), m.apiV3Key))
        return { body, headers: signNotification(t, body, { signature: `WECHATPAY/SIGNTEST/${crypto.randomBytes(256).toString('base64')}` }) }
      },
    ],
    [
      'missing signature headers',
      401,
      'PAY_NOTIFY_SIGNATURE_INVALID',
      () => {
        const body = JSON.stringify(transactionEnvelope(plain(), m.apiV3Key))
        return { body, headers: { 'content-type': 'application/json' } }
      },
    ],
  ]

  it.each(cases)('%s → %i %s', async (_name, status, code, make) => {
    const before = await stateOf(orderId, buyer.user.id)
    const { body, headers } = make()
    const r = await postNotification(t, body, headers)
    expect(r.status).toBe(status)
    expect(r.body).toEqual({ code, message: expect.any(String) })
    expect(await stateOf(orderId, buyer.user.id)).toEqual(before)
    expect(before.order.status).toBe('created')
  })

  it('…and the same notification, correctly made, is accepted (so each rejection above is about its one defect)', async () => {
    const body = JSON.stringify(transactionEnvelope(plain(), m.apiV3Key))
    const r = await postNotification(t, body, signNotification(t, body))
    expect(r.status).toBe(204)
    expect((await stateOf(orderId, buyer.user.id)).order).toEqual({ status: 'paid', paid_fen: total, points_earned: 43 })
  })
})

describe('idempotency', () => {
  it('the same callback delivered 10 times in parallel settles once', async () => {
    const p = await createProduct(m, 10_000)
    const buyer = await loginAs(t, m)
    const { order, payment } = await orderAndPay(buyer, { items: [{ sku: p.sku, qty: 1 }] })
    // The sandbox marks it paid but "loses" the callback; we deliver its exact body ourselves, 10 at once.
    const paid = confirm(t, m, payment, false)
    const body = t.sandbox.deliveries.list().find((d) => d.id === paid.notification_id)!.body
    const headers = signNotification(t, body)
    const replies = await Promise.all(Array.from({ length: 10 }, () => postNotification(t, body, headers)))
    expect(replies.map((r) => r.status)).toEqual(Array(10).fill(204))
    const s = await stateOf(order.id, buyer.user.id)
    expect(s.order).toEqual({ status: 'paid', paid_fen: 10_000, points_earned: 100 })
    expect(s.entries).toBe(1)
    const n = await t.pool.query('select outcome from payment_notifications where notification_id = $1', [paid.notification_id])
    expect(n.rows).toEqual([{ outcome: 'settled' }])
    expect((await buyer.api.get('/api/v1/points')).body.balance).toBe(100)
    const tr = await t.pool.query("select count(*)::int as n from funnel_transitions where user_id = $1 and to_stage = 'customer'", [buyer.user.id])
    expect(tr.rows[0].n).toBe(1)
  })

  it('a second notification id for the same payment changes nothing (outcome duplicate)', async () => {
    const p = await createProduct(m, 700)
    const buyer = await loginAs(t, m)
    const { order, payment } = await orderAndPay(buyer, { items: [{ sku: p.sku, qty: 1 }] })
    const paid = confirm(t, m, payment)
    await delivered(t, paid.notification_id)
    const again = t.sandbox.deliveries.list().find((d) => d.id === paid.notification_id)!.body.replace(paid.notification_id, crypto.randomUUID())
    expect((await postNotification(t, again, signNotification(t, again))).status).toBe(204)
    const s = await stateOf(order.id, buyer.user.id)
    expect(s.entries).toBe(1)
    const outcomes = await t.pool.query("select outcome from payment_notifications where reference = $1 order by id", [paid.out_trade_no])
    expect(outcomes.rows.map((r) => r.outcome)).toEqual(['settled', 'duplicate'])
  })

  it('money for an order closed meanwhile is recorded and flagged for review, never lost', async () => {
    const p = await createProduct(m, 900)
    const buyer = await loginAs(t, m)
    const { order } = await orderAndPay(buyer, { items: [{ sku: p.sku, qty: 1 }] })
    const outTradeNo = await outTradeNoOf(t, order.id)
    // simulate a local close racing a late payment
    await t.pool.query("update payment_attempts set status = 'closed' where order_id = $1", [order.id])
    await t.pool.query("update orders set status = 'closed', closed_at = now() where id = $1", [order.id])
    const body = JSON.stringify(transactionEnvelope(transactionPlaintext(m, outTradeNo, 900, buyer.openid), m.apiV3Key))
    expect((await postNotification(t, body, signNotification(t, body))).status).toBe(204)
    const o = (await m.admin.get(`/admin/v1/orders/${order.id}`)).body
    expect(o).toMatchObject({ status: 'closed', needsReview: true, reviewReason: 'paid_after_close' })
    const a = await t.pool.query('select status, transaction_id from payment_attempts where order_id = $1', [order.id])
    expect(a.rows[0].status).toBe('paid')
    expect((await m.admin.get('/admin/v1/orders?needsReview=true')).body.items.map((x: { id: string }) => x.id)).toContain(order.id)
  })
})
