import { z } from 'zod'
import { FUNNEL_STAGES } from '../funnel'
import { InviteCode } from './referrals'

export const Attribution = z.strictObject({
  channel: z.string().min(1).max(32).optional(),
  storeId: z.uuid().optional(),
  guideId: z.uuid().optional(),
  sharerId: z.uuid().optional(),
  /** From an invite link or QR scene (`i=<code>`): binds the inviter (referrals). */
  inviteCode: InviteCode.optional(),
})
export type Attribution = z.infer<typeof Attribution>

export const LoginInput = z.strictObject({
  appid: z.string().min(1).max(64),
  code: z.string().min(1).max(256),
  /** First-touch attribution carried by the share link or QR scene that opened the app. */
  attribution: Attribution.optional(),
})
export type LoginInput = z.infer<typeof LoginInput>

export const UserProfile = z.object({
  id: z.uuid(),
  nickname: z.string().nullable(),
  avatarUrl: z.string().nullable(),
  phoneMasked: z.string().nullable(),
  phoneBound: z.boolean(),
  stage: z.enum(FUNNEL_STAGES),
  isStaff: z.boolean(),
  createdAt: z.string(),
})
export type UserProfile = z.infer<typeof UserProfile>

export const LoginOutput = z.object({
  token: z.string(),
  expiresAt: z.string(),
  user: UserProfile,
  /** Present when the attribution carried an inviteCode: the binding's outcome (a rejection never fails the login). */
  referral: z
    .union([
      z.object({ status: z.enum(['bound', 'held']), referralId: z.uuid(), replayed: z.boolean() }),
      z.object({ status: z.literal('rejected'), reason: z.string() }),
    ])
    .optional(),
})
export type LoginOutput = z.infer<typeof LoginOutput>

export const BindPhoneInput = z.strictObject({ code: z.string().min(1).max(256) })
export type BindPhoneInput = z.infer<typeof BindPhoneInput>

export const UpdateProfileInput = z.strictObject({
  nickname: z.string().trim().min(1).max(32).optional(),
  avatarUrl: z.url().max(512).optional(),
})
export type UpdateProfileInput = z.infer<typeof UpdateProfileInput>
