import { Text, View } from '@tarojs/components'
import type { UserProfile } from '@siyu/shared'
import { FUNNEL_STAGE_LABELS } from '@siyu/shared/src/funnel'
import { ErrorBlock, Loading } from '@/components/page-state'
import { PhoneButton } from '@/components/phone-button'
import { useLoader, usePullDownReload, useReloadOnShow } from '@/hooks/use-loader'
import { useMemberShare } from '@/hooks/use-share'
import { getMe } from '@/services/me'
import { go } from '@/utils/ui'
import './index.scss'

/** 我的: profile, phone binding, orders, paid membership, and the way into staff mode. */
export default function MePage() {
  const { state, setState, reload } = useLoader<UserProfile>(getMe)
  useMemberShare('邀你加入会员：签到领积分，抽奖赢好礼')
  useReloadOnShow(state, reload)
  usePullDownReload(reload)

  if (state.status === 'loading') return <Loading />
  if (state.status === 'error') return <ErrorBlock message={state.message} onRetry={() => void reload().catch(() => undefined)} />
  const me = state.data
  const name = me.nickname || '微信用户'

  return (
    <View className='me'>
      <View className='me__head'>
        <View className='me__avatar'>{name.slice(0, 1)}</View>
        <View className='me__who'>
          <Text className='me__name'>{name}</Text>
          <Text className='me__stage' data-stage={me.stage}>
            {FUNNEL_STAGE_LABELS[me.stage]}
            {me.isStaff ? ' · 店员' : ''}
          </Text>
        </View>
      </View>

      <View className='card me__list'>
        <View className='list-row'>
          <Text>手机号</Text>
          {me.phoneBound ? (
            <Text className='muted' data-testid='phone-masked'>
              {me.phoneMasked}
            </Text>
          ) : (
            <PhoneButton className='btn-plain me__phone-btn' text='绑定手机号' onBound={(u) => setState({ status: 'ready', data: u })} />
          )}
        </View>
        <View className='list-row' onClick={() => go('/pages/orders/index')}>
          <Text>我的订单</Text>
          <Text className='weak'>›</Text>
        </View>
        <View className='list-row' onClick={() => go('/pages/orders/index?tab=plans')}>
          <Text>开通付费会员</Text>
          <Text className='tag'>尊享权益 ›</Text>
        </View>
        <View className='list-row' onClick={() => go('/pages/coupons/index')}>
          <Text>我的优惠券</Text>
          <Text className='weak'>›</Text>
        </View>
        <View className='list-row' onClick={() => go('/pages/wallet/index')} data-testid='me-wallet'>
          <Text>我的零钱</Text>
          <Text className='weak'>红包 · 提现 ›</Text>
        </View>
        <View className='list-row' onClick={() => go('/pages/invite/index')}>
          <Text>邀请好友</Text>
          <Text className='tag'>邀请有礼 ›</Text>
        </View>
      </View>

      <View className='card me__list'>
        {me.isStaff ? (
          <View className='list-row' onClick={() => go('/staff/pages/home/index')}>
            <Text>店员工作台</Text>
            <Text className='tag tag-green'>已加入 ›</Text>
          </View>
        ) : (
          <View className='list-row' onClick={() => go('/staff/pages/join/index')}>
            <Text>我是店员</Text>
            <Text className='weak'>输入邀请码加入 ›</Text>
          </View>
        )}
      </View>
    </View>
  )
}
