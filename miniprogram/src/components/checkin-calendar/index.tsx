import { Text, View } from '@tarojs/components'
import type { MonthGrid } from '@/lib/calendar'
import { monthLabel } from '@/lib/calendar'
import './index.scss'

type Props = {
  grid: MonthGrid
  canGoNext: boolean
  onPrev: () => void
  onNext: () => void
  onMakeUp: (day: string) => void
}

/** Month calendar of check-ins: checked ✓, made-up 补, missed days that can be made up, rewards. */
export function CheckinCalendar({ grid, canGoNext, onPrev, onNext, onMakeUp }: Props) {
  return (
    <View className='checkin-cal'>
      <View className='checkin-cal__head'>
        <Text className='checkin-cal__nav' onClick={onPrev}>
          ‹
        </Text>
        <Text className='checkin-cal__month'>{monthLabel(grid.month)}</Text>
        <Text className={`checkin-cal__nav ${canGoNext ? '' : 'checkin-cal__nav--off'}`} onClick={canGoNext ? onNext : undefined}>
          ›
        </Text>
      </View>
      <View className='checkin-cal__row'>
        {grid.weekdays.map((w) => (
          <Text key={w} className='checkin-cal__weekday'>
            {w}
          </Text>
        ))}
      </View>
      {grid.weeks.map((week, i) => (
        <View key={i} className='checkin-cal__row'>
          {week.map((c) =>
            c.kind === 'blank' ? (
              <View key={c.key} className='checkin-cal__cell' />
            ) : (
              <View
                key={c.key}
                className={`checkin-cal__cell checkin-cal__cell--${c.state} ${c.isToday ? 'checkin-cal__cell--is-today' : ''} ${c.canMakeUp ? 'checkin-cal__cell--makeup' : ''}`}
                data-day={c.day}
                data-state={c.state}
                onClick={c.canMakeUp ? () => onMakeUp(c.day) : undefined}
              >
                <View className='checkin-cal__dot'>
                  {c.state === 'checked' ? (
                    <Text className='checkin-cal__check'>✓</Text>
                  ) : c.state === 'made_up' ? (
                    <Text className='checkin-cal__mark'>补</Text>
                  ) : (
                    <Text className='checkin-cal__date num'>{c.isToday ? '今' : c.date}</Text>
                  )}
                  {c.hasBonus && c.state !== 'missed' && <View className='checkin-cal__gift' />}
                </View>
                <Text className='checkin-cal__reward'>
                  {c.canMakeUp ? '补签' : c.state === 'missed' ? '' : c.state === 'made_up' ? `${c.date}日` : c.rewardText ?? ''}
                </Text>
              </View>
            ),
          )}
        </View>
      ))}
      <View className='checkin-cal__legend'>
        <View className='checkin-cal__legend-item'>
          <View className='checkin-cal__legend-dot checkin-cal__legend-dot--checked' />
          <Text>已签到</Text>
        </View>
        <View className='checkin-cal__legend-item'>
          <View className='checkin-cal__legend-dot checkin-cal__legend-dot--gift' />
          <Text>连签奖励</Text>
        </View>
        <View className='checkin-cal__legend-item'>
          <View className='checkin-cal__legend-dot checkin-cal__legend-dot--makeup' />
          <Text>可补签</Text>
        </View>
      </View>
    </View>
  )
}
