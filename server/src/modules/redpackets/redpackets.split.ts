import crypto from 'node:crypto'

/** Uniform integer in [min, maxExclusive): crypto.randomInt's signature. */
export type RandomInt = (min: number, maxExclusive: number) => number

export const cryptoRandomInt: RandomInt = (min, maxExclusive) => crypto.randomInt(min, maxExclusive)

/**
 * Double-mean split (二倍均值法, WECHAT-CONTRACT §5.1) of `totalFen` into `n` integer slices, each
 * >= `floorFen`, in draw order. With `remaining` fen left for `k` slices, a slice is uniform on
 * [floor, 2·remaining/k − floor]: symmetric around the remaining mean, so every draw's expectation
 * is exactly remaining/k and every position's expectation is totalFen/n (the plain [1, 2·mean]
 * range drifts up by floor/2 per draw). 2·remaining/k − floor is rarely an integer, so its upper
 * bound is rounded up with probability equal to its fraction (randomised rounding keeps the
 * expectation exact in integers). The range never leaves less than floor for each later slice:
 * 2R/k − f <= R − (k−1)f whenever R >= k·f, which holds by induction. The last slice is the rest.
 */
export function splitDoubleMean(totalFen: number, n: number, floorFen: number, rand: RandomInt = cryptoRandomInt): number[] {
  if (!Number.isSafeInteger(totalFen) || !Number.isSafeInteger(n) || !Number.isSafeInteger(floorFen)) throw new RangeError('integers only')
  if (n < 1 || floorFen < 1 || totalFen < n * floorFen) throw new RangeError(`cannot split ${totalFen} into ${n} slices of at least ${floorFen}`)
  const out: number[] = []
  let remaining = totalFen
  for (let k = n; k > 1; k--) {
    // upper bound (2R − f·k)/k = q + r/k
    const num = 2 * remaining - floorFen * k
    const q = Math.floor(num / k)
    const r = num - q * k
    const hi = q + (r > 0 && rand(0, k) < r ? 1 : 0)
    const amount = hi > floorFen ? rand(floorFen, hi + 1) : floorFen
    out.push(amount)
    remaining -= amount
  }
  out.push(remaining)
  return out
}

/** Fisher–Yates, in place; returns the array. */
export function shuffle<T>(items: T[], rand: RandomInt = cryptoRandomInt): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rand(0, i + 1)
    const t = items[i]!
    items[i] = items[j]!
    items[j] = t
  }
  return items
}

/** A seedable generator (mulberry32) for reproducible statistical tests; never for real packets. */
export function seededRandomInt(seed: number): RandomInt {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return (min, maxExclusive) => min + Math.floor(next() * (maxExclusive - min))
}
