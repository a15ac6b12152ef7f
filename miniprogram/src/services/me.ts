import type { UserProfile } from '@siyu/shared'
import { request } from './request'

/** The signed-in user's profile and funnel stage. */
export function getMe(): Promise<UserProfile> {
  return request<UserProfile>('/api/v1/me')
}
