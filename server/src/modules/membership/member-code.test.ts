import fc from 'fast-check'
import { issueMemberCode, luhnValid, MEMBER_CODE_WINDOW_MS, newCardNo, newMemberCodeSecret, verifyMemberCode } from './member-code'

describe('member codes', () => {
  const secret = newMemberCodeSecret()
  const cardNo = newCardNo()
  const t0 = Date.UTC(2026, 2, 10, 4, 0, 10) // 10 s into a window

  it('card numbers are 12 digits with a valid Luhn check digit', () => {
    for (let i = 0; i < 200; i++) {
      const n = newCardNo()
      expect(n).toMatch(/^[1-9]\d{11}$/)
      expect(luhnValid(n)).toBe(true)
    }
    expect(luhnValid('79927398713')).toBe(true) // the textbook example
    expect(luhnValid('79927398710')).toBe(false)
  })

  it('a code is 20 digits, valid in its window and the next (grace), rejected after', () => {
    const c = issueMemberCode(secret, cardNo, t0)
    expect(c.code).toMatch(/^\d{20}$/)
    expect(c.code.startsWith(cardNo)).toBe(true)
    expect(c.refreshInSeconds).toBe(50)
    expect(c.expiresAt.getTime() - t0).toBe(110_000)
    expect(verifyMemberCode(secret, c.code, t0)).toBe(cardNo)
    expect(verifyMemberCode(secret, c.code, t0 + MEMBER_CODE_WINDOW_MS)).toBe(cardNo)
    expect(verifyMemberCode(secret, c.code, c.expiresAt.getTime() - 1)).toBe(cardNo)
    expect(verifyMemberCode(secret, c.code, c.expiresAt.getTime())).toBeNull()
    expect(verifyMemberCode(secret, c.code, t0 - MEMBER_CODE_WINDOW_MS)).toBeNull() // not before it was issued
  })

  it('rejects another key, a malformed code and any changed digit', () => {
    const c = issueMemberCode(secret, cardNo, t0)
    expect(verifyMemberCode(newMemberCodeSecret(), c.code, t0)).toBeNull()
    expect(verifyMemberCode(secret, c.code.slice(1), t0)).toBeNull()
    expect(verifyMemberCode(secret, `${c.code.slice(0, 19)}x`, t0)).toBeNull()
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 19 }), fc.integer({ min: 1, max: 9 }), (pos, delta) => {
        const d = (Number(c.code[pos]) + delta) % 10
        const forged = c.code.slice(0, pos) + d + c.code.slice(pos + 1)
        return verifyMemberCode(secret, forged, t0) === null
      }),
    )
  })
})
