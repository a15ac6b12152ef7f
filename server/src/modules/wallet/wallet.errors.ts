import type { ErrorDefs } from '../../http/error-codes'

/** Error codes of the cash wallet. IDEMPOTENCY_CONFLICT (409) is the core's and reused here. */
export const WALLET_ERRORS = {
  WALLET_INSUFFICIENT: { status: 409, message: 'The wallet balance does not cover this amount' },
} as const satisfies ErrorDefs
