import type { MemberCode, MembershipView } from '@siyu/shared'
import { request } from './request'

/** Card, tier, growth, next tier and points balance. */
export function getMembership(): Promise<MembershipView> {
  return request<MembershipView>('/api/v1/membership')
}

/** Claims the membership card (idempotent: claiming twice returns the same card). */
export function claimCard(): Promise<MembershipView> {
  return request<MembershipView>('/api/v1/membership', { method: 'POST', data: {} })
}

/** The rotating member code shown as QR code and barcode. */
export function getMemberCode(): Promise<MemberCode> {
  return request<MemberCode>('/api/v1/membership/code')
}
