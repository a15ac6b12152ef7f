import type { CheckinCalendar, CheckinMakeupResult, CheckinResult } from '@siyu/shared'
import { request } from './request'

/** The month's calendar ('YYYY-MM'; default: the current month in the merchant's time zone). */
export function getCheckinCalendar(month?: string): Promise<CheckinCalendar> {
  return request<CheckinCalendar>('/api/v1/checkins', { data: { month } })
}

export function checkIn(): Promise<CheckinResult> {
  return request<CheckinResult>('/api/v1/checkins', { method: 'POST', data: {} })
}

/** Makes up a missed day ('YYYY-MM-DD'); costs points per the merchant's rule. */
export function makeUpCheckin(day: string): Promise<CheckinMakeupResult> {
  return request<CheckinMakeupResult>('/api/v1/checkins/makeup', { method: 'POST', data: { day } })
}
