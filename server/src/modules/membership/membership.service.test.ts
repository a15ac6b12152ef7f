import type { Tier } from '@siyu/shared'
import { levelFor, monthsBefore, purchaseRewards, tierAt } from './membership.service'

const tiers: Tier[] = [
  { level: 0, name: 'A', threshold: 0, multiplierPermille: 1000, checkinBonus: 0 },
  { level: 1, name: 'B', threshold: 100, multiplierPermille: 1200, checkinBonus: 2 },
  { level: 2, name: 'C', threshold: 1000, multiplierPermille: 1500, checkinBonus: 5 },
]

describe('membership rules', () => {
  it('grades growth to the highest tier whose threshold it reaches', () => {
    expect([0, 99, 100, 999, 1000, 10 ** 9].map((g) => levelFor(tiers, g))).toEqual([0, 0, 1, 1, 2, 2])
  })

  it('treats a level beyond the list (tiers removed) as the top tier', () => {
    expect(tierAt(tiers, 7).name).toBe('C')
  })

  it('earns per whole yuan, then applies the multiplier with floor, in integers', () => {
    expect(purchaseRewards({ pointsPerYuan: 2, growthPerYuan: 1 }, 1000, 12_399)).toEqual({ points: 246, growth: 123 })
    expect(purchaseRewards({ pointsPerYuan: 1, growthPerYuan: 3 }, 1200, 999)).toEqual({ points: 10, growth: 27 }) // floor(9 × 1.2)
    expect(purchaseRewards({ pointsPerYuan: 1, growthPerYuan: 1 }, 1500, 99)).toEqual({ points: 0, growth: 0 })
  })

  it('counts months back in UTC calendar terms', () => {
    expect(monthsBefore(new Date('2027-01-20T04:00:00Z'), 12).toISOString()).toBe('2026-01-20T04:00:00.000Z')
  })
})
