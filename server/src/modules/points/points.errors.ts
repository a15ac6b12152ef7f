import type { ErrorDefs } from '../../http/error-codes'

/** Error codes of the points ledger. IDEMPOTENCY_CONFLICT (409) is the core's and reused here. */
export const POINTS_ERRORS = {
  POINTS_INSUFFICIENT: { status: 409, message: 'Not enough points' },
} as const satisfies ErrorDefs
