import { loginAs, seedPayMerchant, startTestApp, type TestApp } from '../../../../tests/src/support/harness'
import { confirm, createProduct, delivered, orderAndPay } from './payments.test-support'

/**
 * WeChat signs responses and callbacks with the platform certificate (hex serial), the WeChat Pay
 * public key (PUB_KEY_ID_…), or, during the 7-day migration, either. Each mode must work end to end
 * (prepay and query answers verified, notifications accepted), with only the keys that mode needs.
 */
describe.each([
  ['certificate', 'certificate'],
  ['publicKey', 'publicKey'],
  ['mixed', 'both'],
] as const)('sign mode %s (merchant holds: %s)', (signMode, keys) => {
  let t: TestApp
  beforeAll(async () => {
    // probeRate 1: every real delivery is preceded by a WECHATPAY/SIGNTEST/ probe, which must be refused.
    t = await startTestApp({ sandbox: { signMode, probeRate: 1 } })
  })
  afterAll(() => t.close())

  it('pays and settles; probes are never acknowledged', async () => {
    const m = await seedPayMerchant(t, { keys })
    const p = await createProduct(m, 2000)
    const buyer = await loginAs(t, m)
    // mixed mode alternates keys per message: three payments see both kinds on answers and callbacks
    for (let i = 0; i < 3; i++) {
      const { order, payment } = await orderAndPay(buyer, { items: [{ sku: p.sku, qty: 1 }] })
      const d = await delivered(t, confirm(t, m, payment).notification_id)
      expect(d.state).toBe('delivered')
      expect(d.probeAccepted).toBe(false)
      expect(d.attempts.filter((a) => a.probe).map((a) => a.status)).toEqual([401])
      expect((await buyer.api.get(`/api/v1/orders/${order.id}`)).body.status).toBe('paid')
    }
    expect((await buyer.api.get('/api/v1/points')).body.balance).toBe(60)
  })

  if (signMode !== 'mixed') {
    it('a merchant holding only the other key rejects the callback (401) and the sandbox retries', async () => {
      const m = await seedPayMerchant(t, { keys: signMode === 'certificate' ? 'publicKey' : 'certificate' })
      const p = await createProduct(m, 100)
      const buyer = await loginAs(t, m)
      // its prepay answer cannot be verified either: the payment never starts
      const o = (await buyer.api.post('/api/v1/orders', { items: [{ sku: p.sku, qty: 1 }] })).body
      const r = await buyer.api.post(`/api/v1/orders/${o.id}/pay`)
      expect(r.status).toBe(503)
      expect(r.body.error).toMatchObject({ code: 'WECHAT_UNAVAILABLE', details: { reason: 'response_signature_invalid', detail: 'unknown_serial' } })
    })
  }
})
