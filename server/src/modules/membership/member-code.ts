import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto'

/**
 * Member codes shown in store (QR and barcode): 20 digits = the 12-digit card number + an 8-digit
 * HMAC-SHA256 of (card number, 60-second window) under the merchant's secret. Stateless: the server
 * recomputes the MAC for the current and the previous window (grace), so a code is accepted for
 * 60-120 s after it was issued and nothing is stored per code. Digits only, so the same string fits a
 * Code 128 barcode and a QR code in numeric mode. A forged code passes with probability 2e-8 per try;
 * another merchant's code fails because the key differs.
 */
export const MEMBER_CODE_WINDOW_MS = 60_000
const MAC_DIGITS = 8
const MAC_MOD = 10n ** BigInt(MAC_DIGITS)

export function windowOf(nowMs: number): number {
  return Math.floor(nowMs / MEMBER_CODE_WINDOW_MS)
}

function mac(secret: string, cardNo: string, window: number): string {
  const h = createHmac('sha256', Buffer.from(secret, 'hex')).update(`mc1|${cardNo}|${window}`).digest()
  return (h.readBigUInt64BE(0) % MAC_MOD).toString().padStart(MAC_DIGITS, '0')
}

export function issueMemberCode(secret: string, cardNo: string, nowMs: number): { code: string; expiresAt: Date; refreshInSeconds: number } {
  const w = windowOf(nowMs)
  const windowEnd = (w + 1) * MEMBER_CODE_WINDOW_MS
  return {
    code: `${cardNo}${mac(secret, cardNo, w)}`,
    // accepted until the end of the next window (grace); the client should refresh when this window ends
    expiresAt: new Date(windowEnd + MEMBER_CODE_WINDOW_MS),
    refreshInSeconds: Math.max(1, Math.ceil((windowEnd - nowMs) / 1000)),
  }
}

/** The card number of a valid code (current or previous window), or null. */
export function verifyMemberCode(secret: string, code: string, nowMs: number): string | null {
  if (!/^\d{20}$/.test(code)) return null
  const cardNo = code.slice(0, 12)
  if (!luhnValid(cardNo)) return null
  const given = Buffer.from(code.slice(12))
  const w = windowOf(nowMs)
  let ok = false
  for (const win of [w, w - 1]) {
    // compare both windows in constant time (no early exit on the first match)
    if (timingSafeEqual(Buffer.from(mac(secret, cardNo, win)), given)) ok = true
  }
  return ok ? cardNo : null
}

export function newMemberCodeSecret(): string {
  return randomBytes(32).toString('hex')
}

/** 12-digit card number: 11 random digits (no leading 0) + a Luhn check digit that catches typing errors. */
export function newCardNo(): string {
  let body = String(randomInt(1, 10))
  for (let i = 0; i < 10; i++) body += String(randomInt(0, 10))
  return body + luhnDigit(body)
}

export function luhnDigit(body: string): string {
  let sum = 0
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i])
    if (i % 2 === 0) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  return String((10 - (sum % 10)) % 10)
}

export function luhnValid(n: string): boolean {
  return /^\d{2,}$/.test(n) && luhnDigit(n.slice(0, -1)) === n.slice(-1)
}
