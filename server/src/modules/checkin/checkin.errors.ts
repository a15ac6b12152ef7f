import type { ErrorDefs } from '../../http/error-codes'

/** Error codes of check-ins. */
export const CHECKIN_ERRORS = {
  ALREADY_CHECKED_IN: { status: 409, message: 'Already checked in for this day' },
  MAKEUP_DAY_INVALID: { status: 400, message: 'This day cannot be made up (only missed past days inside the make-up window)' },
  MAKEUP_QUOTA_EXCEEDED: { status: 409, message: 'No make-up check-ins left this month' },
} as const satisfies ErrorDefs
