import type { WalletLedgerPage, WalletSummary, Withdrawal, WithdrawalPage } from '@siyu/shared'
import { pollWhile } from '../lib/poll'
import { isWithdrawalOpen } from '../lib/redpacket'
import { requestMerchantTransfer } from '../platform'
import { request } from './request'

export function getWallet(): Promise<WalletSummary> {
  return request<WalletSummary>('/api/v1/wallet')
}

/** One page of the wallet ledger, newest first. */
export function getWalletLedger(cursor?: string | null, limit = 20): Promise<WalletLedgerPage> {
  return request<WalletLedgerPage>('/api/v1/wallet/ledger', { data: { cursor: cursor ?? undefined, limit } })
}

export function listWithdrawals(cursor?: string | null, limit = 20): Promise<WithdrawalPage> {
  return request<WithdrawalPage>('/api/v1/wallet/withdrawals', { data: { cursor: cursor ?? undefined, limit } })
}

export function getWithdrawal(id: string): Promise<Withdrawal> {
  return request<Withdrawal>(`/api/v1/wallet/withdrawals/${encodeURIComponent(id)}`)
}

export function cancelWithdrawal(id: string): Promise<Withdrawal> {
  return request<Withdrawal>(`/api/v1/wallet/withdrawals/${encodeURIComponent(id)}/cancel`, { method: 'POST', data: {} })
}

/** Holds the amount and creates the WeChat transfer bill; `confirm` carries the confirm page's parameters. */
export function createWithdrawal(amountFen: number): Promise<Withdrawal> {
  return request<Withdrawal>('/api/v1/wallet/withdrawals', { method: 'POST', data: { amountFen } })
}

/**
 * Shows WeChat's "confirm receipt" page (wx.requestMerchantTransfer), then reads the withdrawal back.
 * The page closing is not proof of payment: only the server's state (from WeChat's notification or its
 * query) is, so it is polled briefly; a user who cancels keeps a withdrawal waiting for confirmation.
 */
export async function confirmWithdrawal(w: Withdrawal, pollMs = [400, 800, 1200, 1600, 2000, 3000]): Promise<Withdrawal> {
  if (!w.confirm) return w
  await requestMerchantTransfer(w.confirm)
  return pollWhile(() => getWithdrawal(w.id), (current) => isWithdrawalOpen(current.status), pollMs)
}
