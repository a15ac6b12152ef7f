import type { ErrorDefs } from '../../http/error-codes'

/** Error codes of membership (card, member code, tiers). */
export const MEMBERSHIP_ERRORS = {
  PHONE_REQUIRED: { status: 409, message: 'Bind a phone number before claiming the membership card' },
  MEMBERSHIP_REQUIRED: { status: 409, message: 'Claim the membership card first' },
  MEMBER_CODE_INVALID: { status: 400, message: 'The member code is invalid or has expired; ask the member to refresh it' },
} as const satisfies ErrorDefs
