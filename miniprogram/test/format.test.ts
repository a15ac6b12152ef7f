import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { parseYuan, yuan } from '../src/lib/format'

describe('money (integer fen)', () => {
  it('formats fen as yuan with two decimals', () => {
    expect(yuan(0)).toBe('0.00')
    expect(yuan(5)).toBe('0.05')
    expect(yuan(88)).toBe('0.88')
    expect(yuan(12345)).toBe('123.45')
    expect(yuan(-150)).toBe('-1.50')
    expect(yuan(100_000_000)).toBe('1000000.00')
  })

  it('parses typed yuan to fen; rejects zero, negatives and a third decimal', () => {
    expect(parseYuan('123.45')).toBe(12345)
    expect(parseYuan(' 12.5 ')).toBe(1250)
    expect(parseYuan('7')).toBe(700)
    expect(parseYuan('0.1')).toBe(10)
    expect(parseYuan('0')).toBeNull()
    expect(parseYuan('0.00')).toBeNull()
    expect(parseYuan('-1')).toBeNull()
    expect(parseYuan('1.234')).toBeNull()
    expect(parseYuan('1,000')).toBeNull()
    expect(parseYuan('')).toBeNull()
  })

  it('round-trips every positive amount', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 999_999_999 }), (fen) => expect(parseYuan(yuan(fen))).toBe(fen)))
  })
})
