import crypto from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import Pay from 'wechatpay-node-v3'
import { createSandbox, encryptResource, generateMerchantKeys, type Sandbox } from '../../../tests/src/sandbox'
import { isAppError } from '../http/errors'
import { createPayClient, isPayApiError, type PayMerchant } from './pay-client'
import { decryptResource } from './pay-verify'

/** The pay client against the sandbox: library-signed requests, our base URL, every answer verified. */

let sandbox: Sandbox
let url: string
let m: PayMerchant
const appid = 'wx_pay_client_test'

beforeAll(async () => {
  sandbox = createSandbox({ signMode: 'mixed' })
  url = await sandbox.listen(0)
  const mk = generateMerchantKeys('1900000001')
  const apiV3Key = crypto.randomBytes(16).toString('hex')
  sandbox.registerMerchant({ mchid: '1900000001', appids: [appid], merchantSerial: mk.serial, merchantPublicKeyPem: mk.certificatePem, apiV3Key })
  const p = sandbox.platform
  m = {
    appid,
    mchid: '1900000001',
    serial: mk.serial,
    privateKeyPem: mk.privateKeyPem,
    apiV3Key,
    wechatpayKeys: { [p.certificateSerial]: p.certificatePem, [p.publicKeyId]: p.publicKeyPem },
  }
})
afterAll(() => sandbox.close())

const prepayInput = (outTradeNo: string) => ({
  description: '测试',
  out_trade_no: outTradeNo,
  time_expire: new Date(Date.now() + 10 * 60_000 + 8 * 3600_000).toISOString().slice(0, 19) + '+08:00',
  notify_url: 'https://merchant.example.com/wechat/pay/notify',
  amount: { total: 100, currency: 'CNY' as const },
  payer: { openid: 'oPayClientTest0001' },
})

it('prepays, queries and closes through the sandbox (both signing keys in mixed mode), and signs requestPayment', async () => {
  const pay = createPayClient({ baseUrl: url })
  const no = `PC${crypto.randomBytes(8).toString('hex')}`
  const { prepayId } = await pay.prepayJsapi(m, prepayInput(no))
  expect(prepayId).toMatch(/^wx/)
  expect(await pay.queryByOutTradeNo(m, no)).toMatchObject({ out_trade_no: no, trade_state: 'NOTPAY', amount: { total: 100 } })
  await pay.closeOrder(m, no)
  expect((await pay.queryByOutTradeNo(m, no)).trade_state).toBe('CLOSED')
  const params = pay.requestPayment(m, prepayId)
  expect(params).toMatchObject({ appId: appid, signType: 'RSA', package: `prepay_id=${prepayId}` })
  // the sandbox cashier accepts the signature (it verifies paySign with the merchant certificate)
  const other = `PC${crypto.randomBytes(8).toString('hex')}`
  const fresh = await pay.prepayJsapi(m, prepayInput(other))
  expect(sandbox.pay.confirm(pay.requestPayment(m, fresh.prepayId)).errMsg).toBe('requestPayment:ok')
})

it("WeChat's verified error answers become PayApiError with WeChat's code", async () => {
  const pay = createPayClient({ baseUrl: url })
  const e = await pay.queryByOutTradeNo(m, 'PNOSUCHORDER01').catch((x: unknown) => x)
  expect(isPayApiError(e) && e.status === 404 && e.code === 'ORDER_NOT_EXIST').toBe(true)
})

it('an answer whose signature does not verify is never trusted (unknown key, or a forged/modified answer)', async () => {
  const pay = createPayClient({ baseUrl: url })
  const noKeys = { ...m, wechatpayKeys: {} }
  const e = await pay.queryByOutTradeNo(noKeys, 'PNOSUCHORDER02').catch((x: unknown) => x)
  expect(isAppError(e) && e.code === 'WECHAT_UNAVAILABLE' && (e.details as { detail: string }).detail === 'unknown_serial').toBe(true)

  // a man in the middle answering "SUCCESS" with a signature over other bytes
  const fake = http.createServer((_req, res) => {
    res.setHeader('content-type', 'application/json')
    res.setHeader('wechatpay-serial', sandbox.platform.publicKeyId)
    res.setHeader('wechatpay-timestamp', String(Math.floor(Date.now() / 1000)))
    res.setHeader('wechatpay-nonce', 'abc')
    res.setHeader('wechatpay-signature', crypto.randomBytes(256).toString('base64'))
    res.end(JSON.stringify({ out_trade_no: 'X', trade_state: 'SUCCESS' }))
  })
  await new Promise<void>((r) => fake.listen(0, '127.0.0.1', () => r()))
  try {
    const mitm = createPayClient({ baseUrl: `http://127.0.0.1:${(fake.address() as AddressInfo).port}` })
    const f = await mitm.queryByOutTradeNo(m, 'X123456').catch((x: unknown) => x)
    expect(isAppError(f) && (f.details as { detail: string }).detail).toBe('bad_signature')
  } finally {
    fake.close()
  }
})

it('rejects a base URL with a path (the library signs only the path of the real host)', () => {
  expect(() => createPayClient({ baseUrl: 'http://127.0.0.1:1/prefix' })).toThrow()
})

it("why we decrypt ourselves: the library's decipher_gcm returns plaintext for a wrong associated_data; ours refuses", () => {
  const key = 'abcdefghijklmnopqrstuvwxyz012345'
  const r = encryptResource(JSON.stringify({ amount: { total: 1 } }), key, 'transaction')
  const lib = new Pay({ appid, mchid: '1', serial_no: 'x', publicKey: Buffer.from('x'), privateKey: Buffer.from('x'), key })
  expect(lib.decipher_gcm(r.ciphertext, 'refund', r.nonce, key)).toEqual({ amount: { total: 1 } })
  expect(() => decryptResource({ ...r, associated_data: 'refund' }, key)).toThrow()
})
