import fc from 'fast-check'
import { businessDay, startOfBusinessDay } from './time'

const ZONES = ['Asia/Shanghai', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kolkata', 'America/Santiago', 'UTC']

// the definition, without any of businessDay's remembering
const plain = (at: Date, tz: string) => new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at)

describe('businessDay', () => {
  it('agrees with plain formatting for any sequence of instants, DST transitions included', () => {
    const from = Date.UTC(2025, 0, 1)
    const to = Date.UTC(2028, 0, 1)
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.constantFrom(...ZONES),
            fc.integer({ min: from, max: to }),
            // most calls in real life are close to the previous one: near-boundary steps
            fc.integer({ min: -2 * 3600_000, max: 2 * 3600_000 }),
          ),
          { minLength: 1, maxLength: 60 },
        ),
        (steps) => {
          let t = from
          for (const [tz, jump, step] of steps) {
            t = Math.abs(step) < 3600_000 ? Math.min(to, Math.max(from, t + step)) : jump
            const at = new Date(t)
            expect(businessDay(at, tz)).toBe(plain(at, tz))
          }
        },
      ),
      { numRuns: 300 },
    )
  })

  it('23:59 and 00:01 in Shanghai are two days on one UTC day; the day starts at 16:00 UTC', () => {
    expect(businessDay(new Date('2026-11-22T15:59:00Z'), 'Asia/Shanghai')).toBe('2026-11-22')
    expect(businessDay(new Date('2026-11-22T16:01:00Z'), 'Asia/Shanghai')).toBe('2026-11-23')
    expect(startOfBusinessDay('2026-11-23', 'Asia/Shanghai').toISOString()).toBe('2026-11-22T16:00:00.000Z')
  })

  it('startOfBusinessDay hands out a fresh Date each time', () => {
    const a = startOfBusinessDay('2026-03-08', 'America/New_York')
    a.setTime(0)
    expect(startOfBusinessDay('2026-03-08', 'America/New_York').toISOString()).toBe('2026-03-08T05:00:00.000Z')
  })
})
