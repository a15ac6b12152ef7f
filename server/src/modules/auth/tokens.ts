import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * Session tokens for consumers and staff: `v1.<payload>.<hmac>` (base64url), stateless so that
 * every request is authenticated without a database read. Payload: user, merchant, expiry.
 */
export type TokenClaims = { userId: string; merchantId: string; exp: number }

export type TokenService = {
  issue(userId: string, merchantId: string, nowMs?: number): { token: string; expiresAt: Date }
  /** Returns the claims, 'expired', or null when the token is malformed or forged. */
  verify(token: string, nowMs?: number): TokenClaims | 'expired' | null
}

export function createTokenService(secret: string, ttlSeconds: number): TokenService {
  const key = Buffer.from(secret, 'utf8')
  const sign = (data: string) => createHmac('sha256', key).update(data).digest('base64url')
  return {
    issue(userId, merchantId, nowMs = Date.now()) {
      const exp = Math.floor(nowMs / 1000) + ttlSeconds
      const payload = Buffer.from(JSON.stringify({ u: userId, m: merchantId, e: exp })).toString('base64url')
      const body = `v1.${payload}`
      return { token: `${body}.${sign(body)}`, expiresAt: new Date(exp * 1000) }
    },
    verify(token, nowMs = Date.now()) {
      const parts = token.split('.')
      if (parts.length !== 3 || parts[0] !== 'v1') return null
      const body = `${parts[0]}.${parts[1]}`
      const expected = Buffer.from(sign(body))
      const given = Buffer.from(parts[2]!)
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null
      let claims: { u?: unknown; m?: unknown; e?: unknown }
      try {
        claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'))
      } catch {
        return null
      }
      if (typeof claims.u !== 'string' || typeof claims.m !== 'string' || typeof claims.e !== 'number') return null
      if (claims.e * 1000 <= nowMs) return 'expired'
      return { userId: claims.u, merchantId: claims.m, exp: claims.e }
    },
  }
}

/** Admin API keys: `sk_<48 random chars>`; stored as SHA-256 (the key itself has 288 bits of entropy). */
export function generateAdminKey(): string {
  return `sk_${randomBytes(36).toString('base64url')}`
}

export function hashAdminKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex')
}

export function adminKeyPrefix(key: string): string {
  return key.slice(0, 10)
}

/** Short human-typeable codes (staff invites): no 0/O/1/I. */
export function humanCode(length = 8): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'
  const bytes = randomBytes(length)
  let out = ''
  for (let i = 0; i < length; i++) out += alphabet[bytes[i]! % alphabet.length]
  return out
}
