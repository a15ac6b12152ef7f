/** Time source. Production uses the system clock; tests move a manual one (expiry, business days). */
export type Clock = { now(): Date }

export const systemClock: Clock = { now: () => new Date() }

export type ManualClock = Clock & { set(d: Date | string): void; advance(ms: number): void; reset(): void }

/** A clock that follows real time plus an offset, or stays fixed once set. */
export function createManualClock(): ManualClock {
  let fixed: Date | null = null
  let offset = 0
  return {
    now: () => (fixed ? new Date(fixed) : new Date(Date.now() + offset)),
    set(d) {
      fixed = new Date(d)
    },
    advance(ms) {
      if (fixed) fixed = new Date(fixed.getTime() + ms)
      else offset += ms
    },
    reset() {
      fixed = null
      offset = 0
    },
  }
}
