import { CORE_ERRORS, type ErrorDefs } from './error-codes'
import { REFERRALS_ERRORS } from '../modules/referrals/referrals.errors'
import { TASKS_ERRORS } from '../modules/tasks/tasks.errors'
import { PAYMENTS_ERRORS } from '../modules/payments/payments.errors'
import { POINTS_ERRORS } from '../modules/points/points.errors'
import { COUPONS_ERRORS } from '../modules/coupons/coupons.errors'
import { LOTTERY_ERRORS } from '../modules/lottery/lottery.errors'
import { CHECKIN_ERRORS } from '../modules/checkin/checkin.errors'
import { MEMBERSHIP_ERRORS } from '../modules/membership/membership.errors'
import { WALLET_ERRORS } from '../modules/wallet/wallet.errors'
import { REDPACKETS_ERRORS } from '../modules/redpackets/redpackets.errors'
import { PAYOUTS_ERRORS } from '../modules/payouts/payouts.errors'

/** Every error code the API can answer with: the core's plus one spread per domain module. */
export const ALL_ERRORS = {
  ...CORE_ERRORS,
  ...REFERRALS_ERRORS,
  ...TASKS_ERRORS,
  ...PAYMENTS_ERRORS,
  ...POINTS_ERRORS,
  ...COUPONS_ERRORS,
  ...LOTTERY_ERRORS,
  ...CHECKIN_ERRORS,
  ...MEMBERSHIP_ERRORS,
  ...WALLET_ERRORS,
  ...REDPACKETS_ERRORS,
  ...PAYOUTS_ERRORS,
} as const satisfies ErrorDefs

export type ErrorCode = keyof typeof ALL_ERRORS

/** One error type for every expected failure; the error middleware maps it to HTTP. */
export class AppError extends Error {
  readonly isAppError = true
  constructor(
    readonly code: ErrorCode,
    readonly details?: unknown,
    message?: string,
  ) {
    super(message ?? ALL_ERRORS[code].message)
    this.name = 'AppError'
  }
}

/** Checked by a brand, not instanceof (module copies in tests and tools stay compatible). */
export function isAppError(e: unknown): e is AppError {
  return typeof e === 'object' && e !== null && (e as { isAppError?: unknown }).isAppError === true
}

export function codeToStatus(code: ErrorCode): number {
  return ALL_ERRORS[code].status
}

type PgError = { code?: string; constraint?: string; detail?: string; message?: string }

/** drizzle wraps driver errors (DrizzleQueryError) with the pg error as `cause`. */
function pgErrorOf(e: unknown): PgError | null {
  for (let cur: unknown = e, depth = 0; cur && depth < 3; cur = (cur as { cause?: unknown }).cause, depth++) {
    const code = (cur as PgError).code
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return cur as PgError
  }
  return null
}

/**
 * Postgres errors translated in one place: 23505 -> CONFLICT, 23503 -> NOT_FOUND, 23514 -> the code it
 * guards, and SY001 -> the API error code a database function raised as its message, with its details
 * as JSON in DETAIL (our functions' business refusals, README "Hot paths").
 */
export function translatePgError(e: unknown, checkCodes: Record<string, ErrorCode> = {}): AppError | null {
  const pg = pgErrorOf(e)
  if (!pg) return null
  switch (pg.code) {
    case '23505':
      return new AppError('CONFLICT', { constraint: pg.constraint })
    case '23503':
      return new AppError('NOT_FOUND', { constraint: pg.constraint })
    case '23514': {
      const mapped = pg.constraint ? checkCodes[pg.constraint] : undefined
      return mapped ? new AppError(mapped) : new AppError('CONFLICT', { constraint: pg.constraint })
    }
    case 'SY001':
      return pg.message && pg.message in ALL_ERRORS ? new AppError(pg.message as ErrorCode, pg.detail ? JSON.parse(pg.detail) : undefined) : null
    case '22P02': // invalid text representation (e.g. a malformed uuid that slipped past validation)
      return new AppError('VALIDATION_FAILED', { reason: 'malformed identifier' })
    default:
      return null
  }
}

export function isUniqueViolation(e: unknown, constraint?: string): boolean {
  const pg = pgErrorOf(e)
  return pg?.code === '23505' && (constraint === undefined || pg.constraint === constraint)
}
