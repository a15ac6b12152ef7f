/** Shared helpers for the sandbox's own tests (not shipped to other packages). */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildAuthorization, createPaySign, randomAlphanumeric, verifyWechatpaySignature } from './crypto';
import { generateMerchantKeys, generatePlatformKeys, type MerchantKeys, type PlatformKeyMaterial } from './keys';
import { createSandbox, type Sandbox, type SandboxOptions } from './index';

export type RunningSandbox = { sandbox: Sandbox; url: string };

// RSA-2048 generation dominates test time, so keys are made once per test file and reused:
// every sandbox in a file shares platform keys, and a given mchid always gets the same keys.
let platformKeys: PlatformKeyMaterial | undefined;
const merchantKeys = new Map<string, MerchantKeys>();

export function sharedPlatformKeys(): PlatformKeyMaterial {
  platformKeys ??= generatePlatformKeys();
  return platformKeys;
}

export function merchantKeysFor(mchid: string): MerchantKeys {
  const cached = merchantKeys.get(mchid) ?? generateMerchantKeys(mchid);
  merchantKeys.set(mchid, cached);
  return cached;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  const sandbox = createSandbox({ platformKeys: sharedPlatformKeys(), ...options });
  const url = await sandbox.listen(0);
  return { sandbox, url };
}

export type JsonResponse = { status: number; headers: Headers; text: string; json: unknown };

async function toJsonResponse(response: Response): Promise<JsonResponse> {
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

export async function getJson(url: string, headers: Record<string, string> = {}): Promise<JsonResponse> {
  return toJsonResponse(await fetch(url, { headers }));
}

/** POST `body` (an object is JSON-encoded; a string is sent as is). */
export async function postJson(url: string, body?: unknown, headers: Record<string, string> = {}): Promise<JsonResponse> {
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return toJsonResponse(await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: payload }));
}

/** A record view of a JSON value, so tests can read fields without casts everywhere. */
export function obj(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`not an object: ${String(value)}`);
  return value as Record<string, unknown>;
}

export const APPID = 'wx5f1e2d3c4b5a6978';
export const SECRET = 'sandbox-app-secret-0123456789abcd';
export const OPENID = 'oSandboxUser0000000000000001';

// ---- WeChat Pay fixtures --------------------------------------------------------------------


export type MerchantFixture = MerchantKeys & { mchid: string; appid: string; apiV3Key: string };

/** A merchant with fresh keys, registered on the sandbox. RSA generation is the slow part (~100 ms). */
export function registerMerchantFixture(sandbox: Sandbox, mchid = `19${String(crypto.randomInt(10 ** 8)).padStart(8, '0')}`, appid = APPID): MerchantFixture {
  const keys = merchantKeysFor(mchid);
  const fixture: MerchantFixture = { ...keys, mchid, appid, apiV3Key: randomAlphanumeric(32) };
  sandbox.registerMerchant({ mchid, appids: [appid], merchantSerial: keys.serial, merchantPublicKeyPem: keys.certificatePem, apiV3Key: fixture.apiV3Key });
  return fixture;
}

export type SignedRequestOptions = {
  /** Override the signed timestamp (unix seconds). */
  timestamp?: number;
  serial?: string;
  mchid?: string;
  /** Sign this body but send `sentBody` (tampering). */
  sentBody?: string;
  headers?: Record<string, string>;
};

/** One APIv3 call signed like a merchant SDK would. `body` objects are JSON-encoded once and those exact bytes are signed. */
export async function v3Request(
  baseUrl: string,
  merchant: MerchantFixture,
  method: 'GET' | 'POST',
  pathWithQuery: string,
  body?: unknown,
  options: SignedRequestOptions = {},
): Promise<JsonResponse> {
  const raw = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  const authorization = buildAuthorization({
    mchid: options.mchid ?? merchant.mchid,
    serial: options.serial ?? merchant.serial,
    privateKey: merchant.privateKeyPem,
    method,
    pathWithQuery,
    body: raw,
    ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
  });
  const sent = options.sentBody ?? raw;
  const response = await fetch(`${baseUrl}${pathWithQuery}`, {
    method,
    headers: {
      Authorization: authorization,
      Accept: 'application/json',
      'User-Agent': 'siyu-sandbox-tests',
      ...(sent === '' ? {} : { 'Content-Type': 'application/json' }),
      ...options.headers,
    },
    ...(method === 'GET' || sent === '' ? {} : { body: sent }),
  });
  return toJsonResponse(response);
}

/** Verify a sandbox response or callback the way a merchant does, knowing both platform keys. */
export function verifiedBy(sandbox: Sandbox, headers: Headers | Record<string, string | undefined>, rawBody: string): boolean {
  const record: Record<string, string | undefined> = {};
  if (headers instanceof Headers) headers.forEach((value, key) => (record[key] = value));
  else Object.assign(record, headers);
  return verifyWechatpaySignature({
    headers: record,
    rawBody,
    nowSeconds: Math.floor(sandbox.now() / 1000),
    keysBySerial: { [sandbox.platform.certificateSerial]: sandbox.platform.certificatePem, [sandbox.platform.publicKeyId]: sandbox.platform.publicKeyPem },
  });
}

/** Create a JSAPI order and the wx.requestPayment params the merchant server would hand the mini-program. */
export async function createOrder(
  running: RunningSandbox,
  merchant: MerchantFixture,
  over: Record<string, unknown> = {},
): Promise<{ outTradeNo: string; prepayId: string; payParams: { appId: string; timeStamp: string; nonceStr: string; package: string; signType: string; paySign: string } }> {
  const outTradeNo = `T${Date.now()}${crypto.randomInt(10 ** 6)}`;
  const res = await v3Request(running.url, merchant, 'POST', '/v3/pay/transactions/jsapi', {
    appid: merchant.appid,
    mchid: merchant.mchid,
    description: '思域会员 - 积分充值',
    out_trade_no: outTradeNo,
    notify_url: 'https://merchant.example.com/wechat/pay/notify',
    amount: { total: 100, currency: 'CNY' },
    payer: { openid: OPENID },
    ...over,
  });
  if (res.status !== 200) throw new Error(`prepay failed: ${res.status} ${res.text}`);
  const prepayId = String(obj(res.json)['prepay_id']);
  const timeStamp = String(Math.floor(Date.now() / 1000));
  const nonceStr = randomAlphanumeric(32);
  const pkg = `prepay_id=${prepayId}`;
  return {
    outTradeNo: String(over['out_trade_no'] ?? outTradeNo),
    prepayId,
    payParams: { appId: merchant.appid, timeStamp, nonceStr, package: pkg, signType: 'RSA', paySign: createPaySign(merchant.appid, timeStamp, nonceStr, pkg, merchant.privateKeyPem) },
  };
}

// ---- a merchant's notify_url ----------------------------------------------------------------

export type ReceivedCallback = { headers: Record<string, string>; body: string; at: number };

export type Receiver = {
  url: string;
  received: ReceivedCallback[];
  close(): Promise<void>;
};

/** An HTTP server standing in for the merchant's notify endpoint; `respond` decides each reply. */
export async function startReceiver(
  respond: (callback: ReceivedCallback, index: number) => number | Promise<number> = () => 204,
): Promise<Receiver> {
  const received: ReceivedCallback[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[key] = value;
      const callback = { headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      received.push(callback);
      void Promise.resolve(respond(callback, received.length - 1)).then((status) => {
        if (res.destroyed) return;
        res.statusCode = status;
        res.end(status >= 400 ? JSON.stringify({ code: 'FAIL', message: '失败' }) : '');
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/wechat/pay/notify`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
