import { Text, View } from '@tarojs/components'
import { useReachBottom } from '@tarojs/taro'
import type { PointsLedgerItem, PointsSummary } from '@siyu/shared'
import { Empty, ErrorBlock, Loading } from '@/components/page-state'
import { appendPage, moreText, useLoadMore, type PagedList } from '@/hooks/use-load-more'
import { useLoader, usePullDownReload } from '@/hooks/use-loader'
import { dateOnly, dateTime, formatPoints, signedPoints } from '@/lib/format'
import { getPointsLedger, getPointsSummary } from '@/services/points'
import './index.scss'

const REASON_LABELS: Record<string, string> = {
  checkin: '签到奖励',
  checkin_makeup: '补签',
  purchase: '门店消费',
  staff_redeem: '积分兑换',
  lottery_draw: '抽奖消耗',
  lottery_prize: '抽奖奖励',
  order_paid: '订单奖励',
  order_refunded: '订单退款扣回',
  expired: '积分过期',
  admin_adjust: '积分调整',
  admin_import: '积分导入',
  task: '任务奖励',
  referral_inviter: '邀请好友奖励',
  referral_invitee: '受邀注册奖励',
}

/** 积分: balance, points expiring soon, and the ledger, page by page. */
export default function PointsPage() {
  const { more, loadMore, resetMore } = useLoadMore()
  const { state, update, reload } = useLoader<{ summary: PointsSummary; ledger: PagedList<PointsLedgerItem> }>(async () => {
    const [summary, page] = await Promise.all([getPointsSummary(), getPointsLedger(null)])
    resetMore()
    return { summary, ledger: { items: page.items, nextCursor: page.nextCursor } }
  })
  usePullDownReload(reload)

  const next = () =>
    loadMore(state.status === 'ready' ? state.data.ledger.nextCursor : null, async (cursor) => {
      const page = await getPointsLedger(cursor)
      update((d) => ({ ...d, ledger: appendPage(d.ledger, page) }))
    }).catch(() => undefined)
  useReachBottom(() => void next())

  if (state.status === 'loading') return <Loading />
  if (state.status === 'error') return <ErrorBlock message={state.message} onRetry={() => void reload().catch(() => undefined)} />
  const { summary, ledger } = state.data

  const expiring = summary.expiringSoon.reduce((s, e) => s + e.amount, 0)

  return (
    <View className='points'>
      <View className='points__hero'>
        <Text className='points__label'>可用积分</Text>
        <Text className='points__balance num' data-testid='points-balance'>
          {formatPoints(summary.balance)}
        </Text>
        <View className='points__meta'>
          <Text>累计获得 {formatPoints(summary.lifetimeEarned)}</Text>
          {summary.debt > 0 && <Text className='points__debt'>待抵扣 {formatPoints(summary.debt)}</Text>}
        </View>
      </View>

      {expiring > 0 && (
        <View className='card points__expiring'>
          <Text className='card-title'>即将过期</Text>
          {summary.expiringSoon.map((e) => (
            <View key={e.at} className='list-row'>
              <Text className='num points__expiring-amount'>{formatPoints(e.amount)} 积分</Text>
              <Text className='muted'>{dateOnly(e.at)} 过期</Text>
            </View>
          ))}
        </View>
      )}

      <View className='card points__ledger'>
        <Text className='card-title'>积分明细</Text>
        {ledger.items.length === 0 && <Empty text='还没有积分记录，去签到领积分吧' />}
        {ledger.items.map((it) => (
          <View key={it.id} className='list-row points__item' data-kind={it.kind} data-reason={it.reasonCode}>
            <View className='points__item-main'>
              <Text className='points__item-reason'>{it.reason || REASON_LABELS[it.reasonCode] || it.reasonCode}</Text>
              <Text className='weak'>{dateTime(it.createdAt)}</Text>
            </View>
            <View className='points__item-side'>
              <Text className={`num points__item-amount ${it.amount >= 0 ? 'points__item-amount--in' : 'points__item-amount--out'}`}>
                {signedPoints(it.amount)}
              </Text>
              <Text className='weak'>余额 {formatPoints(it.balanceAfter)}</Text>
            </View>
          </View>
        ))}
        {ledger.items.length > 0 && (
          <View className='points__more' onClick={() => void next()}>
            <Text className='weak'>{moreText(more, ledger.nextCursor)}</Text>
          </View>
        )}
      </View>
    </View>
  )
}
