import type { EventInput } from '@siyu/shared'
import { request } from './request'

/**
 * Funnel events (page views, shares, share opens). Fire-and-forget: a lost analytics event must
 * never break a page, so failures are only logged.
 */
export function track(events: EventInput | EventInput[]): void {
  const list = Array.isArray(events) ? events : [events]
  if (list.length === 0) return
  const data = list.length === 1 ? list[0]! : { events: list }
  request('/api/v1/events', { method: 'POST', data: data as Record<string, unknown> }).catch((err: unknown) => {
    console.warn('[siyu] event not recorded', err)
  })
}
