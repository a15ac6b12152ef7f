/**
 * The cryptography of WeChat Pay APIv3 (WECHAT-CONTRACT §2.2, §2.3, §2.5, §2.9, §2.10), both
 * sides of it: the sandbox verifies merchant signatures and produces WeChat's, and tests use
 * the merchant-side helpers to talk to the sandbox. Only node:crypto.
 */
import crypto from 'node:crypto';

export const AUTH_SCHEME = 'WECHATPAY2-SHA256-RSA2048';
/** Prefix of the deliberately wrong signatures WeChat sends to check that merchants verify. */
export const PROBE_SIGNATURE_PREFIX = 'WECHATPAY/SIGNTEST/';
/** Clients and WeChat both reject timestamps further than this from their own clock. */
export const MAX_CLOCK_SKEW_SECONDS = 300;

const NONCE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random alphanumeric string; used for nonces (the GCM nonce must be exactly 12 such chars). */
export function randomAlphanumeric(length: number): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += NONCE_ALPHABET[crypto.randomInt(NONCE_ALPHABET.length)];
  return out;
}

/** Random decimal digits, for WeChat's long numeric ids (transaction_id, refund_id, bill numbers). */
export function randomDigits(length: number): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += String(crypto.randomInt(10));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Merchant -> WeChat: the Authorization header (§2.2)

/** `METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n`; BODY is '' for GET and body-less POST. */
export function requestMessage(method: string, pathWithQuery: string, timestamp: string, nonce: string, body: string): string {
  return `${method.toUpperCase()}\n${pathWithQuery}\n${timestamp}\n${nonce}\n${body}\n`;
}

export type AuthorizationParams = {
  mchid: string;
  nonce_str: string;
  timestamp: string;
  serial_no: string;
  signature: string;
};

/**
 * Parse `WECHATPAY2-SHA256-RSA2048 k="v",k="v"`. Parameter order is free (SDKs differ), and
 * base64 signatures contain '=', so pairs are matched rather than split on '='.
 */
export function parseAuthorization(header: string | undefined): AuthorizationParams | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (!trimmed.startsWith(`${AUTH_SCHEME} `)) return undefined;
  const params = new Map<string, string>();
  for (const match of trimmed.slice(AUTH_SCHEME.length + 1).matchAll(/\s*([a-z_]+)="([^"]*)"\s*(?:,|$)/g)) {
    const [, key, value] = match;
    if (key !== undefined && value !== undefined) params.set(key, value);
  }
  const mchid = params.get('mchid');
  const nonce = params.get('nonce_str');
  const timestamp = params.get('timestamp');
  const serial = params.get('serial_no');
  const signature = params.get('signature');
  if (!mchid || !nonce || !timestamp || !serial || !signature) return undefined;
  return { mchid, nonce_str: nonce, timestamp, serial_no: serial, signature };
}

export type BuildAuthorizationInput = {
  mchid: string;
  serial: string;
  privateKey: crypto.KeyLike;
  method: string;
  pathWithQuery: string;
  body?: string;
  /** Unix seconds; defaults to now. */
  timestamp?: number;
  nonce?: string;
};

/** Merchant side: the Authorization header value for one request. */
export function buildAuthorization(input: BuildAuthorizationInput): string {
  const timestamp = String(input.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = input.nonce ?? randomAlphanumeric(32);
  const message = requestMessage(input.method, input.pathWithQuery, timestamp, nonce, input.body ?? '');
  const signature = crypto.sign('sha256', Buffer.from(message, 'utf8'), input.privateKey).toString('base64');
  return `${AUTH_SCHEME} mchid="${input.mchid}",nonce_str="${nonce}",timestamp="${timestamp}",serial_no="${input.serial}",signature="${signature}"`;
}

// ---------------------------------------------------------------------------------------------
// WeChat -> merchant: Wechatpay-* headers on responses and callbacks (§2.3)

export function wechatpayMessage(timestamp: string, nonce: string, rawBody: string): string {
  return `${timestamp}\n${nonce}\n${rawBody}\n`;
}

export type WechatpaySignatureHeaders = {
  'Wechatpay-Timestamp': string;
  'Wechatpay-Nonce': string;
  'Wechatpay-Signature': string;
  'Wechatpay-Serial': string;
  'Wechatpay-Signature-Type': string;
};

export type SigningKey = { serial: string; privateKey: crypto.KeyObject };

export function signWechatpay(key: SigningKey, rawBody: string, timestampSeconds: number): WechatpaySignatureHeaders {
  const timestamp = String(timestampSeconds);
  const nonce = randomAlphanumeric(32);
  const signature = crypto
    .sign('sha256', Buffer.from(wechatpayMessage(timestamp, nonce, rawBody), 'utf8'), key.privateKey)
    .toString('base64');
  return {
    'Wechatpay-Timestamp': timestamp,
    'Wechatpay-Nonce': nonce,
    'Wechatpay-Signature': signature,
    'Wechatpay-Serial': key.serial,
    'Wechatpay-Signature-Type': AUTH_SCHEME,
  };
}

export type VerifyWechatpayInput = {
  headers: Record<string, string | undefined>;
  rawBody: string;
  /** Keys by Wechatpay-Serial: hex certificate serials and/or PUB_KEY_ID_… ids. */
  keysBySerial: Record<string, crypto.KeyLike>;
  /** Unix seconds of the verifier's clock; defaults to now. */
  nowSeconds?: number;
};

/**
 * Merchant side: verify a response or callback. Header names are looked up case-insensitively
 * and serials compared case-insensitively (§7.7).
 */
export function verifyWechatpaySignature(input: VerifyWechatpayInput): boolean {
  const header = (name: string): string | undefined => {
    const lower = name.toLowerCase();
    for (const [key, value] of Object.entries(input.headers)) if (key.toLowerCase() === lower) return value;
    return undefined;
  };
  const timestamp = header('Wechatpay-Timestamp');
  const nonce = header('Wechatpay-Nonce');
  const signature = header('Wechatpay-Signature');
  const serial = header('Wechatpay-Serial');
  if (!timestamp || !nonce || !signature || !serial) return false;
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (!/^\d{10}$/.test(timestamp) || Math.abs(now - Number(timestamp)) > MAX_CLOCK_SKEW_SECONDS) return false;
  const keyEntry = Object.entries(input.keysBySerial).find(([id]) => id.toUpperCase() === serial.toUpperCase());
  if (!keyEntry) return false;
  return crypto.verify(
    'sha256',
    Buffer.from(wechatpayMessage(timestamp, nonce, input.rawBody), 'utf8'),
    keyEntry[1],
    Buffer.from(signature, 'base64'),
  );
}

// ---------------------------------------------------------------------------------------------
// AEAD_AES_256_GCM resources (§2.9): notifications and /v3/certificates

export type EncryptedResource = {
  algorithm: 'AEAD_AES_256_GCM';
  ciphertext: string;
  associated_data: string;
  nonce: string;
};

function apiV3KeyBytes(apiV3Key: string): Buffer {
  const key = Buffer.from(apiV3Key, 'utf8');
  // A wrong-length key is the most common real-world misconfiguration (§7.5); fail loudly.
  if (key.length !== 32) throw new Error(`APIv3 key must be 32 bytes, got ${key.length}`);
  return key;
}

/** ciphertext = base64(ct ‖ 16-byte tag); key = the 32-byte APIv3 key; IV = 12-char nonce. */
export function encryptResource(plaintext: string, apiV3Key: string, associatedData: string): EncryptedResource {
  const nonce = randomAlphanumeric(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', apiV3KeyBytes(apiV3Key), Buffer.from(nonce, 'utf8'));
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return { algorithm: 'AEAD_AES_256_GCM', ciphertext: ciphertext.toString('base64'), associated_data: associatedData, nonce };
}

/** Authenticated decrypt: final() checks the tag, so a wrong key, AAD or nonce throws. */
export function decryptResource(
  resource: { ciphertext: string; nonce: string; associated_data?: string },
  apiV3Key: string,
): string {
  const data = Buffer.from(resource.ciphertext, 'base64');
  if (data.length < 16) throw new Error('ciphertext shorter than the GCM tag');
  const decipher = crypto.createDecipheriv('aes-256-gcm', apiV3KeyBytes(apiV3Key), Buffer.from(resource.nonce, 'utf8'));
  decipher.setAuthTag(data.subarray(data.length - 16));
  decipher.setAAD(Buffer.from(resource.associated_data ?? '', 'utf8'));
  return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString('utf8');
}

// ---------------------------------------------------------------------------------------------
// Mini-program payment signature (§2.5) and sensitive fields (§2.10)

export function paySignMessage(appId: string, timeStamp: string, nonceStr: string, pkg: string): string {
  return `${appId}\n${timeStamp}\n${nonceStr}\n${pkg}\n`;
}

/** Merchant side: paySign for wx.requestPayment. */
export function createPaySign(appId: string, timeStamp: string, nonceStr: string, pkg: string, privateKey: crypto.KeyLike): string {
  return crypto.sign('sha256', Buffer.from(paySignMessage(appId, timeStamp, nonceStr, pkg), 'utf8'), privateKey).toString('base64');
}

export function verifyRsaSha256(message: string, signatureBase64: string, publicKey: crypto.KeyLike): boolean {
  try {
    return crypto.verify('sha256', Buffer.from(message, 'utf8'), publicKey, Buffer.from(signatureBase64, 'base64'));
  } catch {
    // Malformed keys or signatures are simply "not verified" for the caller.
    return false;
  }
}

/** Merchant side: RSA-OAEP(SHA-1) encryption of a sensitive field such as transfer user_name. */
export function encryptSensitiveField(plaintext: string, publicKey: crypto.KeyLike): string {
  return crypto
    .publicEncrypt({ key: publicKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, Buffer.from(plaintext, 'utf8'))
    .toString('base64');
}

export function decryptSensitiveField(ciphertextBase64: string, privateKey: crypto.KeyLike): string {
  return crypto
    .privateDecrypt({ key: privateKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, Buffer.from(ciphertextBase64, 'base64'))
    .toString('utf8');
}
