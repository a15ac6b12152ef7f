/** Merchant transfer, user-confirm mode (§2.10, §2.11): bills, queries, cancel, user confirmation, failure, notifications. */
import crypto from 'node:crypto';
import { Rsa } from 'wechatpay-axios-plugin';
import { decryptResource, encryptSensitiveField } from './crypto';
import type { DeliveryRecord } from './notifier';
import {
  APPID,
  OPENID,
  obj,
  postJson,
  registerMerchantFixture,
  startReceiver,
  startSandbox,
  v3Request,
  verifiedBy,
  type MerchantFixture,
  type Receiver,
  type RunningSandbox,
} from './test-support';

let running: RunningSandbox;
let merchant: MerchantFixture;
let receiver: Receiver;

beforeAll(async () => {
  running = await startSandbox({ signMode: 'publicKey', retryScale: 0.001 });
  merchant = registerMerchantFixture(running.sandbox, '1900000401');
  receiver = await startReceiver();
});
afterAll(async () => {
  await running.sandbox.close();
  await receiver.close();
});
afterEach(() => running.sandbox.setClockOffset(0));

const BILLS = '/v3/fund-app/mch-transfer/transfer-bills';
const billBody = (over: Record<string, unknown> = {}) => ({
  appid: APPID,
  out_bill_no: `RP${crypto.randomBytes(8).toString('hex')}`,
  transfer_scene_id: '1000',
  openid: OPENID,
  transfer_amount: 188,
  transfer_remark: '新会员红包',
  notify_url: receiver.url,
  user_recv_perception: '现金奖励',
  transfer_scene_report_infos: [
    { info_type: '活动名称', info_content: '新会员有礼' },
    { info_type: '奖励说明', info_content: '注册会员红包' },
  ],
  ...over,
});
const createBill = async (over: Record<string, unknown> = {}, headers: Record<string, string> = {}) => {
  const body = billBody(over);
  const res = await v3Request(running.url, merchant, 'POST', BILLS, body, { headers });
  return { body, res, json: obj(res.json) };
};
const finished = (outBillNo: string) => (d: DeliveryRecord): boolean =>
  d.reference === outBillNo && d.eventType === 'MCHTRANSFER.BILL.FINISHED' && d.state === 'delivered';

describe('POST /v3/fund-app/mch-transfer/transfer-bills', () => {
  it('creates a WAIT_USER_CONFIRM bill with package_info, signed', async () => {
    const { body, res, json } = await createBill();
    expect(res.status).toBe(200);
    expect(verifiedBy(running.sandbox, res.headers, res.text)).toBe(true);
    expect(Object.keys(json)).toEqual(['out_bill_no', 'transfer_bill_no', 'create_time', 'state', 'package_info']);
    expect(json).toMatchObject({ out_bill_no: body.out_bill_no, state: 'WAIT_USER_CONFIRM' });
    expect(json['transfer_bill_no']).toMatch(/^1330000\d{33}$/);
    expect(json['create_time']).toMatch(/\+08:00$/);
    expect(Buffer.from(String(json['package_info']), 'base64').length).toBeGreaterThan(32);
  });

  it('same out_bill_no + same body returns the same bill; a different body is refused', async () => {
    const { body, json } = await createBill();
    const again = await v3Request(running.url, merchant, 'POST', BILLS, body);
    expect(again.json).toEqual(json);
    const changed = await v3Request(running.url, merchant, 'POST', BILLS, { ...body, transfer_amount: 189 });
    expect(obj(changed.json)['code']).toBe('INVALID_REQUEST');
  });

  it.each([
    ['missing', { transfer_scene_report_infos: undefined }],
    ['empty', { transfer_scene_report_infos: [] }],
    ['wrong info_type for the scene', { transfer_scene_report_infos: [{ info_type: '岗位类型', info_content: 'x' }, { info_type: '报酬说明', info_content: 'y' }] }],
    ['one of two', { transfer_scene_report_infos: [{ info_type: '活动名称', info_content: '新会员有礼' }] }],
    ['empty info_content', { transfer_scene_report_infos: [{ info_type: '活动名称', info_content: '' }, { info_type: '奖励说明', info_content: 'y' }] }],
  ])('400 PARAM_ERROR 需传入转账场景报备信息 when report infos are %s', async (_name, over) => {
    const { res, json } = await createBill(over);
    expect(res.status).toBe(400);
    expect(json).toMatchObject({ code: 'PARAM_ERROR', message: '需传入转账场景报备信息,请检查' });
  });

  it('scene 1005 takes its own info types and perceptions', async () => {
    const ok = await createBill({
      transfer_scene_id: '1005',
      user_recv_perception: '劳务报酬',
      transfer_scene_report_infos: [{ info_type: '岗位类型', info_content: '门店导购' }, { info_type: '报酬说明', info_content: '11月佣金' }],
    });
    expect(ok.res.status).toBe(200);
  });

  it('400 INVALID_REQUEST for a user_recv_perception the scene does not allow', async () => {
    const { res, json } = await createBill({ user_recv_perception: '劳务报酬' });
    expect(res.status).toBe(400);
    expect(json).toEqual({ code: 'INVALID_REQUEST', message: '暂不支持展示当前传入的用户收款感知' });
  });

  it('amounts: below 0.1 yuan refused; from 2,000 yuan user_name is required', async () => {
    expect((await createBill({ transfer_amount: 9 })).json['code']).toBe('INVALID_REQUEST');
    expect((await createBill({ transfer_amount: 10 })).res.status).toBe(200);
    expect((await createBill({ transfer_amount: 0 })).json['code']).toBe('PARAM_ERROR');
    const big = await createBill({ transfer_amount: 200_000 });
    expect(big.json['code']).toBe('PARAM_ERROR');
    expect(big.json['message']).toContain('/body/user_name');
  });

  it('user_name encrypted (RSA-OAEP) to the platform public key with Wechatpay-Serial is accepted; the wrong serial or garbage is not', async () => {
    const { publicKeyId, publicKeyPem } = running.sandbox.platform;
    const name = encryptSensitiveField('张三', publicKeyPem);
    expect((await createBill({ transfer_amount: 200_000, user_name: name }, { 'Wechatpay-Serial': publicKeyId })).res.status).toBe(200);
    // The referee SDK's Rsa.encrypt (OAEP) must be understood as well.
    const refereeName = Rsa.encrypt('李四', publicKeyPem);
    expect((await createBill({ transfer_amount: 200_000, user_name: refereeName }, { 'Wechatpay-Serial': publicKeyId })).res.status).toBe(200);
    expect((await createBill({ user_name: name })).json['code']).toBe('PARAM_ERROR'); // no Wechatpay-Serial
    expect((await createBill({ user_name: name }, { 'Wechatpay-Serial': running.sandbox.platform.certificateSerial })).json['code']).toBe('PARAM_ERROR'); // no certificate in publicKey mode
    expect((await createBill({ user_name: 'bm90IGVuY3J5cHRlZA==' }, { 'Wechatpay-Serial': publicKeyId })).json['code']).toBe('PARAM_ERROR');
  });

  it.each([
    ['out_bill_no with a dash', { out_bill_no: 'RP-0001' }, 'PARAM_ERROR'],
    ['missing openid', { openid: undefined }, 'PARAM_ERROR'],
    ['remark over 32 chars', { transfer_remark: '红'.repeat(33) }, 'PARAM_ERROR'],
    ['unknown scene', { transfer_scene_id: '9999' }, 'NO_AUTH'],
    ['appid not bound', { appid: 'wx0000000000000000' }, 'APPID_MCHID_NOT_MATCH'],
  ])('rejects %s', async (_name, over, code) => {
    expect((await createBill(over)).json['code']).toBe(code);
  });
});

describe('query and cancel', () => {
  it('queries by out_bill_no and transfer_bill_no; 404 NOT_FOUND otherwise (and for other merchants)', async () => {
    const { body, json } = await createBill();
    const byOut = await v3Request(running.url, merchant, 'GET', `${BILLS}/out-bill-no/${body.out_bill_no}`);
    expect(byOut.status).toBe(200);
    expect(verifiedBy(running.sandbox, byOut.headers, byOut.text)).toBe(true);
    expect(obj(byOut.json)).toMatchObject({
      mch_id: merchant.mchid,
      out_bill_no: body.out_bill_no,
      transfer_bill_no: json['transfer_bill_no'],
      appid: APPID,
      state: 'WAIT_USER_CONFIRM',
      transfer_amount: 188,
      transfer_remark: '新会员红包',
      openid: OPENID,
    });
    const byBill = await v3Request(running.url, merchant, 'GET', `${BILLS}/transfer-bill-no/${String(json['transfer_bill_no'])}`);
    expect(byBill.json).toEqual(byOut.json);
    expect((await v3Request(running.url, merchant, 'GET', `${BILLS}/out-bill-no/NOPE`)).status).toBe(404);
    const stranger = registerMerchantFixture(running.sandbox, '1900000402');
    const peek = await v3Request(running.url, stranger, 'GET', `${BILLS}/transfer-bill-no/${String(json['transfer_bill_no'])}`);
    expect(peek.status).toBe(404);
    expect(obj(peek.json)['code']).toBe('NOT_FOUND');
  });

  it('cancel (body-less, signed over an empty body): CANCELING, then CANCELLED with a notification; package no longer usable', async () => {
    const { body, json } = await createBill();
    const res = await v3Request(running.url, merchant, 'POST', `${BILLS}/out-bill-no/${body.out_bill_no}/cancel`);
    expect(res.status).toBe(200);
    expect(obj(res.json)).toMatchObject({ out_bill_no: body.out_bill_no, state: 'CANCELING' });
    const delivery = await running.sandbox.deliveries.waitFor(finished(body.out_bill_no));
    expect(delivery.plaintext).toMatchObject({ state: 'CANCELLED', out_bill_no: body.out_bill_no });
    expect(obj((await v3Request(running.url, merchant, 'GET', `${BILLS}/out-bill-no/${body.out_bill_no}`)).json)['state']).toBe('CANCELLED');
    const confirm = await postJson(`${running.url}/__sim/transfer/confirm`, { mchId: merchant.mchid, appId: APPID, package: json['package_info'], openid: OPENID });
    expect(confirm).toMatchObject({ status: 400, json: { error: { code: 'BILL_STATE' } } });
    const again = await v3Request(running.url, merchant, 'POST', `${BILLS}/out-bill-no/${body.out_bill_no}/cancel`);
    expect(obj(again.json)['state']).toBe('CANCELLED');
  });

  it('cancel of a finished bill is refused; of an unknown one 404', async () => {
    const { body, json } = await createBill();
    running.sandbox.transfer.confirm({ mchId: merchant.mchid, appId: APPID, package: String(json['package_info']), openid: OPENID }, { deliver: false });
    const res = await v3Request(running.url, merchant, 'POST', `${BILLS}/out-bill-no/${body.out_bill_no}/cancel`);
    expect(res.status).toBe(400);
    expect(obj(res.json)['code']).toBe('INVALID_REQUEST');
    expect((await v3Request(running.url, merchant, 'POST', `${BILLS}/out-bill-no/NOPE/cancel`)).status).toBe(404);
  });
});

describe('the payee: /__sim/transfer/confirm and WeChat failing a bill: /__sim/transfer/fail', () => {
  it('the right user confirms: SUCCESS and MCHTRANSFER.BILL.FINISHED (associated_data mch_payment), signed and decryptable', async () => {
    const { body, json } = await createBill();
    const res = await postJson(`${running.url}/__sim/transfer/confirm`, { mchId: merchant.mchid, appId: APPID, package: json['package_info'], openid: OPENID });
    expect(res.status).toBe(200);
    expect(obj(res.json)).toMatchObject({ errMsg: 'requestMerchantTransfer:ok', state: 'SUCCESS' });
    const delivery = await running.sandbox.deliveries.waitFor(finished(body.out_bill_no));
    const callback = receiver.received.find((c) => c.body === delivery.body);
    if (!callback) throw new Error('no callback');
    expect(verifiedBy(running.sandbox, callback.headers, callback.body)).toBe(true);
    const envelope = obj(JSON.parse(callback.body));
    expect(envelope).toMatchObject({ event_type: 'MCHTRANSFER.BILL.FINISHED', summary: '商家转账单据终态通知', resource_type: 'encrypt-resource' });
    const resource = obj(envelope['resource']);
    expect(resource).toMatchObject({ original_type: 'mch_payment', associated_data: 'mch_payment', algorithm: 'AEAD_AES_256_GCM' });
    const plaintext = obj(JSON.parse(decryptResource({ ciphertext: String(resource['ciphertext']), nonce: String(resource['nonce']), associated_data: 'mch_payment' }, merchant.apiV3Key)));
    expect(plaintext).toMatchObject({ out_bill_no: body.out_bill_no, transfer_bill_no: json['transfer_bill_no'], state: 'SUCCESS', mch_id: merchant.mchid, transfer_amount: 188, openid: OPENID });
    expect(plaintext['update_time']).toMatch(/\+08:00$/);
    const twice = await postJson(`${running.url}/__sim/transfer/confirm`, { mchId: merchant.mchid, appId: APPID, package: json['package_info'], openid: OPENID });
    expect(obj(twice.json)['error']).toMatchObject({ code: 'BILL_STATE' });
  });

  it('another WeChat user: 你的微信号与商家指定的微信号不一致, and the bill still waits', async () => {
    const { body, json } = await createBill();
    const res = await postJson(`${running.url}/__sim/transfer/confirm`, { mchId: merchant.mchid, appId: APPID, package: json['package_info'], openid: 'oSomeoneElse' });
    expect(res).toMatchObject({
      status: 400,
      json: { error: { code: 'OPENID_MISMATCH', message: '你的微信号与商家指定的微信号不一致' }, errMsg: 'requestMerchantTransfer:fail 你的微信号与商家指定的微信号不一致' },
    });
    expect(obj((await v3Request(running.url, merchant, 'GET', `${BILLS}/out-bill-no/${body.out_bill_no}`)).json)['state']).toBe('WAIT_USER_CONFIRM');
  });

  it('rejects an unknown package, a wrong mchId/appId, and a package older than 24 h', async () => {
    const { json } = await createBill();
    const confirm = (over: Record<string, unknown>) =>
      postJson(`${running.url}/__sim/transfer/confirm`, { mchId: merchant.mchid, appId: APPID, package: json['package_info'], openid: OPENID, ...over });
    expect(obj((await confirm({ package: 'bm9wZQ==' })).json)['error']).toMatchObject({ code: 'PACKAGE_INVALID' });
    expect(obj((await confirm({ mchId: '1900000999' })).json)['error']).toMatchObject({ code: 'MCHID_MISMATCH' });
    expect(obj((await confirm({ appId: 'wx0000000000000000' })).json)['error']).toMatchObject({ code: 'APPID_MISMATCH' });
    running.sandbox.setClockOffset(24 * 3600);
    expect(obj((await confirm({})).json)['error']).toMatchObject({ code: 'PACKAGE_EXPIRED' });
  });

  it('a real name different from the encrypted user_name ends in FAIL NAME_NOT_CORRECT', async () => {
    const name = encryptSensitiveField('张三', running.sandbox.platform.publicKeyPem);
    const { body, json } = await createBill({ transfer_amount: 200_000, user_name: name }, { 'Wechatpay-Serial': running.sandbox.platform.publicKeyId });
    const res = running.sandbox.transfer.confirm({ mchId: merchant.mchid, appId: APPID, package: String(json['package_info']), openid: OPENID, realName: '张四' });
    expect(res.state).toBe('FAIL');
    const delivery = await running.sandbox.deliveries.waitFor(finished(body.out_bill_no));
    expect(delivery.plaintext).toMatchObject({ state: 'FAIL', fail_reason: 'NAME_NOT_CORRECT' });
  });

  it('/__sim/transfer/fail: FAIL with the reason, notified; a final bill cannot fail again; unknown bills 404', async () => {
    const { body } = await createBill();
    const res = await postJson(`${running.url}/__sim/transfer/fail`, { out_bill_no: body.out_bill_no, reason: 'ACCOUNT_FROZEN' });
    expect(obj(res.json)).toMatchObject({ state: 'FAIL', fail_reason: 'ACCOUNT_FROZEN' });
    const delivery = await running.sandbox.deliveries.waitFor(finished(body.out_bill_no));
    expect(delivery.plaintext).toMatchObject({ state: 'FAIL', fail_reason: 'ACCOUNT_FROZEN' });
    const queried = obj((await v3Request(running.url, merchant, 'GET', `${BILLS}/out-bill-no/${body.out_bill_no}`)).json);
    expect(queried).toMatchObject({ state: 'FAIL', fail_reason: 'ACCOUNT_FROZEN' });
    expect((await postJson(`${running.url}/__sim/transfer/fail`, { out_bill_no: body.out_bill_no, reason: 'X' })).status).toBe(409);
    expect((await postJson(`${running.url}/__sim/transfer/fail`, { out_bill_no: 'NOPE', reason: 'X' })).status).toBe(404);
  });

  it('no notify_url: no notification, the state is still queryable', async () => {
    const { body, json } = await createBill({ notify_url: undefined });
    const res = running.sandbox.transfer.confirm({ mchId: merchant.mchid, appId: APPID, package: String(json['package_info']), openid: OPENID });
    expect(res.notification_id).toBeUndefined();
    expect(obj((await v3Request(running.url, merchant, 'GET', `${BILLS}/out-bill-no/${body.out_bill_no}`)).json)['state']).toBe('SUCCESS');
  });
});
