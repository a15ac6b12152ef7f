export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/**
 * Reads a value, then reads it again after each wait in `waitsMs` for as long as `pending(value)`
 * holds; resolves with the last value read (still pending when the waits ran out). For states
 * the server settles shortly after a WeChat sheet closes (payments, transfers).
 */
export async function pollWhile<T>(read: () => Promise<T>, pending: (value: T) => boolean, waitsMs: readonly number[]): Promise<T> {
  let value = await read()
  for (const wait of waitsMs) {
    if (!pending(value)) break
    await sleep(wait)
    value = await read()
  }
  return value
}
