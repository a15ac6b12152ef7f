import type { LoginOutput, UserProfile } from '@siyu/shared'

/**
 * The signed-in user as last seen (login or GET /me), in memory: share paths need the user's id
 * synchronously (onShareAppMessage must return at once), and pages render it before /me answers.
 */
let current: UserProfile | null = null
/** Staff id once staff mode was opened: shares from a guide carry it as guideId. */
let guideId: string | null = null

export function rememberUser(user: UserProfile): void {
  current = user
}

export function currentUser(): UserProfile | null {
  return current
}

export function rememberGuide(staffId: string | null): void {
  guideId = staffId
}

export function currentGuideId(): string | null {
  return guideId
}

type ReferralOutcome = NonNullable<LoginOutput['referral']>
/** What the login that carried an invite code answered, until a page has told the user. */
let referralNotice: ReferralOutcome | null = null

export function rememberReferral(outcome: ReferralOutcome | undefined): void {
  if (outcome) referralNotice = outcome
}

/** The invite outcome to tell the user about, once (null when there is none). */
export function takeReferralNotice(): ReferralOutcome | null {
  const out = referralNotice
  referralNotice = null
  return out
}
