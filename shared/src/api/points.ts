import { z } from 'zod'

export const POINTS_LEDGER_KINDS = ['earn', 'spend', 'expire', 'adjust', 'clawback'] as const
export const PointsLedgerKind = z.enum(POINTS_LEDGER_KINDS)
export type PointsLedgerKind = z.infer<typeof PointsLedgerKind>

/** Largest amount of one ledger operation (keeps every sum far inside int8 and JS safe integers). */
export const MAX_POINTS_AMOUNT = 100_000_000

/** GET /api/v1/points */
export const PointsSummary = z.strictObject({
  balance: z.number().int(),
  /** Points clawed back beyond the balance; later credits pay it off first. */
  debt: z.number().int(),
  /** Next 30 days, grouped by expiry instant, soonest first. */
  expiringSoon: z.array(z.strictObject({ amount: z.number().int(), at: z.iso.datetime() })),
  lifetimeEarned: z.number().int(),
})
export type PointsSummary = z.infer<typeof PointsSummary>

/** One ledger line. `amount` is signed; the balance moved by amount + debtChange. */
export const PointsLedgerItem = z.strictObject({
  id: z.uuid(),
  kind: PointsLedgerKind,
  amount: z.number().int(),
  debtChange: z.number().int(),
  balanceAfter: z.number().int(),
  reasonCode: z.string(),
  reason: z.string().nullable(),
  source: z.strictObject({ type: z.string(), id: z.string() }).nullable(),
  createdAt: z.iso.datetime(),
})
export type PointsLedgerItem = z.infer<typeof PointsLedgerItem>

export const PointsLedgerQuery = z.strictObject({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
})
export type PointsLedgerQuery = z.infer<typeof PointsLedgerQuery>

export const PointsLedgerPage = z.strictObject({ items: z.array(PointsLedgerItem), nextCursor: z.string().nullable() })
export type PointsLedgerPage = z.infer<typeof PointsLedgerPage>

/** Idempotency keys chosen by callers (admins, clients): printable, no spaces. */
export const IdempotencyKey = z.string().regex(/^[A-Za-z0-9._:@\-]{1,100}$/, 'letters, digits and . _ : @ - (1-100 chars)')

/** POST /admin/v1/points/adjust — a signed manual correction. */
export const AdminPointsAdjustInput = z.strictObject({
  userId: z.uuid(),
  amount: z
    .number()
    .int()
    .min(-MAX_POINTS_AMOUNT)
    .max(MAX_POINTS_AMOUNT)
    .refine((n) => n !== 0, 'must not be 0'),
  reason: z.string().trim().min(1).max(200),
  idempotencyKey: IdempotencyKey,
})
export type AdminPointsAdjustInput = z.infer<typeof AdminPointsAdjustInput>

export const PointsLedgerResult = z.strictObject({
  entryId: z.uuid(),
  kind: PointsLedgerKind,
  amount: z.number().int(),
  balance: z.number().int(),
  replayed: z.boolean(),
})
export type PointsLedgerResult = z.infer<typeof PointsLedgerResult>

/**
 * Expiry policy of a merchant. months_after_earn N: points expire at the end of the N-th calendar month
 * after the month they were earned in (merchant time zone); days_after_earn N: at the end of the N-th day
 * after the day they were earned. A change applies to points earned from then on.
 */
export const PointsExpiryPolicy = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('never') }),
  z.strictObject({ mode: z.literal('months_after_earn'), months: z.number().int().min(1).max(120) }),
  z.strictObject({ mode: z.literal('days_after_earn'), days: z.number().int().min(1).max(3650) }),
])
export type PointsExpiryPolicy = z.infer<typeof PointsExpiryPolicy>

export const DEFAULT_POINTS_EXPIRY: PointsExpiryPolicy = { mode: 'months_after_earn', months: 12 }

/** PUT /admin/v1/points/policy (body) and GET (response adds updatedAt). */
export const PointsPolicyInput = z.strictObject({ expiry: PointsExpiryPolicy })
export type PointsPolicyInput = z.infer<typeof PointsPolicyInput>
export type PointsPolicy = PointsPolicyInput & { updatedAt: string }

/**
 * POST /admin/v1/points/import (Content-Type: text/csv, UTF-8, optional BOM): header exactly
 * `user_id,amount,reason,idempotency_key`; amount signed (credit or debit, like adjust); reason optional;
 * up to 100,000 rows. Answers 202 { jobId, total }; progress and per-row errors at GET /admin/v1/jobs/:id.
 */
export const POINTS_IMPORT_MAX_ROWS = 100_000
export const POINTS_IMPORT_HEADER = ['user_id', 'amount', 'reason', 'idempotency_key'] as const
export type PointsImportAccepted = { jobId: string; total: number }

/** One rejected import row as reported by GET /admin/v1/jobs/:id (`row` 1 = first line after the header). */
export type PointsImportRowError = { row: number; code: string; message: string }
