import { Text, View } from '@tarojs/components'
import type { MembershipView, UserProfile } from '@siyu/shared'
import { formatPoints } from '@/lib/format'
import './index.scss'

/** Share (0..1) of the way from the current tier's threshold to the next one. */
export function tierProgress(m: Pick<MembershipView, 'tier' | 'nextTier' | 'growth'>): number {
  if (!m.nextTier) return 1
  const span = m.nextTier.threshold - m.tier.threshold
  if (span <= 0) return 1
  return Math.min(1, Math.max(0, (m.growth.qualifying - m.tier.threshold) / span))
}

const THEMES = ['slate', 'silver', 'gold', 'black'] as const

/** The membership card: tier, points, growth to the next tier; grey until claimed. */
export function MemberCard({ me, membership, onPoints }: { me: UserProfile | null; membership: MembershipView; onPoints?: () => void }) {
  const theme = THEMES[Math.min(membership.tier.level, THEMES.length - 1)]
  const claimed = !!membership.card
  const pct = Math.round(tierProgress(membership) * 100)
  const name = me?.nickname || '微信用户'
  return (
    <View className={`member-card member-card--${theme}`} data-tier={membership.tier.level}>
      <View className='member-card__top'>
        <View className='member-card__avatar'>{name.slice(0, 1)}</View>
        <View className='member-card__who'>
          <Text className='member-card__name'>{name}</Text>
          <View className='member-card__tier'>
            <Text className='member-card__tier-name'>{membership.tier.name}</Text>
            {!claimed && <Text className='member-card__unclaimed'>未领卡</Text>}
          </View>
        </View>
        <View className='member-card__points' onClick={onPoints}>
          <Text className='member-card__points-value num'>{formatPoints(membership.points.balance)}</Text>
          <Text className='member-card__points-label'>积分 ›</Text>
        </View>
      </View>
      <View className='member-card__growth'>
        <View className='member-card__bar'>
          <View className='member-card__bar-fill' style={{ width: `${pct}%` }} />
        </View>
        <Text className='member-card__growth-text'>
          {membership.nextTier
            ? `成长值 ${membership.growth.qualifying}，再获得 ${membership.nextTier.growthNeeded} 升级${membership.nextTier.name}`
            : `成长值 ${membership.growth.qualifying}，已是最高等级`}
        </Text>
      </View>
      <View className='member-card__bottom'>
        <Text className='member-card__no num'>{claimed ? `NO. ${membership.card!.cardNo}` : '领取会员卡，享积分与会员权益'}</Text>
        {membership.benefits.pointsMultiplierPermille > 1000 && (
          <Text className='member-card__benefit'>积分 {membership.benefits.pointsMultiplierPermille / 1000} 倍</Text>
        )}
      </View>
    </View>
  )
}
