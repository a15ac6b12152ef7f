import { describe, expect, it } from '@jest/globals'
import type { CheckinCalendarDay } from '@siyu/shared'
import { buildMonthGrid, checkedCount, daysInMonth, monthLabel, shiftMonth, weekdayOf } from '../src/lib/calendar'

const day = (d: string, over: Partial<CheckinCalendarDay> = {}): CheckinCalendarDay => ({
  day: d,
  checked: false,
  madeUp: false,
  reward: null,
  projected: false,
  canMakeUp: false,
  ...over,
})

describe('check-in calendar grid', () => {
  it('knows month lengths, weekdays and month arithmetic (leap years, year ends)', () => {
    expect(daysInMonth('2028-02')).toBe(29)
    expect(daysInMonth('2026-02')).toBe(28)
    expect(daysInMonth('2026-11')).toBe(30)
    expect(weekdayOf('2026-11-01')).toBe(0) // a Sunday
    expect(shiftMonth('2026-12', 1)).toBe('2027-01')
    expect(shiftMonth('2026-01', -1)).toBe('2025-12')
    expect(monthLabel('2026-11')).toBe('2026年11月')
  })

  it('lays out November 2026 Monday-first: 6 leading blanks, whole weeks', () => {
    const g = buildMonthGrid({ month: '2026-11', today: '2026-11-22', days: [] })
    expect(g.weekdays).toEqual(['一', '二', '三', '四', '五', '六', '日'])
    expect(g.weeks[0]!.filter((c) => c.kind === 'blank')).toHaveLength(6)
    const first = g.weeks[0]![6]!
    expect(first.kind === 'day' && first.date).toBe(1)
    expect(g.weeks.every((w) => w.length === 7)).toBe(true)
    expect(g.weeks.flat().filter((c) => c.kind === 'day')).toHaveLength(30)
    const sundayFirst = buildMonthGrid({ month: '2026-11', today: '2026-11-22', days: [] }, 0)
    expect(sundayFirst.weekdays[0]).toBe('日')
    expect(sundayFirst.weeks[0]![0]!.kind).toBe('day')
  })

  it('marks checked, made-up, missed, today and future days with their rewards', () => {
    const g = buildMonthGrid({
      month: '2026-11',
      today: '2026-11-22',
      days: [
        day('2026-11-19', { checked: true, reward: { points: 5, bonus: 0 } }),
        day('2026-11-20', { madeUp: true, checked: true }),
        day('2026-11-21', { canMakeUp: true }),
        day('2026-11-22', { reward: { points: 5, bonus: 5 }, projected: true }),
        day('2026-11-23', { reward: { points: 5, bonus: 0 }, projected: true }),
      ],
    })
    const cells = new Map(g.weeks.flat().flatMap((c) => (c.kind === 'day' ? [[c.day, c] as const] : [])))
    expect(cells.get('2026-11-19')).toMatchObject({ state: 'checked', rewardText: '+5', hasBonus: false })
    expect(cells.get('2026-11-20')).toMatchObject({ state: 'made_up', rewardText: null })
    expect(cells.get('2026-11-21')).toMatchObject({ state: 'missed', canMakeUp: true })
    expect(cells.get('2026-11-18')).toMatchObject({ state: 'missed', canMakeUp: false })
    expect(cells.get('2026-11-22')).toMatchObject({ state: 'today', isToday: true, rewardText: '+10', hasBonus: true, projected: true })
    expect(cells.get('2026-11-23')).toMatchObject({ state: 'future', rewardText: '+5' })
    expect(cells.get('2026-11-30')).toMatchObject({ state: 'future', rewardText: null })
  })

  it('shows today as checked once the server says so', () => {
    const g = buildMonthGrid({ month: '2026-11', today: '2026-11-22', days: [day('2026-11-22', { checked: true, reward: { points: 5, bonus: 0 } })] })
    const today = g.weeks.flat().find((c) => c.kind === 'day' && c.isToday)
    expect(today).toMatchObject({ state: 'checked', isToday: true })
    expect(checkedCount({ days: [day('2026-11-01', { checked: true }), day('2026-11-02', { madeUp: true }), day('2026-11-03')] })).toBe(2)
  })
})
