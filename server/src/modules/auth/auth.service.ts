import type { LoginInput, LoginOutput } from '@siyu/shared'
import type { Db } from '../../db/client'
import { systemClock, type Clock } from '../../lib/clock'
import type { MpClient } from '../../wechat/mp-client'
import * as funnel from '../funnel/funnel.service'
import * as members from '../members/members.service'
import * as referrals from '../referrals/referrals.service'
import * as tenancy from '../tenancy/tenancy.service'
import type { TokenService } from './tokens'

export type AuthDeps = { db: Db; mp: MpClient; tokens: TokenService; clock?: Clock }

/**
 * WeChat login: exchange the wx.login code for openid + session_key (outside any transaction),
 * then create or refresh the user. A new user becomes a visitor, attributed to the share or QR
 * scene that brought them. The session_key stays in our database only.
 */
export async function login(deps: AuthDeps, input: LoginInput, signals: referrals.ClientSignals = { ip: null, deviceId: null }): Promise<LoginOutput> {
  const app = await tenancy.findApp(deps.db, input.appid)
  const session = await deps.mp.code2Session({ appid: app.appid, secret: app.appSecret }, input.code)
  const a = input.attribution ?? {}
  let referral: LoginOutput['referral']
  const user = await deps.db.transaction(async (tx) => {
    const { user, inserted } = await members.upsertOnLogin(tx, {
      merchantId: app.merchantId,
      appid: app.appid,
      openid: session.openid,
      unionid: session.unionid,
      sessionKey: session.sessionKey,
      acqChannel: a.channel ?? null,
      acqStoreId: a.storeId ?? null,
      acqGuideId: a.guideId ?? null,
      acqSharerId: a.sharerId ?? null,
    })
    if (inserted) {
      await funnel.recordFirstVisit(tx, app.merchantId, user.id, {
        cause: 'login',
        channel: a.channel,
        storeId: a.storeId,
        guideId: a.guideId,
      })
    }
    if (a.inviteCode) {
      // an invite link or QR scene: bind the inviter in this transaction (a broken rule never fails the login)
      const now = (deps.clock ?? systemClock).now()
      referral = await referrals.bindAtLogin(tx, { merchantId: app.merchantId, inviteeId: user.id, code: a.inviteCode, signals, now, newUser: inserted })
    }
    return user
  })
  const { token, expiresAt } = deps.tokens.issue(user.id, app.merchantId)
  return { token, expiresAt: expiresAt.toISOString(), user: await members.toProfile(deps.db, user), ...(referral ? { referral } : {}) }
}

/** Binds the phone number from a getPhoneNumber code (checked against the user's openid). */
export async function bindPhone(deps: AuthDeps, merchantId: string, userId: string, code: string) {
  const user = await members.getUser(deps.db, merchantId, userId)
  const app = await tenancy.findApp(deps.db, user.appid)
  const phone = await deps.mp.getPhoneNumber({ appid: app.appid, secret: app.appSecret }, code, user.openid)
  const updated = await members.setPhone(deps.db, merchantId, userId, phone.purePhoneNumber)
  return members.toProfile(deps.db, updated!)
}
