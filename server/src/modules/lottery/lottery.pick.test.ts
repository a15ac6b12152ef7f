import fc from 'fast-check'
import { cryptoRandomInt, oddsSentence, percentText, pickPrize, publishedOdds, slotOf, type RandomInt } from './lottery.pick'

/**
 * A seedable PRNG (mulberry32) with unbiased integers by rejection sampling. Used ONLY here, so the
 * chi-square test is reproducible; production draws use node:crypto's randomInt.
 */
function seededRandomInt(seed: number): RandomInt {
  let a = seed >>> 0
  const next32 = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (t ^ (t >>> 14)) >>> 0
  }
  return (n) => {
    if (n > 2 ** 32) throw new RangeError('seeded source limited to 2^32')
    const limit = Math.floor(2 ** 32 / n) * n
    let x = next32()
    while (x >= limit) x = next32()
    return x % n
  }
}

function chiSquare(observed: number[], weights: number[]): number {
  const n = observed.reduce((s, x) => s + x, 0)
  const total = weights.reduce((s, w) => s + w, 0)
  return observed.reduce((s, o, i) => {
    const e = (n * weights[i]!) / total
    return s + (o - e) ** 2 / e
  }, 0)
}

// Upper critical values of chi-square at significance 0.001 (df = slots - 1).
const CHI2_CRIT_0_001: Record<number, number> = { 4: 18.467, 5: 20.515 }

describe('pickPrize: the empirical distribution matches the weights', () => {
  const N = 100_000

  it('100,000 draws pass a chi-square goodness-of-fit test at significance 0.001 (seeded source)', () => {
    const weights = [1, 4, 10, 25, 60]
    const rand = seededRandomInt(20261101)
    const counts = weights.map(() => 0)
    for (let i = 0; i < N; i++) counts[pickPrize(weights, rand).index]!++
    const chi2 = chiSquare(counts, weights)
    expect(chi2).toBeLessThan(CHI2_CRIT_0_001[weights.length - 1]!)
    // the rarest slot lands near its 1%
    expect(counts[0]! / N).toBeGreaterThan(0.008)
    expect(counts[0]! / N).toBeLessThan(0.012)
  })

  it('also with uneven weights and a zero-weight slot that never comes up', () => {
    const weights = [7, 0, 13, 1000, 3, 250, 0, 9727]
    const rand = seededRandomInt(42)
    const counts = weights.map(() => 0)
    for (let i = 0; i < N; i++) counts[pickPrize(weights, rand).index]!++
    expect(counts[1]).toBe(0)
    expect(counts[6]).toBe(0)
    const live = weights.map((w, i) => ({ w, c: counts[i]! })).filter((x) => x.w > 0)
    const chi2 = chiSquare(
      live.map((x) => x.c),
      live.map((x) => x.w),
    )
    expect(chi2).toBeLessThan(CHI2_CRIT_0_001[live.length - 1]!)
  })

  it('the test has power: an off-by-one picker (value <= cumulative) is rejected', () => {
    const weights = [1, 4, 10, 25, 60]
    const rand = seededRandomInt(7)
    const counts = weights.map(() => 0)
    for (let i = 0; i < N; i++) {
      const total = 100
      const v = rand(total)
      let acc = 0
      let k = 0
      for (; k < weights.length; k++) {
        acc += weights[k]!
        if (v <= acc) break // the bug: slot 0 gets 2 values out of 100 instead of 1
      }
      counts[Math.min(k, weights.length - 1)]!++
    }
    expect(chiSquare(counts, weights)).toBeGreaterThan(CHI2_CRIT_0_001[4]!)
  })
})

describe('pickPrize and slotOf', () => {
  it('uses node:crypto by default and records the random value and total', () => {
    const p = pickPrize([3, 0, 7])
    expect(p.total).toBe(10)
    expect(p.value).toBeGreaterThanOrEqual(0)
    expect(p.value).toBeLessThan(10)
    expect(p.index).toBe(slotOf([3, 0, 7], p.value))
    expect(p.index).not.toBe(1)
    expect(cryptoRandomInt(1)).toBe(0)
  })

  it('rejects weights that sum to 0 or are negative / fractional', () => {
    expect(() => pickPrize([0, 0])).toThrow(RangeError)
    expect(() => pickPrize([1, -1, 5])).toThrow(RangeError)
    expect(() => pickPrize([1.5])).toThrow(RangeError)
  })

  it('property: the slot of every value in [0, total) has weight > 0 and covers exactly its interval', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 12 }), (weights) => {
        const total = weights.reduce((s, w) => s + w, 0)
        fc.pre(total > 0)
        const hits = weights.map(() => 0)
        for (let v = 0; v < total; v++) hits[slotOf(weights, v)]!++
        expect(hits).toEqual(weights)
        expect(() => slotOf(weights, total)).toThrow(RangeError)
      }),
    )
  })
})

describe('published odds', () => {
  const slots = [
    { name: '一等奖', type: 'physical', weight: 1, stock: 5 },
    { name: '二等奖', type: 'coupon', weight: 9, stock: 0 },
    { name: '积分', type: 'points', weight: 40, stock: null },
    { name: '谢谢参与', type: 'none', weight: 50, stock: null },
  ]

  it('an out-of-stock prize has probability 0 and its mass goes to "none", never to another prize', () => {
    expect(publishedOdds(slots)).toEqual([0.01, 0, 0.4, 0.59])
    const sum = publishedOdds(slots).reduce((s, p) => s + p, 0)
    expect(sum).toBeCloseTo(1, 12)
  })

  it('the sentence names every slot, the rule and what is sold out', () => {
    const text = oddsSentence(slots)
    expect(text).toContain('一等奖 1.00%')
    expect(text).toContain('二等奖 0%')
    expect(text).toContain('谢谢参与 59.00%')
    expect(text).toContain('其概率计入“谢谢参与”')
    expect(text).toContain('已抽完：二等奖')
  })

  it('formats tiny chances with two significant digits', () => {
    expect(percentText(0.00005)).toBe('0.0050%')
    expect(percentText(1 / 3)).toBe('33.33%')
    expect(percentText(0)).toBe('0%')
  })
})
