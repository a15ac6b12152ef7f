import type { ErrorDefs } from '../../http/error-codes'

/** Error codes of tasks. */
export const TASKS_ERRORS = {
  TASK_NOT_FOUND: { status: 404, message: 'Task not found' },
  TASK_NOT_COMPLETE: { status: 409, message: 'The task is not complete yet' },
  TASK_ALREADY_CLAIMED: { status: 409, message: 'The reward of this task was already claimed' },
  TASK_NOT_ACTIVE: { status: 409, message: 'The task is not active (paused, not started or ended)' },
  REWARD_TYPE_UNAVAILABLE: { status: 400, message: 'This reward type is not available yet' },
  TASK_REWARD_UNAVAILABLE: { status: 409, message: 'The reward cannot be issued (coupon out of stock, inactive or expired)' },
} as const satisfies ErrorDefs
