import { sql } from 'drizzle-orm'
import { check, foreignKey, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { users } from '../members/members.schema'

/**
 * A withdrawal: the wallet hold and the WeChat merchant-transfer bill that pays it. out_bill_no is
 * derived from the id, so every (re)submission of one withdrawal names the same bill.
 *
 *   created ──▶ wait_user_confirm ──▶ processing ──▶ success
 *      │               │                  │
 *      └───────────────┴──────────────────┴──▶ failed | cancelled   (refund to the wallet, once)
 *
 * Only the final three are final; `refunded_at` is set in the transaction that credits the refund.
 */
export const payoutTransfers = pgTable(
  'payout_transfers',
  {
    id: uuid('id').primaryKey(),
    merchantId: uuid('merchant_id').notNull(),
    userId: uuid('user_id').notNull(),
    appid: text('appid').notNull(),
    mchid: text('mchid').notNull(),
    openid: text('openid').notNull(),
    amountFen: integer('amount_fen').notNull(),
    outBillNo: text('out_bill_no').notNull(),
    /** What the bill is created with, kept so a re-submission is byte-for-byte the same request. */
    sceneId: text('scene_id').notNull(),
    remark: text('remark').notNull(),
    notifyUrl: text('notify_url'),
    status: text('status').notNull(),
    /** The last state WeChat reported. */
    wechatState: text('wechat_state'),
    transferBillNo: text('transfer_bill_no'),
    packageInfo: text('package_info'),
    /** When package_info was received: WeChat accepts it for 24 h. */
    packageAt: timestamp('package_at', { withTimezone: true }),
    failReason: text('fail_reason'),
    lastError: text('last_error'),
    attempts: integer('attempts').notNull().default(0),
    refundedAt: timestamp('refunded_at', { withTimezone: true }),
    checkedAt: timestamp('checked_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('payout_transfers_out_bill_no_uq').on(t.mchid, t.outBillNo),
    index('payout_transfers_user_idx').on(t.merchantId, t.userId, t.createdAt),
    index('payout_transfers_open_idx')
      .on(t.updatedAt)
      .where(sql`${t.status} in ('created','wait_user_confirm','processing')`),
    foreignKey({ name: 'payout_transfers_user_fk', columns: [t.merchantId, t.userId], foreignColumns: [users.merchantId, users.id] }),
    check('payout_transfers_status_ck', sql`${t.status} in ('created','wait_user_confirm','processing','success','failed','cancelled')`),
    check('payout_transfers_amount_ck', sql`${t.amountFen} > 0`),
    // failed and cancelled withdrawals are refunded in the transaction that records the state, and only they
    check('payout_transfers_refund_ck', sql`(${t.refundedAt} is not null) = (${t.status} in ('failed','cancelled'))`),
  ],
)

/** MCHTRANSFER.BILL.FINISHED notifications applied, by WeChat's notification id: a replay is a no-op. */
export const payoutNotifications = pgTable(
  'payout_notifications',
  {
    merchantId: uuid('merchant_id').notNull(),
    notificationId: text('notification_id').notNull(),
    outBillNo: text('out_bill_no').notNull(),
    state: text('state').notNull(),
    outcome: text('outcome').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ name: 'payout_notifications_pk', columns: [t.merchantId, t.notificationId] })],
)
