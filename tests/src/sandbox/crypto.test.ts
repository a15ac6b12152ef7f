/** crypto.ts on its own: header parsing, AEAD round trips, verification edge cases. */
import crypto from 'node:crypto';
import {
  buildAuthorization,
  decryptResource,
  encryptResource,
  parseAuthorization,
  randomAlphanumeric,
  signWechatpay,
  verifyWechatpaySignature,
} from './crypto';

const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });

describe('parseAuthorization', () => {
  it('reads the five parameters in any order, with base64 "=" inside values', () => {
    const header = 'WECHATPAY2-SHA256-RSA2048 signature="ab+c/d==",serial_no="5157F09EFDC096DE",timestamp="1700000000",nonce_str="N1",mchid="1900000001"';
    expect(parseAuthorization(header)).toEqual({ mchid: '1900000001', nonce_str: 'N1', timestamp: '1700000000', serial_no: '5157F09EFDC096DE', signature: 'ab+c/d==' });
  });

  it('rejects other schemes and missing parameters', () => {
    expect(parseAuthorization(undefined)).toBeUndefined();
    expect(parseAuthorization('Bearer x')).toBeUndefined();
    expect(parseAuthorization('WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="n",timestamp="1",serial_no="s"')).toBeUndefined();
  });

  it('round-trips buildAuthorization', () => {
    const header = buildAuthorization({ mchid: '1900000001', serial: 'ABC', privateKey, method: 'GET', pathWithQuery: '/v3/x?y=1', timestamp: 1700000000, nonce: 'NONCE' });
    const parsed = parseAuthorization(header);
    expect(parsed).toMatchObject({ mchid: '1900000001', serial_no: 'ABC', timestamp: '1700000000', nonce_str: 'NONCE' });
    const message = 'GET\n/v3/x?y=1\n1700000000\nNONCE\n\n';
    expect(crypto.verify('sha256', Buffer.from(message), publicKey, Buffer.from(parsed?.signature ?? '', 'base64'))).toBe(true);
  });
});

describe('AEAD_AES_256_GCM resources', () => {
  const key = randomAlphanumeric(32);

  it('round-trips UTF-8 JSON; nonce is 12 alphanumerics; ciphertext carries the 16-byte tag', () => {
    const plaintext = JSON.stringify({ out_trade_no: 'T1', summary: '支付成功' });
    const sealed = encryptResource(plaintext, key, 'transaction');
    expect(sealed.nonce).toMatch(/^[0-9A-Za-z]{12}$/);
    expect(Buffer.from(sealed.ciphertext, 'base64')).toHaveLength(Buffer.byteLength(plaintext) + 16);
    expect(decryptResource(sealed, key)).toBe(plaintext);
  });

  it('refuses keys that are not 32 bytes (the classic misconfiguration)', () => {
    expect(() => encryptResource('x', 'short', 'transaction')).toThrow(/32 bytes/);
  });

  it('an empty associated_data is allowed and authenticated', () => {
    const sealed = encryptResource('x', key, '');
    expect(decryptResource({ ciphertext: sealed.ciphertext, nonce: sealed.nonce }, key)).toBe('x');
    expect(() => decryptResource({ ...sealed, associated_data: 'y' }, key)).toThrow();
  });
});

describe('verifyWechatpaySignature', () => {
  const now = 1_800_000_000;
  const sign = (body: string, ts = now) => {
    const headers = signWechatpay({ serial: 'PUB_KEY_ID_0114000000000000000001', privateKey }, body, ts);
    return Object.fromEntries(Object.entries(headers)) as Record<string, string>;
  };

  it('accepts a genuine signature (header names and serial case-insensitive)', () => {
    const headers = sign('{"a":1}');
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    expect(verifyWechatpaySignature({ headers: lower, rawBody: '{"a":1}', keysBySerial: { pub_key_id_0114000000000000000001: publicKey }, nowSeconds: now })).toBe(true);
  });

  it('rejects a re-serialized body, a skewed timestamp, an unknown serial, and a probe signature', () => {
    const headers = sign('{"a":1}');
    const keysBySerial = { PUB_KEY_ID_0114000000000000000001: publicKey };
    expect(verifyWechatpaySignature({ headers, rawBody: '{ "a": 1 }', keysBySerial, nowSeconds: now })).toBe(false);
    expect(verifyWechatpaySignature({ headers, rawBody: '{"a":1}', keysBySerial, nowSeconds: now + 301 })).toBe(false);
    expect(verifyWechatpaySignature({ headers, rawBody: '{"a":1}', keysBySerial: { OTHER: publicKey }, nowSeconds: now })).toBe(false);
    const probe = { ...headers, 'Wechatpay-Signature': `WECHATPAY/SIGNTEST/${crypto.randomBytes(64).toString('base64')}` };
    expect(verifyWechatpaySignature({ headers: probe, rawBody: '{"a":1}', keysBySerial, nowSeconds: now })).toBe(false);
  });
});
