/**
 * Referrals and their anti-fraud rules.
 *
 * Binding (one function, two doors: the login that carries `attribution.inviteCode`, in the login's
 * transaction, and POST /api/v1/referrals/bind for a user already logged in):
 *   - the code names an inviter: a user (kind user) or a shopping guide (kind guide, the guide is assigned);
 *   - a new user can always be bound; an existing one only within `bindWindowMinutes` of their first visit;
 *   - one inviter per user (UNIQUE (merchant, invitee)); the same inviter again is a replay;
 *   - no self-invites: same user, openid, unionid or phone (checked again at payout: a phone bound later counts);
 *   - a consumer inviter binds at most `dailyCap` invitees per business day (conditional counter);
 *   - more than `holdThreshold` invitees of one inviter from one IP or device fingerprint within
 *     `holdWindowMinutes`: the whole cluster is held for admin review.
 * Rewards (policy snapshot on the referral) are paid once, when the invitee reaches the milestone and the
 * referral is clear or approved: a conditional update sets rewarded_at, then the points are credited with
 * idempotency keys `referral:<id>:inviter|invitee`. Guides earn no consumer points for their invitees.
 */
import {
  DEFAULT_REFERRAL_POLICY,
  INVITE_PAGE,
  INVITE_SCENE_PREFIX,
  type FunnelStage,
  type InviteView,
  type MyReferrals,
  type ReferralBinding,
  type ReferralMilestone,
  type ReferralPolicy,
  type ReferralPolicyInput,
  type ReferralReview,
  type ReferralView,
} from '@siyu/shared'
import type { Db, DbOrTx } from '../../db/client'
import { AppError, isAppError, isUniqueViolation } from '../../http/errors'
import type { Clock } from '../../lib/clock'
import { businessDay } from '../../lib/time'
import type { MpClient } from '../../wechat/mp-client'
import { humanCode } from '../auth/tokens'
import * as funnel from '../funnel/funnel.service'
import * as members from '../members/members.service'
import * as points from '../points/points.service'
import * as social from '../social/social.service'
import * as tenancy from '../tenancy/tenancy.service'
import * as repo from './referrals.repo'

/** What the request says about the invitee's device: the client IP and an optional X-Device-Id. */
export type ClientSignals = { ip: string | null; deviceId: string | null }

// ---- policy -----------------------------------------------------------------------------------

function policyOf(row: repo.PolicyRow | null): ReferralPolicy {
  if (!row) return { ...DEFAULT_REFERRAL_POLICY, updatedAt: null }
  return {
    active: row.active,
    milestone: row.milestone as ReferralMilestone,
    inviterPoints: row.inviterPoints,
    inviteePoints: row.inviteePoints,
    dailyCap: row.dailyCap,
    bindWindowMinutes: row.bindWindowMinutes,
    holdThreshold: row.holdThreshold,
    holdWindowMinutes: row.holdWindowMinutes,
    updatedAt: row.updatedAt.toISOString(),
  }
}

export async function getPolicy(db: DbOrTx, merchantId: string): Promise<ReferralPolicy> {
  return policyOf(await repo.findPolicy(db, merchantId))
}

/** Applies to referrals bound from now on; bound ones keep the milestone and points they were promised. */
export async function setPolicy(db: Db, merchantId: string, input: ReferralPolicyInput, now: Date): Promise<ReferralPolicy> {
  return policyOf(await repo.upsertPolicy(db, { merchantId, ...input, updatedAt: now }))
}

// ---- invite codes -----------------------------------------------------------------------------

type Owner = { merchantId: string; userId: string; kind: 'user' | 'guide'; staffId: string | null }

async function ensureCode(db: Db, o: Owner, now: Date): Promise<repo.CodeRow> {
  for (let attempt = 0; ; attempt++) {
    const existing = await repo.findCodeByOwner(db, o.merchantId, o.userId, o.kind)
    if (existing) return existing
    try {
      const row = await repo.insertCode(db, { merchantId: o.merchantId, ownerUserId: o.userId, kind: o.kind, staffId: o.staffId, code: humanCode(8), createdAt: now })
      if (row) return row
    } catch (e) {
      // 32^8 codes: a collision is rare; draw again
      if (attempt < 4 && isUniqueViolation(e, 'referral_codes_code_uq')) continue
      throw e
    }
  }
}

/**
 * The owner's invite: code, share path, and the mini-program code image (fetched from WeChat once, outside
 * any transaction, then kept). WeChat being unreachable degrades to qrCodeDataUrl null, not an error:
 * the share path still works.
 */
export async function inviteOf(deps: { db: Db; mp: MpClient }, o: Owner, now: Date): Promise<InviteView> {
  const code = await ensureCode(deps.db, o, now)
  const scene = `${INVITE_SCENE_PREFIX}${code.code}`
  let image = code.qrImage && code.qrContentType ? { image: code.qrImage, contentType: code.qrContentType } : null
  if (!image) {
    const app = await tenancy.appOfMerchant(deps.db, o.merchantId)
    try {
      image = await deps.mp.getUnlimitedQrCode({ appid: app.appid, secret: app.appSecret }, { scene, page: INVITE_PAGE, check_path: false })
      await repo.saveQr(deps.db, code.id, image.image, image.contentType)
    } catch (e) {
      if (!(isAppError(e) && e.code === 'WECHAT_UNAVAILABLE')) throw e
    }
  }
  return {
    code: code.code,
    kind: o.kind,
    scene,
    path: `${INVITE_PAGE}?inviteCode=${code.code}`,
    qrCodeDataUrl: image ? `data:${image.contentType};base64,${image.image.toString('base64')}` : null,
  }
}

// ---- binding ----------------------------------------------------------------------------------

function selfInviteReason(a: members.UserRow, b: members.UserRow): string | null {
  if (a.id === b.id) return 'same_user'
  if (a.openid === b.openid) return 'same_openid'
  if (a.unionid && a.unionid === b.unionid) return 'same_unionid'
  if (a.phone && a.phone === b.phone) return 'same_phone'
  return null
}

export type BindInput = { merchantId: string; inviteeId: string; code: string; signals: ClientSignals; now: Date; newUser: boolean }

/** Binds in the caller's transaction; throws the rule that failed. See the module comment for the rules. */
export async function bindInTx(tx: DbOrTx, i: BindInput): Promise<{ referral: repo.ReferralRow; replayed: boolean }> {
  const policy = await getPolicy(tx, i.merchantId)
  if (!policy.active) throw new AppError('REFERRALS_DISABLED')
  const code = await repo.findCode(tx, i.merchantId, i.code)
  if (!code) throw new AppError('INVITE_CODE_INVALID')
  if (code.kind === 'guide') {
    const guide = await tenancy.findStaffById(tx, i.merchantId, code.staffId!)
    if (!guide?.active) throw new AppError('INVITE_CODE_INVALID', { reason: 'guide no longer active' })
  }
  const inviter = await members.getUser(tx, i.merchantId, code.ownerUserId)
  const invitee = await members.getUser(tx, i.merchantId, i.inviteeId)
  const self = selfInviteReason(inviter, invitee)
  if (self) throw new AppError('SELF_INVITE', { reason: self })

  const existing = await repo.findByInvitee(tx, i.merchantId, invitee.id)
  if (existing) {
    if (existing.inviterId === inviter.id && existing.kind === code.kind) return { referral: existing, replayed: true }
    throw new AppError('ALREADY_INVITED')
  }
  if (!i.newUser && i.now.getTime() - invitee.createdAt.getTime() > policy.bindWindowMinutes * 60_000) {
    throw new AppError('INVITE_WINDOW_CLOSED', { windowMinutes: policy.bindWindowMinutes })
  }
  if (await repo.findReciprocal(tx, i.merchantId, inviter.id, invitee.id)) throw new AppError('SELF_INVITE', { reason: 'reciprocal' })

  let review: ReferralReview = 'clear'
  let reviewReason: string | null = null
  const since = new Date(i.now.getTime() - policy.holdWindowMinutes * 60_000)
  if (code.kind === 'user') {
    const day = businessDay(i.now, await tenancy.merchantTimezone(tx, i.merchantId))
    if (!(await repo.takeDailySlot(tx, i.merchantId, inviter.id, day, policy.dailyCap))) {
      throw new AppError('INVITE_CAP_REACHED', { dailyCap: policy.dailyCap })
    }
    // the daily slot's row lock serialises this inviter's bindings, so the count below sees them all
    const same = await repo.countSameSource(tx, i.merchantId, inviter.id, since, i.signals.ip, i.signals.deviceId)
    if (same + 1 > policy.holdThreshold) {
      review = 'held'
      reviewReason = `${same + 1} invitees from one IP or device within ${policy.holdWindowMinutes} min`
    }
  }
  const referral = await repo.insertReferral(tx, {
    merchantId: i.merchantId,
    inviterId: inviter.id,
    inviteeId: invitee.id,
    kind: code.kind,
    guideStaffId: code.staffId,
    code: code.code,
    milestone: policy.milestone,
    inviterPoints: code.kind === 'user' ? policy.inviterPoints : 0,
    inviteePoints: policy.inviteePoints,
    review,
    reviewReason,
    ip: i.signals.ip,
    deviceId: i.signals.deviceId,
    boundAt: i.now,
  })
  // a concurrent binding of this invitee committed first: the caller's transaction rolls back the slot
  if (!referral) throw new AppError('ALREADY_INVITED')
  if (review === 'held') await repo.holdSameSource(tx, i.merchantId, inviter.id, since, i.signals.ip, i.signals.deviceId, reviewReason!)

  await social.inviteeBound(tx, i.merchantId, inviter.id, i.now)
  await members.touch(tx, i.merchantId, invitee.id, {
    channel: 'invite',
    sharerId: code.kind === 'user' ? inviter.id : null,
    guideId: code.staffId,
  })
  if (code.staffId) await members.assignGuideIfNone(tx, i.merchantId, invitee.id, code.staffId)
  if (policy.milestone === 'login') await onMilestone(tx, i.merchantId, invitee.id, 'login', i.now)
  return { referral: (await repo.findById(tx, i.merchantId, referral.id))!, replayed: false }
}

function bindingOf(r: { referral: repo.ReferralRow; replayed: boolean }): ReferralBinding {
  return { status: r.referral.review === 'held' ? 'held' : 'bound', referralId: r.referral.id, replayed: r.replayed }
}

/**
 * At login, in the login's transaction: a broken rule never fails the login, it is reported as
 * `rejected` and nothing of the binding is written (savepoint).
 */
export async function bindAtLogin(tx: DbOrTx, i: BindInput): Promise<ReferralBinding> {
  try {
    return bindingOf(await tx.transaction((sp) => bindInTx(sp, i)))
  } catch (e) {
    if (isAppError(e) && e.code !== 'INTERNAL') return { status: 'rejected', reason: e.code }
    throw e
  }
}

/** POST /api/v1/referrals/bind: a logged-in user opened an invite (an existing user: within the window). */
export async function bind(db: Db, merchantId: string, userId: string, code: string, signals: ClientSignals, now: Date): Promise<ReferralBinding> {
  try {
    return bindingOf(await db.transaction((tx) => bindInTx(tx, { merchantId, inviteeId: userId, code, signals, now, newUser: false })))
  } catch (e) {
    // two bindings of one invitee raced on the unique key
    if (isUniqueViolation(e, 'referrals_invitee_uq')) throw new AppError('ALREADY_INVITED')
    throw e
  }
}

// ---- milestones and payouts -------------------------------------------------------------------

/** Pays the referral's rewards if it is due (milestone reached, clear or approved) and unpaid; at most once. */
async function payIfDue(tx: DbOrTx, r: repo.ReferralRow, now: Date): Promise<boolean> {
  if (!r.milestoneAt || r.rewardedAt || (r.review !== 'clear' && r.review !== 'approved')) return false
  const inviter = await members.getUser(tx, r.merchantId, r.inviterId)
  const invitee = await members.getUser(tx, r.merchantId, r.inviteeId)
  const self = selfInviteReason(inviter, invitee)
  if (self) {
    const rejected = await repo.setReview(tx, r.merchantId, r.id, ['clear', 'approved'], 'rejected', self, now)
    if (rejected) await social.inviteeRemoved(tx, r.merchantId, r.inviterId, r.customerAt !== null, now)
    return false
  }
  const paid = await repo.claimPayout(tx, r.merchantId, r.id, now)
  if (!paid) return false
  const source = { type: 'referral', id: paid.id }
  if (paid.inviterPoints > 0) {
    await points.earn(tx, {
      merchantId: paid.merchantId,
      userId: paid.inviterId,
      amount: paid.inviterPoints,
      reasonCode: 'referral_inviter',
      reason: '邀请好友奖励',
      idempotencyKey: `referral:${paid.id}:inviter`,
      source,
      now,
    })
  }
  if (paid.inviteePoints > 0) {
    await points.earn(tx, {
      merchantId: paid.merchantId,
      userId: paid.inviteeId,
      amount: paid.inviteePoints,
      reasonCode: 'referral_invitee',
      reason: '受邀注册奖励',
      idempotencyKey: `referral:${paid.id}:invitee`,
      source,
      now,
    })
  }
  return true
}

/**
 * The invitee reached a milestone: pays the referral's rewards if that is its milestone. Called by the
 * modules that see the milestone (login here; card claims and purchases via the funnel listener), in
 * their transaction. Idempotent.
 */
export async function onMilestone(tx: DbOrTx, merchantId: string, inviteeId: string, milestone: ReferralMilestone, now: Date): Promise<boolean> {
  const r = await repo.markMilestone(tx, merchantId, inviteeId, milestone, now)
  if (!r) return false
  return payIfDue(tx, r, now)
}

const STAGE_MILESTONES: Partial<Record<FunnelStage, ReferralMilestone>> = { customer: 'first_purchase', member: 'card_claimed' }

/** Funnel listener: `customer` asked = a purchase (first one converts the invitee), `member` = card claimed. */
export function stageListener(clock: Clock): funnel.StageListener {
  return async (tx, s) => {
    const now = clock.now()
    if (s.stage === 'customer') {
      const converted = await repo.markCustomer(tx, s.merchantId, s.userId, now)
      if (converted && converted.review !== 'rejected') await social.inviteeBecameCustomer(tx, s.merchantId, converted.inviterId, now)
    }
    const milestone = STAGE_MILESTONES[s.stage]
    if (milestone) await onMilestone(tx, s.merchantId, s.userId, milestone, now)
  }
}

export function registerHooks(clock: Clock) {
  funnel.onStageReached('referrals', ['customer', 'member'], stageListener(clock))
}

// ---- review -----------------------------------------------------------------------------------

export function referralView(r: repo.ReferralRow): ReferralView {
  return {
    id: r.id,
    inviterId: r.inviterId,
    inviteeId: r.inviteeId,
    kind: r.kind as 'user' | 'guide',
    guideStaffId: r.guideStaffId,
    milestone: r.milestone as ReferralMilestone,
    inviterPoints: r.inviterPoints,
    inviteePoints: r.inviteePoints,
    review: r.review as ReferralReview,
    reviewReason: r.reviewReason,
    ip: r.ip,
    deviceId: r.deviceId,
    boundAt: r.boundAt.toISOString(),
    milestoneAt: r.milestoneAt?.toISOString() ?? null,
    rewardedAt: r.rewardedAt?.toISOString() ?? null,
    reviewedAt: r.reviewedAt?.toISOString() ?? null,
  }
}

export async function listReviews(db: Db, merchantId: string, status: 'held' | 'approved' | 'rejected', limit: number) {
  return { items: (await repo.listByReview(db, merchantId, status, limit)).map(referralView) }
}

/**
 * Decides a held referral. Approve pays at once if the milestone was reached (else when it is); reject
 * never pays and stops counting toward the inviter's social value. Repeating the same decision is a
 * replay (200, same body); the conditional update lets exactly one of concurrent decisions through.
 */
export async function decide(db: Db, merchantId: string, id: string, decision: 'approve' | 'reject', now: Date): Promise<ReferralView> {
  const to: ReferralReview = decision === 'approve' ? 'approved' : 'rejected'
  return db.transaction(async (tx) => {
    const r = await repo.setReview(tx, merchantId, id, ['held'], to, null, now)
    if (!r) {
      const current = await repo.findById(tx, merchantId, id)
      if (!current) throw new AppError('REFERRAL_NOT_FOUND')
      if (current.review === to) return referralView(current)
      throw new AppError('REFERRAL_ALREADY_REVIEWED', { review: current.review })
    }
    if (to === 'approved') await payIfDue(tx, r, now)
    else await social.inviteeRemoved(tx, merchantId, r.inviterId, r.customerAt !== null, now)
    return referralView((await repo.findById(tx, merchantId, id))!)
  })
}

// ---- reads for consumers and other modules ----------------------------------------------------

export async function myReferrals(db: Db, merchantId: string, userId: string): Promise<MyReferrals> {
  const counts = await repo.inviterCounts(db, merchantId, userId)
  const rows = await repo.listByInviter(db, merchantId, userId, 50)
  const invitees = await Promise.all(rows.map((r) => members.getUser(db, merchantId, r.inviteeId)))
  return {
    ...counts,
    items: rows.map((r, i) => ({
      nameMasked: members.maskName(invitees[i]!.nickname),
      avatarUrl: invitees[i]!.avatarUrl,
      boundAt: r.boundAt.toISOString(),
      status: r.rewardedAt ? 'rewarded' : r.review === 'held' ? 'held' : r.review === 'rejected' ? 'rejected' : 'pending',
    })),
  }
}

/** Invitees of `inviterId` bound in [from, to) that count (not held, not rejected): invite_n tasks. */
export async function countInvitees(db: DbOrTx, merchantId: string, inviterId: string, from: Date, to: Date): Promise<number> {
  return repo.countCountedInvitees(db, merchantId, inviterId, from, to)
}

/** The referral that bound this invitee, if any (admin user view). */
export async function referralOf(db: DbOrTx, merchantId: string, inviteeId: string): Promise<ReferralView | null> {
  const r = await repo.findByInvitee(db, merchantId, inviteeId)
  return r ? referralView(r) : null
}
