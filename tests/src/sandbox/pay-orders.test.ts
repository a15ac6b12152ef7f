/** JSAPI prepay, query, close, the payer's confirm/cancel/fail, refunds and /v3/certificates (§2.4–§2.8). */
import crypto from 'node:crypto';
import { rfc3339Cst } from './clock';
import { createPaySign, decryptResource } from './crypto';
import { generateMerchantKeys } from './keys';
import {
  APPID,
  OPENID,
  createOrder,
  obj,
  postJson,
  registerMerchantFixture,
  startSandbox,
  v3Request,
  verifiedBy,
  type MerchantFixture,
  type RunningSandbox,
} from './test-support';

let running: RunningSandbox;
let merchant: MerchantFixture;

beforeAll(async () => {
  running = await startSandbox({ signMode: 'certificate' });
  merchant = registerMerchantFixture(running.sandbox, '1900000101');
});
afterAll(() => running.sandbox.close());
afterEach(() => running.sandbox.setClockOffset(0));

const JSAPI = '/v3/pay/transactions/jsapi';
const prepayBody = (over: Record<string, unknown> = {}) => ({
  appid: APPID,
  mchid: merchant.mchid,
  description: '思域会员 - 积分充值',
  out_trade_no: `O${crypto.randomBytes(8).toString('hex')}`,
  notify_url: 'https://merchant.example.com/wechat/pay/notify',
  amount: { total: 990, currency: 'CNY' },
  payer: { openid: OPENID },
  ...over,
});
const query = (outTradeNo: string) => v3Request(running.url, merchant, 'GET', `/v3/pay/transactions/out-trade-no/${outTradeNo}?mchid=${merchant.mchid}`);

describe('POST /v3/pay/transactions/jsapi', () => {
  it('returns a signed {prepay_id} in WeChat\'s format', async () => {
    const res = await v3Request(running.url, merchant, 'POST', JSAPI, prepayBody());
    expect(res.status).toBe(200);
    expect(Object.keys(obj(res.json))).toEqual(['prepay_id']);
    expect(obj(res.json)['prepay_id']).toMatch(/^wx\d{14}[0-9a-f]{20}$/);
    expect(verifiedBy(running.sandbox, res.headers, res.text)).toBe(true);
  });

  it('same out_trade_no + same parameters: a fresh prepay_id for the same order; different parameters: 400 INVALID_REQUEST 201', async () => {
    const body = prepayBody();
    const first = obj((await v3Request(running.url, merchant, 'POST', JSAPI, body)).json)['prepay_id'];
    const again = await v3Request(running.url, merchant, 'POST', JSAPI, { ...body });
    expect(again.status).toBe(200);
    expect(obj(again.json)['prepay_id']).not.toBe(first);
    const changed = await v3Request(running.url, merchant, 'POST', JSAPI, { ...body, amount: { total: 1 } });
    expect(changed.status).toBe(400);
    expect(changed.json).toEqual({ code: 'INVALID_REQUEST', message: '201 商户订单号重复' });
  });

  it.each([
    ['description missing', { description: undefined }, 'description'],
    ['description over 127 UTF-8 bytes (43 CJK chars)', { description: '积'.repeat(43) }, 'description'],
    ['out_trade_no too short', { out_trade_no: 'A1' }, 'out_trade_no'],
    ['out_trade_no with a bad character', { out_trade_no: 'ORDER#000001' }, 'out_trade_no'],
    ['notify_url with a query', { notify_url: 'https://m.example.com/notify?a=1' }, 'notify_url'],
    ['notify_url not a URL', { notify_url: 'notify' }, 'notify_url'],
    ['amount.total zero', { amount: { total: 0 } }, 'amount.total'],
    ['amount.total not an integer', { amount: { total: 9.9 } }, 'amount.total'],
    ['currency other than CNY', { amount: { total: 1, currency: 'USD' } }, 'amount.currency'],
    ['payer.openid missing', { payer: {} }, 'payer.openid'],
    ['attach over 128 bytes', { attach: 'x'.repeat(129) }, 'attach'],
    ['time_expire not RFC 3339', { time_expire: '2030-01-01 00:00:00' }, 'time_expire'],
  ])('400 PARAM_ERROR: %s', async (_name, over, field) => {
    const res = await v3Request(running.url, merchant, 'POST', JSAPI, prepayBody(over));
    expect(res.status).toBe(400);
    const body = obj(res.json);
    expect(body['code']).toBe('PARAM_ERROR');
    expect(body['message']).toContain(`/body/${field}`);
    expect(verifiedBy(running.sandbox, res.headers, res.text)).toBe(true);
  });

  it('400 APPID_MCHID_NOT_MATCH for an appid not bound to the merchant; PARAM_ERROR when body mchid is not the signer', async () => {
    const unbound = await v3Request(running.url, merchant, 'POST', JSAPI, prepayBody({ appid: 'wx0000000000000000' }));
    expect(unbound.status).toBe(400);
    expect(obj(unbound.json)['code']).toBe('APPID_MCHID_NOT_MATCH');
    const mismatch = await v3Request(running.url, merchant, 'POST', JSAPI, prepayBody({ mchid: '1900000999' }));
    expect(mismatch.status).toBe(400);
    expect(obj(mismatch.json)['code']).toBe('PARAM_ERROR');
  });

  it('time_expire must be ≥ 1 minute ahead; 400 PARAM_ERROR for a non-JSON body', async () => {
    const soon = await v3Request(running.url, merchant, 'POST', JSAPI, prepayBody({ time_expire: rfc3339Cst(Date.now() + 30_000) }));
    expect(obj(soon.json)['code']).toBe('INVALID_REQUEST');
    const ok = await v3Request(running.url, merchant, 'POST', JSAPI, prepayBody({ time_expire: rfc3339Cst(Date.now() + 3600_000) }));
    expect(ok.status).toBe(200);
    const garbage = await v3Request(running.url, merchant, 'POST', JSAPI, 'appid=wx');
    expect(garbage.status).toBe(400);
    expect(obj(garbage.json)['code']).toBe('PARAM_ERROR');
  });
});

describe('query, pay, close', () => {
  it('NOTPAY before payment: no transaction_id, no payer; 404 by an unknown transaction id', async () => {
    const { outTradeNo } = await createOrder(running, merchant, { attach: 'member=42' });
    const res = await query(outTradeNo);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      amount: { payer_currency: 'CNY', total: 100 },
      appid: APPID,
      mchid: merchant.mchid,
      out_trade_no: outTradeNo,
      promotion_detail: [],
      scene_info: { device_id: '' },
      trade_state: 'NOTPAY',
      trade_state_desc: '订单未支付',
    });
    expect(verifiedBy(running.sandbox, res.headers, res.text)).toBe(true);
    const byId = await v3Request(running.url, merchant, 'GET', `/v3/pay/transactions/id/4200000000000000000000000000?mchid=${merchant.mchid}`);
    expect(byId.status).toBe(404);
    expect(obj(byId.json)['code']).toBe('ORDER_NOT_EXIST');
  });

  it('after the payer confirms: SUCCESS with payer, amounts, success_time (+08:00) and transaction_id, also by id', async () => {
    const { outTradeNo, payParams } = await createOrder(running, merchant, { attach: 'member=42' });
    const confirmed = running.sandbox.pay.confirm(payParams);
    expect(confirmed.errMsg).toBe('requestPayment:ok');
    const body = obj((await query(outTradeNo)).json);
    expect(body).toMatchObject({
      trade_state: 'SUCCESS',
      trade_state_desc: '支付成功',
      trade_type: 'JSAPI',
      bank_type: 'OTHERS',
      attach: 'member=42',
      payer: { openid: OPENID },
      amount: { total: 100, payer_total: 100, currency: 'CNY', payer_currency: 'CNY' },
      transaction_id: confirmed.transaction_id,
    });
    expect(body['success_time']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
    expect(confirmed.transaction_id).toMatch(/^4200\d{24}$/);
    const byId = await v3Request(running.url, merchant, 'GET', `/v3/pay/transactions/id/${confirmed.transaction_id}?mchid=${merchant.mchid}`);
    expect(byId.json).toEqual(body);
  });

  it('another merchant cannot see the order (404), and mchid is required in the query', async () => {
    const { outTradeNo } = await createOrder(running, merchant);
    const stranger = registerMerchantFixture(running.sandbox, '1900000102');
    const res = await v3Request(running.url, stranger, 'GET', `/v3/pay/transactions/out-trade-no/${outTradeNo}?mchid=${stranger.mchid}`);
    expect(res.status).toBe(404);
    const noMchid = await v3Request(running.url, merchant, 'GET', `/v3/pay/transactions/out-trade-no/${outTradeNo}`);
    expect(noMchid.status).toBe(400);
    expect(obj(noMchid.json)['code']).toBe('PARAM_ERROR');
  });

  it('close: 204 with a signed empty body; CLOSED; the number can never be reused; paying it fails', async () => {
    const { outTradeNo, payParams } = await createOrder(running, merchant);
    const closed = await v3Request(running.url, merchant, 'POST', `/v3/pay/transactions/out-trade-no/${outTradeNo}/close`, { mchid: merchant.mchid });
    expect(closed.status).toBe(204);
    expect(closed.text).toBe('');
    expect(verifiedBy(running.sandbox, closed.headers, '')).toBe(true);
    expect(obj((await query(outTradeNo)).json)).toMatchObject({ trade_state: 'CLOSED', trade_state_desc: '订单已关闭' });
    const again = await v3Request(running.url, merchant, 'POST', `/v3/pay/transactions/out-trade-no/${outTradeNo}/close`, { mchid: merchant.mchid });
    expect(again.status).toBe(204);
    const reuse = await v3Request(running.url, merchant, 'POST', JSAPI, prepayBody({ out_trade_no: outTradeNo, amount: { total: 100, currency: 'CNY' } }));
    expect(obj(reuse.json)['message']).toBe('201 商户订单号重复');
    expect(() => running.sandbox.pay.confirm(payParams)).toThrow(/已关闭/);
  });

  it('close: 404 for an unknown order, 400 ORDERPAID for a paid one, PARAM_ERROR without mchid', async () => {
    const unknown = await v3Request(running.url, merchant, 'POST', '/v3/pay/transactions/out-trade-no/NOPE0000/close', { mchid: merchant.mchid });
    expect(unknown.status).toBe(404);
    const { outTradeNo, payParams } = await createOrder(running, merchant);
    running.sandbox.pay.confirm(payParams);
    const paid = await v3Request(running.url, merchant, 'POST', `/v3/pay/transactions/out-trade-no/${outTradeNo}/close`, { mchid: merchant.mchid });
    expect(paid.status).toBe(400);
    expect(obj(paid.json)['code']).toBe('ORDERPAID');
    const noMchid = await v3Request(running.url, merchant, 'POST', `/v3/pay/transactions/out-trade-no/${outTradeNo}/close`, {});
    expect(obj(noMchid.json)['code']).toBe('PARAM_ERROR');
  });
});

describe('the payer: /__sim/pay/confirm | cancel | fail (wx.requestPayment parameters)', () => {
  const hook = (action: string, body: unknown) => postJson(`${running.url}/__sim/pay/${action}`, body);

  it('confirm over HTTP verifies paySign and answers like wx.requestPayment', async () => {
    const { outTradeNo, payParams } = await createOrder(running, merchant);
    const res = await hook('confirm', payParams);
    expect(res.status).toBe(200);
    expect(obj(res.json)).toMatchObject({ errMsg: 'requestPayment:ok', out_trade_no: outTradeNo });
    const twice = await hook('confirm', payParams);
    expect(twice).toMatchObject({ status: 400, json: { error: { code: 'ORDER_PAID' }, errMsg: 'requestPayment:fail 该订单已支付' } });
  });

  it('rejects a paySign made with another key, over other fields, or with a wrong appId / signType / package', async () => {
    const { payParams } = await createOrder(running, merchant);
    const otherKey = generateMerchantKeys(merchant.mchid).privateKeyPem;
    const forged = { ...payParams, paySign: createPaySign(payParams.appId, payParams.timeStamp, payParams.nonceStr, payParams.package, otherKey) };
    expect(await hook('confirm', forged)).toMatchObject({ status: 400, json: { error: { code: 'PAY_SIGN_INVALID' }, errMsg: 'requestPayment:fail 支付验证签名失败' } });
    expect(await hook('confirm', { ...payParams, nonceStr: 'tampered' })).toMatchObject({ json: { error: { code: 'PAY_SIGN_INVALID' } } });
    expect(await hook('confirm', { ...payParams, appId: 'wx0000000000000000' })).toMatchObject({ json: { error: { code: 'APPID_MISMATCH' } } });
    expect(await hook('confirm', { ...payParams, signType: 'MD5' })).toMatchObject({ json: { error: { code: 'BAD_SIGN_TYPE' } } });
    expect(await hook('confirm', { ...payParams, package: 'prepay_id=wx123' })).toMatchObject({ status: 400, json: { error: { code: 'PREPAY_NOT_FOUND' } } });
    expect(await hook('confirm', { ...payParams, package: payParams.package.slice('prepay_id='.length) })).toMatchObject({ json: { error: { code: 'BAD_PACKAGE' } } });
    expect(await hook('confirm', { appId: APPID })).toMatchObject({ status: 400, json: { error: { code: 'MISSING_FIELD' } } });
    expect(running.sandbox.pay.confirm(payParams).errMsg).toBe('requestPayment:ok');
  });

  it('prepay_id expires after 2 hours', async () => {
    const { payParams } = await createOrder(running, merchant);
    running.sandbox.setClockOffset(7201);
    expect(await hook('confirm', payParams)).toMatchObject({ json: { error: { code: 'PREPAY_EXPIRED' } } });
  });

  it('cancel leaves NOTPAY (and the order can still be paid); fail makes PAYERROR', async () => {
    const { outTradeNo, payParams } = await createOrder(running, merchant);
    expect(obj((await hook('cancel', payParams)).json)).toEqual({ errMsg: 'requestPayment:fail cancel', out_trade_no: outTradeNo, trade_state: 'NOTPAY' });
    expect(obj((await query(outTradeNo)).json)['trade_state']).toBe('NOTPAY');
    expect(obj((await hook('confirm', payParams)).json)['errMsg']).toBe('requestPayment:ok');
    const second = await createOrder(running, merchant);
    expect(obj((await hook('fail', second.payParams)).json)['trade_state']).toBe('PAYERROR');
    expect(obj((await query(second.outTradeNo)).json)['trade_state']).toBe('PAYERROR');
  });
});

describe('refunds', () => {
  const REFUNDS = '/v3/refund/domestic/refunds';
  async function paidOrder(total = 1000) {
    const order = await createOrder(running, merchant, { amount: { total, currency: 'CNY' } });
    const { transaction_id: transactionId } = running.sandbox.pay.confirm(order.payParams, { deliver: false });
    return { ...order, transactionId, total };
  }
  const refundBody = (over: Record<string, unknown>) => ({
    out_refund_no: `R${crypto.randomBytes(6).toString('hex')}`,
    reason: '会员退款',
    notify_url: 'https://merchant.example.com/wechat/refund/notify',
    ...over,
  });

  it('creates a PROCESSING refund (by out_trade_no or transaction_id), queryable; the order reads REFUND', async () => {
    const order = await paidOrder();
    const res = await v3Request(running.url, merchant, 'POST', REFUNDS, refundBody({ out_trade_no: order.outTradeNo, amount: { refund: 300, total: 1000, currency: 'CNY' } }));
    expect(res.status).toBe(200);
    expect(verifiedBy(running.sandbox, res.headers, res.text)).toBe(true);
    const refund = obj(res.json);
    expect(refund).toMatchObject({ status: 'PROCESSING', out_trade_no: order.outTradeNo, transaction_id: order.transactionId, channel: 'ORIGINAL', amount: { refund: 300, total: 1000, payer_refund: 300, currency: 'CNY' } });
    expect(refund['refund_id']).toMatch(/^50\d{30}$/);
    expect(refund).not.toHaveProperty('success_time');
    const queried = await v3Request(running.url, merchant, 'GET', `${REFUNDS}/${String(refund['out_refund_no'])}`);
    expect(queried.json).toEqual(refund);
    expect(obj((await query(order.outTradeNo)).json)).toMatchObject({ trade_state: 'REFUND', trade_state_desc: '转入退款' });
    const byTransaction = await v3Request(running.url, merchant, 'POST', REFUNDS, refundBody({ transaction_id: order.transactionId, amount: { refund: 700, total: 1000, currency: 'CNY' } }));
    expect(byTransaction.status).toBe(200);
  });

  it('same out_refund_no + same body is idempotent; different body is refused', async () => {
    const order = await paidOrder();
    const body = refundBody({ out_trade_no: order.outTradeNo, amount: { refund: 100, total: 1000, currency: 'CNY' } });
    const first = await v3Request(running.url, merchant, 'POST', REFUNDS, body);
    const again = await v3Request(running.url, merchant, 'POST', REFUNDS, body);
    expect(again.json).toEqual(first.json);
    const changed = await v3Request(running.url, merchant, 'POST', REFUNDS, { ...body, amount: { refund: 200, total: 1000, currency: 'CNY' } });
    expect(changed.status).toBe(400);
    expect(obj(changed.json)['code']).toBe('INVALID_REQUEST');
  });

  it('refuses more than the refundable remainder, a wrong total, an unpaid order, an unknown order; CLOSED refunds free their amount', async () => {
    const order = await paidOrder(500);
    const over = await v3Request(running.url, merchant, 'POST', REFUNDS, refundBody({ out_trade_no: order.outTradeNo, amount: { refund: 501, total: 500, currency: 'CNY' } }));
    expect(obj(over.json)).toEqual({ code: 'INVALID_REQUEST', message: '申请退款金额超过订单可退金额' });
    const wrongTotal = await v3Request(running.url, merchant, 'POST', REFUNDS, refundBody({ out_trade_no: order.outTradeNo, amount: { refund: 1, total: 499, currency: 'CNY' } }));
    expect(obj(wrongTotal.json)['code']).toBe('INVALID_REQUEST');
    const full = obj((await v3Request(running.url, merchant, 'POST', REFUNDS, refundBody({ out_trade_no: order.outTradeNo, amount: { refund: 500, total: 500, currency: 'CNY' } }))).json);
    const none = await v3Request(running.url, merchant, 'POST', REFUNDS, refundBody({ out_trade_no: order.outTradeNo, amount: { refund: 1, total: 500, currency: 'CNY' } }));
    expect(none.status).toBe(400);
    running.sandbox.refund.settle({ outRefundNo: String(full['out_refund_no']), status: 'CLOSED' });
    const afterClose = await v3Request(running.url, merchant, 'POST', REFUNDS, refundBody({ out_trade_no: order.outTradeNo, amount: { refund: 500, total: 500, currency: 'CNY' } }));
    expect(afterClose.status).toBe(200);

    const unpaid = await createOrder(running, merchant);
    const notPaid = await v3Request(running.url, merchant, 'POST', REFUNDS, refundBody({ out_trade_no: unpaid.outTradeNo, amount: { refund: 1, total: 100, currency: 'CNY' } }));
    expect(obj(notPaid.json)['code']).toBe('INVALID_REQUEST');
    const unknown = await v3Request(running.url, merchant, 'POST', REFUNDS, refundBody({ out_trade_no: 'NOPE00000', amount: { refund: 1, total: 100 } }));
    expect(unknown.status).toBe(404);
    expect(obj(unknown.json)['code']).toBe('RESOURCE_NOT_EXISTS');
    const neither = await v3Request(running.url, merchant, 'POST', REFUNDS, refundBody({ amount: { refund: 1, total: 100 } }));
    expect(obj(neither.json)['code']).toBe('PARAM_ERROR');
    const queryUnknown = await v3Request(running.url, merchant, 'GET', `${REFUNDS}/NOPE`);
    expect(queryUnknown.status).toBe(404);
  });

  it('/__sim/refund/settle: ABNORMAL is not final, SUCCESS is; success_time appears; settling a final refund is 409', async () => {
    const order = await paidOrder();
    const refund = obj((await v3Request(running.url, merchant, 'POST', REFUNDS, refundBody({ out_trade_no: order.outTradeNo, amount: { refund: 1000, total: 1000 } }))).json);
    const outRefundNo = String(refund['out_refund_no']);
    const settle = (status: string) => postJson(`${running.url}/__sim/refund/settle`, { out_refund_no: outRefundNo, status, deliver: false });
    expect(obj((await settle('ABNORMAL')).json)['status']).toBe('ABNORMAL');
    expect(obj((await settle('SUCCESS')).json)['status']).toBe('SUCCESS');
    const queried = obj((await v3Request(running.url, merchant, 'GET', `${REFUNDS}/${outRefundNo}`)).json);
    expect(queried['status']).toBe('SUCCESS');
    expect(queried['success_time']).toMatch(/\+08:00$/);
    expect((await settle('CLOSED')).status).toBe(409);
    expect((await settle('PROCESSING')).status).toBe(400);
    expect((await postJson(`${running.url}/__sim/refund/settle`, { out_refund_no: 'NOPE', status: 'SUCCESS' })).status).toBe(404);
  });
});

describe('GET /v3/certificates', () => {
  it('certificate mode: the platform certificate, AEAD_AES_256_GCM-encrypted under the APIv3 key', async () => {
    const res = await v3Request(running.url, merchant, 'GET', '/v3/certificates');
    expect(res.status).toBe(200);
    expect(verifiedBy(running.sandbox, res.headers, res.text)).toBe(true);
    const [entry] = obj(res.json)['data'] as Array<Record<string, unknown>>;
    expect(entry).toMatchObject({ serial_no: running.sandbox.platform.certificateSerial });
    expect(entry?.['effective_time']).toMatch(/\+08:00$/);
    const encrypted = obj(entry?.['encrypt_certificate']);
    expect(encrypted).toMatchObject({ algorithm: 'AEAD_AES_256_GCM', associated_data: 'certificate' });
    const pem = decryptResource({ ciphertext: String(encrypted['ciphertext']), nonce: String(encrypted['nonce']), associated_data: 'certificate' }, merchant.apiV3Key);
    expect(new crypto.X509Certificate(pem).serialNumber).toBe(running.sandbox.platform.certificateSerial);
    expect(() => decryptResource({ ciphertext: String(encrypted['ciphertext']), nonce: String(encrypted['nonce']), associated_data: 'certificate' }, 'x'.repeat(32))).toThrow();
  });

  it('publicKey mode: 404 RESOURCE_NOT_EXISTS (no platform certificate exists)', async () => {
    const pk = await startSandbox({ signMode: 'publicKey', platformKeys: running.sandbox.platformKeyMaterial });
    try {
      const m = registerMerchantFixture(pk.sandbox, '1900000103');
      const res = await v3Request(pk.url, m, 'GET', '/v3/certificates');
      expect(res.status).toBe(404);
      expect(obj(res.json)['code']).toBe('RESOURCE_NOT_EXISTS');
      expect(verifiedBy(pk.sandbox, res.headers, res.text)).toBe(true);
      expect(res.headers.get('wechatpay-serial')).toBe(pk.sandbox.platform.publicKeyId);
    } finally {
      await pk.sandbox.close();
    }
  });
});
