/** The six layers of the user funnel, weakest connection first (SEEDS §2). */
export const FUNNEL_STAGES = ['visitor', 'interactor', 'fan', 'friend', 'customer', 'member'] as const
export type FunnelStage = (typeof FUNNEL_STAGES)[number]

/** 1-based rank: visitor = 1 ... member = 6. */
export function stageRank(stage: FunnelStage): number {
  return FUNNEL_STAGES.indexOf(stage) + 1
}

export function isHigherStage(a: FunnelStage, b: FunnelStage): boolean {
  return stageRank(a) > stageRank(b)
}

/** Chinese names, as merchants and staff see them. */
export const FUNNEL_STAGE_LABELS: Record<FunnelStage, string> = {
  visitor: '访客',
  interactor: '游客',
  fan: '粉丝',
  friend: '好友',
  customer: '客户',
  member: '会员',
}

export const INTERACTION_EVENT_TYPES = [
  'page_view',
  'share',
  'click',
  'share_open',
  'checkin',
  'lottery_draw',
  'redpacket_open',
  'redpacket_grab',
  'coupon_claim',
  'task_complete',
] as const
export type InteractionEventType = (typeof INTERACTION_EVENT_TYPES)[number]

/**
 * What a client may post to POST /api/v1/events. The others (check-in, draw, grab...) are
 * recorded by the server inside the transaction that did the thing, so they cannot be faked.
 */
export const CLIENT_EVENT_TYPES = ['page_view', 'share', 'click', 'share_open'] as const satisfies readonly InteractionEventType[]
export type ClientEventType = (typeof CLIENT_EVENT_TYPES)[number]

/** Events that only reach the funnel as a visit, not as an interaction. */
export const PASSIVE_EVENT_TYPES: readonly InteractionEventType[] = ['page_view']

/** Funnel milestones raised by other modules (official account, WeCom, orders, membership). */
export const FUNNEL_MILESTONES = {
  followed: 'fan',
  friend_added: 'friend',
  purchased: 'customer',
  card_claimed: 'member',
} as const satisfies Record<string, FunnelStage>
export type FunnelMilestone = keyof typeof FUNNEL_MILESTONES
