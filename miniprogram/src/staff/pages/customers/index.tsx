import { Text, View } from '@tarojs/components'
import { useReachBottom } from '@tarojs/taro'
import type { StaffCustomer } from '@siyu/shared'
import { FUNNEL_STAGE_LABELS } from '@siyu/shared/src/funnel'
import { Empty, ErrorBlock, Loading } from '@/components/page-state'
import { appendPage, useLoadMore, type PagedList } from '@/hooks/use-load-more'
import { useLoader, usePullDownReload } from '@/hooks/use-loader'
import { ago } from '@/lib/format'
import { listMyCustomers } from '@/services/staff'
import { showError } from '@/utils/ui'
import './index.scss'

/** 我的客户: the customers I guide, with funnel stage, tier, last visit and last seen. */
export default function Customers() {
  const { state, update, reload } = useLoader<PagedList<StaffCustomer>>(async () => {
    const page = await listMyCustomers(null)
    return { items: page.items, nextCursor: page.nextCursor }
  })
  const { more, loadMore } = useLoadMore()
  usePullDownReload(reload)
  useReachBottom(() =>
    loadMore(state.status === 'ready' ? state.data.nextCursor : null, async (cursor) => {
      const page = await listMyCustomers(cursor)
      update((list) => appendPage(list, page))
    }).catch(showError),
  )

  if (state.status === 'loading') return <Loading />
  if (state.status === 'error') return <ErrorBlock message={state.message} onRetry={() => void reload().catch(() => undefined)} />
  const list = state.data

  return (
    <View className='customers'>
      <Text className='customers__count weak'>共 {list.items.length}{list.nextCursor ? '+' : ''} 位客户 · 由你服务的会员与顾客</Text>
      {list.items.length === 0 && <Empty text='还没有客户：分享工作台或为顾客扫码积分，他们就会成为你的客户' />}
      {list.items.map((c) => (
        <View key={c.userId} className='card customers__item'>
          <View className='customers__avatar'>{(c.nameMasked || '客').slice(0, 1)}</View>
          <View className='customers__main'>
            <View className='customers__line'>
              <Text className='customers__name'>{c.nameMasked || '微信用户'}</Text>
              <Text className={`tag ${c.isMember ? '' : 'tag-grey'}`}>{c.tier.name}</Text>
            </View>
            <Text className='weak'>{c.phoneMasked || '未绑定手机'}</Text>
            <Text className='weak'>
              最近到店 {ago(c.lastVisitAt)} · 最近访问 {ago(c.lastSeenAt)}
            </Text>
          </View>
          <Text className='tag tag-green customers__stage' data-stage={c.stage}>
            {FUNNEL_STAGE_LABELS[c.stage]}
          </Text>
        </View>
      ))}
      {list.items.length > 0 && <Text className='customers__end weak'>{more.loading ? '加载中…' : list.nextCursor ? '上拉加载更多' : '没有更多了'}</Text>}
    </View>
  )
}
