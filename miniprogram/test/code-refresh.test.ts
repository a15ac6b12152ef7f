import { describe, expect, it } from '@jest/globals'
import type { MemberCode } from '@siyu/shared'
import { createCodeRefresher, nextRefreshDelay, type CodeRefresherState, type Timers } from '../src/lib/code-refresh'

/** A fake clock: timers fire only when the test advances time. */
function fakeTimers(start = 1_000_000): Timers & { advance(ms: number): Promise<void>; pending(): number } {
  let now = start
  let seq = 0
  const queue = new Map<number, { at: number; fn: () => void }>()
  const flush = () => new Promise<void>((r) => setImmediate(r))
  return {
    now: () => now,
    setTimeout(fn, ms) {
      const id = ++seq
      queue.set(id, { at: now + ms, fn })
      return id
    },
    clearTimeout(h) {
      queue.delete(h as number)
    },
    pending: () => queue.size,
    async advance(ms) {
      const end = now + ms
      for (;;) {
        await flush()
        const due = [...queue.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0]
        if (!due) break
        queue.delete(due[0])
        now = due[1].at
        due[1].fn()
      }
      now = end
      await flush()
    },
  }
}

const code = (n: number, t: Timers, ttl = 60): MemberCode => ({
  code: String(n).padStart(20, '0'),
  expiresAt: new Date(t.now() + ttl * 1000).toISOString(),
  refreshInSeconds: ttl - 10,
})

describe('member code refresh', () => {
  it('refreshes a little before the server hint, never too often', () => {
    expect(nextRefreshDelay({ refreshInSeconds: 50 })).toBe(47_000)
    expect(nextRefreshDelay({ refreshInSeconds: 1 })).toBe(5_000)
    expect(nextRefreshDelay({ refreshInSeconds: -3 })).toBe(5_000)
  })

  it('fetches on start, then again before each code is due, and shows each new code', async () => {
    const t = fakeTimers()
    let n = 0
    const seen: string[] = []
    const r = createCodeRefresher({ timers: t, fetch: async () => code(++n, t), onChange: (s) => s.status === 'ready' && seen.push(s.code.code) })
    r.start()
    await t.advance(0)
    expect(seen).toHaveLength(1)
    await t.advance(46_000)
    expect(seen).toHaveLength(1)
    await t.advance(1_000) // 47 s: 50 s hint minus 3 s lead
    expect(seen).toHaveLength(2)
    await t.advance(47_000 * 3)
    expect(seen).toHaveLength(5)
    expect(new Set(seen).size).toBe(5)
    r.stop()
    expect(t.pending()).toBe(0)
  })

  it('keeps the old code while it is valid, retries with backoff, then reports it expired', async () => {
    const t = fakeTimers()
    let fail = false
    let calls = 0
    const states: CodeRefresherState['status'][] = []
    const r = createCodeRefresher({
      timers: t,
      retryDelaysMs: [2000, 5000],
      fetch: async () => {
        calls++
        if (fail) throw new Error('offline')
        return code(calls, t)
      },
      onChange: (s) => states.push(s.status),
    })
    r.start()
    await t.advance(0)
    fail = true
    await t.advance(47_000) // due: fails, code still valid for 13 s
    expect(r.state().status).toBe('ready')
    await t.advance(2_000) // retry 1
    await t.advance(5_000) // retry 2
    expect(calls).toBe(4)
    expect(r.state().status).toBe('ready')
    await t.advance(6_000) // 60 s after receipt: lifetime over
    expect(r.state().status).toBe('expired')
    fail = false
    await t.advance(5_000) // backoff stays at its last step and recovers
    expect(r.state().status).toBe('ready')
    expect(states[0]).toBe('loading')
    r.stop()
  })

  it('drops an answer that arrives after stop, and shares one request between concurrent refreshes', async () => {
    const t = fakeTimers()
    let resolve: ((c: MemberCode) => void) | null = null
    let calls = 0
    const changes: CodeRefresherState[] = []
    const r = createCodeRefresher({
      timers: t,
      fetch: () => {
        calls++
        return new Promise<MemberCode>((res) => (resolve = res))
      },
      onChange: (s) => changes.push(s),
    })
    r.start()
    void r.refreshNow()
    void r.refreshNow()
    expect(calls).toBe(1)
    r.stop()
    resolve!(code(1, t))
    await t.advance(0)
    expect(changes.map((c) => c.status)).toEqual(['loading'])
    expect(t.pending()).toBe(0)
  })

  it('back on screen with a fresh code, waits until it is due instead of fetching at once', async () => {
    const t = fakeTimers()
    let calls = 0
    const r = createCodeRefresher({ timers: t, fetch: async () => code(++calls, t), onChange: () => undefined })
    r.start()
    await t.advance(0)
    r.stop()
    await t.advance(20_000)
    r.start()
    await t.advance(0)
    expect(calls).toBe(1)
    await t.advance(27_000)
    expect(calls).toBe(2)
    r.stop()
  })
})
