import { useShareAppMessage } from '@tarojs/taro'
import { shareQuery } from '@/services/attribution'
import { track } from '@/services/events'
import { currentGuideId, currentUser } from '@/services/session'

export type ShareExtras = {
  /** Funnel channel of whoever opens the link (default 'share'; red packets say 'red_packet'). */
  channel?: string
  /** Binds the opener to the sharer as their inviter (referrals) at their first login. */
  inviteCode?: string | null
  /** Share card image (weapp); default: a screenshot of the page. */
  imageUrl?: string
}

/**
 * onShareAppMessage for a page: the shared path carries the sharer (and, for a shopping guide,
 * their staff id as guideId) so the funnel attributes whoever opens it. weapp pages using it set
 * `enableShareAppMessage: true` in their config; in H5 the hook does nothing. `extraQuery` and
 * `extras` are read at share time, so they may change with the page's data.
 */
export function useMemberShare(title: string, path = '/pages/index/index', extraQuery = '', extras: ShareExtras = {}) {
  useShareAppMessage(() => {
    track({ type: 'share', props: { path, ...(extras.channel ? { channel: extras.channel } : {}) } })
    return { title, path: sharePath(path, extraQuery, extras), ...(extras.imageUrl ? { imageUrl: extras.imageUrl } : {}) }
  })
}

/**
 * The path a share carries: `path?<sharer, guide, invite code, channel>&<extraQuery>`. Used by
 * onShareAppMessage (above) and by the H5 ShareButton's copied link, so both say the same.
 */
export function sharePath(path: string, extraQuery = '', extras: Pick<ShareExtras, 'channel' | 'inviteCode'> = {}, sharerId = currentUser()?.id): string {
  const query = shareQuery({ sharerId, guideId: currentGuideId(), channel: extras.channel, inviteCode: extras.inviteCode })
  return `${path}?${query}${extraQuery ? `&${extraQuery}` : ''}`
}
