/**
 * Referee: independent WeChat Pay SDKs judge the sandbox, so it does not only agree with itself.
 * - wechatpay-axios-plugin@0.9.6 signs requests, verifies every response (signature and the
 *   ±300 s window, keyed by Wechatpay-Serial), verifies callbacks with Rsa.verify and decrypts
 *   them with Aes.AesGcm (which calls final(), so the tag is checked).
 * The plugin's `client.v3.pay…` property chain is typed as an index signature, which strict
 * indexing flags as possibly undefined, so the equivalent `client.chain('v3/…')` is used.
 * - wechatpay-node-v3 (what the server depends on) signs requests with a lowercase serial from
 *   @fidm/x509 and builds paySign for wx.requestPayment, which the sandbox must accept.
 */
import crypto from 'node:crypto';
import { Aes, Formatter, Rsa, Wechatpay } from 'wechatpay-axios-plugin';
import WxPay from 'wechatpay-node-v3';
import {
  APPID,
  OPENID,
  obj,
  postJson,
  registerMerchantFixture,
  startReceiver,
  startSandbox,
  type MerchantFixture,
  type Receiver,
  type RunningSandbox,
} from './test-support';
import type { SignMode } from './signer';

const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
});

async function setup(signMode: SignMode): Promise<{ running: RunningSandbox; merchant: MerchantFixture; receiver: Receiver; client: Wechatpay }> {
  const running = await startSandbox({ signMode });
  const merchant = registerMerchantFixture(running.sandbox, '1900000301');
  const receiver = await startReceiver();
  closers.push(() => running.sandbox.close(), () => receiver.close());
  const { platform } = running.sandbox;
  const certs: Record<string, string> = {};
  if (signMode !== 'publicKey') certs[platform.certificateSerial] = platform.certificatePem;
  if (signMode !== 'certificate') certs[platform.publicKeyId] = platform.publicKeyPem;
  const client = new Wechatpay({ mchid: merchant.mchid, serial: merchant.serial, privateKey: merchant.privateKeyPem, certs, baseURL: `${running.url}/` });
  return { running, merchant, receiver, client };
}

describe.each(['publicKey', 'certificate', 'mixed'] as const)('wechatpay-axios-plugin against the sandbox (%s mode)', (mode) => {
  it('prepay → pay → query → refund: every response passes the plugin\'s verifier; the callback verifies and decrypts', async () => {
    const { running, merchant, receiver, client } = await setup(mode);
    const outTradeNo = `REF${crypto.randomBytes(6).toString('hex')}`;
    const prepay = await client.chain('v3/pay/transactions/jsapi').post({
      appid: APPID,
      mchid: merchant.mchid,
      description: '思域 - 裁判测试',
      out_trade_no: outTradeNo,
      notify_url: receiver.url,
      amount: { total: 1, currency: 'CNY' },
      payer: { openid: OPENID },
    });
    expect(prepay.status).toBe(200);
    const prepayId = String(obj(prepay.data)['prepay_id']);

    // The mini-program's paySign, made with the plugin's own Rsa.sign.
    const timeStamp = String(Formatter.timestamp());
    const nonceStr = Formatter.nonce();
    const pkg = `prepay_id=${prepayId}`;
    const paySign = Rsa.sign(Formatter.joinedByLineFeed(APPID, timeStamp, nonceStr, pkg), merchant.privateKeyPem);
    const confirmed = await postJson(`${running.url}/__sim/pay/confirm`, { appId: APPID, timeStamp, nonceStr, package: pkg, signType: 'RSA', paySign });
    expect(obj(confirmed.json)['errMsg']).toBe('requestPayment:ok');

    const queried = await client.chain('v3/pay/transactions/out-trade-no/{out_trade_no}').get({ params: { mchid: merchant.mchid }, out_trade_no: outTradeNo });
    expect(obj(queried.data)['trade_state']).toBe('SUCCESS');

    const closed = await client.chain('v3/pay/transactions/out-trade-no/{out_trade_no}/close').post({ mchid: merchant.mchid }, { out_trade_no: outTradeNo }).catch((e: { response?: { status: number } }) => e.response);
    expect(closed?.status).toBe(400); // paid orders cannot be closed; error bodies are not verified by the plugin

    const refund = await client.chain('v3/refund/domestic/refunds').post({ out_trade_no: outTradeNo, out_refund_no: `R${outTradeNo}`, amount: { refund: 1, total: 1, currency: 'CNY' } });
    expect(obj(refund.data)['status']).toBe('PROCESSING');

    const delivery = await running.sandbox.deliveries.waitFor((d) => d.reference === outTradeNo && d.state === 'delivered');
    expect(delivery.eventType).toBe('TRANSACTION.SUCCESS');
    const callback = receiver.received[0];
    if (!callback) throw new Error('no callback');
    const serial = String(callback.headers['wechatpay-serial']);
    const publicKey = serial === running.sandbox.platform.publicKeyId ? running.sandbox.platform.publicKeyPem : running.sandbox.platform.certificatePem;
    const message = Formatter.response(String(callback.headers['wechatpay-timestamp']), String(callback.headers['wechatpay-nonce']), callback.body);
    expect(Rsa.verify(message, String(callback.headers['wechatpay-signature']), publicKey)).toBe(true);
    const resource = obj(obj(JSON.parse(callback.body))['resource']);
    const plaintext = Aes.AesGcm.decrypt(String(resource['ciphertext']), merchant.apiV3Key, String(resource['nonce']), String(resource['associated_data']));
    expect(obj(JSON.parse(plaintext))).toMatchObject({ out_trade_no: outTradeNo, trade_state: 'SUCCESS', payer: { openid: OPENID } });
    expect(() => Aes.AesGcm.decrypt(String(resource['ciphertext']), merchant.apiV3Key, String(resource['nonce']), 'tampered')).toThrow();
  });
});

describe('wechatpay-axios-plugin rejects what it should', () => {
  it('a response signed with a key it was not given fails verification (the sandbox signs for real)', async () => {
    const { running, merchant } = await setup('publicKey');
    const wrongKey = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const client = new Wechatpay({ mchid: merchant.mchid, serial: merchant.serial, privateKey: merchant.privateKeyPem, certs: { [running.sandbox.platform.publicKeyId]: wrongKey }, baseURL: `${running.url}/` });
    await expect(client.chain('v3/certificates').get()).rejects.toBeDefined();
    const body = { appid: APPID, mchid: merchant.mchid, description: 'x', out_trade_no: `X${Date.now()}`, notify_url: 'https://m.example.com/n', amount: { total: 1 }, payer: { openid: OPENID } };
    await expect(client.chain('v3/pay/transactions/jsapi').post(body)).rejects.toMatchObject({ name: 'AxiosError' });
  });

  it('GET /v3/certificates in certificate mode decrypts with Aes.AesGcm to the platform certificate', async () => {
    const { running, merchant, client } = await setup('certificate');
    const res = await client.chain('v3/certificates').get();
    const [entry] = obj(res.data)['data'] as Array<Record<string, unknown>>;
    const encrypted = obj(entry?.['encrypt_certificate']);
    const pem = Aes.AesGcm.decrypt(String(encrypted['ciphertext']), merchant.apiV3Key, String(encrypted['nonce']), String(encrypted['associated_data']));
    expect(pem).toBe(running.sandbox.platform.certificatePem);
  });
});

describe('wechatpay-node-v3 (the server\'s SDK) against the sandbox', () => {
  it('its Authorization (lowercase serial from @fidm/x509) is accepted and its paySign pays the order', async () => {
    const { running, merchant, receiver } = await setup('publicKey');
    const pay = new WxPay({
      appid: APPID,
      mchid: merchant.mchid,
      publicKey: Buffer.from(merchant.certificatePem),
      privateKey: Buffer.from(merchant.privateKeyPem),
      key: merchant.apiV3Key,
    });
    const rewrite = (url: string): string => url.replace('https://api.mch.weixin.qq.com', running.url);
    type Output = { status: number; data?: unknown; error?: unknown };
    const send = async (method: 'GET' | 'POST', url: string, headers: Record<string, string>, params?: unknown): Promise<Output> => {
      const res = await fetch(rewrite(url), { method, headers, ...(params === undefined ? {} : { body: JSON.stringify(params) }) });
      const text = await res.text();
      return res.ok ? { status: res.status, data: text === '' ? {} : (JSON.parse(text) as unknown) } : { status: res.status, error: text };
    };
    pay.createHttp({
      post: (url: string, params: Record<string, unknown>, headers: Record<string, string>) => send('POST', url, headers, params),
      get: (url: string, headers: Record<string, string>) => send('GET', url, headers),
      upload: () => Promise.reject(new Error('not used')),
    });
    const outTradeNo = `NV3${crypto.randomBytes(6).toString('hex')}`;
    const result = (await pay.transactions_jsapi({
      description: '思域 - SDK 测试',
      out_trade_no: outTradeNo,
      notify_url: receiver.url,
      amount: { total: 2 },
      payer: { openid: OPENID },
    })) as Output;
    expect(result.status).toBe(200);
    // transactions_jsapi hands back the wx.requestPayment params, paySign included.
    const payParams = obj(result.data);
    expect(payParams).toMatchObject({ appId: APPID, signType: 'RSA', package: expect.stringMatching(/^prepay_id=wx/) });
    const confirmed = await postJson(`${running.url}/__sim/pay/confirm`, payParams);
    expect(obj(confirmed.json)['errMsg']).toBe('requestPayment:ok');
    const queried = (await pay.query({ out_trade_no: outTradeNo })) as Output;
    expect(obj(queried.data)['trade_state']).toBe('SUCCESS');
  });
});
