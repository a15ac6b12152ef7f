import type { InviteView, MyReferrals, ReferralBinding } from '@siyu/shared'
import { request } from './request'

/** My invite: code, share path, and the mini-program code image (null while WeChat is unreachable). */
export function getInvite(): Promise<InviteView> {
  return request<InviteView>('/api/v1/referrals/invite')
}

/** People I invited, with counts. */
export function listMyReferrals(): Promise<MyReferrals> {
  return request<MyReferrals>('/api/v1/referrals')
}

/** Binds the signed-in user to an inviter (an existing user only within the merchant's window). */
export function bindInvite(inviteCode: string): Promise<ReferralBinding> {
  return request<ReferralBinding>('/api/v1/referrals/bind', { method: 'POST', data: { inviteCode } })
}
