import { describe, expect, it } from '@jest/globals'
import { darkRuns, encodeDataCodewords, encodeQr, formatBits, interleaveWithEcc, rsRemainder, versionBits } from '../src/lib/qr'

// Vectors from ISO/IEC 18004 Annex I ("01234567", 1-M) and the widely used "HELLO WORLD" 1-Q
// walkthrough; format/version strings from the spec's tables. The encoder was also checked
// against a real decoder (zbarimg) for versions 1-10 while it was written.
describe('QR encoder', () => {
  it('encodes the spec example 01234567 at 1-M to the published codewords', () => {
    const data = encodeDataCodewords('01234567', 1, 'M')!
    expect(data).toEqual([0x10, 0x20, 0x0c, 0x56, 0x61, 0x80, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11])
    expect(rsRemainder(data, 10)).toEqual([0xa5, 0x24, 0xd4, 0xc1, 0xed, 0x36, 0xc7, 0x87, 0x2c, 0x55])
  })

  it('computes Reed-Solomon codewords for HELLO WORLD 1-Q', () => {
    const data = [32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236]
    expect(rsRemainder(data, 13)).toEqual([168, 72, 22, 82, 217, 54, 156, 0, 46, 15, 180, 122, 16])
  })

  it('produces the format and version information of the spec tables', () => {
    const fmt = (n: number) => n.toString(2).padStart(15, '0')
    expect(fmt(formatBits('L', 0))).toBe('111011111000100')
    expect(fmt(formatBits('M', 0))).toBe('101010000010010')
    expect(fmt(formatBits('Q', 0))).toBe('011010101011111')
    expect(fmt(formatBits('H', 0))).toBe('001011010001001')
    expect(fmt(formatBits('M', 4))).toBe('100010111111001')
    expect(versionBits(7).toString(2).padStart(18, '0')).toBe('000111110010010100')
  })

  it('fits a 20-digit member code in a version-1 symbol with the three finder patterns', () => {
    const q = encodeQr('01234567890123456789', 'M')
    expect(q.version).toBe(1)
    expect(q.size).toBe(21)
    const finderRow = [true, true, true, true, true, true, true]
    expect(q.modules[0]!.slice(0, 7)).toEqual(finderRow)
    expect(q.modules[0]!.slice(14, 21)).toEqual(finderRow)
    expect(q.modules[20]!.slice(0, 7)).toEqual(finderRow)
    expect(q.modules[13]![8]).toBe(true) // the always-dark module at (4V+9, 8)
  })

  it('grows the version with the text and interleaves multi-block data', () => {
    expect(encodeQr('x'.repeat(100), 'M').version).toBe(6)
    const data = Array.from({ length: 4 * 43 + 44 }, (_, i) => i & 0xff)
    const out = interleaveWithEcc(data, 10, 'M')
    expect(out).toHaveLength(346)
    expect(out.slice(0, 5)).toEqual([0, 43, 86, 129, 172]) // first codeword of each of the 5 blocks
    expect(() => encodeQr('x'.repeat(400), 'M')).toThrow(RangeError)
  })

  it('turns a row into dark runs', () => {
    expect(darkRuns([true, true, false, true, false, false, true])).toEqual([[0, 2], [3, 1], [6, 1]])
    expect(darkRuns([false, false])).toEqual([])
  })
})
