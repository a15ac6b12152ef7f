import crypto from 'node:crypto'

/**
 * Verification of what WeChat Pay sends us: the signature on API responses and notifications
 * (WECHAT-CONTRACT §2.3) and the AEAD_AES_256_GCM resource inside notifications (§2.9).
 *
 * Why our own module instead of wechatpay-node-v3 (which we still use to sign requests):
 * - its `decipher_gcm` never calls `final()`, so the GCM tag is not checked: a tampered
 *   ciphertext, tag or associated_data still "decrypts" (§3 item 5, klover2 PR #72);
 * - its `verifySign` has no timestamp window (replays of old messages pass), knows only platform
 *   certificates (every `PUB_KEY_ID_…` serial throws, issue #73), keeps them in a static cache
 *   shared by all merchants of the process, fetches unknown serials from a hard-coded host, and
 *   JSON.stringify()s object bodies, which breaks on re-serialised bytes (§7.1).
 * So: raw body bytes, a 300 s window, key chosen by Wechatpay-Serial (hex certificate serial or
 * public-key id, case-insensitive), probe signatures rejected, tag always checked. Only node:crypto.
 */

export const SIGNATURE_TYPE = 'WECHATPAY2-SHA256-RSA2048'
/** WeChat deliberately sends wrongly signed "probe" traffic with this prefix to check merchants verify (§2.3). */
export const PROBE_SIGNATURE_PREFIX = 'WECHATPAY/SIGNTEST/'
/** Official SDKs reject |now − Wechatpay-Timestamp| ≥ 300 s (wechatpay-go FiveMinute). */
export const MAX_CLOCK_SKEW_SECONDS = 300

export type WechatpayHeaders = {
  timestamp?: string
  nonce?: string
  signature?: string
  serial?: string
  signatureType?: string
}

export type VerifyFailure =
  | 'missing_headers'
  | 'unsupported_signature_type'
  | 'probe'
  | 'bad_timestamp'
  | 'stale_timestamp'
  | 'unknown_serial'
  | 'key_not_valid_now'
  | 'bad_signature'

export type VerifyResult = { ok: true; serial: string } | { ok: false; reason: VerifyFailure }

/** Verification keys by serial: platform certificate PEMs (hex serial) and/or public-key PEMs (PUB_KEY_ID_…). */
export type KeysBySerial = Record<string, string>

/** Reads the Wechatpay-* headers from any header source (Koa ctx.get, fetch Headers.get...). */
export function readWechatpayHeaders(get: (name: string) => string | null | undefined): WechatpayHeaders {
  const v = (name: string) => {
    const value = get(name)
    return value === null || value === undefined || value === '' ? undefined : value
  }
  return {
    timestamp: v('wechatpay-timestamp'),
    nonce: v('wechatpay-nonce'),
    signature: v('wechatpay-signature'),
    serial: v('wechatpay-serial'),
    signatureType: v('wechatpay-signature-type'),
  }
}

type ParsedKey = { key: crypto.KeyObject; validFrom: number | null; validTo: number | null }

// Parsing a PEM costs more than the RSA verify itself; keys rarely change, so keep them (bounded).
const keyCache = new Map<string, ParsedKey>()
const KEY_CACHE_MAX = 1000

function parseKey(pem: string): ParsedKey {
  const cached = keyCache.get(pem)
  if (cached) return cached
  let parsed: ParsedKey
  if (pem.includes('BEGIN CERTIFICATE')) {
    const cert = new crypto.X509Certificate(pem)
    parsed = { key: cert.publicKey, validFrom: Date.parse(cert.validFrom), validTo: Date.parse(cert.validTo) }
  } else {
    // The WeChat Pay public key never expires (§2.3).
    parsed = { key: crypto.createPublicKey(pem), validFrom: null, validTo: null }
  }
  if (keyCache.size >= KEY_CACHE_MAX) keyCache.clear()
  keyCache.set(pem, parsed)
  return parsed
}

/** Finds the key for a serial, compared case-insensitively (SDKs and openssl differ in hex case, §7.7). */
export function keyForSerial(keys: KeysBySerial, serial: string): string | undefined {
  if (Object.hasOwn(keys, serial)) return keys[serial]
  const upper = serial.toUpperCase()
  for (const [id, pem] of Object.entries(keys)) if (id.toUpperCase() === upper) return pem
  return undefined
}

/** `TIMESTAMP\nNONCE\nRAW_BODY\n`; for an empty body (204) that is `TIMESTAMP\nNONCE\n\n`. */
export function signedMessage(timestamp: string, nonce: string, rawBody: string): string {
  return `${timestamp}\n${nonce}\n${rawBody}\n`
}

/**
 * Verifies a WeChat Pay signature over the exact raw body. `nowSeconds` is the verifier's clock
 * (unix seconds). Never pass JSON.stringify(parsedBody): key order, spacing and escapes differ.
 */
export function verifySignature(headers: WechatpayHeaders, rawBody: string, keysBySerial: KeysBySerial, nowSeconds: number): VerifyResult {
  const { timestamp, nonce, signature, serial, signatureType } = headers
  if (!timestamp || !nonce || !signature || !serial) return { ok: false, reason: 'missing_headers' }
  if (signatureType !== undefined && signatureType !== SIGNATURE_TYPE) return { ok: false, reason: 'unsupported_signature_type' }
  // A probe must fail even if someone configured a key that would accept it: reject before any crypto.
  if (signature.startsWith(PROBE_SIGNATURE_PREFIX)) return { ok: false, reason: 'probe' }
  if (!/^\d{1,10}$/.test(timestamp)) return { ok: false, reason: 'bad_timestamp' }
  if (Math.abs(nowSeconds - Number(timestamp)) >= MAX_CLOCK_SKEW_SECONDS) return { ok: false, reason: 'stale_timestamp' }
  const pem = keyForSerial(keysBySerial, serial)
  if (!pem) return { ok: false, reason: 'unknown_serial' }
  let parsed: ParsedKey
  try {
    parsed = parseKey(pem)
  } catch {
    // A broken configured key verifies nothing.
    return { ok: false, reason: 'unknown_serial' }
  }
  const nowMs = nowSeconds * 1000
  if ((parsed.validFrom !== null && nowMs < parsed.validFrom) || (parsed.validTo !== null && nowMs > parsed.validTo)) {
    return { ok: false, reason: 'key_not_valid_now' }
  }
  let valid = false
  try {
    valid = crypto.verify('sha256', Buffer.from(signedMessage(timestamp, nonce, rawBody), 'utf8'), parsed.key, Buffer.from(signature, 'base64'))
  } catch {
    valid = false
  }
  return valid ? { ok: true, serial } : { ok: false, reason: 'bad_signature' }
}

export type EncryptedResource = {
  algorithm: string
  ciphertext: string
  nonce: string
  associated_data?: string | null
}

export class DecryptError extends Error {
  constructor(readonly reason: 'unsupported_algorithm' | 'bad_key' | 'bad_nonce' | 'too_short' | 'authentication_failed') {
    super(`WeChat Pay resource could not be decrypted: ${reason}`)
    this.name = 'DecryptError'
  }
}

const GCM_TAG_BYTES = 16

/**
 * AEAD_AES_256_GCM with the merchant's APIv3 key. `final()` checks the tag: a wrong key,
 * nonce or associated_data, or any changed byte of ciphertext or tag, throws DecryptError.
 */
export function decryptResource(resource: EncryptedResource, apiV3Key: string): string {
  if (resource.algorithm !== 'AEAD_AES_256_GCM') throw new DecryptError('unsupported_algorithm')
  const key = Buffer.from(apiV3Key, 'utf8')
  if (key.length !== 32) throw new DecryptError('bad_key')
  const nonce = Buffer.from(resource.nonce, 'utf8')
  if (nonce.length !== 12) throw new DecryptError('bad_nonce')
  const data = Buffer.from(resource.ciphertext, 'base64')
  if (data.length <= GCM_TAG_BYTES) throw new DecryptError('too_short')
  try {
    const decipher = crypto.createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: GCM_TAG_BYTES })
    decipher.setAuthTag(data.subarray(data.length - GCM_TAG_BYTES))
    decipher.setAAD(Buffer.from(resource.associated_data ?? '', 'utf8'))
    return Buffer.concat([decipher.update(data.subarray(0, data.length - GCM_TAG_BYTES)), decipher.final()]).toString('utf8')
  } catch {
    throw new DecryptError('authentication_failed')
  }
}
