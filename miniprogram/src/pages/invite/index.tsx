import { Image, Text, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import type { InviteView, MyReferralItem, MyReferrals, UserProfile } from '@siyu/shared'
import { Avatar } from '@/components/avatar'
import { Empty, ErrorBlock, Loading } from '@/components/page-state'
import { ShareButton } from '@/components/share-button'
import { useLoader, usePullDownReload, useReloadOnShow } from '@/hooks/use-loader'
import { sharePath, useMemberShare } from '@/hooks/use-share'
import { dateOnly } from '@/lib/format'
import { getMe } from '@/services/me'
import { getInvite, listMyReferrals } from '@/services/referrals'
import { currentUser } from '@/services/session'
import { showError, showSuccess } from '@/utils/ui'
import './index.scss'

const STATUS: Record<MyReferralItem['status'], { text: string; className: string }> = {
  pending: { text: '待完成', className: 'tag tag-grey' },
  rewarded: { text: '奖励已发放', className: 'tag tag-green' },
  held: { text: '审核中', className: 'tag' },
  rejected: { text: '未通过', className: 'tag tag-grey' },
}

/** Where an invite opens: the home page, carrying the code (binds the inviter) and the sharer. */
const INVITE_LANDING = '/pages/index/index'

/**
 * 邀请有礼: a poster with my mini-program code (from the server: getwxacodeunlimit, scene `i=<code>`),
 * my invite code, the share button, and the friends I brought in with their status.
 */
export default function InvitePage() {
  const { state, reload } = useLoader<{ me: UserProfile; invite: InviteView; referrals: MyReferrals }>(async () => {
    // The three share one login when there is no session yet.
    const [me, invite, referrals] = await Promise.all([getMe(), getInvite(), listMyReferrals()])
    return { me, invite, referrals }
  })
  const code = state.status === 'ready' ? state.data.invite.code : null
  const inviterName = (state.status === 'ready' ? state.data.me.nickname : currentUser()?.nickname) || '你的好友'

  useMemberShare(`${inviterName}邀你加入会员，一起领积分好礼`, INVITE_LANDING, '', { channel: 'invite', inviteCode: code })
  // Back from sharing: a friend may have joined meanwhile.
  useReloadOnShow(state, reload)
  usePullDownReload(reload)

  if (state.status === 'loading') return <Loading />
  if (state.status === 'error') return <ErrorBlock message={state.message} onRetry={() => void reload().catch(() => undefined)} />
  const { me, invite, referrals } = state.data
  const inviteLink = sharePath(INVITE_LANDING, '', { channel: 'invite', inviteCode: invite.code }, me.id)

  const copyCode = async () => {
    try {
      await Taro.setClipboardData({ data: invite.code })
      showSuccess('邀请码已复制')
    } catch (err) {
      showError(err)
    }
  }

  return (
    <View className='invite'>
      <View className='invite__hero'>
        <Text className='invite__title'>邀请好友 · 一起得好礼</Text>
        <Text className='invite__sub'>好友通过你的邀请加入会员，你们都能获得积分奖励</Text>

        <View className='invite__poster' data-testid='invite-poster'>
          <View className='invite__poster-head'>
            <Avatar url={me.avatarUrl} name={me.nickname} size='sm' />
            <Text className='invite__poster-who'>{me.nickname ? `${me.nickname} 邀请你加入会员` : '好友邀请你加入会员'}</Text>
          </View>
          {invite.qrCodeDataUrl ? (
            <Image className='invite__qr' src={invite.qrCodeDataUrl} mode='aspectFit' showMenuByLongpress data-testid='invite-qr' />
          ) : (
            <View className='invite__qr invite__qr--missing' onClick={() => void reload().catch(showError)}>
              <Text className='muted'>小程序码暂未生成</Text>
              <Text className='invite__retry'>点击重试</Text>
            </View>
          )}
          <Text className='weak'>{process.env.TARO_ENV === 'weapp' ? '长按识别小程序码，或保存后分享' : '微信扫一扫，加入会员'}</Text>
          <View className='invite__code'>
            <Text className='muted'>我的邀请码</Text>
            <Text className='invite__code-value num' data-testid='invite-code'>
              {invite.code}
            </Text>
            <Text className='invite__copy' onClick={() => void copyCode()}>
              复制
            </Text>
          </View>
        </View>

        <ShareButton className='invite__share' text='分享给好友' path={inviteLink} testId='invite-share' />
      </View>

      <View className='card invite__stats'>
        <View className='invite__stat'>
          <Text className='invite__stat-value num' data-testid='invited-count'>
            {referrals.invited}
          </Text>
          <Text className='weak'>已邀请好友（人）</Text>
        </View>
        <View className='invite__stat-line' />
        <View className='invite__stat'>
          <Text className='invite__stat-value num'>{referrals.rewarded}</Text>
          <Text className='weak'>奖励已发放（人）</Text>
        </View>
      </View>

      <View className='card invite__list'>
        <Text className='card-title'>我邀请的好友</Text>
        {referrals.items.length === 0 && <Empty text='还没有好友接受邀请，快去分享吧' />}
        {referrals.items.map((r, i) => (
          <View key={`${r.boundAt}-${i}`} className='list-row invite__friend' data-status={r.status}>
            <Avatar url={r.avatarUrl} name={r.nameMasked} size='sm' />
            <View className='invite__friend-main'>
              <Text className='invite__friend-name'>{r.nameMasked || '微信用户'}</Text>
              <Text className='weak'>{dateOnly(r.boundAt)} 接受邀请</Text>
            </View>
            <Text className={STATUS[r.status].className}>{STATUS[r.status].text}</Text>
          </View>
        ))}
      </View>

      <View className='card invite__rules'>
        <Text className='card-title'>活动规则</Text>
        <Text className='invite__rule'>1. 好友通过你分享的链接或扫描你的小程序码，首次进入即成为你邀请的好友。</Text>
        <Text className='invite__rule'>2. 好友完成商家设定的条件（如领取会员卡）后，你和好友均可获得积分奖励，以积分明细为准。</Text>
        <Text className='invite__rule'>3. 每位好友只能接受一次邀请；不能邀请自己；异常邀请将进入审核。</Text>
      </View>
    </View>
  )
}
