import fc from 'fast-check'
import { addDays } from '../../lib/time'
import { bonusStreak, cycleStart, rewardFor } from './checkin.service'

describe('check-in reward rule', () => {
  it('finds the start of the cycle', () => {
    expect(cycleStart('2026-03-11', 'weekly')).toBe('2026-03-09') // Wednesday -> Monday
    expect(cycleStart('2026-03-09', 'weekly')).toBe('2026-03-09')
    expect(cycleStart('2026-03-08', 'weekly')).toBe('2026-03-02') // Sunday belongs to the week before
    expect(cycleStart('2026-03-31', 'monthly')).toBe('2026-03-01')
    expect(cycleStart('2026-03-31', 'none')).toBeNull()
  })

  it('cuts the streak at the cycle start for bonuses', () => {
    expect(bonusStreak(10, '2026-03-11', 'weekly')).toBe(3)
    expect(bonusStreak(2, '2026-03-11', 'weekly')).toBe(2)
    expect(bonusStreak(40, '2026-03-05', 'monthly')).toBe(5)
    expect(bonusStreak(40, '2026-03-05', 'none')).toBe(40)
  })

  it('multiplies the base by the tier (per-mille, floor) and adds the tier bonus and the streak bonus', () => {
    const policy = { basePoints: 7, streakBonuses: { '3': 5 }, cycle: 'none' as const }
    expect(rewardFor(policy, { multiplierPermille: 1200, checkinBonus: 2 }, 3, '2026-03-11')).toEqual({ points: 8 + 2, bonus: 5, bonusStreak: 3 })
    expect(rewardFor(policy, { multiplierPermille: 1000, checkinBonus: 0 }, 4, '2026-03-11')).toEqual({ points: 7, bonus: 0, bonusStreak: 4 })
  })

  it('property: the bonus streak is between 1 and 7 (weekly) / 31 (monthly), never above the streak', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 0, max: 3000 }), (streak, offset) => {
        const day = addDays('2025-01-01', offset)
        const w = bonusStreak(streak, day, 'weekly')
        const m = bonusStreak(streak, day, 'monthly')
        return w >= 1 && w <= Math.min(7, streak) && m >= 1 && m <= Math.min(31, streak) && m === Math.min(streak, Number(day.slice(8)))
      }),
    )
  })
})
