/** Display helpers (pure). Money is integer fen, points integers; dates ISO strings. */

export function formatPoints(n: number): string {
  return n.toLocaleString('en-US')
}

export function signedPoints(n: number): string {
  return n > 0 ? `+${formatPoints(n)}` : n < 0 ? `-${formatPoints(-n)}` : '0'
}

/** 12345 fen → "123.45" */
export function yuan(fen: number): string {
  const sign = fen < 0 ? '-' : ''
  const abs = Math.abs(Math.trunc(fen))
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`
}

/** "123.45" / "123" / "12.5" → fen, or null when not a valid positive amount with ≤ 2 decimals. */
export function parseYuan(text: string): number | null {
  const m = /^\s*(\d{1,7})(?:\.(\d{1,2}))?\s*$/.exec(text)
  if (!m) return null
  const fen = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'))
  return fen > 0 ? fen : null
}

const pad = (n: number) => String(n).padStart(2, '0')

/** Local date and time, "2026-11-22 15:04". */
export function dateTime(iso: string): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`
}

export function dateOnly(iso: string): string {
  return dateTime(iso).slice(0, 10)
}

/** "11月22日" for 'YYYY-MM-DD'. */
export function monthDay(day: string): string {
  const [, m, d] = day.split('-').map(Number)
  return `${m}月${d}日`
}

/** The 20-digit member code in groups of four, as printed under a barcode. */
export function groupDigits(code: string): string {
  return code.replace(/(.{4})(?=.)/g, '$1 ')
}

/** "3天前" style recency for staff lists. */
export function ago(iso: string | null, now = Date.now()): string {
  if (!iso) return '—'
  const s = Math.max(0, (now - Date.parse(iso)) / 1000)
  if (s < 60) return '刚刚'
  if (s < 3600) return `${Math.floor(s / 60)}分钟前`
  if (s < 86400) return `${Math.floor(s / 3600)}小时前`
  if (s < 86400 * 30) return `${Math.floor(s / 86400)}天前`
  return dateOnly(iso)
}

/** A key for idempotent requests: unique per tap, printable, 8-64 chars. */
export function idempotencyKey(prefix = 'k'): string {
  const rand = Math.random().toString(36).slice(2, 10) + Math.random().toString(36).slice(2, 10)
  return `${prefix}-${Date.now().toString(36)}-${rand}`.slice(0, 64)
}
