import { useState } from 'react'
import { Text, View } from '@tarojs/components'
import type { StaffStats } from '@siyu/shared'
import { ErrorBlock, Loading } from '@/components/page-state'
import { useLoader, usePullDownReload } from '@/hooks/use-loader'
import { dateOnly, formatPoints, yuan } from '@/lib/format'
import { getStaffStats } from '@/services/staff'
import './index.scss'

/** 业绩: new members, purchases, points awarded and redemptions, for today or this week. */
export default function Stats() {
  const [period, setPeriod] = useState<'today' | 'week'>('today')
  const { state, reload } = useLoader<StaffStats>(() => getStaffStats(period), [period])
  usePullDownReload(reload)

  const tabs = (
    <View className='stats__tabs'>
      <Text className={`stats__tab ${period === 'today' ? 'stats__tab--on' : ''}`} onClick={() => setPeriod('today')}>
        今日
      </Text>
      <Text className={`stats__tab ${period === 'week' ? 'stats__tab--on' : ''}`} onClick={() => setPeriod('week')}>
        本周
      </Text>
    </View>
  )
  if (state.status === 'loading') return <View className='stats'>{tabs}<Loading /></View>
  if (state.status === 'error') return <View className='stats'>{tabs}<ErrorBlock message={state.message} onRetry={() => void reload().catch(() => undefined)} /></View>
  const s = state.data
  const items = [
    { key: 'members', label: '新增会员', value: String(s.newMembers), unit: '人' },
    { key: 'purchases', label: '消费笔数', value: String(s.purchases.count), unit: '笔' },
    { key: 'amount', label: '消费金额', value: yuan(s.purchases.amountFen), unit: '元' },
    { key: 'points', label: '发放积分', value: formatPoints(s.pointsAwarded), unit: '分' },
    { key: 'redeemed', label: '兑换积分', value: formatPoints(s.redemptions.points), unit: `分 / ${s.redemptions.count}笔` },
  ]
  return (
    <View className='stats'>
      {tabs}
      <Text className='stats__range weak'>
        {dateOnly(s.from)} 至 {dateOnly(new Date(Date.parse(s.to) - 1).toISOString())}
      </Text>
      <View className='stats__grid'>
        {items.map((i) => (
          <View key={i.key} className='stats__cell' data-stat={i.key}>
            <Text className='stats__label'>{i.label}</Text>
            <View>
              <Text className='num stats__value'>{i.value}</Text>
              <Text className='stats__unit'>{i.unit}</Text>
            </View>
          </View>
        ))}
      </View>
    </View>
  )
}
