import type { ErrorDefs } from '../../http/error-codes'

/** Error codes of catalogue, orders, WeChat Pay payments, notifications and refunds. */
export const PAYMENTS_ERRORS = {
  PRODUCT_NOT_FOUND: { status: 404, message: 'Product not found' },
  SKU_TAKEN: { status: 409, message: 'A product with this SKU already exists' },
  PRODUCT_UNAVAILABLE: { status: 409, message: 'Some products are unknown or no longer on sale; see details.skus' },
  MEMBERSHIP_PLAN_NOT_FOUND: { status: 404, message: 'Membership plan not found' },
  MEMBERSHIP_PLAN_UNAVAILABLE: { status: 409, message: 'This membership plan is no longer on sale' },
  ORDER_TOTAL_TOO_LARGE: { status: 400, message: 'The order total is larger than one payment allows' },
  ORDER_NOT_FOUND: { status: 404, message: 'Order not found' },
  ORDER_ALREADY_PAID: { status: 409, message: 'This order is already paid' },
  ORDER_CLOSED: { status: 409, message: 'This order is closed; place a new one' },
  ORDER_EXPIRED: { status: 409, message: 'This order has expired; place a new one' },
  PAY_NOT_CONFIGURED: { status: 409, message: 'This merchant cannot accept WeChat Pay yet' },
  PAYMENT_REJECTED: { status: 409, message: 'WeChat Pay refused to start this payment; see details' },
  ORDER_NOT_REFUNDABLE: { status: 409, message: 'Only paid orders can be refunded' },
  REFUND_EXCEEDS_PAID: { status: 409, message: 'Refunds would exceed what was paid for this order; see details.refundableFen' },
  REFUND_REJECTED: { status: 409, message: 'WeChat Pay refused the refund; see details' },
  PAY_NOTIFY_SIGNATURE_INVALID: { status: 401, message: 'Notification signature could not be verified' },
  PAY_NOTIFY_MALFORMED: { status: 400, message: 'Notification body is malformed' },
  PAY_NOTIFY_DECRYPT_FAILED: { status: 400, message: 'Notification resource could not be decrypted and authenticated' },
  PAY_NOTIFY_MISMATCH: { status: 400, message: 'Notification does not match our records; see details' },
  PAY_NOTIFY_UNKNOWN_ORDER: { status: 404, message: 'Notification refers to an unknown payment or refund' },
} as const satisfies ErrorDefs
