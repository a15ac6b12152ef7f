import type { DrawResult, LotteryKind, LotteryPublicView } from '@siyu/shared'
import { request } from './request'

export type LotterySummary = { id: string; name: string; kind: LotteryKind; startAt: string; endAt: string }

/** Lotteries running now. */
export async function listLotteries(): Promise<LotterySummary[]> {
  return (await request<{ items: LotterySummary[] }>('/api/v1/lotteries')).items
}

/** A lottery with its published odds and my remaining draws. */
export function getLottery(id: string): Promise<LotteryPublicView> {
  return request<LotteryPublicView>(`/api/v1/lotteries/${encodeURIComponent(id)}`)
}

/**
 * Draws once. The server decides the outcome; the same idempotency key returns the same draw
 * (a retry after a lost answer never draws twice).
 */
export function draw(id: string, idempotencyKey: string): Promise<DrawResult> {
  return request<DrawResult>(`/api/v1/lotteries/${encodeURIComponent(id)}/draws`, { method: 'POST', data: { idempotencyKey } })
}

