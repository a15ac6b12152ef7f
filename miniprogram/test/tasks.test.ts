import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import type { MyTask } from '@siyu/shared'
import { progressLabel, progressPercent, rewardText, sortTasks, TASK_ACTIONS, taskState, taskSummary } from '../src/lib/tasks'

let seq = 0
function task(over: Partial<MyTask>): MyTask {
  seq++
  return {
    id: `t${seq}`,
    title: `任务${seq}`,
    description: null,
    kind: 'checkin_n_days',
    target: 3,
    reward: { type: 'points', points: 10 },
    startsAt: '2026-11-01T00:00:00.000Z',
    endsAt: null,
    active: true,
    createdAt: '2026-11-01T00:00:00.000Z',
    progress: 0,
    completed: false,
    claimed: false,
    claimedAt: null,
    ...over,
  }
}

describe('task display', () => {
  it('state: claimed beats completed', () => {
    expect(taskState({ completed: false, claimed: false })).toBe('todo')
    expect(taskState({ completed: true, claimed: false })).toBe('claimable')
    expect(taskState({ completed: true, claimed: true })).toBe('claimed')
  })

  it('percent is clamped to [0, 100] and floors', () => {
    expect(progressPercent(1, 3)).toBe(33)
    expect(progressPercent(5, 3)).toBe(100)
    expect(progressPercent(-2, 3)).toBe(0)
    expect(progressPercent(0, 0)).toBe(100)
    fc.assert(
      fc.property(fc.integer({ min: -10, max: 2000 }), fc.integer({ min: 1, max: 1000 }), (p, t) => {
        const v = progressPercent(p, t)
        expect(v >= 0 && v <= 100 && Number.isInteger(v)).toBe(true)
        expect(v === 100).toBe(p >= t)
      }),
    )
  })

  it('label: progress capped at the target; a claimed task is full', () => {
    expect(progressLabel({ progress: 1, target: 3, claimed: false })).toBe('1/3')
    expect(progressLabel({ progress: 7, target: 3, claimed: false })).toBe('3/3')
    expect(progressLabel({ progress: 0, target: 1, claimed: true })).toBe('1/1')
  })

  it('reward text', () => {
    expect(rewardText({ type: 'points', points: 100 })).toBe('100 积分')
    expect(rewardText({ type: 'cash', amountFen: 150 })).toBe('1.50 元现金')
    const templateId = '3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f'
    expect(rewardText({ type: 'coupon', templateId })).toBe('优惠券 1 张')
    expect(rewardText({ type: 'coupon', templateId }, { [templateId]: '新人立减券' })).toBe('新人立减券')
  })

  it('every kind leads somewhere', () => {
    for (const a of Object.values(TASK_ACTIONS)) expect(a.url).toMatch(/^\/pages\//)
  })

  it('order: rewards waiting, then unfinished (closest, then ending soonest), then claimed (latest first)', () => {
    const claimedOld = task({ completed: true, claimed: true, claimedAt: '2026-11-02T00:00:00Z' })
    const claimedNew = task({ completed: true, claimed: true, claimedAt: '2026-11-05T00:00:00Z' })
    const none = task({ progress: 0, endsAt: '2026-11-09T00:00:00Z' })
    const noneSooner = task({ progress: 0, endsAt: '2026-11-08T00:00:00Z' })
    const half = task({ progress: 2, target: 4 })
    const ready = task({ progress: 3, completed: true })
    const sorted = sortTasks([claimedOld, none, claimedNew, half, ready, noneSooner])
    expect(sorted.map((t) => t.id)).toEqual([ready, half, noneSooner, none, claimedNew, claimedOld].map((t) => t.id))
  })

  it('sorting keeps every task and is stable for ties', () => {
    const a = task({})
    const b = task({})
    const c = task({})
    expect(sortTasks([a, b, c]).map((t) => t.id)).toEqual([a.id, b.id, c.id])
    expect(sortTasks([])).toEqual([])
  })

  it('summary', () => {
    expect(taskSummary([task({ completed: true }), task({ completed: true, claimed: true }), task({})])).toEqual({ claimable: 1, done: 2, total: 3 })
  })
})
