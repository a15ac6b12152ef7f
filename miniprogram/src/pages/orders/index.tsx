import { useState } from 'react'
import { Button, Text, View } from '@tarojs/components'
import { useReachBottom, useRouter } from '@tarojs/taro'
import type { MembershipPlan, OrderStatus, OrderView } from '@siyu/shared'
import { Empty, ErrorBlock, Loading } from '@/components/page-state'
import { appendPage, moreText, useLoadMore, type PagedList } from '@/hooks/use-load-more'
import { useLoader, usePullDownReload } from '@/hooks/use-loader'
import { dateTime, yuan } from '@/lib/format'
import { createOrder, listOrders, listPlans, payOrder } from '@/services/orders'
import { showError, showInfo, showSuccess } from '@/utils/ui'
import './index.scss'

const STATUS: Record<OrderStatus, string> = { created: '待支付', paid: '已支付', partially_refunded: '部分退款', refunded: '已退款', closed: '已关闭' }

/** 我的订单 and 付费会员: buy a plan with WeChat Pay (requestPayment), pay or review orders. */
export default function OrdersPage() {
  const router = useRouter()
  const [tab, setTab] = useState<'orders' | 'plans'>(router.params.tab === 'plans' ? 'plans' : 'orders')
  const { more, loadMore, resetMore } = useLoadMore()
  const { state, update, reload } = useLoader<{ plans: MembershipPlan[]; orders: PagedList<OrderView> }>(async () => {
    const [plans, page] = await Promise.all([listPlans(), listOrders(null)])
    resetMore()
    return { plans, orders: { items: page.items, nextCursor: page.nextCursor } }
  })
  const [paying, setPaying] = useState<string | null>(null)
  usePullDownReload(reload)

  const next = () =>
    loadMore(state.status === 'ready' && tab === 'orders' ? state.data.orders.nextCursor : null, async (cursor) => {
      const page = await listOrders(cursor)
      update((d) => ({ ...d, orders: appendPage(d.orders, page) }))
    }).catch(() => undefined)
  useReachBottom(() => void next())

  const settle = async (key: string, orderId: () => Promise<string>) => {
    if (paying) return
    setPaying(key)
    try {
      const order = await payOrder(await orderId())
      if (order.status === 'paid') showSuccess('支付成功')
      else showInfo('支付结果确认中，请稍后刷新')
      setTab('orders')
      await reload()
    } catch (err) {
      showError(err)
      reload().catch(() => undefined)
    } finally {
      setPaying(null)
    }
  }

  const buy = (plan: MembershipPlan) => settle(plan.id, async () => (await createOrder({ membershipPlanId: plan.id })).id)

  return (
    <View className='orders'>
      <View className='orders__tabs'>
        <Text className={`orders__tab ${tab === 'orders' ? 'orders__tab--on' : ''}`} onClick={() => setTab('orders')}>
          我的订单
        </Text>
        <Text className={`orders__tab ${tab === 'plans' ? 'orders__tab--on' : ''}`} onClick={() => setTab('plans')}>
          付费会员
        </Text>
      </View>
      {state.status === 'loading' && <Loading />}
      {state.status === 'error' && <ErrorBlock message={state.message} onRetry={() => void reload().catch(() => undefined)} />}
      {state.status === 'ready' && tab === 'plans' && (
        <View>
          {state.data.plans.length === 0 && <Empty text='商家暂未推出付费会员，敬请期待' />}
          {state.data.plans.map((p) => (
            <View key={p.id} className='plan'>
              <View className='plan__main'>
                <Text className='plan__name'>{p.name}</Text>
                <Text className='plan__desc'>{p.description || `有效期 ${p.durationDays} 天`}</Text>
              </View>
              <View className='plan__side'>
                <View>
                  <Text className='plan__yen'>¥</Text>
                  <Text className='plan__price num'>{yuan(p.priceFen)}</Text>
                </View>
                <Button className='btn-gold plan__btn' loading={paying === p.id} onClick={() => void buy(p)}>
                  立即开通
                </Button>
              </View>
            </View>
          ))}
        </View>
      )}
      {state.status === 'ready' && tab === 'orders' && (
        <View>
          {state.data.orders.items.length === 0 && <Empty text='还没有订单' />}
          {state.data.orders.items.map((o) => (
            <View key={o.id} className='card order' data-status={o.status}>
              <View className='order__head'>
                <Text className='order__desc'>{o.description}</Text>
                <Text className={`order__status order__status--${o.status}`}>{STATUS[o.status]}</Text>
              </View>
              <View className='order__row'>
                <Text className='weak'>{dateTime(o.createdAt)}</Text>
                <Text className='num order__total'>¥{yuan(o.totalFen)}</Text>
              </View>
              {o.pointsEarned > 0 && <Text className='weak'>获得积分 {o.pointsEarned}</Text>}
              {o.status === 'created' && (
                <Button className='btn-primary order__pay' loading={paying === o.id} onClick={() => void settle(o.id, async () => o.id)}>
                  去支付
                </Button>
              )}
            </View>
          ))}
          {state.data.orders.items.length > 0 && (
            <View className='orders__more' onClick={() => void next()}>
              <Text className='weak'>{moreText(more, state.data.orders.nextCursor)}</Text>
            </View>
          )}
        </View>
      )}
    </View>
  )
}
