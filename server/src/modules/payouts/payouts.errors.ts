import type { ErrorDefs } from '../../http/error-codes'

/** Error codes of withdrawals (cash wallet -> WeChat change, merchant transfer) and their notifications. */
export const PAYOUTS_ERRORS = {
  WITHDRAWAL_TOO_SMALL: { status: 400, message: 'The amount is below the smallest withdrawal; see details.minFen' },
  WITHDRAWAL_TOO_LARGE: { status: 400, message: 'The amount is above the largest withdrawal; see details.maxFen' },
  WITHDRAWAL_NOT_FOUND: { status: 404, message: 'Withdrawal not found' },
  WITHDRAWAL_REJECTED: { status: 409, message: 'WeChat Pay refused the transfer; the amount is back in the wallet' },
  WITHDRAWAL_NOT_CANCELLABLE: { status: 409, message: 'This withdrawal can no longer be cancelled' },
} as const satisfies ErrorDefs
