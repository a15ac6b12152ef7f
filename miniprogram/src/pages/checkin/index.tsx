import { useMemo, useState } from 'react'
import { Button, Text, View } from '@tarojs/components'
import type { CheckinCalendar as Calendar, CheckinResult } from '@siyu/shared'
import { CheckinCalendar } from '@/components/checkin-calendar'
import { ErrorBlock, Loading } from '@/components/page-state'
import { useLoader, usePullDownReload } from '@/hooks/use-loader'
import { useMemberShare } from '@/hooks/use-share'
import { buildMonthGrid, checkedCount, shiftMonth } from '@/lib/calendar'
import { monthDay } from '@/lib/format'
import { checkIn, getCheckinCalendar, makeUpCheckin } from '@/services/checkin'
import { confirm, showError, showSuccess } from '@/utils/ui'
import './index.scss'

/** 签到: streak, today's button with a reward animation, month calendar with make-ups. */
export default function CheckinPage() {
  const [month, setMonth] = useState<string | undefined>(undefined)
  const { state, reload } = useLoader<Calendar>(() => getCheckinCalendar(month), [month])
  const [busy, setBusy] = useState(false)
  const [reward, setReward] = useState<{ result: CheckinResult; seq: number } | null>(null)

  useMemberShare('每天签到领积分，一起来打卡', '/pages/checkin/index')
  usePullDownReload(reload)

  const grid = useMemo(() => (state.status === 'ready' ? buildMonthGrid(state.data) : null), [state])

  if (state.status === 'loading') return <Loading />
  if (state.status === 'error') return <ErrorBlock message={state.message} onRetry={() => void reload().catch(() => undefined)} />
  const cal = state.data
  const currentMonth = cal.today.slice(0, 7)
  const viewingCurrent = cal.month === currentMonth

  const doCheckIn = async () => {
    if (busy || cal.checkedToday) return
    setBusy(true)
    try {
      const result = await checkIn()
      setReward({ result, seq: Date.now() })
      // The calendar is the server's: reload it rather than guessing the new state.
      if (viewingCurrent) await reload()
      else setMonth(undefined)
    } catch (err) {
      showError(err)
      reload().catch(() => undefined)
    } finally {
      setBusy(false)
    }
  }

  const makeUp = async (day: string) => {
    const { left, cost } = cal.makeup
    const ok = await confirm('补签', `补签${monthDay(day)}${cost > 0 ? `将消耗 ${cost} 积分` : '免费'}，本月还可补签 ${left} 次。`, '确认补签')
    if (!ok) return
    try {
      const r = await makeUpCheckin(day)
      showSuccess(`补签成功，连签${r.streak}天`)
      await reload()
    } catch (err) {
      showError(err)
    }
  }

  const total = reward ? reward.result.reward.points + reward.result.reward.bonus : 0

  return (
    <View className='checkin'>
      <View className='checkin__hero'>
        <View className='checkin__streak'>
          <Text className='checkin__streak-label'>已连续签到</Text>
          <View>
            <Text className='checkin__streak-value num'>{cal.streak}</Text>
            <Text className='checkin__streak-unit'>天</Text>
          </View>
          <Text className='checkin__streak-sub'>本月已签 {checkedCount(cal)} 天</Text>
          {reward && (
            <Text key={reward.seq} className='checkin__today' data-testid='checkin-reward'>
              今日 +{total} 积分{reward.result.reward.bonus > 0 ? `（含连签奖励 ${reward.result.reward.bonus}）` : ''}
            </Text>
          )}
        </View>
        <View className='checkin__action'>
          <Button
            className={`checkin__button ${cal.checkedToday ? 'checkin__button--done' : ''}`}
            onClick={() => void doCheckIn()}
            data-testid='checkin-button'
          >
            {cal.checkedToday ? '今日已签' : busy ? '签到中…' : '立即签到'}
          </Button>
          {reward && (
            // Flies up out of the button and fades; the line under the streak keeps the figure.
            <View key={reward.seq} className='checkin__burst'>
              <Text className='checkin__burst-points num'>+{total}</Text>
              <Text className='checkin__burst-label'>积分</Text>
            </View>
          )}
        </View>
      </View>

      <View className='card'>
        {grid && (
          <CheckinCalendar
            grid={grid}
            canGoNext={!viewingCurrent}
            onPrev={() => setMonth(shiftMonth(cal.month, -1))}
            onNext={() => setMonth(shiftMonth(cal.month, 1) === currentMonth ? undefined : shiftMonth(cal.month, 1))}
            onMakeUp={(day) => void makeUp(day)}
          />
        )}
      </View>

      <View className='card checkin__rules'>
        <Text className='card-title'>签到规则</Text>
        <Text className='checkin__rule'>· 每天签到可得积分，日历中标注了每天可得的积分。</Text>
        <Text className='checkin__rule'>· 连续签到到达标注礼盒的日子，额外获得连签奖励。</Text>
        <Text className='checkin__rule'>
          · 漏签可在 {cal.makeup.windowDays} 天内补签{cal.makeup.cost > 0 ? `，每次消耗 ${cal.makeup.cost} 积分` : ''}；每月最多 {cal.makeup.perMonth} 次，本月剩余 {cal.makeup.left} 次。
        </Text>
      </View>
    </View>
  )
}
