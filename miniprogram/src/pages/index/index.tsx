import { useState } from 'react'
import { Button, Text, View } from '@tarojs/components'
import type { MembershipView, UserProfile } from '@siyu/shared'
import { EntryGrid, type Entry } from '@/components/entry-grid'
import { MemberCard } from '@/components/member-card'
import { MemberCodePanel } from '@/components/member-code'
import { ErrorBlock, Loading } from '@/components/page-state'
import { PhoneButton } from '@/components/phone-button'
import { useLoader, usePullDownReload, useReloadOnShow } from '@/hooks/use-loader'
import { useMemberShare } from '@/hooks/use-share'
import { getMe } from '@/services/me'
import { claimCard, getMembership } from '@/services/membership'
import { takeReferralNotice } from '@/services/session'
import { go, showError, showSuccess } from '@/utils/ui'
import './index.scss'

type HomeData = { me: UserProfile; membership: MembershipView }

/** 会员首页: card (tier, points, growth), member code, and the entries to every activity. */
export default function Index() {
  const [invited, setInvited] = useState(false)
  const { state, update, reload } = useLoader<HomeData>(async () => {
    // getMe() first: it logs in when there is no session, so the two calls share one login.
    const me = await getMe()
    // The login that carried a friend's invite code says whether it bound them: tell the user once.
    const referral = takeReferralNotice()
    if (referral && referral.status !== 'rejected' && !referral.replayed) setInvited(true)
    return { me, membership: await getMembership() }
  })
  const [claiming, setClaiming] = useState(false)

  useMemberShare('邀你加入会员：签到领积分，抽奖赢好礼')
  // Back from check-in, a draw or the points page: balances may have moved.
  useReloadOnShow(state, reload)
  usePullDownReload(reload)

  const claim = async (me?: UserProfile) => {
    if (claiming) return
    setClaiming(true)
    try {
      const membership = await claimCard()
      update((d) => ({ me: me ?? d.me, membership }))
      showSuccess('领卡成功')
    } catch (err) {
      showError(err)
      if (me) update((d) => ({ ...d, me }))
    } finally {
      setClaiming(false)
    }
  }

  if (state.status === 'loading') return <Loading text='正在登录…' />
  if (state.status === 'error') return <ErrorBlock message={state.message} onRetry={() => void reload().catch(() => undefined)} />

  const { me, membership } = state.data
  const claimed = !!membership.card
  const entries: Entry[] = [
    { key: 'checkin', title: '每日签到', glyph: '签', color: 'linear-gradient(135deg,#ffb457,#ff7a2f)', onClick: () => go('/pages/checkin/index') },
    { key: 'lottery', title: '幸运抽奖', glyph: '抽', color: 'linear-gradient(135deg,#ff8a8a,#f5424b)', onClick: () => go('/pages/lottery/index') },
    { key: 'points', title: '我的积分', glyph: '积', color: 'linear-gradient(135deg,#ffd36b,#f0a818)', onClick: () => go('/pages/points/index') },
    { key: 'coupons', title: '优惠券', glyph: '券', color: 'linear-gradient(135deg,#7fb2ff,#3f7cf5)', onClick: () => go('/pages/coupons/index') },
    { key: 'redpacket', title: '红包', glyph: '红', color: 'linear-gradient(135deg,#ff7b6b,#d9363e)', onClick: () => go('/pages/redpacket/index') },
    { key: 'invite', title: '邀请有礼', glyph: '邀', color: 'linear-gradient(135deg,#b48cff,#7a4df0)', onClick: () => go('/pages/invite/index') },
    { key: 'tasks', title: '任务中心', glyph: '任', color: 'linear-gradient(135deg,#5fd6b3,#13b38a)', onClick: () => go('/pages/tasks/index') },
    { key: 'orders', title: '我的订单', glyph: '单', color: 'linear-gradient(135deg,#9aa5b8,#5d6a80)', onClick: () => go('/pages/orders/index') },
  ]

  return (
    <View className='home'>
      <View className='home__hero' />
      <MemberCard me={me} membership={membership} onPoints={() => go('/pages/points/index')} />

      {invited && (
        <View className='card home__invited' data-testid='invite-accepted'>
          <Text className='home__invited-title'>已接受好友邀请</Text>
          <Text className='weak'>{claimed ? '完成活动条件后，你和好友都能获得奖励' : '领取会员卡后，你和好友都能获得积分奖励'}</Text>
        </View>
      )}

      {!claimed && (
        <View className='card home__claim'>
          <View className='home__claim-text'>
            <Text className='home__claim-title'>领取会员卡</Text>
            <Text className='weak'>消费积分、签到奖励、会员专属权益</Text>
          </View>
          {me.phoneBound ? (
            <Button className='btn-gold home__claim-btn' loading={claiming} onClick={() => void claim()}>
              立即领卡
            </Button>
          ) : (
            <PhoneButton className='btn-gold home__claim-btn' text='手机号快捷领卡' onBound={(bound) => void claim(bound)} />
          )}
        </View>
      )}

      {claimed && <MemberCodePanel />}

      <EntryGrid entries={entries} />

      {me.isStaff && (
        <View className='card home__staff' onClick={() => go('/staff/pages/home/index')}>
          <Text>店员工作台</Text>
          <Text className='weak'>扫码积分 · 核销 · 我的客户 ›</Text>
        </View>
      )}
    </View>
  )
}
