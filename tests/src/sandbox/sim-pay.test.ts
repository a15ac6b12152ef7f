/** /__sim/merchants: how a separately running demo server registers its merchant credentials. */
import { APPID, merchantKeysFor, obj, postJson, startSandbox, v3Request, type RunningSandbox } from './test-support';
import { randomAlphanumeric } from './crypto';

let running: RunningSandbox;
beforeAll(async () => {
  running = await startSandbox();
});
afterAll(() => running.sandbox.close());

describe('POST /__sim/merchants', () => {
  it('registers a merchant (certificate PEM or bare public key PEM) whose signed requests are then accepted', async () => {
    const keys = merchantKeysFor('1900000501');
    const apiV3Key = randomAlphanumeric(32);
    const res = await postJson(`${running.url}/__sim/merchants`, {
      mchid: '1900000501',
      appids: [APPID],
      merchantSerial: keys.serial.toLowerCase(),
      merchantPublicKeyPem: keys.certificatePem,
      apiV3Key,
    });
    expect(res).toMatchObject({ status: 201, json: { mchid: '1900000501' } });
    const query = await v3Request(running.url, { ...keys, mchid: '1900000501', appid: APPID, apiV3Key }, 'GET', '/v3/pay/transactions/out-trade-no/NONE00?mchid=1900000501');
    expect(query.status).toBe(404);
    expect(obj(query.json)['code']).toBe('ORDER_NOT_EXIST');
  });

  it('rejects a bad APIv3 key, a non-PEM key, a non-hex serial, missing appids, and a serial owned by another mchid', async () => {
    const keys = merchantKeysFor('1900000502');
    const valid = { mchid: '1900000502', appids: [APPID], merchantSerial: keys.serial, merchantPublicKeyPem: keys.certificatePem, apiV3Key: randomAlphanumeric(32) };
    const register = (over: Record<string, unknown>) => postJson(`${running.url}/__sim/merchants`, { ...valid, ...over });
    expect(await register({ apiV3Key: 'short' })).toMatchObject({ status: 400, json: { error: { code: 'BAD_APIV3_KEY' } } });
    expect(await register({ merchantPublicKeyPem: 'not a pem' })).toMatchObject({ status: 400, json: { error: { code: 'BAD_KEY' } } });
    expect(await register({ merchantSerial: 'XYZ' })).toMatchObject({ status: 400, json: { error: { code: 'BAD_SERIAL' } } });
    expect(await register({ appids: 'wx1' })).toMatchObject({ status: 400, json: { error: { code: 'BAD_FIELD' } } });
    expect((await register({})).status).toBe(201);
    expect(await register({ mchid: '1900000503' })).toMatchObject({ status: 409, json: { error: { code: 'SERIAL_TAKEN' } } });
  });
});
