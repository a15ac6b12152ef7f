import { describe, expect, it } from '@jest/globals'
import { pollWhile } from '../src/lib/poll'

describe('pollWhile', () => {
  it('reads once when the first value is settled', async () => {
    let reads = 0
    const v = await pollWhile(async () => ++reads, () => false, [0, 0, 0])
    expect(v).toBe(1)
    expect(reads).toBe(1)
  })

  it('reads again after each wait until the value settles', async () => {
    let reads = 0
    const v = await pollWhile(async () => ++reads, (n) => n < 3, [0, 0, 0, 0])
    expect(v).toBe(3)
    expect(reads).toBe(3)
  })

  it('returns the last read, still pending, when the waits run out', async () => {
    let reads = 0
    const v = await pollWhile(async () => ++reads, () => true, [0, 0])
    expect(v).toBe(3)
    expect(reads).toBe(3)
  })
})
