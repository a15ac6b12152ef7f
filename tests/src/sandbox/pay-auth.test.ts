/** APIv3 request signatures (§2.2) and response signatures in every sign mode (§2.3). */
import { buildAuthorization, verifyWechatpaySignature } from './crypto';
import { generateMerchantKeys } from './keys';
import { obj, registerMerchantFixture, startSandbox, v3Request, verifiedBy, type MerchantFixture, type RunningSandbox } from './test-support';

let running: RunningSandbox;
let merchant: MerchantFixture;
let other: MerchantFixture;

beforeAll(async () => {
  running = await startSandbox({ signMode: 'publicKey' });
  merchant = registerMerchantFixture(running.sandbox, '1900000001');
  other = registerMerchantFixture(running.sandbox, '1900000002');
});
afterAll(() => running.sandbox.close());
afterEach(() => running.sandbox.setClockOffset(0));

const QUERY = '/v3/pay/transactions/out-trade-no/NO_SUCH_ORDER?mchid=1900000001';
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

describe('request Authorization (WECHATPAY2-SHA256-RSA2048)', () => {
  it('accepts a correctly signed request (here: 404 ORDER_NOT_EXIST, i.e. past authentication), and signs the answer', async () => {
    const res = await v3Request(running.url, merchant, 'GET', QUERY);
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ code: 'ORDER_NOT_EXIST', message: '订单不存在' });
    expect(verifiedBy(running.sandbox, res.headers, res.text)).toBe(true);
    expect(res.headers.get('request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('compares the serial case-insensitively (wechatpay-node-v3 sends lowercase hex)', async () => {
    const res = await v3Request(running.url, merchant, 'GET', QUERY, undefined, { serial: merchant.serial.toLowerCase() });
    expect(res.status).toBe(404);
  });

  it('401 SIGN_ERROR with sign_information when the signature does not match', async () => {
    const forger = { ...merchant, privateKeyPem: generateMerchantKeys('1900000001').privateKeyPem };
    const res = await v3Request(running.url, forger, 'GET', QUERY);
    expect(res.status).toBe(401);
    const body = obj(res.json);
    expect(body['code']).toBe('SIGN_ERROR');
    expect(body['detail']).toMatchObject({ field: 'signature', location: 'authorization', sign_information: { method: 'GET', url: QUERY } });
    expect(verifiedBy(running.sandbox, res.headers, res.text)).toBe(true);
  });

  it('401 when the body was changed after signing (the raw bytes are what is verified)', async () => {
    const body = { mchid: '1900000001' };
    const res = await v3Request(running.url, merchant, 'POST', '/v3/pay/transactions/out-trade-no/X123456/close', body, {
      sentBody: JSON.stringify(body, null, 1),
    });
    expect(res.status).toBe(401);
    expect(obj(res.json)['code']).toBe('SIGN_ERROR');
  });

  it('401 when the signed path or query differs from the one requested', async () => {
    const res = await fetch(`${running.url}/v3/pay/transactions/out-trade-no/NO_SUCH_ORDER?mchid=1900000001&x=1`, {
      headers: {
        Authorization: buildAuthorization({
          mchid: merchant.mchid,
          serial: merchant.serial,
          privateKey: merchant.privateKeyPem,
          method: 'GET',
          pathWithQuery: QUERY,
        }),
      },
    });
    expect(res.status).toBe(401);
  });

  it('401 with the 5-minute message when the timestamp is more than 300 s off (either way), 13-digit ms included', async () => {
    // 30 s past the window, not 1: on a loaded machine the request can reach the sandbox a second or more
    // after the timestamp was taken, which brought +301 back inside the window (a flaky 404)
    for (const timestamp of [nowSeconds() - 330, nowSeconds() + 330, Date.now()]) {
      const res = await v3Request(running.url, merchant, 'GET', QUERY, undefined, { timestamp });
      expect(res.status).toBe(401);
      expect(obj(res.json)).toEqual({ code: 'SIGN_ERROR', message: 'Http头Authorization中的timestamp与发起请求的时间不得超过5分钟' });
    }
    expect((await v3Request(running.url, merchant, 'GET', QUERY, undefined, { timestamp: nowSeconds() - 290 })).status).toBe(404);
  });

  it('judges the timestamp by the sandbox clock', async () => {
    running.sandbox.setClockOffset(600);
    expect((await v3Request(running.url, merchant, 'GET', QUERY)).status).toBe(401);
    expect((await v3Request(running.url, merchant, 'GET', QUERY, undefined, { timestamp: nowSeconds() + 600 })).status).toBe(404);
  });

  it('401 for an unknown serial, a serial of another merchant, an unknown mchid, or no Authorization at all', async () => {
    const unknown = await v3Request(running.url, merchant, 'GET', QUERY, undefined, { serial: '1234567890ABCDEF1234567890ABCDEF12345678' });
    expect(unknown.status).toBe(401);
    expect(obj(unknown.json)['message']).toContain('序列号');
    const mismatch = await v3Request(running.url, merchant, 'GET', QUERY, undefined, { serial: other.serial });
    expect(mismatch.status).toBe(401);
    const noMerchant = await v3Request(running.url, merchant, 'GET', QUERY, undefined, { mchid: '1999999999' });
    expect(noMerchant.status).toBe(401);
    const bare = await fetch(`${running.url}${QUERY}`);
    expect(bare.status).toBe(401);
    expect(obj(await bare.json())['code']).toBe('SIGN_ERROR');
    const wrongScheme = await fetch(`${running.url}${QUERY}`, { headers: { Authorization: 'Bearer abc' } });
    expect(wrongScheme.status).toBe(401);
  });

  it('a merchant can rotate its API certificate: both serials work once registered', async () => {
    const rotated = generateMerchantKeys(merchant.mchid);
    running.sandbox.registerMerchant({
      mchid: merchant.mchid,
      appids: [merchant.appid],
      merchantSerial: rotated.serial,
      merchantPublicKeyPem: rotated.certificatePem,
      apiV3Key: merchant.apiV3Key,
    });
    expect((await v3Request(running.url, { ...merchant, ...rotated }, 'GET', QUERY)).status).toBe(404);
    expect((await v3Request(running.url, merchant, 'GET', QUERY)).status).toBe(404);
  });

  it('unknown /v3 paths: signed 404 JSON', async () => {
    const res = await v3Request(running.url, merchant, 'GET', '/v3/nope');
    expect(res.status).toBe(404);
    expect(obj(res.json)['code']).toBe('NOT_FOUND');
    expect(verifiedBy(running.sandbox, res.headers, res.text)).toBe(true);
  });
});

describe.each([
  ['certificate', (r: RunningSandbox) => [r.sandbox.platform.certificateSerial]],
  ['publicKey', (r: RunningSandbox) => [r.sandbox.platform.publicKeyId]],
  ['mixed', (r: RunningSandbox) => [r.sandbox.platform.publicKeyId, r.sandbox.platform.certificateSerial]],
] as const)('response signatures in %s mode', (mode, expectedSerials) => {
  let sandbox: RunningSandbox;
  let m: MerchantFixture;
  beforeAll(async () => {
    sandbox = await startSandbox({ signMode: mode });
    m = registerMerchantFixture(sandbox.sandbox, '1900000009');
  });
  afterAll(() => sandbox.sandbox.close());

  it('signs with the expected key(s), each verifiable with the matching public key only', async () => {
    const serials = new Set<string>();
    for (let i = 0; i < 4; i += 1) {
      const res = await v3Request(sandbox.url, m, 'GET', '/v3/pay/transactions/out-trade-no/NONE000?mchid=1900000009');
      expect(res.headers.get('wechatpay-signature-type')).toBe('WECHATPAY2-SHA256-RSA2048');
      expect(res.headers.get('wechatpay-nonce')).toMatch(/^[0-9A-Za-z]{32}$/);
      expect(Math.abs(Number(res.headers.get('wechatpay-timestamp')) - Date.now() / 1000)).toBeLessThan(5);
      expect(verifiedBy(sandbox.sandbox, res.headers, res.text)).toBe(true);
      // Swapping in the other key must fail: the two keys are genuinely different.
      const serial = String(res.headers.get('wechatpay-serial'));
      serials.add(serial);
      const wrongKey = serial === sandbox.sandbox.platform.publicKeyId ? sandbox.sandbox.platform.certificatePem : sandbox.sandbox.platform.publicKeyPem;
      const record: Record<string, string> = {};
      res.headers.forEach((value, key) => (record[key] = value));
      expect(verifyWechatpaySignature({ headers: record, rawBody: res.text, keysBySerial: { [serial]: wrongKey } })).toBe(false);
    }
    expect([...serials].sort()).toEqual([...expectedSerials(sandbox)].sort());
  });

  if (mode === 'mixed') {
    it('answers with the key named in the request Wechatpay-Serial header (migration rule)', async () => {
      for (const serial of [sandbox.sandbox.platform.publicKeyId, sandbox.sandbox.platform.certificateSerial]) {
        for (let i = 0; i < 3; i += 1) {
          const res = await v3Request(sandbox.url, m, 'GET', '/v3/pay/transactions/out-trade-no/NONE000?mchid=1900000009', undefined, {
            headers: { 'Wechatpay-Serial': serial },
          });
          expect(res.headers.get('wechatpay-serial')).toBe(serial);
        }
      }
    });
  }
});
