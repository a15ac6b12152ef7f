import type { Redpacket, RedpacketGrabResult } from '@siyu/shared'
import { addRecentPacket, type RecentPacket } from '../lib/redpacket'
import { request } from './request'
import { readStored, removeStored, writeStored } from './storage'

/** Opens a share packet of the campaign for me (budget, window and eligibility are the server's). */
export function openPacket(campaignId: string): Promise<Redpacket> {
  return request<Redpacket>('/api/v1/redpackets', { method: 'POST', data: { campaignId } })
}

/** The packet as I see it: grabs so far (masked names), my grab, whether I can grab. */
export function getPacket(id: string): Promise<Redpacket> {
  return request<Redpacket>(`/api/v1/redpackets/${encodeURIComponent(id)}`)
}

/** Grabs one slice into my wallet; 409 ALREADY_GRABBED, 410 PACKET_EMPTY / PACKET_EXPIRED. */
export function grabPacket(id: string): Promise<RedpacketGrabResult> {
  return request<RedpacketGrabResult>(`/api/v1/redpackets/${encodeURIComponent(id)}/grabs`, { method: 'POST', data: {} })
}

// The server has no "my packets" or consumer campaign list: the 红包 page shows what this device saw.
const RECENT_KEY = 'siyu.redpackets.recent'
const CAMPAIGN_KEY = 'siyu.redpackets.campaign'

export function recentPackets(): RecentPacket[] {
  const v = readStored(RECENT_KEY)
  return Array.isArray(v) ? (v as RecentPacket[]) : []
}

/** The packet I opened (shared) in this campaign, as this device remembers it. */
export function mySharedPacket(campaignId: string): RecentPacket | null {
  return recentPackets().find((p) => p.campaignId === campaignId && p.role === 'sharer') ?? null
}

export function rememberPacket(p: Redpacket): void {
  const role: RecentPacket['role'] = p.isSharer ? 'sharer' : p.myGrab ? 'grabber' : 'viewer'
  const entry: RecentPacket = { id: p.id, campaignId: p.campaignId, campaignName: p.campaignName, role, amountFen: p.myGrab?.amountFen ?? null, at: p.createdAt }
  writeStored(RECENT_KEY, addRecentPacket(recentPackets(), entry))
}

/** The last campaign a link brought (merchant's campaign link or a friend's packet): the way to open one's own. */
export function rememberCampaign(c: { id: string; name: string }): void {
  writeStored(CAMPAIGN_KEY, c)
}

export function lastCampaign(): { id: string; name: string } | null {
  const v = readStored(CAMPAIGN_KEY) as { id?: unknown; name?: unknown } | '' | undefined
  return v && typeof v.id === 'string' ? { id: v.id, name: typeof v.name === 'string' ? v.name : '' } : null
}

export function forgetCampaign(id: string): void {
  if (lastCampaign()?.id === id) removeStored(CAMPAIGN_KEY)
}
