/** Helpers shared by the payments integration tests (not a test file itself). */
import crypto from 'node:crypto'
import { encryptResource } from '../../../../tests/src/sandbox'
import { client, loginAs, type SeededPayMerchant, type TestApp } from '../../../../tests/src/support/harness'

export type Buyer = Awaited<ReturnType<typeof loginAs>>
export type PayParams = { timeStamp: string; nonceStr: string; package: string; signType: string; paySign: string }

let skuSeq = 0
export async function createProduct(m: SeededPayMerchant, priceFen: number, name = '测试商品') {
  const r = await m.admin.post('/admin/v1/products', { sku: `SKU-${++skuSeq}-${Date.now() % 100000}`, name, priceFen })
  if (r.status !== 201) throw new Error(`product: ${r.status} ${JSON.stringify(r.body)}`)
  return r.body as { id: string; sku: string; priceFen: number }
}

/** Order + prepay: returns the order and the wx.requestPayment parameters. */
export async function orderAndPay(buyer: Buyer, body: unknown) {
  const o = await buyer.api.post('/api/v1/orders', body)
  if (o.status !== 201) throw new Error(`order: ${o.status} ${JSON.stringify(o.body)}`)
  const p = await buyer.api.post(`/api/v1/orders/${o.body.id}/pay`)
  if (p.status !== 200) throw new Error(`pay: ${p.status} ${JSON.stringify(p.body)}`)
  return { order: o.body as { id: string; totalFen: number; status: string }, payment: p.body.payment as PayParams }
}

/** The payer confirms in the sandbox's cashier (wx.requestPayment success). */
export function confirm(t: TestApp, m: { appid: string }, payment: PayParams, deliver = true) {
  return t.sandbox.pay.confirm({ appId: m.appid, ...payment }, { deliver })
}

/** Waits until the sandbox has delivered (2xx) the notification with this id. */
export async function delivered(t: TestApp, notificationId: string) {
  return t.sandbox.deliveries.waitFor((d) => d.id === notificationId && (d.state === 'delivered' || d.state === 'failed'), 10_000)
}

export type SignOptions = { ts?: number; serial?: string; privateKeyPem?: string; signature?: string }

/** Headers WeChat would send with `body`, signed with the sandbox's platform key (public key by default). */
export function signNotification(t: TestApp, body: string, o: SignOptions = {}): Record<string, string> {
  const k = t.sandbox.platformKeyMaterial
  const ts = String(o.ts ?? Math.floor(Date.now() / 1000))
  const nonce = crypto.randomBytes(16).toString('hex')
  const signature = o.signature ?? crypto.sign('sha256', Buffer.from(`${ts}\n${nonce}\n${body}\n`), o.privateKeyPem ?? k.publicKeyPrivateKeyPem).toString('base64')
  return {
    'content-type': 'application/json',
    'wechatpay-timestamp': ts,
    'wechatpay-nonce': nonce,
    'wechatpay-signature': signature,
    'wechatpay-serial': o.serial ?? k.publicKeyId,
    'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048',
  }
}

/** A TRANSACTION.SUCCESS envelope for a plaintext, encrypted with an APIv3 key. */
export function transactionEnvelope(plaintext: Record<string, unknown>, apiV3Key: string, opts: { id?: string; aad?: string; envelopeAad?: string } = {}) {
  const resource = encryptResource(JSON.stringify(plaintext), apiV3Key, opts.aad ?? 'transaction')
  return {
    id: opts.id ?? crypto.randomUUID(),
    create_time: '2026-11-20T10:00:00+08:00',
    resource_type: 'encrypt-resource',
    event_type: 'TRANSACTION.SUCCESS',
    summary: '支付成功',
    resource: { original_type: 'transaction', ...resource, associated_data: opts.envelopeAad ?? resource.associated_data },
  }
}

export function transactionPlaintext(m: { appid: string; mchid: string }, outTradeNo: string, totalFen: number, openid: string, over: Record<string, unknown> = {}) {
  return {
    appid: m.appid,
    mchid: m.mchid,
    out_trade_no: outTradeNo,
    transaction_id: `4200${crypto.randomInt(10 ** 9)}${crypto.randomInt(10 ** 9)}`,
    trade_type: 'JSAPI',
    trade_state: 'SUCCESS',
    trade_state_desc: '支付成功',
    bank_type: 'OTHERS',
    attach: '',
    success_time: '2026-11-20T10:00:00+08:00',
    payer: { openid },
    amount: { total: totalFen, payer_total: totalFen, currency: 'CNY', payer_currency: 'CNY' },
    ...over,
  }
}

export async function postNotification(t: TestApp, body: string, headers: Record<string, string>) {
  return client(t.url).call('POST', '/wechat/pay/notify', body, headers)
}

/** The pending attempt's out_trade_no of an order (the API does not expose it). */
export async function outTradeNoOf(t: TestApp, orderId: string): Promise<string> {
  const { rows } = await t.pool.query("select out_trade_no from payment_attempts where order_id = $1 order by created_at desc limit 1", [orderId])
  return rows[0].out_trade_no
}

/** Ledger invariants of one account (points module): balance - debt == sum(amount); debt == sum(debt_change); never negative. */
export async function ledgerInvariants(t: TestApp, merchantId: string, userId: string) {
  const { rows } = await t.pool.query(
    `select a.balance, a.debt,
            (select coalesce(sum(amount), 0)::int from points_entries e where e.account_id = a.id) as sum_amount,
            (select coalesce(sum(debt_change), 0)::int from points_entries e where e.account_id = a.id) as sum_debt
       from points_accounts a where a.merchant_id = $1 and a.user_id = $2`,
    [merchantId, userId],
  )
  return rows[0] as { balance: number; debt: number; sum_amount: number; sum_debt: number } | undefined
}
