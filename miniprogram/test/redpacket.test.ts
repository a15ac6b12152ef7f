import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import type { Redpacket } from '@siyu/shared'
import {
  addRecentPacket,
  canWithdraw,
  checkWithdrawAmount,
  expiresInText,
  isWithdrawalOpen,
  maxWithdrawable,
  packetPhase,
  packetProgressText,
  phaseAfterGrabError,
  type RecentPacket,
} from '../src/lib/redpacket'

type PhaseInput = Pick<Redpacket, 'myGrab' | 'canGrab' | 'status' | 'isSharer'>
const base: PhaseInput = { myGrab: null, canGrab: false, status: 'active', isSharer: false }
const grab = { amountFen: 88, grabbedAt: '2026-11-22T10:00:00.000Z' }

describe('packet phase', () => {
  it('my grab first, then the 開 button, then why not', () => {
    expect(packetPhase({ ...base, myGrab: grab, status: 'empty' })).toBe('grabbed')
    expect(packetPhase({ ...base, canGrab: true })).toBe('grabbable')
    expect(packetPhase({ ...base, status: 'empty' })).toBe('empty')
    expect(packetPhase({ ...base, status: 'expired', isSharer: true })).toBe('expired')
    expect(packetPhase({ ...base, isSharer: true })).toBe('sharer')
    expect(packetPhase({ ...base, isSharer: true, canGrab: true })).toBe('grabbable') // campaigns where the sharer may grab
    expect(packetPhase(base)).toBe('closed')
  })

  it('a refused grab (409/410) says what the packet became', () => {
    expect(phaseAfterGrabError('PACKET_EMPTY')).toBe('empty')
    expect(phaseAfterGrabError('PACKET_EXPIRED')).toBe('expired')
    expect(phaseAfterGrabError('ALREADY_GRABBED')).toBe('grabbed')
    expect(phaseAfterGrabError('SHARER_CANNOT_GRAB')).toBe('sharer')
    expect(phaseAfterGrabError('NETWORK_ERROR')).toBeNull()
  })

  it('progress and expiry texts', () => {
    expect(packetProgressText({ claimedCount: 3, sliceCount: 10, claimedFen: 123, totalFen: 500 })).toBe('已领取 3/10 个，共 1.23/5.00 元')
    const now = Date.parse('2026-11-22T10:00:00Z')
    expect(expiresInText('2026-11-23T09:59:00Z', now)).toBe('23小时59分后过期')
    expect(expiresInText('2026-11-22T12:00:00Z', now)).toBe('2小时后过期')
    expect(expiresInText('2026-11-22T10:05:30Z', now)).toBe('5分钟后过期')
    expect(expiresInText('2026-11-22T10:00:30Z', now)).toBe('即将过期')
    expect(expiresInText('2026-11-22T09:00:00Z', now)).toBe('即将过期')
    expect(expiresInText('2026-11-25T13:00:00Z', now)).toBe('3天3小时后过期')
    expect(expiresInText('nonsense', now)).toBe('')
  })
})

describe('withdrawal amounts', () => {
  const bounds = { balanceFen: 1234, minWithdrawalFen: 10, maxWithdrawalFen: 1000 }

  it('the most one withdrawal can take', () => {
    expect(maxWithdrawable(bounds)).toBe(1000)
    expect(maxWithdrawable({ ...bounds, balanceFen: 55 })).toBe(55)
    expect(canWithdraw({ ...bounds, balanceFen: 9 })).toBe(false)
    expect(canWithdraw({ ...bounds, balanceFen: 10 })).toBe(true)
  })

  it('checks the typed amount with a Chinese reason', () => {
    expect(checkWithdrawAmount('5.5', bounds)).toEqual({ ok: true, fen: 550 })
    expect(checkWithdrawAmount('abc', bounds)).toEqual({ ok: false, error: '请输入正确的金额' })
    expect(checkWithdrawAmount('0.001', bounds)).toEqual({ ok: false, error: '请输入正确的金额' })
    expect(checkWithdrawAmount('12.35', bounds)).toEqual({ ok: false, error: '超过可提现余额' })
    expect(checkWithdrawAmount('0.09', bounds)).toEqual({ ok: false, error: '单笔最低提现 0.10 元' })
    expect(checkWithdrawAmount('10.01', bounds)).toEqual({ ok: false, error: '单笔最多提现 10.00 元' })
  })

  it('an accepted amount is always within balance and bounds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 100_000 }), (fen, balance) => {
        const b = { balanceFen: balance, minWithdrawalFen: 10, maxWithdrawalFen: 20_000 }
        const text = `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`
        const r = checkWithdrawAmount(text, b)
        if (r.ok) {
          expect(r.fen).toBe(fen)
          expect(fen >= 10 && fen <= 20_000 && fen <= balance).toBe(true)
        } else {
          expect(fen < 10 || fen > 20_000 || fen > balance).toBe(true)
        }
      }),
    )
  })

  it('open statuses', () => {
    expect(['created', 'wait_user_confirm', 'processing'].every((s) => isWithdrawalOpen(s as never))).toBe(true)
    expect(['success', 'failed', 'cancelled'].some((s) => isWithdrawalOpen(s as never))).toBe(false)
  })
})

describe('recent packets', () => {
  const entry = (id: string, role: RecentPacket['role'], amountFen: number | null = null): RecentPacket => ({ id, campaignId: 'c', campaignName: '双11红包', role, amountFen, at: '2026-11-22T10:00:00.000Z' })

  it('newest first, one per packet, capped', () => {
    let list: RecentPacket[] = []
    for (let i = 0; i < 12; i++) list = addRecentPacket(list, entry(`p${i}`, 'viewer'))
    expect(list.map((p) => p.id)).toEqual(['p11', 'p10', 'p9', 'p8', 'p7', 'p6', 'p5', 'p4', 'p3', 'p2'])
    list = addRecentPacket(list, entry('p5', 'viewer'))
    expect(list[0]!.id).toBe('p5')
    expect(list.filter((p) => p.id === 'p5')).toHaveLength(1)
  })

  it('a later view never downgrades a grab or my own packet', () => {
    let list = addRecentPacket([], entry('g', 'grabber', 88))
    list = addRecentPacket(list, entry('g', 'viewer'))
    expect(list[0]).toMatchObject({ role: 'grabber', amountFen: 88 })
    list = addRecentPacket(list, entry('s', 'sharer'))
    list = addRecentPacket(list, entry('s', 'viewer'))
    expect(list[0]).toMatchObject({ id: 's', role: 'sharer' })
    list = addRecentPacket(addRecentPacket([], entry('v', 'viewer')), entry('v', 'grabber', 12))
    expect(list[0]).toMatchObject({ role: 'grabber', amountFen: 12 })
  })
})
