import { useRef, useState } from 'react'
import { Button, Text, View } from '@tarojs/components'
import { useRouter, useUnload } from '@tarojs/taro'
import type { Redpacket, UserProfile, WalletSummary } from '@siyu/shared'
import { Avatar } from '@/components/avatar'
import { Empty, ErrorBlock, Loading } from '@/components/page-state'
import { ShareButton } from '@/components/share-button'
import { useLoader, usePullDownReload, useReloadOnShow } from '@/hooks/use-loader'
import { sharePath, useMemberShare } from '@/hooks/use-share'
import { dateTime, yuan } from '@/lib/format'
import { sleep } from '@/lib/poll'
import { expiresInText, packetPhase, packetProgressText, phaseAfterGrabError, type PacketPhase, type RecentPacket } from '@/lib/redpacket'
import { isApiError } from '@/services/errors'
import { getMe } from '@/services/me'
import { forgetCampaign, getPacket, grabPacket, lastCampaign, mySharedPacket, openPacket, recentPackets, rememberCampaign, rememberPacket } from '@/services/redpackets'
import { getWallet } from '@/services/wallet'
import { go, showError } from '@/utils/ui'
import './index.scss'

const PAGE = '/pages/redpacket/index'
/** The coin spins at least this long: a grab answered in 20 ms still feels like opening something. */
const MIN_SPIN_MS = 900

type Data =
  /** `mine`: the packet I shared in the same campaign (for a friend's packet; null for my own). */
  | { mode: 'packet'; packet: Redpacket; me: UserProfile; mine: RecentPacket | null }
  | { mode: 'campaign'; campaignId: string; campaignName: string; mine: RecentPacket | null }
  | { mode: 'hub'; wallet: WalletSummary; campaign: { id: string; name: string } | null; recent: RecentPacket[] }

type Opening = { kind: 'idle' } | { kind: 'spinning' } | { kind: 'opened'; amountFen: number; balanceFen: number }

const PHASE_TEXT: Partial<Record<PacketPhase, string>> = {
  empty: '手慢了，红包已被抢光',
  expired: '红包已过期',
  closed: '暂时无法领取这个红包',
}

/**
 * 红包. Three ways in:
 *  - `?id=<packet>` (a friend's share): the packet, the 開 button, grabs so far;
 *  - `?campaignId=<campaign>` (the merchant's campaign link): open my own share packet;
 *  - the home entry: my wallet, the campaign a link brought, packets seen on this device.
 * Shares carry the sharer and channel `red_packet`, so a friend's first login is attributed.
 */
export default function RedpacketPage() {
  const router = useRouter()
  const [packetId, setPacketId] = useState<string | undefined>(router.params.id)
  const campaignId = router.params.campaignId
  const [opening, setOpening] = useState<Opening>({ kind: 'idle' })
  const [override, setOverride] = useState<PacketPhase | null>(null)
  const [busy, setBusy] = useState(false)
  const alive = useRef(true)
  useUnload(() => {
    alive.current = false
  })

  const { state, reload } = useLoader<Data>(async () => {
    if (packetId) {
      const [packet, me] = await Promise.all([getPacket(packetId), getMe()])
      rememberPacket(packet)
      rememberCampaign({ id: packet.campaignId, name: packet.campaignName })
      return { mode: 'packet', packet, me, mine: packet.isSharer ? null : mySharedPacket(packet.campaignId) }
    }
    if (campaignId) {
      await getMe() // signs in (first touch) before anything is opened
      const known = lastCampaign()
      const name = known?.id === campaignId ? known.name : ''
      rememberCampaign({ id: campaignId, name })
      return { mode: 'campaign', campaignId, campaignName: name, mine: mySharedPacket(campaignId) }
    }
    return { mode: 'hub', wallet: await getWallet(), campaign: lastCampaign(), recent: recentPackets() }
  }, [packetId])

  const packet = state.status === 'ready' && state.data.mode === 'packet' ? state.data.packet : null
  const shareTitle = packet ? `${packet.sharer.name || '好友'}发了一个红包，快来抢！` : '抢红包啦，手慢无！'
  useMemberShare(shareTitle, packet || campaignId ? PAGE : '/pages/index/index', packet ? `id=${packet.id}` : campaignId ? `campaignId=${campaignId}` : '', {
    channel: 'red_packet',
  })
  useReloadOnShow(state, reload, opening.kind !== 'spinning')
  usePullDownReload(reload)

  const refresh = () =>
    reload()
      .then(() => setOverride(null))
      .catch(() => undefined)

  const grab = async (p: Redpacket) => {
    if (opening.kind === 'spinning') return
    setOpening({ kind: 'spinning' })
    const started = Date.now()
    try {
      const r = await grabPacket(p.id)
      await sleep(Math.max(0, MIN_SPIN_MS - (Date.now() - started)))
      if (!alive.current) return
      setOpening({ kind: 'opened', amountFen: r.amountFen, balanceFen: r.walletBalanceFen })
    } catch (err) {
      await sleep(Math.max(0, MIN_SPIN_MS / 2 - (Date.now() - started)))
      if (!alive.current) return
      setOpening({ kind: 'idle' })
      // 409 / 410: the packet became empty or expired, or I already have my slice; the toast says which.
      if (isApiError(err)) setOverride(phaseAfterGrabError(err.code))
      showError(err)
    }
    void refresh()
  }

  const openMine = async (id: string) => {
    if (busy) return
    setBusy(true)
    try {
      const p = await openPacket(id)
      rememberPacket(p)
      setOpening({ kind: 'idle' })
      setOverride(null)
      setPacketId(p.id)
    } catch (err) {
      // An ended or unknown campaign is no longer offered on the 红包 page.
      if (isApiError(err) && (err.code === 'CAMPAIGN_NOT_ACTIVE' || err.code === 'REDPACKET_CAMPAIGN_NOT_FOUND')) forgetCampaign(id)
      showError(err)
    } finally {
      setBusy(false)
    }
  }

  if (state.status === 'loading') return <Loading />
  if (state.status === 'error') return <ErrorBlock message={state.message} onRetry={() => void reload().catch(() => undefined)} />
  const data = state.data

  if (data.mode === 'hub') {
    return (
      <View className='rp rp--hub'>
        <View className='rp__hub-head'>
          <Text className='rp__hub-title'>红包</Text>
          <Text className='rp__hub-sub'>抢好友分享的红包，零钱可提现到微信</Text>
        </View>
        <View className='card rp__wallet' onClick={() => go('/pages/wallet/index')} data-testid='hub-wallet'>
          <View className='rp__wallet-main'>
            <Text className='muted'>我的零钱（元）</Text>
            <Text className='rp__wallet-balance num'>{yuan(data.wallet.balanceFen)}</Text>
          </View>
          <Text className='rp__wallet-go'>提现 ›</Text>
        </View>
        {data.campaign && (
          <View className='card rp__campaign-card' onClick={() => go(`${PAGE}?campaignId=${data.campaign!.id}`)}>
            <View className='rp__mini-envelope'>
              <Text>福</Text>
            </View>
            <View className='rp__campaign-main'>
              <Text className='rp__campaign-name'>{data.campaign.name || '商家红包活动'}</Text>
              <Text className='weak'>发一个拼手气红包，好友都能来抢</Text>
            </View>
            <Text className='rp__campaign-go'>发红包</Text>
          </View>
        )}
        <View className='card'>
          <Text className='card-title'>最近的红包</Text>
          {data.recent.length === 0 && <Empty text={data.campaign ? '还没有红包，发一个给好友吧' : '暂无红包，留意商家活动或好友分享'} />}
          {data.recent.map((r) => (
            <View key={r.id} className='list-row rp__recent' onClick={() => go(`${PAGE}?id=${r.id}`)}>
              <View className='rp__recent-main'>
                <Text>{r.role === 'sharer' ? '我发的红包' : r.role === 'grabber' ? '抢到的红包' : '看过的红包'}</Text>
                <Text className='weak'>
                  {r.campaignName || '红包活动'} · {dateTime(r.at)}
                </Text>
              </View>
              <Text className={r.amountFen !== null ? 'rp__recent-amount num' : 'weak'}>{r.amountFen !== null ? `${yuan(r.amountFen)} 元` : '›'}</Text>
            </View>
          ))}
        </View>
      </View>
    )
  }

  if (data.mode === 'campaign') {
    return (
      <View className='rp'>
        <View className='rp__envelope'>
          <View className='rp__flap' />
          <View className='rp__sender'>
            <Text className='rp__sender-name'>{data.campaignName || '商家红包活动'}</Text>
            <Text className='rp__wish'>发一个拼手气红包，好友都能来抢</Text>
          </View>
          <View className='rp__body'>
            <Button className='rp__primary' loading={busy} onClick={() => void openMine(data.campaignId)} data-testid='open-packet'>
              发红包
            </Button>
            {data.mine && (
              <Text className='rp__link' onClick={() => setPacketId(data.mine!.id)}>
                查看我发的红包 ›
              </Text>
            )}
          </View>
        </View>
        <View className='card rp__rules'>
          <Text className='card-title'>玩法说明</Text>
          <Text className='rp__rule'>1. 发出的红包由商家出资，分成若干份，金额随机。</Text>
          <Text className='rp__rule'>2. 分享给好友，每位好友可抢一份，抢到的金额存入零钱，可提现到微信。</Text>
          <Text className='rp__rule'>3. 红包过期未抢完的部分退回活动。</Text>
        </View>
      </View>
    )
  }

  const p = data.packet
  const phase: PacketPhase = opening.kind === 'opened' ? 'grabbed' : override ?? packetPhase(p)
  const amountFen = opening.kind === 'opened' ? opening.amountFen : p.myGrab?.amountFen ?? null
  const sharerName = p.isSharer ? '我' : p.sharer.name || '好友'
  const packetLink = sharePath(PAGE, `id=${p.id}`, { channel: 'red_packet' }, data.me.id)
  const mine = data.mine

  return (
    <View className='rp'>
      <View className={`rp__envelope rp__envelope--${phase} ${opening.kind === 'opened' ? 'rp__envelope--just-opened' : ''}`} data-testid='packet' data-phase={phase}>
        <View className='rp__flap' />
        <View className='rp__sender'>
          <Avatar url={p.isSharer ? data.me.avatarUrl : p.sharer.avatarUrl} name={p.isSharer ? data.me.nickname : p.sharer.name} size='md' />
          <Text className='rp__sender-name'>{sharerName}的红包</Text>
          <Text className='rp__wish'>{p.campaignName || '恭喜发财，大吉大利'}</Text>
        </View>

        <View className='rp__body'>
          {phase === 'grabbable' && (
            <View
              className={`rp__open ${opening.kind === 'spinning' ? 'rp__open--spinning' : ''}`}
              onClick={() => void grab(p)}
              data-testid='grab-button'
              aria-label='开红包'
            >
              <Text>開</Text>
            </View>
          )}
          {phase === 'grabbed' && amountFen !== null && (
            <View className='rp__result'>
              <View className='rp__amount' data-testid='grab-amount' data-fen={amountFen}>
                <Text className='rp__amount-value num'>{yuan(amountFen)}</Text>
                <Text className='rp__amount-unit'>元</Text>
              </View>
              <Text className='rp__note'>
                已存入零钱{opening.kind === 'opened' ? `（余额 ${yuan(opening.balanceFen)} 元）` : ''}，可提现到微信
              </Text>
              <Button className='rp__ghost' onClick={() => go('/pages/wallet/index')} data-testid='to-wallet'>
                查看我的零钱
              </Button>
            </View>
          )}
          {phase === 'grabbed' && amountFen === null && <Text className='rp__state'>你已经领过这个红包了</Text>}
          {phase === 'sharer' && (
            <View className='rp__result'>
              <Text className='rp__state'>红包已发出，邀请好友来抢</Text>
              <ShareButton className='rp__primary' text='分享给好友' path={packetLink} testId='share-packet' />
            </View>
          )}
          {PHASE_TEXT[phase] && <Text className='rp__state'>{PHASE_TEXT[phase]}</Text>}
          <Text className='rp__meta'>
            {packetProgressText(p)}
            {p.status === 'active' ? ` · ${expiresInText(p.expiresAt, Date.now())}` : ''}
          </Text>
        </View>
      </View>

      {p.isSharer && phase !== 'sharer' && p.status === 'active' && (
        <ShareButton className='rp__share-bar' text='继续分享给好友' path={packetLink} testId='share-packet' />
      )}
      {!p.isSharer && (
        <View className='rp__own' onClick={() => (mine ? setPacketId(mine.id) : void openMine(p.campaignId))}>
          <Text>{mine ? '查看我发的红包 ›' : '我也发一个红包，邀请好友来抢 ›'}</Text>
        </View>
      )}

      <View className='card rp__grabs'>
        <Text className='card-title'>
          领取记录
          <Text className='weak'>
            {p.claimedCount}/{p.sliceCount}
          </Text>
        </Text>
        {p.grabs.length === 0 && <Empty text='还没有人领取' />}
        {p.grabs.map((g, i) => (
          <View key={`${g.grabbedAt}-${i}`} className='list-row rp__grab' data-testid='grab-row'>
            <Avatar url={g.avatarUrl} name={g.name} size='sm' />
            <View className='rp__grab-main'>
              <Text>{g.name || '微信用户'}</Text>
              <Text className='weak'>{dateTime(g.grabbedAt)}</Text>
            </View>
            <View className='rp__grab-side'>
              <Text className='num rp__grab-amount'>{yuan(g.amountFen)} 元</Text>
              {g.best && <Text className='rp__best'>手气最佳</Text>}
            </View>
          </View>
        ))}
      </View>
    </View>
  )
}
