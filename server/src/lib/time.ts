/**
 * Business days: "a day" (check-in, daily limits) is the merchant's calendar day in its time zone
 * (default Asia/Shanghai), never the server's UTC day.
 */
const formatters = new Map<string, Intl.DateTimeFormat>()

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz)
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' })
    formatters.set(tz, f)
  }
  return f
}

// per time zone, the business day last asked for and the instants it spans: formatting a date in a
// time zone is the costly part of every check-in, draw and credit, and nearly all of them fall on today
const lastDay = new Map<string, { day: string; from: number; to: number }>()

/** 'YYYY-MM-DD' of `at` in time zone `tz`. */
export function businessDay(at: Date, tz: string): string {
  const t = at.getTime()
  const last = lastDay.get(tz)
  if (last && t >= last.from && t < last.to) return last.day
  const f = formatter(tz)
  const day = f.format(at)
  const from = startOfBusinessDay(day, tz).getTime()
  const to = startOfBusinessDay(addDays(day, 1), tz).getTime()
  // remembered only when the computed span really is that day at both ends (any DST oddity: never)
  if (from <= t && t < to && f.format(new Date(from)) === day && f.format(new Date(to - 1)) === day) lastDay.set(tz, { day, from, to })
  return day
}

/** Adds whole days to a 'YYYY-MM-DD' date (calendar arithmetic, no time zone involved). */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + n)
  return d.toISOString().slice(0, 10)
}

/** Whole days from a to b ('YYYY-MM-DD'); positive when b is later. */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000)
}

const partsFormatters = new Map<string, Intl.DateTimeFormat>()

function partsFormatter(tz: string): Intl.DateTimeFormat {
  // Building an Intl formatter costs far more than using one: keep one per time zone.
  let f = partsFormatters.get(tz)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
    partsFormatters.set(tz, f)
  }
  return f
}

const dayStarts = new Map<string, number>()

/** The instant a local calendar day starts in `tz` (handles any fixed or DST offset). */
export function startOfBusinessDay(day: string, tz: string): Date {
  const key = `${tz}|${day}`
  let at = dayStarts.get(key)
  if (at === undefined) {
    at = computeStartOfDay(day, tz)
    if (dayStarts.size >= 4096) dayStarts.clear()
    dayStarts.set(key, at)
  }
  return new Date(at)
}

function computeStartOfDay(day: string, tz: string): number {
  const guess = new Date(`${day}T00:00:00Z`)
  // offset of tz at that instant
  const parts = partsFormatter(tz)
    .formatToParts(guess)
    .reduce<Record<string, string>>((acc, p) => ((acc[p.type] = p.value), acc), {})
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute))
  const offsetMs = asUtc - guess.getTime()
  return guess.getTime() - offsetMs
}
