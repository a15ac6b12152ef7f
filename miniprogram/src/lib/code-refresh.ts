/**
 * Keeps the rotating member code fresh. The server answers {code, expiresAt, refreshInSeconds};
 * we schedule the next fetch from `refreshInSeconds` (relative, so a phone whose clock is off
 * still refreshes in time) a little before it is due, retry failures with backoff, and report
 * the code as expired once its lifetime has passed without a successful refresh.
 * Pure: timers and time are injected, so the schedule is unit-tested with a fake clock.
 */
import type { MemberCode } from '@siyu/shared'

export type Timers = {
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
  now(): number
}

export type CodeRefresherState =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'ready'; code: MemberCode; receivedAt: number; validUntil: number }
  | { status: 'expired'; lastError: unknown }

export type CodeRefresherOptions = {
  fetch: () => Promise<MemberCode>
  onChange: (state: CodeRefresherState) => void
  timers: Timers
  /** Refresh this long before the server's hint (network time). Default 3000 ms. */
  leadMs?: number
  /** Never refresh more often than this. Default 5000 ms. */
  minDelayMs?: number
  /** Waits after consecutive failures; the last one repeats. */
  retryDelaysMs?: number[]
}

/** When to fetch the next code, in ms after it was received. */
export function nextRefreshDelay(code: Pick<MemberCode, 'refreshInSeconds'>, leadMs = 3000, minDelayMs = 5000): number {
  const hint = Math.max(0, code.refreshInSeconds) * 1000
  return Math.max(minDelayMs, hint - leadMs)
}

/**
 * How long the code may still be shown, in ms after it was received. The server's absolute
 * `expiresAt` is not compared with our clock (it may be off); instead the code lives its
 * announced lifetime: the refresh hint plus the grace the server leaves after it.
 */
export function validityMs(code: MemberCode, receivedAt: number, serverNowGuess = receivedAt): number {
  const lifetime = Date.parse(code.expiresAt) - serverNowGuess
  const hint = Math.max(0, code.refreshInSeconds) * 1000
  // If clocks agree, lifetime ≥ hint; if the phone's clock is wildly off, fall back to the hint.
  return Number.isFinite(lifetime) && lifetime >= hint && lifetime < hint + 10 * 60_000 ? lifetime : hint
}

export type CodeRefresher = {
  start(): void
  stop(): void
  /** Fetch now (e.g. the user tapped the code); concurrent calls share one request. */
  refreshNow(): Promise<void>
  state(): CodeRefresherState
}

export function createCodeRefresher(opts: CodeRefresherOptions): CodeRefresher {
  const { timers } = opts
  const lead = opts.leadMs ?? 3000
  const minDelay = opts.minDelayMs ?? 5000
  const retries = opts.retryDelaysMs ?? [2000, 5000, 15000]
  let state: CodeRefresherState = { status: 'idle' }
  let running = false
  let timer: unknown = null
  let expiryTimer: unknown = null
  let inFlight: Promise<void> | null = null
  let failures = 0
  // Bumped by stop(): answers of requests started before it are dropped.
  let generation = 0

  const set = (s: CodeRefresherState) => {
    state = s
    opts.onChange(s)
  }
  const clear = () => {
    if (timer !== null) timers.clearTimeout(timer)
    if (expiryTimer !== null) timers.clearTimeout(expiryTimer)
    timer = expiryTimer = null
  }
  const schedule = (ms: number) => {
    if (timer !== null) timers.clearTimeout(timer)
    timer = timers.setTimeout(() => {
      timer = null
      void refreshNow()
    }, ms)
  }

  /** Marks the shown code expired when its lifetime ends without a successful refresh. */
  const armExpiry = () => {
    if (expiryTimer !== null) timers.clearTimeout(expiryTimer)
    if (state.status !== 'ready') return
    expiryTimer = timers.setTimeout(() => {
      expiryTimer = null
      if (state.status === 'ready' && timers.now() >= state.validUntil) set({ status: 'expired', lastError: null })
    }, Math.max(0, state.validUntil - timers.now()))
  }

  function refreshNow(): Promise<void> {
    if (inFlight) return inFlight
    const gen = generation
    if (state.status !== 'ready') set({ status: 'loading' })
    inFlight = opts
      .fetch()
      .then(
        (code) => {
          if (gen !== generation) return
          failures = 0
          const receivedAt = timers.now()
          const validUntil = receivedAt + validityMs(code, receivedAt)
          set({ status: 'ready', code, receivedAt, validUntil })
          if (!running) return
          schedule(nextRefreshDelay(code, lead, minDelay))
          armExpiry()
        },
        (err: unknown) => {
          if (gen !== generation) return
          const delay = retries[Math.min(failures, retries.length - 1)]!
          failures++
          const stillValid = state.status === 'ready' && timers.now() < state.validUntil
          if (!stillValid) set({ status: 'expired', lastError: err })
          if (running) schedule(delay)
        },
      )
      .finally(() => {
        if (gen === generation) inFlight = null
      })
    return inFlight
  }

  return {
    start() {
      if (running) return
      running = true
      const fresh = state.status === 'ready' && timers.now() + lead < state.validUntil
      if (fresh && state.status === 'ready') {
        // Back on screen with a code still good: refresh when it is due, not at once.
        schedule(Math.max(0, state.receivedAt + nextRefreshDelay(state.code, lead, minDelay) - timers.now()))
        armExpiry()
      } else void refreshNow()
    },
    stop() {
      running = false
      generation++
      inFlight = null
      clear()
    },
    refreshNow,
    state: () => state,
  }
}
