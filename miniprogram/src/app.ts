import type { PropsWithChildren } from 'react'
import Taro, { useLaunch } from '@tarojs/taro'
import { attributionFrom, rememberAttribution, shareOpenOf, type LaunchQuery } from './services/attribution'
import { isLoggedIn } from './services/auth'
import { track } from './services/events'
import { bindInvite } from './services/referrals'
import './app.scss'

/** The launch query: WeChat hands it to onLaunch; the H5 build reads it from the URL (hash router). */
function launchQuery(options: { query?: LaunchQuery } | undefined): LaunchQuery {
  const query: LaunchQuery = { ...(options?.query ?? {}) }
  if (process.env.TARO_ENV === 'h5') {
    const add = (s: string) => new URLSearchParams(s).forEach((v, k) => (query[k] ??= v))
    add(window.location.search)
    const hash = window.location.hash
    if (hash.includes('?')) add(hash.slice(hash.indexOf('?') + 1))
  }
  return query
}

function App({ children }: PropsWithChildren) {
  useLaunch((options) => {
    const attribution = attributionFrom(launchQuery(options as { query?: LaunchQuery }))
    if (attribution) {
      const { inviteCode, ...firstTouch } = attribution
      if (inviteCode && isLoggedIn()) {
        // Already signed in, so no login will carry the code: bind now (the server accepts an
        // existing user only within the merchant's window; a refusal is not the visitor's problem).
        // The rest stays pending, as before, for a login that might still create the user.
        if (Object.keys(firstTouch).length > 0) rememberAttribution(firstTouch)
        bindInvite(inviteCode).catch((err: unknown) => console.info('[siyu] invite not bound', err))
      } else {
        // Kept for the login that creates the user (first touch); the invite code goes with it.
        rememberAttribution(attribution)
      }
      // Told to the funnel now: the sharer gets credit for the open even when the visitor is known.
      const open = shareOpenOf(attribution)
      if (open) track({ type: 'share_open', ...open })
    }
    if (process.env.TARO_ENV === 'weapp') {
      // Keep the share menu (friends and moments) on every page.
      void Taro.showShareMenu({ withShareTicket: false }).catch(() => undefined)
    }
  })
  return children
}

export default App
