/**
 * CSV import of points adjustments (a merchant migrating balances from another system, or a bulk
 * correction). Header `user_id,amount,reason,idempotency_key`; each row is an `adjust` with key
 * `admin:<idempotency_key>` (the same namespace as POST /admin/v1/points/adjust), so re-submitting a
 * file changes nothing. Rows run in chunks of 500 per transaction: a bad row (unknown user, invalid
 * amount, debit beyond the balance, key reused for something else) is reported with its row number and
 * skipped; the others are applied. An unexpected failure fails the job; re-submitting is then safe.
 */
import { IdempotencyKey, MAX_POINTS_AMOUNT, POINTS_IMPORT_HEADER, POINTS_IMPORT_MAX_ROWS, type PointsImportRowError } from '@siyu/shared'
import type { Db } from '../../db/client'
import { AppError, isAppError } from '../../http/errors'
import type { Clock } from '../../lib/clock'
import type { Logger } from '../../logger'
import { createBackgroundJob, reportProgress, runInBackground } from '../jobs/jobs.service'
import { adjust, expiryContext, expiryFor } from './points.service'

export const IMPORT_CHUNK_ROWS = 500
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and line breaks; CRLF or LF. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0
  for (; i < text.length; i++) {
    const c = text[i]!
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"'
          i++
        } else quoted = false
      } else field += c
    } else if (c === '"' && field === '') quoted = true
    else if (c === ',') {
      row.push(field)
      field = ''
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++
      row.push(field)
      rows.push(row)
      row = []
      field = ''
    } else field += c
  }
  if (field !== '' || row.length > 0) {
    row.push(field)
    rows.push(row)
  }
  // blank lines carry nothing
  return rows.filter((r) => !(r.length === 1 && r[0]!.trim() === ''))
}

export type ImportRow = { row: number; cells: string[] }

/** Checks the file's shape (header, size); rows themselves are validated one by one in the job. */
export function readImportFile(text: unknown): ImportRow[] {
  if (typeof text !== 'string') throw new AppError('VALIDATION_FAILED', { reason: 'send the file as the body with Content-Type: text/csv' })
  const rows = parseCsv(text)
  const header = rows[0]?.map((h) => h.trim().toLowerCase())
  if (!header || header.join(',') !== POINTS_IMPORT_HEADER.join(',')) {
    throw new AppError('VALIDATION_FAILED', { reason: `the first line must be the header ${POINTS_IMPORT_HEADER.join(',')}`, header: header ?? null })
  }
  const data = rows.slice(1)
  if (data.length === 0) throw new AppError('VALIDATION_FAILED', { reason: 'the file has no rows' })
  if (data.length > POINTS_IMPORT_MAX_ROWS) throw new AppError('PAYLOAD_TOO_LARGE', { maxRows: POINTS_IMPORT_MAX_ROWS, rows: data.length })
  return data.map((cells, i) => ({ row: i + 1, cells }))
}

type ValidRow = { row: number; userId: string; amount: number; reason: string | null; key: string }

function validateRow(r: ImportRow): ValidRow | PointsImportRowError {
  const bad = (message: string): PointsImportRowError => ({ row: r.row, code: 'VALIDATION_FAILED', message })
  if (r.cells.length !== POINTS_IMPORT_HEADER.length) return bad(`expected ${POINTS_IMPORT_HEADER.length} columns, got ${r.cells.length}`)
  const [userId, amountText, reason, key] = r.cells.map((c) => c.trim()) as [string, string, string, string]
  if (!UUID_RE.test(userId)) return bad('user_id: not a user id')
  const amount = Number(amountText)
  if (!/^[+-]?\d+$/.test(amountText) || amount === 0 || Math.abs(amount) > MAX_POINTS_AMOUNT) {
    return bad(`amount: must be a non-zero integer within ±${MAX_POINTS_AMOUNT}`)
  }
  if (reason.length > 200) return bad('reason: at most 200 characters')
  if (!IdempotencyKey.safeParse(key).success) return bad('idempotency_key: 1-100 of letters, digits and . _ : @ -')
  return { row: r.row, userId: userId.toLowerCase(), amount, reason: reason || null, key }
}

export type ImportDeps = { db: Db; clock: Clock; logger: Logger }

/** Applies the rows (the background job's body); returns the totals stored as the job's result. */
export async function processImport(deps: ImportDeps, merchantId: string, jobId: string, rows: ImportRow[]) {
  const totals = { applied: 0, replayed: 0, failed: 0 }
  for (let start = 0; start < rows.length; start += IMPORT_CHUNK_ROWS) {
    const chunk = rows.slice(start, start + IMPORT_CHUNK_ROWS)
    const errors: PointsImportRowError[] = []
    let applied = 0
    let replayed = 0
    await deps.db.transaction(async (tx) => {
      // the merchant's policy, read once per chunk rather than per row
      const { policy, tz } = await expiryContext(tx, merchantId)
      for (const raw of chunk) {
        const v = validateRow(raw)
        if ('code' in v) {
          errors.push(v)
          continue
        }
        try {
          const now = deps.clock.now()
          // the ledger raises its errors before writing anything, so a refused row leaves the chunk's transaction usable
          const r = await adjust(tx, {
            merchantId,
            userId: v.userId,
            amount: v.amount,
            reasonCode: 'admin_import',
            reason: v.reason ?? undefined,
            idempotencyKey: `admin:${v.key}`,
            source: { type: 'import', id: jobId },
            expiresAt: v.amount > 0 ? expiryFor(policy, now, tz) : undefined,
            now,
          })
          if (r.replayed) replayed++
          else applied++
        } catch (e) {
          if (!isAppError(e)) throw e
          errors.push({ row: v.row, code: e.code, message: e.message })
        }
      }
    })
    totals.applied += applied
    totals.replayed += replayed
    totals.failed += errors.length
    await reportProgress(deps.db, jobId, { processed: chunk.length, succeeded: applied + replayed, failed: errors.length, errors })
  }
  return totals
}

/** Validates the file, records a background job and starts it; the caller answers 202 with the id. */
export async function startImport(deps: ImportDeps, merchantId: string, body: unknown) {
  const rows = readImportFile(body)
  const jobId = await createBackgroundJob(deps.db, merchantId, 'points_import', rows.length)
  runInBackground(deps.db, deps.logger, jobId, () => processImport(deps, merchantId, jobId, rows))
  return { jobId, total: rows.length }
}

