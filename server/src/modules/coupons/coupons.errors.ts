import type { ErrorDefs } from '../../http/error-codes'

/** Error codes of coupons (templates, claim centre, counter and order redemption). */
export const COUPONS_ERRORS = {
  COUPON_TEMPLATE_NOT_FOUND: { status: 404, message: 'Coupon template not found' },
  COUPON_NOT_FOUND: { status: 404, message: 'Coupon not found' },
  COUPON_NOT_OWNED: { status: 403, message: 'This coupon belongs to another user' },
  COUPON_ALREADY_USED: { status: 409, message: 'This coupon has already been used' },
  COUPON_LOCKED: { status: 409, message: 'This coupon is held by an unpaid order' },
  COUPON_EXPIRED: { status: 409, message: 'This coupon has expired' },
  COUPON_NOT_YET_VALID: { status: 409, message: 'This coupon is not valid yet' },
  COUPON_NOT_CLAIMABLE: { status: 409, message: 'This coupon cannot be claimed' },
  COUPON_OUT_OF_STOCK: { status: 409, message: 'No coupons of this kind are left' },
  COUPON_CLAIM_LIMIT: { status: 409, message: 'You have claimed this coupon the maximum number of times' },
  COUPON_MIN_SPEND_NOT_MET: { status: 409, message: 'The order does not reach the minimum spend of this coupon' },
  COUPON_NOT_APPLICABLE: { status: 409, message: 'This coupon does not apply to this order' },
} as const satisfies ErrorDefs
