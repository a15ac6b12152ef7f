/**
 * Error codes of the core (validation, auth, tenancy). Each domain module declares its own in
 * `<module>.errors.ts` with the same shape and is added to ALL_ERRORS in ./errors.ts.
 * Chinese texts for the mini-program live in @siyu/shared ERROR_MESSAGES_ZH (a test checks every code has one).
 */
export type ErrorDef = { status: number; message: string }
export type ErrorDefs = Record<string, ErrorDef>

export const CORE_ERRORS = {
  VALIDATION_FAILED: { status: 400, message: 'The request is invalid; see details for the fields' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large' },
  UNAUTHENTICATED: { status: 401, message: 'Authentication required' },
  TOKEN_EXPIRED: { status: 401, message: 'The session token has expired; log in again' },
  FORBIDDEN: { status: 403, message: 'This principal may not do that' },
  NOT_FOUND: { status: 404, message: 'Not found' },
  CONFLICT: { status: 409, message: 'Conflicting request' },
  IDEMPOTENCY_CONFLICT: { status: 409, message: 'This idempotency key was used with a different request' },
  RATE_LIMITED: { status: 429, message: 'Too many requests' },
  WECHAT_UNAVAILABLE: { status: 503, message: 'WeChat could not be reached; try again' },
  INTERNAL: { status: 500, message: 'Internal error' },
  APP_NOT_FOUND: { status: 404, message: 'No merchant app with this appid' },
  WECHAT_CODE_INVALID: { status: 401, message: 'The WeChat code is invalid, expired or already used' },
  PHONE_CODE_INVALID: { status: 400, message: 'The phone-number code is invalid, expired or already used' },
  INVITE_INVALID: { status: 400, message: 'The invite code is invalid, expired or already used' },
  ALREADY_STAFF: { status: 409, message: 'This user is already a staff member of this merchant' },
  STORE_NOT_FOUND: { status: 404, message: 'Store not found' },
  STAFF_NOT_FOUND: { status: 404, message: 'Staff member not found' },
  STAFF_INACTIVE: { status: 409, message: 'This staff member is deactivated' },
  USER_NOT_FOUND: { status: 404, message: 'User not found' },
  APPID_TAKEN: { status: 409, message: 'This appid already belongs to a merchant' },
} as const satisfies ErrorDefs
