import { and, desc, eq, or, sql } from 'drizzle-orm'
import type { DbOrTx } from '../../db/client'
import { payoutNotifications, payoutTransfers } from './payouts.schema'

export type TransferRow = typeof payoutTransfers.$inferSelect
export type TransferStatus = 'created' | 'wait_user_confirm' | 'processing' | 'success' | 'failed' | 'cancelled'

export async function insertTransfer(db: DbOrTx, v: typeof payoutTransfers.$inferInsert): Promise<TransferRow> {
  const [row] = await db.insert(payoutTransfers).values(v).returning()
  return row!
}

export async function findTransfer(db: DbOrTx, merchantId: string, id: string): Promise<TransferRow | null> {
  const [row] = await db
    .select()
    .from(payoutTransfers)
    .where(and(eq(payoutTransfers.merchantId, merchantId), eq(payoutTransfers.id, id)))
  return row ?? null
}

export async function findByOutBillNo(db: DbOrTx, merchantId: string, mchid: string, outBillNo: string): Promise<TransferRow | null> {
  const [row] = await db
    .select()
    .from(payoutTransfers)
    .where(and(eq(payoutTransfers.merchantId, merchantId), eq(payoutTransfers.mchid, mchid), eq(payoutTransfers.outBillNo, outBillNo)))
  return row ?? null
}

export type TransferCursor = { createdAt: Date; id: string }

export async function listTransfers(db: DbOrTx, merchantId: string, userId: string, limit: number, after: TransferCursor | null) {
  return db
    .select()
    .from(payoutTransfers)
    .where(
      and(
        eq(payoutTransfers.merchantId, merchantId),
        eq(payoutTransfers.userId, userId),
        after
          ? or(
              sql`${payoutTransfers.createdAt} < ${after.createdAt.toISOString()}::timestamptz`,
              and(sql`${payoutTransfers.createdAt} = ${after.createdAt.toISOString()}::timestamptz`, sql`${payoutTransfers.id} < ${after.id}::uuid`),
            )
          : undefined,
      ),
    )
    .orderBy(desc(payoutTransfers.createdAt), desc(payoutTransfers.id))
    .limit(limit)
}

export type Transition = {
  status: TransferStatus
  wechatState: string
  transferBillNo?: string
  packageInfo?: string
  failReason?: string
  refund: boolean
  now: Date
}

/**
 * The state machine's one write: moves a withdrawal that is not final yet (checked in the UPDATE, so
 * a notification, a reconciliation run and a create answer racing each other apply in some order and
 * a final state is never left). Null: it was final already.
 */
export async function transition(db: DbOrTx, id: string, t: Transition): Promise<TransferRow | null> {
  const [row] = await db
    .update(payoutTransfers)
    .set({
      status: t.status,
      wechatState: t.wechatState,
      ...(t.transferBillNo ? { transferBillNo: t.transferBillNo } : {}),
      ...(t.packageInfo ? { packageInfo: t.packageInfo, packageAt: t.now } : {}),
      ...(t.failReason ? { failReason: t.failReason } : {}),
      ...(t.refund ? { refundedAt: t.now } : {}),
      updatedAt: t.now,
    })
    .where(and(eq(payoutTransfers.id, id), sql`${payoutTransfers.status} in ('created','wait_user_confirm','processing')`))
    .returning()
  return row ?? null
}

/** A call whose outcome is unknown (or a check) happened: counted, kept for reconciliation. */
export async function recordAttempt(db: DbOrTx, id: string, error: string | null, now: Date) {
  await db
    .update(payoutTransfers)
    .set({ attempts: sql`${payoutTransfers.attempts} + 1`, lastError: error, checkedAt: now })
    .where(eq(payoutTransfers.id, id))
}

/** Open withdrawals not checked (or changed) since `before`, oldest first: reconciliation's work list. */
export async function dueForCheck(db: DbOrTx, before: Date, limit: number): Promise<TransferRow[]> {
  return db
    .select()
    .from(payoutTransfers)
    .where(
      and(
        sql`${payoutTransfers.status} in ('created','wait_user_confirm','processing')`,
        sql`${payoutTransfers.updatedAt} <= ${before.toISOString()}::timestamptz`,
        sql`(${payoutTransfers.checkedAt} is null or ${payoutTransfers.checkedAt} <= ${before.toISOString()}::timestamptz)`,
      ),
    )
    .orderBy(payoutTransfers.updatedAt)
    .limit(limit)
}

/** True the first time a notification id is seen for this merchant. */
export async function insertNotification(db: DbOrTx, v: typeof payoutNotifications.$inferInsert): Promise<boolean> {
  const rows = await db.insert(payoutNotifications).values(v).onConflictDoNothing().returning({ id: payoutNotifications.notificationId })
  return rows.length === 1
}
