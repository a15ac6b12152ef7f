import { useState } from 'react'
import { Button, Input, Text, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import type { StaffMemberSummary, StaffStats } from '@siyu/shared'
import { ErrorBlock, Loading } from '@/components/page-state'
import { useLoader, usePullDownReload, useReloadOnShow } from '@/hooks/use-loader'
import { useMemberShare } from '@/hooks/use-share'
import { formatPoints, yuan } from '@/lib/format'
import { scanCode } from '@/platform'
import { getStaffMe, getStaffStats, scanMember, type StaffMe } from '@/services/staff'
import { go, showError, showInfo } from '@/utils/ui'
import { MemberPanel } from '../../components/member-panel'
import { RedeemCode } from '../../components/redeem-code'
import './index.scss'

type Desk = { me: StaffMe; today: StaffStats }
type Scanned = { member: StaffMemberSummary; code: string }

/** 店员工作台: scan a member code (or type it), then award or redeem; today's figures; links. */
export default function StaffHome() {
  const { state, reload } = useLoader<Desk>(async () => {
    const me = await getStaffMe()
    return { me, today: await getStaffStats('today') }
  })
  const [typed, setTyped] = useState('')
  const [scanned, setScanned] = useState<Scanned | null>(null)
  const [looking, setLooking] = useState(false)

  // A guide's share carries their staff id: whoever opens it becomes their customer.
  useMemberShare('我是你的专属导购，领会员卡享积分好礼')
  useReloadOnShow(state, reload)
  usePullDownReload(reload)

  const lookUp = async (raw: string) => {
    const code = raw.replace(/[\s-]/g, '')
    if (!/^\d{20}$/.test(code)) return showInfo('请输入20位会员码')
    setLooking(true)
    try {
      setScanned({ member: await scanMember(code), code })
      setTyped('')
    } catch (err) {
      showError(err)
    } finally {
      setLooking(false)
    }
  }

  const scan = async () => {
    try {
      const { result } = await scanCode({ onlyFromCamera: true })
      await lookUp(result)
    } catch (err) {
      showError(err)
    }
  }

  if (state.status === 'loading') return <Loading />
  if (state.status === 'error') {
    return (
      <View>
        <ErrorBlock message={state.message} onRetry={() => void reload().catch(() => undefined)} />
        <View className='staff-home__join' onClick={() => void Taro.redirectTo({ url: '/staff/pages/join/index' })}>
          <Text className='muted'>还不是店员？输入邀请码加入 ›</Text>
        </View>
      </View>
    )
  }
  const { me, today } = state.data

  return (
    <View className='staff-home'>
      <View className='staff-home__head'>
        <Text className='staff-home__store'>{me.store.name}</Text>
        <Text className='staff-home__role'>{me.role === 'manager' ? '店长' : '导购'}</Text>
      </View>

      <View className='staff-home__stats' onClick={() => go('/staff/pages/stats/index')}>
        <View className='staff-home__stat'>
          <Text className='num staff-home__stat-value'>{today.newMembers}</Text>
          <Text className='staff-home__stat-label'>今日新会员</Text>
        </View>
        <View className='staff-home__stat'>
          <Text className='num staff-home__stat-value'>{today.purchases.count}</Text>
          <Text className='staff-home__stat-label'>消费笔数</Text>
        </View>
        <View className='staff-home__stat'>
          <Text className='num staff-home__stat-value'>¥{yuan(today.purchases.amountFen)}</Text>
          <Text className='staff-home__stat-label'>消费金额</Text>
        </View>
        <View className='staff-home__stat'>
          <Text className='num staff-home__stat-value'>{formatPoints(today.pointsAwarded)}</Text>
          <Text className='staff-home__stat-label'>发放积分</Text>
        </View>
      </View>

      <View className='card staff-home__scan-card'>
        <Button className='btn-primary staff-home__scan' loading={looking} onClick={() => void scan()} data-testid='scan-member'>
          扫会员码
        </Button>
        <View className='staff-home__manual'>
          <Input className='staff-home__code-input fill-input' type='number' maxlength={24} value={typed} placeholder='或输入20位会员码' onInput={(e) => setTyped(e.detail.value)} />
          <Text className='staff-home__lookup' onClick={() => void lookUp(typed)}>
            查询
          </Text>
        </View>
      </View>

      {scanned && (
        <MemberPanel
          key={scanned.member.userId}
          member={scanned.member}
          memberCode={scanned.code}
          storeId={me.store.id}
          onChanged={(balance) => {
            setScanned((s) => (s ? { ...s, member: { ...s.member, points: { balance } } } : s))
            reload().catch(() => undefined)
          }}
          onRescan={() => setScanned(null)}
        />
      )}

      <RedeemCode storeId={me.store.id} />

      <View className='card staff-home__links'>
        <View className='list-row' onClick={() => go('/staff/pages/customers/index')}>
          <Text>我的客户</Text>
          <Text className='weak'>阶段 · 等级 · 最近到店 ›</Text>
        </View>
        <View className='list-row' onClick={() => go('/staff/pages/stats/index')}>
          <Text>我的业绩</Text>
          <Text className='weak'>今日 / 本周 ›</Text>
        </View>
      </View>
    </View>
  )
}

