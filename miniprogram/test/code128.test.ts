import { describe, expect, it } from '@jest/globals'
import { barRuns, CODE128_PATTERNS, CODE128_STOP, encodeCode128 } from '../src/lib/code128'

describe('Code 128', () => {
  it('has 106 well-formed symbol patterns: 11 modules, even bar widths', () => {
    expect(CODE128_PATTERNS).toHaveLength(106)
    expect(new Set(CODE128_PATTERNS).size).toBe(106)
    for (const p of CODE128_PATTERNS) {
      const w = [...p].map(Number)
      expect(w.reduce((a, b) => a + b, 0)).toBe(11)
      expect((w[0]! + w[2]! + w[4]!) % 2).toBe(0)
    }
    expect([...CODE128_STOP].map(Number).reduce((a, b) => a + b, 0)).toBe(13)
  })

  it('encodes a 20-digit member code in set C with the mod-103 check symbol', () => {
    const b = encodeCode128('01234567890123456789')
    expect(b.values[0]).toBe(105)
    expect(b.values.slice(1, 11)).toEqual([1, 23, 45, 67, 89, 1, 23, 45, 67, 89])
    const sum = 105 + b.values.slice(1, 11).reduce((s, v, i) => s + v * (i + 1), 0)
    expect(b.values[11]).toBe(sum % 103)
    expect(b.modules).toBe(12 * 11 + 13)
    expect(barRuns(b)).toHaveLength(12 * 3 + 4)
  })

  it('uses set B for text and rejects what it cannot encode', () => {
    expect(encodeCode128('A1').values.slice(0, 3)).toEqual([104, 33, 17])
    expect(encodeCode128('123').values[0]).toBe(104) // odd digit count
    expect(() => encodeCode128('会员')).toThrow(RangeError)
  })
})
