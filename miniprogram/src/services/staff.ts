import type {
  RedeemedCouponView,
  Page,
  StaffCustomer,
  StaffMemberSummary,
  StaffPurchaseInput,
  StaffPurchaseResult,
  StaffRedeemInput,
  StaffRedeemResult,
  StaffRole,
  StaffStats,
} from '@siyu/shared'
import { request } from './request'
import { rememberGuide } from './session'

export type StaffStore = { id: string; name: string; code: string | null; address: string | null }
export type StaffMe = { staffId: string; role: StaffRole; store: StaffStore }
export type JoinStaffResult = { staffId: string; storeId: string; role: StaffRole }

/** Redeems a staff invite code: the consumer becomes a guide or manager of the invite's store. */
export async function joinStaff(code: string): Promise<JoinStaffResult> {
  const out = await request<JoinStaffResult>('/api/v1/staff/join', { method: 'POST', data: { code } })
  rememberGuide(out.staffId)
  return out
}

/** Who I am in staff mode; 403 FORBIDDEN when the user is not staff. */
export async function getStaffMe(): Promise<StaffMe> {
  const me = await request<StaffMe>('/staff/v1/me')
  rememberGuide(me.staffId)
  return me
}

/** Looks up a member by the code they show (QR, barcode or typed). */
export function scanMember(memberCode: string): Promise<StaffMemberSummary> {
  return request<StaffMemberSummary>('/staff/v1/scan', { method: 'POST', data: { memberCode } })
}

/** Records an in-store purchase and awards points; idempotent on receiptNo. */
export function recordPurchase(input: StaffPurchaseInput): Promise<StaffPurchaseResult> {
  return request<StaffPurchaseResult>('/staff/v1/purchases', { method: 'POST', data: input })
}

/** Spends a member's points at the counter; idempotent on idempotencyKey. */
export function redeemPoints(input: StaffRedeemInput): Promise<StaffRedeemResult> {
  return request<StaffRedeemResult>('/staff/v1/points/redeem', { method: 'POST', data: input })
}

export function listMyCustomers(cursor?: string | null, limit = 20): Promise<Page<StaffCustomer>> {
  return request<Page<StaffCustomer>>('/staff/v1/customers', { data: { cursor: cursor ?? undefined, limit } })
}

export function getStaffStats(period: 'today' | 'week'): Promise<StaffStats> {
  return request<StaffStats>('/staff/v1/stats', { data: { period } })
}

/** Redeems a member's coupon at the counter (the coupon code they show). */
export function redeemCoupon(code: string, storeId: string): Promise<RedeemedCouponView> {
  return request<RedeemedCouponView>('/staff/v1/coupons/redeem', { method: 'POST', data: { code, storeId } })
}

export type RedeemedPrize = { drawId: string; lotteryId: string; userId: string; prizeName: string; collectedAt: string; storeId: string; staffId: string }

/** Hands over a physical lottery prize (its redeem code); only once. */
export function redeemPrize(code: string): Promise<RedeemedPrize> {
  return request<RedeemedPrize>('/staff/v1/prizes/redeem', { method: 'POST', data: { code } })
}
