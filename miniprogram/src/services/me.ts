import type { UpdateProfileInput, UserProfile } from '@siyu/shared'
import { request } from './request'
import { rememberUser } from './session'

/** The signed-in user's profile and funnel stage. */
export async function getMe(): Promise<UserProfile> {
  const me = await request<UserProfile>('/api/v1/me')
  rememberUser(me)
  return me
}

export async function updateProfile(input: UpdateProfileInput): Promise<UserProfile> {
  const me = await request<UserProfile>('/api/v1/me', { method: 'PATCH', data: input })
  rememberUser(me)
  return me
}

/** Binds the phone number behind a getPhoneNumber code. */
export async function bindPhone(code: string): Promise<UserProfile> {
  const me = await request<UserProfile>('/api/v1/me/phone', { method: 'POST', data: { code } })
  rememberUser(me)
  return me
}
