import { useRef, useState } from 'react'
import { Button, Text, View } from '@tarojs/components'
import { useUnload } from '@tarojs/taro'
import type { MyTask, TaskClaimResult } from '@siyu/shared'
import { Empty, ErrorBlock, Loading } from '@/components/page-state'
import { useLoader, usePullDownReload, useReloadOnShow } from '@/hooks/use-loader'
import { useMemberShare } from '@/hooks/use-share'
import { dateOnly } from '@/lib/format'
import { progressLabel, progressPercent, rewardText, sortTasks, TASK_ACTIONS, taskState, taskSummary } from '@/lib/tasks'
import { listClaimable } from '@/services/coupons'
import { claimTask, listMyTasks } from '@/services/tasks'
import { go, showError } from '@/utils/ui'
import './index.scss'

type Data = { tasks: MyTask[]; couponNames: Record<string, string> }

/** Coupon rewards name a template; the claim centre knows the names of the public ones. */
async function couponNamesFor(tasks: MyTask[]): Promise<Record<string, string>> {
  if (!tasks.some((t) => t.reward.type === 'coupon')) return {}
  try {
    return Object.fromEntries((await listClaimable()).map((c) => [c.id, c.name]))
  } catch {
    return {} // a nicer label is not worth failing the page
  }
}

/** 任务中心: the merchant's tasks with my progress; a complete task's reward is claimed once (the server decides). */
export default function TasksPage() {
  const { state, reload } = useLoader<Data>(async () => {
    const tasks = await listMyTasks()
    return { tasks, couponNames: await couponNamesFor(tasks) }
  })
  const [claiming, setClaiming] = useState<string | null>(null)
  const [reward, setReward] = useState<{ text: string; seq: number } | null>(null)
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null)
  useUnload(() => {
    if (timer.current) clearTimeout(timer.current)
  })

  useMemberShare('做任务领奖励，一起来参加', '/pages/tasks/index')
  // Back from a task's page (check-in, invite, profile …): progress may have moved.
  useReloadOnShow(state, reload)
  usePullDownReload(reload)

  if (state.status === 'loading') return <Loading />
  if (state.status === 'error') return <ErrorBlock message={state.message} onRetry={() => void reload().catch(() => undefined)} />
  const { tasks, couponNames } = state.data
  const sorted = sortTasks(tasks)
  const summary = taskSummary(tasks)

  const claim = async (t: MyTask) => {
    if (claiming) return
    setClaiming(t.id)
    try {
      const r: TaskClaimResult = await claimTask(t.id)
      const text = r.reward.type === 'coupon' ? rewardText(r.reward, couponNames) : `+${rewardText(r.reward)}`
      setReward({ text, seq: Date.now() })
      if (timer.current) clearTimeout(timer.current)
      timer.current = setTimeout(() => setReward(null), 2200)
    } catch (err) {
      showError(err)
    } finally {
      setClaiming(null)
      // The list is the server's: whatever happened, show its state.
      reload().catch(() => undefined)
    }
  }

  return (
    <View className='tasks'>
      <View className='tasks__hero'>
        <Text className='tasks__title'>做任务 · 领奖励</Text>
        <Text className='tasks__sub' data-testid='tasks-summary'>
          已完成 {summary.done}/{summary.total}
          {summary.claimable > 0 ? ` · ${summary.claimable} 个奖励待领取` : ''}
        </Text>
      </View>

      {sorted.length === 0 && (
        <View className='card'>
          <Empty text='暂无进行中的任务，敬请期待' />
        </View>
      )}

      {sorted.map((t) => {
        const s = taskState(t)
        const percent = t.claimed ? 100 : progressPercent(t.progress, t.target)
        const action = TASK_ACTIONS[t.kind]
        return (
          <View key={t.id} className={`card task task--${s}`} data-task-id={t.id} data-state={s} data-kind={t.kind}>
            <View className='task__main'>
              <View className='task__head'>
                <Text className='task__title'>{t.title}</Text>
                <Text className='task__reward'>奖 {rewardText(t.reward, couponNames)}</Text>
              </View>
              {t.description && <Text className='task__desc'>{t.description}</Text>}
              <View className='task__progress'>
                <View className='task__bar'>
                  <View className='task__bar-fill' style={{ width: `${percent}%` }} />
                </View>
                <Text className='task__count num' data-testid='task-progress'>
                  {progressLabel(t)}
                </Text>
              </View>
              {t.endsAt && <Text className='weak'>截止 {dateOnly(t.endsAt)}</Text>}
            </View>
            <View className='task__side'>
              {s === 'claimed' && <Text className='task__done'>已领取</Text>}
              {s === 'claimable' && (
                <Button className='task__btn task__btn--claim' loading={claiming === t.id} onClick={() => void claim(t)} data-testid='task-claim'>
                  领取
                </Button>
              )}
              {s === 'todo' && (
                <Button className='task__btn task__btn--go' onClick={() => go(action.url)}>
                  {action.text}
                </Button>
              )}
            </View>
          </View>
        )
      })}

      {reward && (
        <View key={reward.seq} className='tasks__burst' data-testid='task-reward'>
          <Text className='tasks__burst-text num'>{reward.text}</Text>
          <Text className='tasks__burst-label'>奖励已到账</Text>
        </View>
      )}
    </View>
  )
}
