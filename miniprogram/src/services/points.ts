import type { PointsLedgerPage, PointsSummary } from '@siyu/shared'
import { request } from './request'

export function getPointsSummary(): Promise<PointsSummary> {
  return request<PointsSummary>('/api/v1/points')
}

/** One page of the ledger, newest first; pass the previous page's nextCursor for the next. */
export function getPointsLedger(cursor?: string | null, limit = 20): Promise<PointsLedgerPage> {
  return request<PointsLedgerPage>('/api/v1/points/ledger', { data: { cursor: cursor ?? undefined, limit } })
}
