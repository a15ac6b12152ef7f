import { Text, View } from '@tarojs/components'
import './index.scss'

export type Entry = {
  key: string
  title: string
  /** One character drawn in the round icon. */
  glyph: string
  color: string
  /** Shown as a small badge; entries without `onClick` are "coming soon". */
  badge?: string
  onClick?: () => void
}

/** The grid of feature entries on the member home (签到, 抽奖, 积分 …). */
export function EntryGrid({ entries }: { entries: Entry[] }) {
  return (
    <View className='entry-grid card'>
      {entries.map((e) => (
        <View key={e.key} className={`entry-grid__item ${e.onClick ? '' : 'entry-grid__item--soon'}`} onClick={e.onClick} data-entry={e.key}>
          <View className='entry-grid__icon' style={{ background: e.color }}>
            <Text>{e.glyph}</Text>
          </View>
          <Text className='entry-grid__title'>{e.title}</Text>
          {e.badge && <Text className='entry-grid__badge'>{e.badge}</Text>}
        </View>
      ))}
    </View>
  )
}
