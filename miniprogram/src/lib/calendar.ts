/**
 * Month grid for the check-in calendar, built from the server's calendar (GET /api/v1/checkins).
 * Pure: dates are 'YYYY-MM-DD' strings in the merchant's business time zone, weekdays come from
 * UTC arithmetic on those strings, so the device's own time zone never shifts a day.
 */
import type { CheckinCalendar, CheckinCalendarDay } from '@siyu/shared'

export type DayState =
  /** Checked in on the day itself. */
  | 'checked'
  /** Missed, then made up. */
  | 'made_up'
  /** Today, not yet checked. */
  | 'today'
  /** Past and missed; `canMakeUp` tells whether it can still be made up. */
  | 'missed'
  | 'future'

export type CalendarCell =
  | { kind: 'blank'; key: string }
  | {
      kind: 'day'
      key: string
      day: string
      /** Day of month, 1-31. */
      date: number
      state: DayState
      isToday: boolean
      canMakeUp: boolean
      /** Points shown in the cell ('+5'), base + streak bonus; null when nothing is paid or projected. */
      rewardText: string | null
      /** A streak bonus is paid (or would be, if the streak continues) on this day. */
      hasBonus: boolean
      projected: boolean
    }

export type MonthGrid = { month: string; weekdays: string[]; weeks: CalendarCell[][] }

const WEEKDAY_LABELS = ['日', '一', '二', '三', '四', '五', '六']

/** 0 = Sunday ... 6 = Saturday, for a 'YYYY-MM-DD' date. */
export function weekdayOf(day: string): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number]
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay()
}

export function daysInMonth(month: string): number {
  const [y, m] = month.split('-').map(Number) as [number, number]
  return new Date(Date.UTC(y, m, 0)).getUTCDate()
}

/** 'YYYY-MM' shifted by `delta` months. */
export function shiftMonth(month: string, delta: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number]
  const t = new Date(Date.UTC(y, m - 1 + delta, 1))
  return `${t.getUTCFullYear()}-${String(t.getUTCMonth() + 1).padStart(2, '0')}`
}

export function monthLabel(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number]
  return `${y}年${m}月`
}

function stateOf(d: CheckinCalendarDay | undefined, day: string, today: string): DayState {
  if (d?.madeUp) return 'made_up'
  if (d?.checked) return 'checked'
  if (day === today) return 'today'
  return day < today ? 'missed' : 'future'
}

/**
 * Weeks of 7 cells (Monday first by default, as the weekly streak cycle restarts on Monday),
 * padded with blanks. Days missing from the server answer are derived from `today`.
 */
export function buildMonthGrid(cal: Pick<CheckinCalendar, 'month' | 'today' | 'days'>, weekStart: 0 | 1 = 1): MonthGrid {
  const byDay = new Map(cal.days.map((d) => [d.day, d]))
  const total = daysInMonth(cal.month)
  const cells: CalendarCell[] = []
  const lead = (weekdayOf(`${cal.month}-01`) - weekStart + 7) % 7
  for (let i = 0; i < lead; i++) cells.push({ kind: 'blank', key: `lead-${i}` })
  for (let date = 1; date <= total; date++) {
    const day = `${cal.month}-${String(date).padStart(2, '0')}`
    const d = byDay.get(day)
    const state = stateOf(d, day, cal.today)
    const points = d?.reward ? d.reward.points + d.reward.bonus : 0
    cells.push({
      kind: 'day',
      key: day,
      day,
      date,
      state,
      isToday: day === cal.today,
      canMakeUp: state === 'missed' && !!d?.canMakeUp,
      rewardText: points > 0 ? `+${points}` : null,
      hasBonus: !!d?.reward && d.reward.bonus > 0,
      projected: !!d?.projected,
    })
  }
  while (cells.length % 7 !== 0) cells.push({ kind: 'blank', key: `trail-${cells.length}` })
  const weeks: CalendarCell[][] = []
  for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7))
  const weekdays = Array.from({ length: 7 }, (_, i) => WEEKDAY_LABELS[(i + weekStart) % 7]!)
  return { month: cal.month, weekdays, weeks }
}

/** Days this month checked in (made-up days included). */
export function checkedCount(cal: Pick<CheckinCalendar, 'days'>): number {
  return cal.days.filter((d) => d.checked || d.madeUp).length
}
