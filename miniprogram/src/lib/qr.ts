/**
 * A small QR Code encoder (ISO/IEC 18004), versions 1-10, numeric and byte modes.
 * Enough for a 20-digit member code (version 1) or a short share link (byte mode). Pure: no
 * Taro, no DOM, so the same matrix renders in weapp and H5 and is unit-tested in node.
 * Structure follows Project Nayuki's reference encoder (MIT), trimmed to what we need.
 */

export type EccLevel = 'L' | 'M' | 'Q' | 'H'

/** The encoded symbol: `modules[row][col]`, true = dark. No quiet zone included. */
export type QrMatrix = { version: number; size: number; ecc: EccLevel; mask: number; modules: boolean[][] }

const ECC_FORMAT_BITS: Record<EccLevel, number> = { L: 1, M: 0, Q: 3, H: 2 }

/**
 * Per version (index 1..10) and level: [EC codewords per block, blocks in group 1, data codewords
 * per group-1 block, blocks in group 2, data codewords per group-2 block].
 */
const BLOCKS: Record<EccLevel, Array<[number, number, number, number, number]>> = {
  L: [[0, 0, 0, 0, 0], [7, 1, 19, 0, 0], [10, 1, 34, 0, 0], [15, 1, 55, 0, 0], [20, 1, 80, 0, 0], [26, 1, 108, 0, 0], [18, 2, 68, 0, 0], [20, 2, 78, 0, 0], [24, 2, 97, 0, 0], [30, 2, 116, 0, 0], [18, 2, 68, 2, 69]],
  M: [[0, 0, 0, 0, 0], [10, 1, 16, 0, 0], [16, 1, 28, 0, 0], [26, 1, 44, 0, 0], [18, 2, 32, 0, 0], [24, 2, 43, 0, 0], [16, 4, 27, 0, 0], [18, 4, 31, 0, 0], [22, 2, 38, 2, 39], [22, 3, 36, 2, 37], [26, 4, 43, 1, 44]],
  Q: [[0, 0, 0, 0, 0], [13, 1, 13, 0, 0], [22, 1, 22, 0, 0], [18, 2, 17, 0, 0], [26, 2, 24, 0, 0], [18, 2, 15, 2, 16], [24, 4, 19, 0, 0], [18, 2, 14, 4, 15], [22, 4, 18, 2, 19], [20, 4, 16, 4, 17], [24, 6, 19, 2, 20]],
  H: [[0, 0, 0, 0, 0], [17, 1, 9, 0, 0], [28, 1, 16, 0, 0], [22, 2, 13, 0, 0], [16, 4, 9, 0, 0], [22, 2, 11, 2, 12], [28, 4, 15, 0, 0], [26, 4, 13, 1, 14], [26, 4, 14, 2, 15], [24, 4, 12, 4, 13], [28, 6, 15, 2, 16]],
}

const ALIGNMENT: number[][] = [[], [], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34], [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50]]

export const MAX_VERSION = 10

type Segment = { mode: 'numeric' | 'byte'; bits: number[]; count: number }

function pushBits(out: number[], value: number, length: number): void {
  for (let i = length - 1; i >= 0; i--) out.push((value >>> i) & 1)
}

function utf8(text: string): number[] {
  const out: number[] = []
  for (const ch of text) {
    const cp = ch.codePointAt(0)!
    if (cp < 0x80) out.push(cp)
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63))
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63))
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63))
  }
  return out
}

function makeSegment(text: string): Segment {
  if (/^\d*$/.test(text)) {
    const bits: number[] = []
    for (let i = 0; i < text.length; i += 3) {
      const chunk = text.slice(i, i + 3)
      pushBits(bits, Number(chunk), chunk.length * 3 + 1)
    }
    return { mode: 'numeric', bits, count: text.length }
  }
  const bytes = utf8(text)
  const bits: number[] = []
  for (const b of bytes) pushBits(bits, b, 8)
  return { mode: 'byte', bits, count: bytes.length }
}

function countBits(mode: Segment['mode'], version: number): number {
  if (mode === 'numeric') return version <= 9 ? 10 : 12
  return version <= 9 ? 8 : 16
}

function dataCodewords(version: number, ecc: EccLevel): number {
  const [, b1, d1, b2, d2] = BLOCKS[ecc][version]!
  return b1 * d1 + b2 * d2
}

// ---- Reed-Solomon over GF(256), primitive polynomial 0x11D --------------------------------------

function gfMul(x: number, y: number): number {
  let z = 0
  for (let i = 7; i >= 0; i--) {
    z = (z << 1) ^ ((z >>> 7) * 0x11d)
    z ^= ((y >>> i) & 1) * x
  }
  return z & 0xff
}

function rsDivisor(degree: number): number[] {
  const result: number[] = new Array(degree - 1).fill(0)
  result.push(1)
  let root = 1
  for (let i = 0; i < degree; i++) {
    for (let j = 0; j < result.length; j++) {
      result[j] = gfMul(result[j]!, root)
      if (j + 1 < result.length) result[j]! ^= result[j + 1]!
    }
    root = gfMul(root, 0x02)
  }
  return result
}

/** The EC codewords of one block (exported for the spec's test vectors). */
export function rsRemainder(data: readonly number[], degree: number): number[] {
  const divisor = rsDivisor(degree)
  const result: number[] = new Array(degree).fill(0)
  for (const b of data) {
    const factor = b ^ result.shift()!
    result.push(0)
    divisor.forEach((coef, i) => {
      result[i]! ^= gfMul(coef, factor)
    })
  }
  return result
}

/** Data codewords (mode, count, data, terminator, padding) for a version and level. */
export function encodeDataCodewords(text: string, version: number, ecc: EccLevel): number[] | null {
  const seg = makeSegment(text)
  const capacityBits = dataCodewords(version, ecc) * 8
  const bits: number[] = []
  pushBits(bits, seg.mode === 'numeric' ? 0b0001 : 0b0100, 4)
  const cb = countBits(seg.mode, version)
  if (seg.count >= 1 << cb) return null
  pushBits(bits, seg.count, cb)
  bits.push(...seg.bits)
  if (bits.length > capacityBits) return null
  pushBits(bits, 0, Math.min(4, capacityBits - bits.length))
  pushBits(bits, 0, (8 - (bits.length % 8)) % 8)
  for (let pad = 0xec; bits.length < capacityBits; pad ^= 0xec ^ 0x11) pushBits(bits, pad, 8)
  const out: number[] = []
  for (let i = 0; i < bits.length; i += 8) {
    let byte = 0
    for (let j = 0; j < 8; j++) byte = (byte << 1) | bits[i + j]!
    out.push(byte)
  }
  return out
}

/** Splits data into blocks, adds EC codewords and interleaves them (spec §7.6). */
export function interleaveWithEcc(data: readonly number[], version: number, ecc: EccLevel): number[] {
  const [ecLen, b1, d1, b2, d2] = BLOCKS[ecc][version]!
  const blocks: Array<{ data: number[]; ec: number[] }> = []
  let k = 0
  for (let i = 0; i < b1 + b2; i++) {
    const len = i < b1 ? d1 : d2
    const chunk = data.slice(k, k + len)
    k += len
    blocks.push({ data: chunk, ec: rsRemainder(chunk, ecLen) })
  }
  const out: number[] = []
  const maxData = Math.max(d1, d2)
  for (let i = 0; i < maxData; i++) for (const b of blocks) if (i < b.data.length) out.push(b.data[i]!)
  for (let i = 0; i < ecLen; i++) for (const b of blocks) out.push(b.ec[i]!)
  return out
}

// ---- Matrix construction ----------------------------------------------------------------------

type Grid = { size: number; modules: boolean[][]; fn: boolean[][] }

function newGrid(size: number): Grid {
  const make = () => Array.from({ length: size }, () => new Array<boolean>(size).fill(false))
  return { size, modules: make(), fn: make() }
}

function setFn(g: Grid, x: number, y: number, dark: boolean): void {
  g.modules[y]![x] = dark
  g.fn[y]![x] = true
}

/** 15-bit format information: level + mask, BCH(15,5), masked with 0x5412. */
export function formatBits(ecc: EccLevel, mask: number): number {
  const data = (ECC_FORMAT_BITS[ecc] << 3) | mask
  let rem = data
  for (let i = 0; i < 10; i++) rem = (rem << 1) ^ ((rem >>> 9) * 0x537)
  return ((data << 10) | rem) ^ 0x5412
}

/** 18-bit version information (versions 7+), BCH(18,6). */
export function versionBits(version: number): number {
  let rem = version
  for (let i = 0; i < 12; i++) rem = (rem << 1) ^ ((rem >>> 11) * 0x1f25)
  return (version << 12) | rem
}

const bit = (x: number, i: number) => ((x >>> i) & 1) !== 0

function drawFormat(g: Grid, ecc: EccLevel, mask: number): void {
  const bits = formatBits(ecc, mask)
  const n = g.size
  for (let i = 0; i <= 5; i++) setFn(g, 8, i, bit(bits, i))
  setFn(g, 8, 7, bit(bits, 6))
  setFn(g, 8, 8, bit(bits, 7))
  setFn(g, 7, 8, bit(bits, 8))
  for (let i = 9; i < 15; i++) setFn(g, 14 - i, 8, bit(bits, i))
  for (let i = 0; i < 8; i++) setFn(g, n - 1 - i, 8, bit(bits, i))
  for (let i = 8; i < 15; i++) setFn(g, 8, n - 15 + i, bit(bits, i))
  setFn(g, 8, n - 8, true) // the dark module
}

function drawFunctionPatterns(g: Grid, version: number): void {
  const n = g.size
  for (let i = 0; i < n; i++) {
    setFn(g, 6, i, i % 2 === 0)
    setFn(g, i, 6, i % 2 === 0)
  }
  const finder = (cx: number, cy: number) => {
    for (let dy = -4; dy <= 4; dy++) {
      for (let dx = -4; dx <= 4; dx++) {
        const x = cx + dx
        const y = cy + dy
        if (x < 0 || y < 0 || x >= n || y >= n) continue
        const d = Math.max(Math.abs(dx), Math.abs(dy))
        setFn(g, x, y, d !== 2 && d !== 4)
      }
    }
  }
  finder(3, 3)
  finder(n - 4, 3)
  finder(3, n - 4)
  const pos = ALIGNMENT[version]!
  for (let i = 0; i < pos.length; i++) {
    for (let j = 0; j < pos.length; j++) {
      const corner = (i === 0 && j === 0) || (i === 0 && j === pos.length - 1) || (i === pos.length - 1 && j === 0)
      if (corner) continue
      for (let dy = -2; dy <= 2; dy++) {
        for (let dx = -2; dx <= 2; dx++) setFn(g, pos[i]! + dx, pos[j]! + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1)
      }
    }
  }
  drawFormat(g, 'L', 0) // reserves the format areas; redrawn with the real values later
  if (version >= 7) {
    const bits = versionBits(version)
    for (let i = 0; i < 18; i++) {
      const a = n - 11 + (i % 3)
      const b = Math.floor(i / 3)
      setFn(g, a, b, bit(bits, i))
      setFn(g, b, a, bit(bits, i))
    }
  }
}

function placeCodewords(g: Grid, codewords: readonly number[]): void {
  const n = g.size
  let i = 0
  for (let right = n - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5 // skip the vertical timing column
    for (let vert = 0; vert < n; vert++) {
      for (let j = 0; j < 2; j++) {
        const x = right - j
        const upward = ((right + 1) & 2) === 0
        const y = upward ? n - 1 - vert : vert
        if (!g.fn[y]![x] && i < codewords.length * 8) {
          g.modules[y]![x] = bit(codewords[i >>> 3]!, 7 - (i & 7))
          i++
        }
        // Remainder bits stay light (false).
      }
    }
  }
}

const MASKS: Array<(r: number, c: number) => boolean> = [
  (r, c) => (r + c) % 2 === 0,
  (r) => r % 2 === 0,
  (_r, c) => c % 3 === 0,
  (r, c) => (r + c) % 3 === 0,
  (r, c) => (Math.floor(r / 2) + Math.floor(c / 3)) % 2 === 0,
  (r, c) => ((r * c) % 2) + ((r * c) % 3) === 0,
  (r, c) => (((r * c) % 2) + ((r * c) % 3)) % 2 === 0,
  (r, c) => (((r + c) % 2) + ((r * c) % 3)) % 2 === 0,
]

function applyMask(g: Grid, mask: number): void {
  const m = MASKS[mask]!
  for (let r = 0; r < g.size; r++) for (let c = 0; c < g.size; c++) if (!g.fn[r]![c] && m(r, c)) g.modules[r]![c] = !g.modules[r]![c]
}

/** Penalty score of a finished symbol (spec §7.8.3, rules N1-N4): the mask with the lowest wins. */
export function penalty(modules: boolean[][]): number {
  const n = modules.length
  let score = 0
  const at = (r: number, c: number, vertical: boolean) => (vertical ? modules[c]![r]! : modules[r]![c]!)
  const finderA = [true, false, true, true, true, false, true, false, false, false, false]
  const finderB = [false, false, false, false, true, false, true, true, true, false, true]
  for (const vertical of [false, true]) {
    for (let r = 0; r < n; r++) {
      let run = 1
      for (let c = 1; c <= n; c++) {
        if (c < n && at(r, c, vertical) === at(r, c - 1, vertical)) run++
        else {
          if (run >= 5) score += 3 + (run - 5)
          run = 1
        }
      }
      for (let c = 0; c + 11 <= n; c++) {
        let a = true
        let b = true
        for (let k = 0; k < 11; k++) {
          const v = at(r, c + k, vertical)
          if (v !== finderA[k]) a = false
          if (v !== finderB[k]) b = false
        }
        if (a) score += 40
        if (b) score += 40
      }
    }
  }
  let dark = 0
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (modules[r]![c]) dark++
      if (r + 1 < n && c + 1 < n) {
        const v = modules[r]![c]
        if (v === modules[r]![c + 1] && v === modules[r + 1]![c] && v === modules[r + 1]![c + 1]) score += 3
      }
    }
  }
  const total = n * n
  score += Math.floor(Math.abs(dark * 20 - total * 10) / total) * 10
  return score
}

/** Encodes `text` in the smallest version (1-10) that fits at level `ecc`; throws if too long. */
export function encodeQr(text: string, ecc: EccLevel = 'M'): QrMatrix {
  for (let version = 1; version <= MAX_VERSION; version++) {
    const data = encodeDataCodewords(text, version, ecc)
    if (!data) continue
    const codewords = interleaveWithEcc(data, version, ecc)
    const size = version * 4 + 17
    let best: { mask: number; modules: boolean[][]; score: number } | null = null
    for (let mask = 0; mask < 8; mask++) {
      const g = newGrid(size)
      drawFunctionPatterns(g, version)
      placeCodewords(g, codewords)
      applyMask(g, mask)
      drawFormat(g, ecc, mask)
      const score = penalty(g.modules)
      if (!best || score < best.score) best = { mask, modules: g.modules, score }
    }
    return { version, size, ecc, mask: best!.mask, modules: best!.modules }
  }
  throw new RangeError(`text too long for a version-${MAX_VERSION} QR code`)
}

/** Dark runs per row, `[start, length]`, so a renderer draws ~1/3 as many boxes as modules. */
export function darkRuns(row: readonly boolean[]): Array<[number, number]> {
  const runs: Array<[number, number]> = []
  let start = -1
  for (let i = 0; i <= row.length; i++) {
    const dark = i < row.length && row[i]
    if (dark && start < 0) start = i
    if (!dark && start >= 0) {
      runs.push([start, i - start])
      start = -1
    }
  }
  return runs
}
