import type { ErrorDefs } from '../../http/error-codes'

/** Error codes of red-packet campaigns, share packets and grabs. */
export const REDPACKETS_ERRORS = {
  REDPACKET_CAMPAIGN_NOT_FOUND: { status: 404, message: 'Red-packet campaign not found' },
  REDPACKET_NOT_FOUND: { status: 404, message: 'Red packet not found' },
  CAMPAIGN_NOT_ACTIVE: { status: 409, message: 'This red-packet campaign is not running now' },
  BUDGET_EXHAUSTED: { status: 409, message: 'The campaign budget is used up' },
  REDPACKET_NOT_ELIGIBLE: { status: 403, message: 'You are not eligible to open a packet in this campaign' },
  PACKET_LIMIT_REACHED: { status: 409, message: 'You have opened as many packets as this campaign allows' },
  SHARER_CANNOT_GRAB: { status: 403, message: 'The sharer cannot grab from their own packet in this campaign' },
  ALREADY_GRABBED: { status: 409, message: 'You already grabbed a slice of this packet' },
  PACKET_EMPTY: { status: 410, message: 'Every slice of this packet has been grabbed' },
  PACKET_EXPIRED: { status: 410, message: 'This packet has expired' },
} as const satisfies ErrorDefs
