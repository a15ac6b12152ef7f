import { useState } from 'react'
import { Button, Text, View } from '@tarojs/components'
import type { ClaimableCouponView, CouponView, CouponViewStatus } from '@siyu/shared'
import { Empty, ErrorBlock, Loading } from '@/components/page-state'
import { useLoader, usePullDownReload } from '@/hooks/use-loader'
import { dateOnly, yuan } from '@/lib/format'
import { claimCoupon, listClaimable, listMyCoupons } from '@/services/coupons'
import { showError, showSuccess } from '@/utils/ui'
import './index.scss'

type Tab = 'claim' | CouponViewStatus
const TABS: Array<{ key: Tab; title: string }> = [
  { key: 'available', title: '可使用' },
  { key: 'claim', title: '领券中心' },
  { key: 'used', title: '已使用' },
  { key: 'expired', title: '已过期' },
]

type Terms = Pick<CouponView, 'kind' | 'amountOffFen' | 'percentOff' | 'maxDiscountFen' | 'minSpendFen' | 'itemName'>

function face(c: Terms): { big: string; unit: string; rule: string } {
  const min = c.minSpendFen > 0 ? `满${yuan(c.minSpendFen).replace(/\.00$/, '')}元可用` : '无门槛'
  if (c.kind === 'amount_off') return { big: yuan(c.amountOffFen ?? 0).replace(/\.00$/, ''), unit: '元', rule: min }
  if (c.kind === 'percent_off') {
    const zhe = (100 - (c.percentOff ?? 0)) / 10
    return { big: String(zhe), unit: '折', rule: `${min}${c.maxDiscountFen ? `，最多减${yuan(c.maxDiscountFen)}元` : ''}` }
  }
  return { big: '赠', unit: '', rule: `${c.itemName ?? '商品'} · ${min}` }
}

/** 优惠券: my coupons by status, and the claim centre. */
export default function CouponsPage() {
  const [tab, setTab] = useState<Tab>('available')
  const { state, reload } = useLoader<Array<CouponView | ClaimableCouponView>>(() => (tab === 'claim' ? listClaimable() : listMyCoupons(tab)), [tab])
  const [claiming, setClaiming] = useState<string | null>(null)
  usePullDownReload(reload)

  const claim = async (t: ClaimableCouponView) => {
    setClaiming(t.id)
    try {
      await claimCoupon(t.id)
      showSuccess('领取成功')
      await reload()
    } catch (err) {
      showError(err)
    } finally {
      setClaiming(null)
    }
  }

  return (
    <View className='coupons'>
      <View className='coupons__tabs'>
        {TABS.map((t) => (
          <Text key={t.key} className={`coupons__tab ${tab === t.key ? 'coupons__tab--on' : ''}`} onClick={() => setTab(t.key)}>
            {t.title}
          </Text>
        ))}
      </View>
      {state.status === 'loading' && <Loading />}
      {state.status === 'error' && <ErrorBlock message={state.message} onRetry={() => void reload().catch(() => undefined)} />}
      {state.status === 'ready' && state.data.length === 0 && <Empty text={tab === 'claim' ? '暂时没有可领取的优惠券' : '这里还没有优惠券'} />}
      {state.status === 'ready' &&
        state.data.map((c) => {
          const f = face(c)
          const isTemplate = tab === 'claim'
          const t = c as ClaimableCouponView
          const mine = c as CouponView
          const soldOut = isTemplate && t.remaining === 0
          const limitHit = isTemplate && t.perUserLimit !== null && t.claimedByMe >= t.perUserLimit
          const dim = !isTemplate && mine.status !== 'available'
          return (
            <View key={c.id} className={`coupon ${dim ? 'coupon--dim' : ''}`}>
              <View className='coupon__face'>
                <View>
                  <Text className='coupon__big num'>{f.big}</Text>
                  <Text className='coupon__unit'>{f.unit}</Text>
                </View>
                <Text className='coupon__rule'>{f.rule}</Text>
              </View>
              <View className='coupon__body'>
                <Text className='coupon__name'>{c.name}</Text>
                <Text className='weak'>
                  {isTemplate
                    ? t.validity.type === 'relative'
                      ? `领取后${t.validity.days}天内有效`
                      : `${dateOnly(t.validity.from)} 至 ${dateOnly(t.validity.to)}`
                    : `有效期至 ${dateOnly(mine.validTo)}`}
                </Text>
                {!isTemplate && mine.status === 'available' && <Text className='coupon__code num'>券码 {mine.code}</Text>}
                {isTemplate && t.claimedByMe > 0 && <Text className='coupon__mine'>已领 {t.claimedByMe} 张</Text>}
              </View>
              <View className='coupon__side'>
                {isTemplate ? (
                  <Button
                    className={`btn-primary coupon__btn ${soldOut || limitHit ? 'btn-disabled' : ''}`}
                    loading={claiming === t.id}
                    onClick={() => (soldOut || limitHit ? undefined : void claim(t))}
                  >
                    {soldOut ? '已领完' : limitHit ? '已领取' : '领取'}
                  </Button>
                ) : (
                  <Text className='coupon__status'>{{ available: '出示使用', locked: '使用中', used: '已使用', expired: '已过期' }[mine.status]}</Text>
                )}
              </View>
            </View>
          )
        })}
    </View>
  )
}
