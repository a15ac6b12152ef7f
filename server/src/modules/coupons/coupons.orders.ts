/**
 * Coupons on orders (used by the payments module's pricing, in its transactions):
 * quote (validate + compute the discount on the server) -> lock when the order is created ->
 * consume when it is paid | release when it closes unpaid. Each state change is a conditional
 * update, so a coupon can't be held by two orders or used twice.
 */
import type { CouponTerms } from '@siyu/shared'
import type { DbOrTx } from '../../db/client'
import { AppError } from '../../http/errors'
import * as repo from './coupons.repo'

export function termsOf(t: repo.TemplateRow): CouponTerms {
  return {
    kind: t.kind as CouponTerms['kind'],
    amountOffFen: t.amountOffFen,
    percentOff: t.percentOff,
    maxDiscountFen: t.maxDiscountFen,
    minSpendFen: t.minSpendFen,
    itemName: t.itemName,
    itemSku: t.itemSku,
  }
}

export type OrderItem = { sku: string; unitPriceFen: number; quantity: number }

export type QuoteCouponInput = {
  merchantId: string
  userId: string
  code: string
  /** Order amount before the coupon, in fen. Defaults to the sum of `items`. */
  amountFen?: number
  items?: OrderItem[]
  now: Date
}

export type CouponQuote = { couponId: string; code: string; name: string; kind: CouponTerms['kind']; discountFen: number }

/**
 * The discount a coupon gives on an amount (integer fen, never more than the amount), or the error
 * code saying why it doesn't apply. Pure: the same rules for quotes and tests.
 */
export function couponDiscount(
  terms: CouponTerms,
  amountFen: number,
  items: OrderItem[] = [],
): { discountFen: number } | { error: 'COUPON_MIN_SPEND_NOT_MET' | 'COUPON_NOT_APPLICABLE' } {
  if (amountFen < terms.minSpendFen) return { error: 'COUPON_MIN_SPEND_NOT_MET' }
  let d: number
  switch (terms.kind) {
    case 'amount_off':
      d = terms.amountOffFen ?? 0
      break
    case 'percent_off':
      // floor: the merchant never gives more than the stated percentage
      d = Math.floor((amountFen * (terms.percentOff ?? 0)) / 100)
      if (terms.maxDiscountFen !== null) d = Math.min(d, terms.maxDiscountFen)
      break
    case 'free_item': {
      const item = terms.itemSku ? items.find((i) => i.sku === terms.itemSku && i.quantity > 0) : undefined
      if (!item) return { error: 'COUPON_NOT_APPLICABLE' }
      d = item.unitPriceFen
      break
    }
  }
  return { discountFen: Math.max(0, Math.min(d, amountFen)) }
}

/** Validates the coupon for this user and order amount and computes the discount; changes nothing. */
export async function quoteCoupon(tx: DbOrTx, input: QuoteCouponInput): Promise<CouponQuote> {
  const code = input.code.trim().toUpperCase()
  const c = await repo.findCouponByCode(tx, input.merchantId, code)
  if (!c) throw new AppError('COUPON_NOT_FOUND')
  if (c.userId !== input.userId) throw new AppError('COUPON_NOT_OWNED')
  if (c.status === 'used') throw new AppError('COUPON_ALREADY_USED')
  if (c.status === 'locked') throw new AppError('COUPON_LOCKED')
  if (c.validTo <= input.now) throw new AppError('COUPON_EXPIRED', { validTo: c.validTo.toISOString() })
  if (c.validFrom > input.now) throw new AppError('COUPON_NOT_YET_VALID', { validFrom: c.validFrom.toISOString() })
  const amountFen = input.amountFen ?? (input.items ?? []).reduce((s, i) => s + i.unitPriceFen * i.quantity, 0)
  const terms = termsOf(c.template)
  const r = couponDiscount(terms, amountFen, input.items)
  if ('error' in r) throw new AppError(r.error, { minSpendFen: terms.minSpendFen, amountFen })
  return { couponId: c.id, code: c.code, name: c.template.name, kind: terms.kind, discountFen: r.discountFen }
}

/**
 * issued -> locked by `orderId` (when the order is created). Idempotent for the same order; any other
 * state is the matching 409 and nothing changes.
 */
export async function lockForOrder(tx: DbOrTx, input: { couponId: string; orderId: string; merchantId?: string; now?: Date }): Promise<void> {
  // without `now` the database clock decides (the caller's transaction time)
  if (await repo.lockForOrder(tx, input.couponId, input.orderId, input.now ?? null, input.merchantId)) return
  const c = await repo.findCouponById(tx, input.couponId, input.merchantId)
  if (!c) throw new AppError('COUPON_NOT_FOUND')
  if (c.status === 'locked' && c.orderId === input.orderId) return
  if (c.status === 'used') throw new AppError('COUPON_ALREADY_USED')
  if (c.status === 'locked') throw new AppError('COUPON_LOCKED')
  throw new AppError('COUPON_EXPIRED', { validTo: c.validTo.toISOString() })
}

/** locked -> used for the paid order; returns how many coupons it consumed (0 on a replay). */
export async function consumeForOrder(tx: DbOrTx, orderId: string, now?: Date): Promise<number> {
  return (await repo.consumeForOrder(tx, orderId, now ?? null)).length
}

/** locked -> issued when the order closes unpaid; returns how many coupons it released (0 on a replay). */
export async function releaseForOrder(tx: DbOrTx, orderId: string): Promise<number> {
  return (await repo.releaseForOrder(tx, orderId)).length
}
