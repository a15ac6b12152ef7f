/**
 * Task centre display logic (pure; unit-tested in node). The server computes progress and decides
 * claims; this only turns a task into what the list shows and orders it.
 */
import type { MyTask, TaskKind, TaskReward } from '@siyu/shared'
import { yuan } from './format'

export type TaskState = 'claimable' | 'todo' | 'claimed'

export function taskState(t: Pick<MyTask, 'completed' | 'claimed'>): TaskState {
  if (t.claimed) return 'claimed'
  return t.completed ? 'claimable' : 'todo'
}

/** Progress as a whole percent in [0, 100] (a target of 0 or less counts as done). */
export function progressPercent(progress: number, target: number): number {
  if (!(target > 0)) return 100
  const p = Math.floor((Math.max(0, progress) / target) * 100)
  return Math.min(100, Math.max(0, p))
}

/** "2/3"; progress beyond the target shows as the target (a claimed task is full). */
export function progressLabel(t: Pick<MyTask, 'progress' | 'target' | 'claimed'>): string {
  const done = t.claimed ? t.target : Math.min(Math.max(0, t.progress), t.target)
  return `${done}/${t.target}`
}

/** The reward as the list shows it; coupon names come from the claim centre when known. */
export function rewardText(r: TaskReward, couponNames: Record<string, string> = {}): string {
  if (r.type === 'points') return `${r.points} 积分`
  if (r.type === 'cash') return `${yuan(r.amountFen)} 元现金`
  return couponNames[r.templateId] ?? '优惠券 1 张'
}

/** Where "去完成" leads for each kind (opened with utils/ui `go`, which switches tabs), and its button text. */
export const TASK_ACTIONS: Record<TaskKind, { text: string; url: string }> = {
  share_n: { text: '去分享', url: '/pages/invite/index' },
  invite_n: { text: '去邀请', url: '/pages/invite/index' },
  complete_profile: { text: '去完善', url: '/pages/me/index' },
  first_purchase: { text: '去购买', url: '/pages/orders/index?tab=plans' },
  claim_card: { text: '去领卡', url: '/pages/index/index' },
  checkin_n_days: { text: '去签到', url: '/pages/checkin/index' },
}

const ORDER: Record<TaskState, number> = { claimable: 0, todo: 1, claimed: 2 }

/**
 * Rewards waiting first, then unfinished tasks (closest to done first, then ending soonest), claimed
 * ones last (most recent first). Stable for ties.
 */
export function sortTasks<T extends MyTask>(tasks: readonly T[]): T[] {
  const endOf = (t: T) => (t.endsAt ? Date.parse(t.endsAt) : Number.POSITIVE_INFINITY)
  return tasks
    .map((t, i) => ({ t, i }))
    .sort((a, b) => {
      const sa = taskState(a.t)
      const sb = taskState(b.t)
      if (sa !== sb) return ORDER[sa] - ORDER[sb]
      if (sa === 'todo') {
        const d = progressPercent(b.t.progress, b.t.target) - progressPercent(a.t.progress, a.t.target)
        if (d !== 0) return d
        const e = endOf(a.t) - endOf(b.t)
        if (e !== 0) return e
      }
      if (sa === 'claimed') {
        const c = Date.parse(b.t.claimedAt ?? '') - Date.parse(a.t.claimedAt ?? '')
        if (!Number.isNaN(c) && c !== 0) return c
      }
      return a.i - b.i
    })
    .map((x) => x.t)
}

/** Counts for the header: how many rewards wait, how many tasks are done. */
export function taskSummary(tasks: readonly Pick<MyTask, 'completed' | 'claimed'>[]): { claimable: number; done: number; total: number } {
  let claimable = 0
  let done = 0
  for (const t of tasks) {
    const s = taskState(t)
    if (s === 'claimable') claimable++
    if (s !== 'todo') done++
  }
  return { claimable, done, total: tasks.length }
}
