import { useCallback, useEffect, useState } from 'react'
import { Text, View } from '@tarojs/components'
import Taro, { usePullDownRefresh, useReachBottom } from '@tarojs/taro'
import type { PointsLedgerItem, PointsSummary } from '@siyu/shared'
import { Empty, ErrorBlock, Loading } from '@/components/page-state'
import { dateOnly, dateTime, formatPoints, signedPoints } from '@/lib/format'
import { userMessage } from '@/services/errors'
import { getPointsLedger, getPointsSummary } from '@/services/points'
import { showError } from '@/utils/ui'
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

type Ledger = { items: PointsLedgerItem[]; nextCursor: string | null; loadingMore: boolean; error: string | null }

/** 积分: balance, points expiring soon, and the ledger, page by page. */
export default function PointsPage() {
  const [summary, setSummary] = useState<PointsSummary | null>(null)
  const [ledger, setLedger] = useState<Ledger | null>(null)
  const [error, setError] = useState<string | null>(null)

  const loadFirst = useCallback(async () => {
    try {
      const [s, page] = await Promise.all([getPointsSummary(), getPointsLedger(null)])
      setSummary(s)
      setLedger({ items: page.items, nextCursor: page.nextCursor, loadingMore: false, error: null })
      setError(null)
    } catch (err) {
      setError(userMessage(err))
      throw err
    }
  }, [])

  useEffect(() => {
    loadFirst().catch(() => undefined)
  }, [loadFirst])

  usePullDownRefresh(() => {
    loadFirst()
      .catch(showError)
      .finally(() => Taro.stopPullDownRefresh())
  })

  const loadMore = async () => {
    if (!ledger || !ledger.nextCursor || ledger.loadingMore) return
    setLedger({ ...ledger, loadingMore: true, error: null })
    try {
      const page = await getPointsLedger(ledger.nextCursor)
      setLedger((l) => (l ? { items: [...l.items, ...page.items], nextCursor: page.nextCursor, loadingMore: false, error: null } : l))
    } catch (err) {
      setLedger((l) => (l ? { ...l, loadingMore: false, error: userMessage(err) } : l))
    }
  }
  useReachBottom(() => void loadMore())

  if (error && !summary) return <ErrorBlock message={error} onRetry={() => void loadFirst().catch(() => undefined)} />
  if (!summary || !ledger) return <Loading />

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
          <View className='points__more' onClick={() => void loadMore()}>
            <Text className='weak'>
              {ledger.error ? `${ledger.error}，点击重试` : ledger.loadingMore ? '加载中…' : ledger.nextCursor ? '加载更多' : '没有更多了'}
            </Text>
          </View>
        )}
      </View>
    </View>
  )
}
