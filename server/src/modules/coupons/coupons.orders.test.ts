import fc from 'fast-check'
import type { CouponTerms } from '@siyu/shared'
import { couponDiscount } from './coupons.orders'

const base: CouponTerms = { kind: 'amount_off', amountOffFen: null, percentOff: null, maxDiscountFen: null, minSpendFen: 0, itemName: null, itemSku: null }

describe('couponDiscount', () => {
  it('amount off: the amount, never more than the order; below the minimum spend -> COUPON_MIN_SPEND_NOT_MET', () => {
    const t = { ...base, amountOffFen: 500, minSpendFen: 3000 }
    expect(couponDiscount(t, 3000)).toEqual({ discountFen: 500 })
    expect(couponDiscount(t, 2999)).toEqual({ error: 'COUPON_MIN_SPEND_NOT_MET' })
    expect(couponDiscount({ ...t, minSpendFen: 0 }, 300)).toEqual({ discountFen: 300 })
  })

  it('percent off: floor of the percentage, capped', () => {
    const t: CouponTerms = { ...base, kind: 'percent_off', percentOff: 15, maxDiscountFen: 2000 }
    expect(couponDiscount(t, 999)).toEqual({ discountFen: 149 }) // 149.85 -> 149
    expect(couponDiscount(t, 100_000)).toEqual({ discountFen: 2000 })
    expect(couponDiscount({ ...t, maxDiscountFen: null }, 100_000)).toEqual({ discountFen: 15_000 })
  })

  it('free item: one unit of the matching SKU; no such item -> COUPON_NOT_APPLICABLE', () => {
    const t: CouponTerms = { ...base, kind: 'free_item', itemName: '拿铁', itemSku: 'LATTE' }
    const items = [
      { sku: 'CAKE', unitPriceFen: 2800, quantity: 1 },
      { sku: 'LATTE', unitPriceFen: 3200, quantity: 2 },
    ]
    expect(couponDiscount(t, 9200, items)).toEqual({ discountFen: 3200 })
    expect(couponDiscount(t, 2800, items.slice(0, 1))).toEqual({ error: 'COUPON_NOT_APPLICABLE' })
    expect(couponDiscount({ ...t, itemSku: null }, 9200, items)).toEqual({ error: 'COUPON_NOT_APPLICABLE' })
  })

  it('property: 0 <= discount <= amount, an integer, for every kind', () => {
    const terms = fc.oneof(
      fc.record({ kind: fc.constant('amount_off' as const), amountOffFen: fc.integer({ min: 1, max: 1e6 }) }),
      fc.record({
        kind: fc.constant('percent_off' as const),
        percentOff: fc.integer({ min: 1, max: 99 }),
        maxDiscountFen: fc.option(fc.integer({ min: 1, max: 1e6 }), { nil: null }),
      }),
    )
    fc.assert(
      fc.property(terms, fc.integer({ min: 0, max: 1e5 }), fc.integer({ min: 0, max: 1e7 }), (t, minSpendFen, amountFen) => {
        const r = couponDiscount({ ...base, ...t, minSpendFen }, amountFen)
        if (amountFen < minSpendFen) return expect(r).toEqual({ error: 'COUPON_MIN_SPEND_NOT_MET' })
        if (!('discountFen' in r)) throw new Error('expected a discount')
        expect(Number.isSafeInteger(r.discountFen)).toBe(true)
        expect(r.discountFen).toBeGreaterThanOrEqual(0)
        expect(r.discountFen).toBeLessThanOrEqual(amountFen)
      }),
    )
  })
})
