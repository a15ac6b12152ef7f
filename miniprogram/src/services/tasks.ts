import type { MyTask, TaskClaimResult } from '@siyu/shared'
import { request } from './request'

/** My open tasks with progress (computed by the server from what I did). */
export async function listMyTasks(): Promise<MyTask[]> {
  return (await request<{ items: MyTask[] }>('/api/v1/tasks')).items
}

/** Claims a complete task's reward; the server re-checks progress and pays once. */
export function claimTask(taskId: string): Promise<TaskClaimResult> {
  return request<TaskClaimResult>(`/api/v1/tasks/${encodeURIComponent(taskId)}/claim`, { method: 'POST', data: {} })
}
