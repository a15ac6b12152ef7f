import type { ErrorDefs } from '../../http/error-codes'

/** Error codes of referrals (binding rules and admin review). */
export const REFERRALS_ERRORS = {
  INVITE_CODE_INVALID: { status: 400, message: 'The invite code is unknown or no longer valid' },
  SELF_INVITE: { status: 409, message: 'A user cannot invite themselves (same account, WeChat identity or phone)' },
  ALREADY_INVITED: { status: 409, message: 'This user already has an inviter' },
  INVITE_WINDOW_CLOSED: { status: 409, message: 'Only new users can be invited; the window after the first visit has passed' },
  INVITE_CAP_REACHED: { status: 409, message: 'The inviter reached the daily limit of invitations' },
  REFERRALS_DISABLED: { status: 409, message: 'The referral programme is not active' },
  REFERRAL_NOT_FOUND: { status: 404, message: 'Referral not found' },
  REFERRAL_ALREADY_REVIEWED: { status: 409, message: 'This referral was already decided otherwise, or was never held' },
} as const satisfies ErrorDefs
