import type { ClaimableCouponView, CouponView, CouponViewStatus } from '@siyu/shared'
import { request } from './request'

/** My coupons, optionally by status (available / used / expired / locked). */
export async function listMyCoupons(status?: CouponViewStatus): Promise<CouponView[]> {
  return (await request<{ items: CouponView[] }>('/api/v1/coupons', { data: { status } })).items
}

/** The claim centre: coupons I can take, with how many I already took. */
export async function listClaimable(): Promise<ClaimableCouponView[]> {
  return (await request<{ items: ClaimableCouponView[] }>('/api/v1/coupons/templates')).items
}

export function claimCoupon(templateId: string): Promise<CouponView> {
  return request<CouponView>('/api/v1/coupons/claim', { method: 'POST', data: { templateId } })
}
