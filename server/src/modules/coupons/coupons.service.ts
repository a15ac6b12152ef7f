import type {
  ClaimableCouponView,
  CouponSource,
  CouponTemplateView,
  CouponView,
  CouponViewStatus,
  CreateCouponTemplateInput,
  ListCouponsQuery,
  RedeemedCouponView,
  UpdateCouponTemplateInput,
} from '@siyu/shared'
import type { Db, DbOrTx } from '../../db/client'
import { AppError } from '../../http/errors'
import { addDays, businessDay, startOfBusinessDay } from '../../lib/time'
import { humanCode } from '../auth/tokens'
import * as funnelService from '../funnel/funnel.service'
import * as tenancyService from '../tenancy/tenancy.service'
import { termsOf } from './coupons.orders'
import * as repo from './coupons.repo'
import type { CouponWithTemplate, TemplateRow } from './coupons.repo'

export { quoteCoupon, lockForOrder, consumeForOrder, releaseForOrder, couponDiscount, termsOf } from './coupons.orders'
export type { QuoteCouponInput, CouponQuote, OrderItem } from './coupons.orders'

// ---------------------------------------------------------------------------------------------
// Views

/** What the claim centre shows of a template too: everything but the admin's `issued` figure. */
function offerView(t: TemplateRow): Omit<CouponTemplateView, 'issued'> {
  return {
    id: t.id,
    name: t.name,
    description: t.description,
    ...termsOf(t),
    validity:
      t.validityType === 'fixed'
        ? { type: 'fixed', from: t.validFrom!.toISOString(), to: t.validTo!.toISOString() }
        : { type: 'relative', days: t.validDays! },
    totalStock: t.totalStock,
    remaining: t.totalStock === null ? null : t.totalStock - t.issued,
    perUserLimit: t.perUserLimit,
    claimable: t.claimable,
    active: t.active,
    createdAt: t.createdAt.toISOString(),
  }
}

/** `issued`: the row's counter for a limited template; for an unlimited one, its coupons counted (templateViews). */
export function templateView(t: TemplateRow, issued: number): CouponTemplateView {
  return { ...offerView(t), issued }
}

/** Views of a page of templates: the coupons of its unlimited templates counted in one grouped query. */
async function templateViews(db: DbOrTx, merchantId: string, rows: TemplateRow[]): Promise<CouponTemplateView[]> {
  const counts = await repo.countCoupons(
    db,
    merchantId,
    rows.filter((t) => t.totalStock === null).map((t) => t.id),
  )
  return rows.map((t) => templateView(t, t.totalStock === null ? (counts.get(t.id) ?? 0) : t.issued))
}

export function viewStatus(c: { status: string; validTo: Date }, now: Date): CouponViewStatus {
  if (c.status === 'used') return 'used'
  if (c.status === 'locked') return 'locked'
  return c.validTo > now ? 'available' : 'expired'
}

export function couponView(c: CouponWithTemplate, now: Date): CouponView {
  return {
    id: c.id,
    code: c.code,
    templateId: c.templateId,
    name: c.template.name,
    ...termsOf(c.template),
    status: viewStatus(c, now),
    validFrom: c.validFrom.toISOString(),
    validTo: c.validTo.toISOString(),
    source: { type: c.sourceType as CouponSource, id: c.sourceId },
    issuedAt: c.issuedAt.toISOString(),
    usedAt: c.usedAt?.toISOString() ?? null,
  }
}

// ---------------------------------------------------------------------------------------------
// Templates (admin)

export async function createTemplate(db: Db, merchantId: string, input: CreateCouponTemplateInput, now: Date): Promise<CouponTemplateView> {
  const fixed = input.validity.type === 'fixed' ? input.validity : null
  const row = await repo.insertTemplate(db, {
    merchantId,
    name: input.name,
    description: input.description ?? null,
    kind: input.kind,
    amountOffFen: input.kind === 'amount_off' ? input.amountOffFen : null,
    percentOff: input.kind === 'percent_off' ? input.percentOff : null,
    maxDiscountFen: input.kind === 'percent_off' ? (input.maxDiscountFen ?? null) : null,
    minSpendFen: input.minSpendFen,
    itemName: input.kind === 'free_item' ? input.itemName : null,
    itemSku: input.kind === 'free_item' ? (input.itemSku ?? null) : null,
    validityType: input.validity.type,
    validFrom: fixed ? new Date(fixed.from) : null,
    validTo: fixed ? new Date(fixed.to) : null,
    validDays: input.validity.type === 'relative' ? input.validity.days : null,
    totalStock: input.totalStock ?? null,
    perUserLimit: input.perUserLimit ?? null,
    claimable: input.claimable,
    active: input.active,
    createdAt: now,
    updatedAt: now,
  })
  return templateView(row, 0) // nothing issued yet
}

export async function getTemplateRow(db: DbOrTx, merchantId: string, id: string): Promise<TemplateRow> {
  const t = await repo.findTemplate(db, merchantId, id)
  if (!t) throw new AppError('COUPON_TEMPLATE_NOT_FOUND')
  return t
}

export async function getTemplate(db: Db, merchantId: string, id: string) {
  const [view] = await templateViews(db, merchantId, [await getTemplateRow(db, merchantId, id)])
  return view!
}

export async function listTemplates(db: Db, merchantId: string) {
  return templateViews(db, merchantId, await repo.listTemplates(db, merchantId))
}

export async function updateTemplate(db: Db, merchantId: string, id: string, input: UpdateCouponTemplateInput, now: Date) {
  const t = await getTemplateRow(db, merchantId, id)
  if (input.addStock !== undefined && t.totalStock === null)
    throw new AppError('VALIDATION_FAILED', { issues: [{ path: 'addStock', message: 'this template has unlimited stock', code: 'custom' }] })
  const row = await repo.updateTemplate(db, merchantId, id, input, now)
  if (!row) throw new AppError('COUPON_TEMPLATE_NOT_FOUND')
  const [view] = await templateViews(db, merchantId, [row])
  return view!
}

// ---------------------------------------------------------------------------------------------
// Issuing

export type IssueCouponInput = {
  merchantId: string
  userId: string
  templateId: string
  source: { type: CouponSource; id?: string | null }
  /** Unique per merchant: the same key never issues twice (e.g. `lottery:<drawId>`). */
  issueKey: string
  now: Date
  /** The merchant's time zone, when the caller has it (relative validity ends at a business-day boundary). */
  timezone?: string
  /** A template already read by the caller in this transaction. */
  template?: TemplateRow
  /**
   * The caller takes the template's stock itself, in the same transaction, as late as it can
   * (coupons.repo templateStockSql in its last statement, so the shared row of a limited template is
   * locked only from there to its COMMIT), and rolls back when it can't. Out of stock is then the
   * caller's to detect.
   */
  callerTakesStock?: boolean
}

export type IssueCouponResult =
  | { ok: true; created: boolean; coupon: CouponWithTemplate }
  | { ok: false; reason: 'out_of_stock' | 'inactive' | 'expired' | 'not_found' }

export async function validityWindow(db: DbOrTx, t: TemplateRow, now: Date, timezone?: string): Promise<{ validFrom: Date; validTo: Date }> {
  if (t.validityType === 'fixed') return { validFrom: t.validFrom!, validTo: t.validTo! }
  const tz = timezone ?? (await tenancyService.merchantTimezone(db, t.merchantId))
  return { validFrom: now, validTo: startOfBusinessDay(addDays(businessDay(now, tz), t.validDays!), tz) }
}

/**
 * Issues one coupon of a template to a user, in the caller's transaction (claim centre, lottery
 * prizes, check-in and task rewards, admin batches). Idempotent on `issueKey`. Takes a limited
 * template's stock with a conditional update; an unavailable template is a result, not an exception,
 * so a caller (a lottery draw) can turn it into "no prize" without aborting its transaction.
 */
export async function issueCoupon(tx: DbOrTx, input: IssueCouponInput): Promise<IssueCouponResult> {
  const t = input.template ?? (await repo.findTemplate(tx, input.merchantId, input.templateId))
  if (!t) return { ok: false, reason: 'not_found' }
  const window = await validityWindow(tx, t, input.now, input.timezone)
  if (!t.active || window.validTo <= input.now) {
    // a replay of a key issued while the template was available still answers with that coupon
    const existing = await repo.findCouponByIssueKey(tx, input.merchantId, input.issueKey)
    if (existing) return { ok: true, created: false, coupon: existing }
    return { ok: false, reason: t.active ? 'expired' : 'inactive' }
  }
  const row = await repo.insertCoupon(tx, {
    merchantId: input.merchantId,
    templateId: t.id,
    userId: input.userId,
    // 12 symbols of a 32-letter alphabet: 60 random bits, so codes can't be guessed or enumerated.
    code: humanCode(12),
    status: 'issued',
    ...window,
    sourceType: input.source.type,
    sourceId: input.source.id ?? null,
    issueKey: input.issueKey,
    issuedAt: input.now,
  })
  if (!row) {
    // the key was used (a replay, or a concurrent twin that committed first)
    const again = await repo.findCouponByIssueKey(tx, input.merchantId, input.issueKey)
    return again ? { ok: true, created: false, coupon: again } : { ok: false, reason: 'not_found' }
  }
  // an unlimited template has no stock to take (a template never changes between limited and unlimited)
  if (t.totalStock !== null && !input.callerTakesStock && !(await repo.takeTemplateStock(tx, input.merchantId, t.id))) {
    await repo.deleteCoupon(tx, row.id)
    return { ok: false, reason: 'out_of_stock' }
  }
  return { ok: true, created: true, coupon: { ...row, template: t } }
}

/** Why issueCoupon issued nothing, as an error code: the claim centre answers with it, an admin batch records it per user. */
export const UNAVAILABLE = {
  out_of_stock: 'COUPON_OUT_OF_STOCK',
  inactive: 'COUPON_NOT_CLAIMABLE',
  expired: 'COUPON_EXPIRED',
  not_found: 'COUPON_TEMPLATE_NOT_FOUND',
} as const

// ---------------------------------------------------------------------------------------------
// Claim centre (consumer)

export async function listClaimable(db: Db, merchantId: string, userId: string, now: Date): Promise<ClaimableCouponView[]> {
  const templates = (await repo.listTemplates(db, merchantId, { claimableOnly: true })).filter((t) => t.validityType === 'relative' || t.validTo! > now)
  const counts = await repo.claimCounts(
    db,
    merchantId,
    userId,
    templates.map((t) => t.id),
  )
  // no `issued` here: counting an unlimited template's coupons is an admin's read, not every consumer's
  return templates.map((t) => ({ ...offerView(t), claimedByMe: counts.get(t.id) ?? 0 }))
}

/**
 * One claim from the claim centre, in one transaction: the per-user limit (conditional upsert of the
 * claim counter), the funnel interaction, the coupon and a limited template's stock (conditional
 * update, last: the shared template row stays locked only until COMMIT). Parallel taps can't exceed
 * either limit; a failure changes nothing.
 */
export async function claim(db: Db, merchantId: string, userId: string, templateId: string, now: Date): Promise<CouponView> {
  const t = await getTemplateRow(db, merchantId, templateId)
  if (!t.active || !t.claimable) throw new AppError('COUPON_NOT_CLAIMABLE')
  if (t.validityType === 'fixed' && t.validTo! <= now) throw new AppError('COUPON_EXPIRED')
  const timezone = t.validityType === 'relative' ? await tenancyService.merchantTimezone(db, merchantId) : undefined
  return db.transaction(async (tx) => {
    const n = await repo.bumpClaimCount(tx, merchantId, templateId, userId, t.perUserLimit)
    if (n === null) throw new AppError('COUPON_CLAIM_LIMIT', { limit: t.perUserLimit })
    // the user row (funnel) before the shared template row, as in a lottery draw: no deadlock between them
    await funnelService.recordInteraction(tx, merchantId, userId, 'coupon_claim', { templateId }, now)
    const r = await issueCoupon(tx, {
      merchantId,
      userId,
      templateId,
      source: { type: 'claim', id: templateId },
      issueKey: `claim:${templateId}:${userId}:${n}`,
      now,
      timezone,
      template: t,
    })
    if (!r.ok) throw new AppError(UNAVAILABLE[r.reason])
    return couponView(r.coupon, now)
  })
}

export async function listMine(db: Db, merchantId: string, userId: string, q: ListCouponsQuery, now: Date) {
  const rows = await repo.listCouponsOfUser(db, merchantId, userId, q.status, now, q.limit)
  return { items: rows.map((c) => couponView(c, now)) }
}

// ---------------------------------------------------------------------------------------------
// Redemption at the counter (staff)

/** Why a coupon can't be used now, as the error to answer with (null: it can). */
export function unusableReason(c: { status: string; validFrom: Date; validTo: Date }, now: Date) {
  if (c.status === 'used') return 'COUPON_ALREADY_USED' as const
  if (c.status === 'locked') return 'COUPON_LOCKED' as const
  if (c.validTo <= now) return 'COUPON_EXPIRED' as const
  if (c.validFrom > now) return 'COUPON_NOT_YET_VALID' as const
  return null
}

/**
 * Staff marks a coupon used at their store. One conditional update: of two parallel redemptions of
 * one code exactly one succeeds; the other, and every invalid case, is a 4xx that changes nothing.
 */
export async function redeemAtCounter(
  db: Db,
  staff: { merchantId: string; staffId: string; storeId: string },
  input: { code: string; storeId: string },
  now: Date,
): Promise<RedeemedCouponView> {
  if (input.storeId !== staff.storeId) throw new AppError('FORBIDDEN', { reason: 'staff can only redeem at their own store', storeId: staff.storeId })
  const done = await repo.redeemAtCounter(db, staff.merchantId, input.code, { storeId: staff.storeId, staffId: staff.staffId }, now)
  const c = await repo.findCouponByCode(db, staff.merchantId, input.code)
  if (!c) throw new AppError('COUPON_NOT_FOUND')
  if (!done) {
    const reason = unusableReason(c, now)
    throw new AppError(reason ?? 'COUPON_ALREADY_USED', { code: c.code, validFrom: c.validFrom.toISOString(), validTo: c.validTo.toISOString() })
  }
  return { ...couponView(c, now), userId: c.userId, storeId: staff.storeId, staffId: staff.staffId }
}
