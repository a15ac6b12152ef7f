/**
 * Red packet and wallet display logic (pure; unit-tested in node). The server owns every amount and
 * decides every grab; this turns its answers into what the pages show.
 */
import type { Redpacket, WithdrawalStatus } from '@siyu/shared'
import { parseYuan, yuan } from './format'

/** What the packet page shows for the viewer. */
export type PacketPhase =
  /** The viewer's slice: its amount. */
  | 'grabbed'
  /** A slice is waiting for the viewer: the 開 button. */
  | 'grabbable'
  /** Every slice went. */
  | 'empty'
  /** Expired before it emptied (the rest went back to the merchant). */
  | 'expired'
  /** The viewer shared it and may not grab it: invite friends. */
  | 'sharer'
  /** Active, but this viewer cannot grab (e.g. not eligible). */
  | 'closed'

export function packetPhase(p: Pick<Redpacket, 'myGrab' | 'canGrab' | 'status' | 'isSharer'>): PacketPhase {
  if (p.myGrab) return 'grabbed'
  if (p.canGrab) return 'grabbable'
  if (p.status === 'empty') return 'empty'
  if (p.status === 'expired') return 'expired'
  return p.isSharer ? 'sharer' : 'closed'
}

/** A refused grab says what the packet has become (409/410 from POST …/grabs). */
export function phaseAfterGrabError(code: string): PacketPhase | null {
  switch (code) {
    case 'PACKET_EMPTY':
      return 'empty'
    case 'PACKET_EXPIRED':
      return 'expired'
    case 'SHARER_CANNOT_GRAB':
      return 'sharer'
    case 'ALREADY_GRABBED':
      return 'grabbed'
    default:
      return null
  }
}

/** "已领取 3/10 个，共 1.23/5.00 元" */
export function packetProgressText(p: Pick<Redpacket, 'claimedCount' | 'sliceCount' | 'claimedFen' | 'totalFen'>): string {
  return `已领取 ${p.claimedCount}/${p.sliceCount} 个，共 ${yuan(p.claimedFen)}/${yuan(p.totalFen)} 元`
}

/** Time left before an active packet expires: "23小时59分后过期", "5分钟后过期", "即将过期". */
export function expiresInText(expiresAt: string, now: number): string {
  const ms = Date.parse(expiresAt) - now
  if (Number.isNaN(ms)) return ''
  if (ms <= 60_000) return '即将过期'
  const minutes = Math.floor(ms / 60_000)
  const h = Math.floor(minutes / 60)
  const m = minutes % 60
  if (h >= 24) return `${Math.floor(h / 24)}天${h % 24 > 0 ? `${h % 24}小时` : ''}后过期`
  return h > 0 ? `${h}小时${m > 0 ? `${m}分` : ''}后过期` : `${m}分钟后过期`
}

// ---- withdrawals --------------------------------------------------------------------------------

export type WithdrawBounds = { balanceFen: number; minWithdrawalFen: number; maxWithdrawalFen: number }

/** The most one withdrawal can take now: the balance, capped by the server's maximum. */
export function maxWithdrawable(b: WithdrawBounds): number {
  return Math.max(0, Math.min(b.balanceFen, b.maxWithdrawalFen))
}

export function canWithdraw(b: WithdrawBounds): boolean {
  return maxWithdrawable(b) >= b.minWithdrawalFen
}

/** The typed amount checked against the balance and the server's bounds; the error is user-facing. */
export function checkWithdrawAmount(text: string, b: WithdrawBounds): { ok: true; fen: number } | { ok: false; error: string } {
  const fen = parseYuan(text)
  if (fen === null) return { ok: false, error: '请输入正确的金额' }
  if (fen > b.balanceFen) return { ok: false, error: '超过可提现余额' }
  if (fen < b.minWithdrawalFen) return { ok: false, error: `单笔最低提现 ${yuan(b.minWithdrawalFen)} 元` }
  if (fen > b.maxWithdrawalFen) return { ok: false, error: `单笔最多提现 ${yuan(b.maxWithdrawalFen)} 元` }
  return { ok: true, fen }
}

export const WITHDRAWAL_STATUS_TEXT: Record<WithdrawalStatus, string> = {
  created: '处理中',
  wait_user_confirm: '待确认收款',
  processing: '到账中',
  success: '已到账',
  failed: '提现失败，已退回零钱',
  cancelled: '已取消，已退回零钱',
}

/** Still moving: the page polls these after the WeChat confirm page closes. */
export function isWithdrawalOpen(s: WithdrawalStatus): boolean {
  return s === 'created' || s === 'wait_user_confirm' || s === 'processing'
}

/** Wallet ledger reasons (reasonCode from the server) in Chinese. */
export const WALLET_REASONS: Record<string, string> = {
  redpacket_grab: '抢到红包',
  lottery_prize: '抽奖现金奖励',
  task: '任务现金奖励',
  withdrawal: '提现到微信零钱',
  withdrawal_failed: '提现失败退回',
  withdrawal_cancelled: '提现取消退回',
}

// ---- packets this device has seen (there is no "my packets" endpoint) -------------------------------

export type RecentPacket = { id: string; campaignId: string; campaignName: string; role: 'sharer' | 'grabber' | 'viewer'; amountFen: number | null; at: string }

/** The list with `entry` first: one entry per packet (a sharer or grabber role is never downgraded to viewer), at most `cap`. */
export function addRecentPacket(list: readonly RecentPacket[], entry: RecentPacket, cap = 10): RecentPacket[] {
  const old = list.find((p) => p.id === entry.id)
  const merged: RecentPacket =
    old && entry.role === 'viewer' && old.role !== 'viewer' ? { ...entry, role: old.role, amountFen: entry.amountFen ?? old.amountFen } : { ...entry, amountFen: entry.amountFen ?? old?.amountFen ?? null }
  return [merged, ...list.filter((p) => p.id !== entry.id)].slice(0, Math.max(0, cap))
}
