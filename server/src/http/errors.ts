import { CORE_ERRORS, type ErrorDefs } from './error-codes'

/** Every error code the API can answer with: the core's plus one spread per domain module. */
export const ALL_ERRORS = {
  ...CORE_ERRORS,
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

type PgError = { code?: string; constraint?: string; detail?: string }

/** Postgres errors translated in one place: 23505 -> CONFLICT, 23503 -> NOT_FOUND, 23514 -> the code it guards. */
export function translatePgError(e: unknown, checkCodes: Record<string, ErrorCode> = {}): AppError | null {
  const pg = e as PgError
  if (!pg || typeof pg.code !== 'string') return null
  switch (pg.code) {
    case '23505':
      return new AppError('CONFLICT', { constraint: pg.constraint })
    case '23503':
      return new AppError('NOT_FOUND', { constraint: pg.constraint })
    case '23514': {
      const mapped = pg.constraint ? checkCodes[pg.constraint] : undefined
      return mapped ? new AppError(mapped) : new AppError('CONFLICT', { constraint: pg.constraint })
    }
    case '22P02': // invalid text representation (e.g. a malformed uuid that slipped past validation)
      return new AppError('VALIDATION_FAILED', { reason: 'malformed identifier' })
    default:
      return null
  }
}

export function isUniqueViolation(e: unknown, constraint?: string): boolean {
  const pg = e as PgError
  return pg?.code === '23505' && (constraint === undefined || pg.constraint === constraint)
}
