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

/** 'YYYY-MM-DD' of `at` in time zone `tz`. */
export function businessDay(at: Date, tz: string): string {
  return formatter(tz).format(at)
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

/** The instant a local calendar day starts in `tz` (handles any fixed or DST offset). */
export function startOfBusinessDay(day: string, tz: string): Date {
  const guess = new Date(`${day}T00:00:00Z`)
  // offset of tz at that instant
  const parts = partsFormatter(tz)
    .formatToParts(guess)
    .reduce<Record<string, string>>((acc, p) => ((acc[p.type] = p.value), acc), {})
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute))
  const offsetMs = asUtc - guess.getTime()
  return new Date(guess.getTime() - offsetMs)
}
