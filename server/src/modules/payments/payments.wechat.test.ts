import fc from 'fast-check'
import { utf8Length } from '@siyu/shared'
import { newOutRefundNo, newOutTradeNo, rfc3339Cst, truncateUtf8 } from './payments.wechat'

describe('WeChat Pay formats', () => {
  it('out_trade_no / out_refund_no: 6–32 chars of the allowed alphabet, distinct', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 1000; i++) {
      const no = newOutTradeNo()
      expect(no).toMatch(/^[0-9A-Za-z_\-|*]{6,32}$/)
      seen.add(no)
    }
    expect(seen.size).toBe(1000)
    expect(newOutRefundNo()).toMatch(/^R[0-9A-Z]{24}$/)
  })

  it('times are RFC 3339 in China Standard Time, seconds precision', () => {
    expect(rfc3339Cst(new Date('2026-11-20T16:30:45.999Z'))).toBe('2026-11-21T00:30:45+08:00')
  })

  it('descriptions are cut to 127 bytes of UTF-8 on a character boundary', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (s) => {
        const out = truncateUtf8(s, 127)
        return Buffer.byteLength(out, 'utf8') <= 127 && (out === s || out.endsWith('…')) && !out.includes('\uFFFD')
      }),
    )
    expect(truncateUtf8('短', 127)).toBe('短')
  })

  it('utf8Length (shared, no TextEncoder) agrees with Buffer.byteLength', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => utf8Length(s) === Buffer.byteLength(s, 'utf8') || /[\uD800-\uDFFF]/.test(s)))
  })
})
