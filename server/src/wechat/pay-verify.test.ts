import crypto from 'node:crypto'
import fc from 'fast-check'
import { encryptResource, generatePlatformKeys } from '../../../tests/src/sandbox'
import { createSelfSignedCertificate } from '../../../tests/src/sandbox/x509'
import { decryptResource, DecryptError, PROBE_SIGNATURE_PREFIX, verifySignature, type KeysBySerial, type WechatpayHeaders } from './pay-verify'

const platform = generatePlatformKeys()
const keys: KeysBySerial = { [platform.certificateSerial]: platform.certificatePem, [platform.publicKeyId]: platform.publicKeyPem }
const NOW = Math.floor(Date.now() / 1000)
const APIV3 = 'abcdefghijklmnopqrstuvwxyz012345'

function sign(body: string, privateKeyPem: string, serial: string, ts = NOW, nonce = 'n0nce0123456789abcdef'): WechatpayHeaders {
  const signature = crypto.sign('sha256', Buffer.from(`${ts}\n${nonce}\n${body}\n`), privateKeyPem).toString('base64')
  return { timestamp: String(ts), nonce, signature, serial, signatureType: 'WECHATPAY2-SHA256-RSA2048' }
}
const byCert = (body: string, ts?: number) => sign(body, platform.certificatePrivateKeyPem, platform.certificateSerial, ts)
const byPubKey = (body: string, ts?: number) => sign(body, platform.publicKeyPrivateKeyPem, platform.publicKeyId, ts)

const BODY = '{"id":"EV-1","event_type":"TRANSACTION.SUCCESS","resource":{"ciphertext":"x"}}'

describe('verifySignature', () => {
  it('accepts a certificate signature and a public-key signature, each chosen by Wechatpay-Serial', () => {
    expect(verifySignature(byCert(BODY), BODY, keys, NOW)).toEqual({ ok: true, serial: platform.certificateSerial })
    expect(verifySignature(byPubKey(BODY), BODY, keys, NOW)).toEqual({ ok: true, serial: platform.publicKeyId })
  })

  it('compares serials case-insensitively', () => {
    const h = byCert(BODY)
    expect(verifySignature({ ...h, serial: h.serial!.toLowerCase() }, BODY, keys, NOW).ok).toBe(true)
  })

  it('verifies the empty body of a 204 (TIMESTAMP\\nNONCE\\n\\n)', () => {
    expect(verifySignature(byPubKey(''), '', keys, NOW).ok).toBe(true)
  })

  it('rejects the right signature under the other key (serial → key binding)', () => {
    const h = byCert(BODY)
    expect(verifySignature({ ...h, serial: platform.publicKeyId }, BODY, keys, NOW)).toEqual({ ok: false, reason: 'bad_signature' })
  })

  it('rejects a forged signature (another key), an unknown serial and missing headers', () => {
    const forger = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
    expect(verifySignature(sign(BODY, forger, platform.publicKeyId), BODY, keys, NOW)).toEqual({ ok: false, reason: 'bad_signature' })
    expect(verifySignature({ ...byPubKey(BODY), serial: 'PUB_KEY_ID_0000000000' }, BODY, keys, NOW)).toEqual({ ok: false, reason: 'unknown_serial' })
    expect(verifySignature({ ...byPubKey(BODY), nonce: undefined }, BODY, keys, NOW)).toEqual({ ok: false, reason: 'missing_headers' })
    expect(verifySignature({ ...byPubKey(BODY), signature: 'not base64 at all!!' }, BODY, keys, NOW)).toEqual({ ok: false, reason: 'bad_signature' })
  })

  it('rejects probe signatures before any key is tried', () => {
    const h = { ...byPubKey(BODY), signature: `${PROBE_SIGNATURE_PREFIX}${crypto.randomBytes(64).toString('base64')}` }
    expect(verifySignature(h, BODY, keys, NOW)).toEqual({ ok: false, reason: 'probe' })
  })

  it('enforces the 300 s window both ways and rejects millisecond timestamps', () => {
    expect(verifySignature(byPubKey(BODY, NOW - 299), BODY, keys, NOW).ok).toBe(true)
    expect(verifySignature(byPubKey(BODY, NOW - 300), BODY, keys, NOW)).toEqual({ ok: false, reason: 'stale_timestamp' })
    expect(verifySignature(byPubKey(BODY, NOW + 301), BODY, keys, NOW)).toEqual({ ok: false, reason: 'stale_timestamp' })
    expect(verifySignature(byPubKey(BODY, NOW * 1000), BODY, keys, NOW)).toEqual({ ok: false, reason: 'bad_timestamp' })
  })

  it('rejects another signature type', () => {
    expect(verifySignature({ ...byPubKey(BODY), signatureType: 'WECHATPAY2-SM2-WITH-SM3' }, BODY, keys, NOW)).toEqual({ ok: false, reason: 'unsupported_signature_type' })
  })

  it('rejects a certificate outside its validity period', () => {
    const key = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
    const old = createSelfSignedCertificate({
      privateKey: key,
      subject: { commonName: 'old', organizationalUnit: 'x', organization: 'x', locality: 'x', country: 'CN' },
      notBefore: new Date(Date.now() - 10 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    })
    const pem = key.export({ type: 'pkcs8', format: 'pem' }).toString()
    expect(verifySignature(sign(BODY, pem, old.serialHex), BODY, { [old.serialHex]: old.pem }, NOW)).toEqual({ ok: false, reason: 'key_not_valid_now' })
  })

  it('verifies raw bytes: the same JSON re-serialised (spacing, key order, escapes) fails', () => {
    const raw = '{"summary":"支付成功","id":"EV-2", "amount":{"total":1}}'
    const h = byPubKey(raw)
    expect(verifySignature(h, raw, keys, NOW).ok).toBe(true)
    expect(verifySignature(h, JSON.stringify(JSON.parse(raw)), keys, NOW).ok).toBe(false)
  })

  it('property: any change to the body breaks the signature', () => {
    const h = byPubKey(BODY)
    fc.assert(
      fc.property(fc.integer({ min: 0, max: BODY.length - 1 }), fc.string({ minLength: 1, maxLength: 1 }), (i, ch) => {
        fc.pre(BODY[i] !== ch)
        const tampered = BODY.slice(0, i) + ch + BODY.slice(i + 1)
        return verifySignature(h, tampered, keys, NOW).ok === false
      }),
      { numRuns: 60 },
    )
  })
})

describe('decryptResource (AEAD_AES_256_GCM, tag checked)', () => {
  const plaintext = JSON.stringify({ mchid: '1900000001', out_trade_no: 'P123456', amount: { total: 100 } })
  const res = encryptResource(plaintext, APIV3, 'transaction')

  it('decrypts with the APIv3 key', () => {
    expect(decryptResource(res, APIV3)).toBe(plaintext)
  })

  const fails = (r: Parameters<typeof decryptResource>[0], key = APIV3) => {
    try {
      decryptResource(r, key)
      return null
    } catch (e) {
      return e instanceof DecryptError ? e.reason : 'other'
    }
  }

  it('rejects a wrong key, wrong associated data, wrong nonce, wrong algorithm', () => {
    expect(fails(res, 'Abcdefghijklmnopqrstuvwxyz012345')).toBe('authentication_failed')
    expect(fails({ ...res, associated_data: 'refund' })).toBe('authentication_failed')
    expect(fails({ ...res, associated_data: undefined })).toBe('authentication_failed')
    expect(fails({ ...res, nonce: 'AAAAAAAAAAAA' })).toBe('authentication_failed')
    expect(fails({ ...res, nonce: 'short' })).toBe('bad_nonce')
    expect(fails({ ...res, algorithm: 'AEAD_AES_128_GCM' } as never)).toBe('unsupported_algorithm')
    expect(fails(res, 'too-short')).toBe('bad_key')
    expect(fails({ ...res, ciphertext: Buffer.alloc(16).toString('base64') })).toBe('too_short')
  })

  it('property: flipping any bit of ciphertext or tag is detected (what decipher_gcm without final() misses)', () => {
    const bytes = Buffer.from(res.ciphertext, 'base64')
    fc.assert(
      fc.property(fc.integer({ min: 0, max: bytes.length - 1 }), fc.integer({ min: 0, max: 7 }), (i, bit) => {
        const t = Buffer.from(bytes)
        t[i] = t[i]! ^ (1 << bit)
        return fails({ ...res, ciphertext: t.toString('base64') }) === 'authentication_failed'
      }),
      { numRuns: 100 },
    )
  })

  it('rejects a truncated tag', () => {
    const bytes = Buffer.from(res.ciphertext, 'base64')
    expect(fails({ ...res, ciphertext: bytes.subarray(0, bytes.length - 1).toString('base64') })).toBe('authentication_failed')
  })
})
