import { useCallback, useRef, useState } from 'react'
import { Button, Text, View } from '@tarojs/components'
import { useRouter, useUnload } from '@tarojs/taro'
import type { DrawResult, LotteryPublicView } from '@siyu/shared'
import { LotteryGrid } from '@/components/lottery-grid'
import { LotteryWheel } from '@/components/lottery-wheel'
import { Empty, ErrorBlock, Loading } from '@/components/page-state'
import { useLoader } from '@/hooks/use-loader'
import { useMemberShare } from '@/hooks/use-share'
import { idempotencyKey } from '@/lib/format'
import { GRID_RING, planGridRun, planWheelSpin, slotIndexOf } from '@/lib/lottery-plan'
import { isApiError } from '@/services/errors'
import { draw, getLottery, listLotteries } from '@/services/lottery'
import { showError } from '@/utils/ui'
import './index.scss'

type Phase = { kind: 'idle' } | { kind: 'requesting' } | { kind: 'spinning'; result: DrawResult } | { kind: 'done'; result: DrawResult }

/** The text of a prize won, as the result sheet shows it. */
function prizeLine(r: DrawResult): string {
  if (r.outcome === 'none') return r.reason === 'out_of_stock' ? '奖品刚刚被抽完了，谢谢参与' : '谢谢参与，下次好运'
  if (r.prize.type === 'points') return `${r.prize.points ?? ''} 积分已到账`
  if (r.prize.type === 'coupon') return '优惠券已放入「我的优惠券」'
  if (r.prize.type === 'physical') return `凭兑奖码 ${r.prize.redeemCode ?? ''} 到店领取`
  return '奖励已发放'
}

/**
 * 抽奖: wheel or 9-grid. The outcome is the server's (POST …/draws); the animation only travels
 * to the slot the server named. Odds and remaining draws are shown as published.
 */
export default function LotteryPage() {
  const router = useRouter()
  const { state, reload } = useLoader<LotteryPublicView | null>(async () => {
    const id = router.params.id ?? (await listLotteries())[0]?.id
    return id ? getLottery(id) : null
  })
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' })
  const [rotation, setRotation] = useState(0)
  const [duration, setDuration] = useState(4500)
  const [active, setActive] = useState(-1)
  // Kept until the server answers for sure: a retry after a lost answer replays, never re-draws.
  const pendingKey = useRef<string | null>(null)
  const timers = useRef<Array<ReturnType<typeof setTimeout>>>([])
  useUnload(() => timers.current.forEach(clearTimeout))

  useMemberShare('幸运抽奖，积分好礼等你拿', '/pages/lottery/index', state.status === 'ready' && state.data ? `id=${state.data.id}` : '')

  const finish = useCallback(() => {
    setPhase((p) => (p.kind === 'spinning' ? { kind: 'done', result: p.result } : p))
    reload().catch(() => undefined)
  }, [reload])

  if (state.status === 'loading') return <Loading />
  if (state.status === 'error') return <ErrorBlock message={state.message} onRetry={() => void reload().catch(() => undefined)} />
  const lottery = state.data
  if (!lottery) return <Empty text='暂无进行中的抽奖活动，敬请期待' />

  const prizes = [...lottery.prizes].sort((a, b) => a.position - b.position)
  const useGrid = lottery.kind === 'grid' && prizes.length <= GRID_RING.length
  const me = lottery.me
  const canDraw = lottery.active && me.eligible && (me.remainingToday === null || me.remainingToday > 0) && (me.remainingTotal === null || me.remainingTotal > 0)
  const busy = phase.kind === 'requesting' || phase.kind === 'spinning'

  const start = async () => {
    if (busy || !canDraw) return
    pendingKey.current ??= idempotencyKey('draw')
    setPhase({ kind: 'requesting' })
    let result: DrawResult
    try {
      result = await draw(lottery.id, pendingKey.current)
      pendingKey.current = null
    } catch (err) {
      // A definite refusal (4xx) frees the key; a lost answer keeps it for the retry.
      if (isApiError(err) && err.status >= 400 && err.status < 500) pendingKey.current = null
      setPhase({ kind: 'idle' })
      showError(err)
      reload().catch(() => undefined)
      return
    }
    const found = slotIndexOf(prizes, result.prize.id)
    const target = found >= 0 ? found : Math.min(prizes.length - 1, Math.max(0, result.prize.position))
    if (useGrid) {
      const steps = planGridRun({ startRingIndex: active < 0 ? 0 : active, targetRingIndex: target, minLaps: 3 })
      setPhase({ kind: 'spinning', result })
      // The previous run's timers have all fired (a draw starts only once it finished): drop them.
      timers.current = []
      let at = 0
      steps.forEach((s, i) => {
        at += s.delayMs
        timers.current.push(
          setTimeout(() => {
            setActive(s.ringIndex)
            if (i === steps.length - 1) timers.current.push(setTimeout(finish, 400))
          }, at),
        )
      })
    } else {
      // A hint of randomness inside the slot so consecutive wins do not stop on the same pixel.
      const plan = planWheelSpin({ slotCount: prizes.length, targetIndex: target, currentAngle: rotation, minTurns: 6, offset: 0.3 + Math.random() * 0.4 })
      setDuration(plan.durationMs)
      setPhase({ kind: 'spinning', result })
      setRotation(plan.finalAngle)
    }
  }

  const buttonText = phase.kind === 'requesting' ? '…' : busy ? '抽奖中' : canDraw ? '抽奖' : '明日再来'
  const remaining =
    me.remainingToday === null ? '不限次数' : `今日剩余 ${me.remainingToday} 次${me.freeRemainingToday > 0 ? `（免费 ${me.freeRemainingToday} 次）` : ''}`

  return (
    <View className='lottery'>
      <View className='lottery__head'>
        <Text className='lottery__title'>{lottery.name}</Text>
        {lottery.description && <Text className='lottery__desc'>{lottery.description}</Text>}
        <Text className='lottery__remaining' data-testid='draws-remaining'>
          {!lottery.active ? '活动未开始或已结束' : !me.eligible ? '暂不符合参与条件' : remaining}
          {lottery.costPoints !== null && lottery.active ? ` · 免费次数用完后每次 ${lottery.costPoints} 积分` : ''}
        </Text>
      </View>

      <View className='lottery__stage'>
        {useGrid ? (
          <LotteryGrid prizes={prizes} active={active} disabled={busy || !canDraw} buttonText={buttonText} onStart={() => void start()} />
        ) : (
          <LotteryWheel
            prizes={prizes}
            rotation={rotation}
            durationMs={duration}
            spinning={phase.kind === 'spinning'}
            disabled={busy || !canDraw}
            buttonText={buttonText}
            onStart={() => void start()}
            onStop={finish}
          />
        )}
      </View>

      <View className='card lottery__odds'>
        <Text className='card-title'>奖品与中奖概率</Text>
        {prizes.map((p) => (
          <View key={p.id} className='list-row lottery__odds-row'>
            <Text>{p.name}</Text>
            <Text className='muted num'>
              {p.probabilityText}
              {p.stock !== null ? ` · 剩余 ${p.stock}` : ''}
            </Text>
          </View>
        ))}
        <Text className='weak lottery__odds-text'>{lottery.oddsText}</Text>
      </View>

      {phase.kind === 'done' && (
        <View className='lottery__mask' onClick={() => setPhase({ kind: 'idle' })}>
          <View className='lottery__result' data-testid='draw-result' data-prize-id={phase.result.prize.id} data-outcome={phase.result.outcome}>
            <Text className='lottery__result-title'>{phase.result.outcome === 'prize' ? '恭喜您抽中' : '很遗憾'}</Text>
            <Text className='lottery__result-prize'>{phase.result.outcome === 'prize' ? phase.result.prize.name : '谢谢参与'}</Text>
            <Text className='lottery__result-line'>{prizeLine(phase.result)}</Text>
            <Button className='btn-gold lottery__result-btn' onClick={() => setPhase({ kind: 'idle' })}>
              {canDraw ? '再抽一次' : '知道了'}
            </Button>
          </View>
        </View>
      )}
    </View>
  )
}
