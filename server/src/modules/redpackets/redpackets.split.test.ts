import fc from 'fast-check'
import { seededRandomInt, shuffle, splitDoubleMean } from './redpackets.split'

describe('splitDoubleMean', () => {
  it('always yields n integer slices, each >= floor, summing to the total (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 500 }),
        fc.integer({ min: 0, max: 200_000 }),
        fc.integer(),
        (n, floor, extra, seed) => {
          const total = n * floor + extra
          const s = splitDoubleMean(total, n, floor, seededRandomInt(seed))
          // plain checks (one expect per run: jest's matchers dominate the time otherwise)
          const ok = s.length === n && s.reduce((a, b) => a + b, 0) === total && s.every((x) => Number.isSafeInteger(x) && x >= floor)
          if (!ok) expect({ total, n, floor, s }).toBe('a valid split')
        },
      ),
      { numRuns: 500 },
    )
  })

  it('with the default crypto randomness too', () => {
    const s = splitDoubleMean(100_000, 1000, 10)
    expect(s.reduce((a, b) => a + b, 0)).toBe(100_000)
    expect(Math.min(...s)).toBeGreaterThanOrEqual(10)
  })

  it('a total of exactly n × floor gives every slice the floor; n = 1 gives the total', () => {
    expect(splitDoubleMean(500, 50, 10, seededRandomInt(1))).toEqual(Array(50).fill(10))
    expect(splitDoubleMean(777, 1, 5, seededRandomInt(1))).toEqual([777])
  })

  it('rejects what cannot be split', () => {
    expect(() => splitDoubleMean(99, 10, 10)).toThrow(RangeError)
    expect(() => splitDoubleMean(100, 0, 1)).toThrow(RangeError)
    expect(() => splitDoubleMean(100.5, 2, 1)).toThrow(RangeError)
    expect(() => splitDoubleMean(100, 2, 0)).toThrow(RangeError)
  })

  // Each position's slice has expectation total/n (double-mean with a symmetric range and randomised
  // rounding). Over 10,000 packets the sample mean's standard error is <= ~1% of the mean here; 3% is
  // a > 3-sigma tolerance with a fixed seed, so the test is both meaningful and deterministic.
  it.each([
    { total: 10_000, n: 10, floor: 1 },
    { total: 10_000, n: 10, floor: 300 },
    { total: 2_000, n: 20, floor: 30 },
  ])('over 10,000 packets each position averages total/n within 3% ($total into $n, floor $floor)', ({ total, n, floor }) => {
    const rand = seededRandomInt(20261122)
    const sums = new Array<number>(n).fill(0)
    const shuffledSums = new Array<number>(n).fill(0)
    const packets = 10_000
    for (let i = 0; i < packets; i++) {
      const s = splitDoubleMean(total, n, floor, rand)
      s.forEach((x, j) => (sums[j]! += x))
      shuffle(s, rand).forEach((x, j) => (shuffledSums[j]! += x))
    }
    const mean = total / n
    for (let j = 0; j < n; j++) {
      expect(Math.abs(sums[j]! / packets - mean) / mean).toBeLessThan(0.03)
      expect(Math.abs(shuffledSums[j]! / packets - mean) / mean).toBeLessThan(0.03)
    }
  })

  it('no slice exceeds twice the remaining mean (the double-mean bound)', () => {
    const rand = seededRandomInt(7)
    for (let i = 0; i < 1000; i++) {
      const s = splitDoubleMean(5_000, 25, 5, rand)
      let remaining = 5_000
      s.slice(0, -1).forEach((x, j) => {
        if (x > Math.ceil((2 * remaining) / (25 - j))) expect({ x, remaining, j }).toBe('within twice the remaining mean')
        remaining -= x
      })
    }
  })
})

describe('shuffle', () => {
  it('is a permutation', () => {
    fc.assert(
      fc.property(fc.array(fc.integer()), fc.integer(), (xs, seed) => {
        const out = shuffle([...xs], seededRandomInt(seed))
        expect([...out].sort((a, b) => a - b)).toEqual([...xs].sort((a, b) => a - b))
      }),
    )
  })
})
