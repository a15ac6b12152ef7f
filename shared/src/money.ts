/** Money is integer fen (分) everywhere; points are integers. Never floats. */
export type Fen = number
export type Points = number

export function isFen(n: unknown): n is Fen {
  return typeof n === 'number' && Number.isSafeInteger(n)
}

/** Render fen as yuan for display only, e.g. 12345 -> "123.45". */
export function formatYuan(fen: Fen): string {
  if (!Number.isSafeInteger(fen)) throw new RangeError(`not an integer amount of fen: ${fen}`)
  const sign = fen < 0 ? '-' : ''
  const abs = Math.abs(fen)
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`
}

/** floor(amount * numerator / denominator) in integers, for proportional splits (e.g. clawbacks). */
export function mulDivFloor(amount: number, numerator: number, denominator: number): number {
  if (denominator <= 0) throw new RangeError('denominator must be positive')
  return Number((BigInt(amount) * BigInt(numerator)) / BigInt(denominator))
}
