import { sql } from 'drizzle-orm'
import { check, index, pgTable, smallint, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { merchants } from '../tenancy/tenancy.schema'

/** A person known to one merchant through its mini-program (one row per merchant and openid). */
export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    merchantId: uuid('merchant_id').notNull().references(() => merchants.id),
    appid: text('appid').notNull(),
    openid: text('openid').notNull(),
    unionid: text('unionid'),
    /** WeChat session_key: server-side only, never returned or logged. */
    sessionKey: text('session_key'),
    phone: text('phone'),
    nickname: text('nickname'),
    avatarUrl: text('avatar_url'),
    stage: text('stage').notNull().default('visitor'),
    /**
     * Bit (rank - 1) set once the funnel's stage listeners were told this stage was asked for: they hear
     * each stage once per user (first purchase, card claimed), so repeat purchases cost them nothing.
     */
    stagesSignalled: smallint('stages_signalled').notNull().default(0),
    /** First-touch attribution (channel, store, guide, sharer) — kept from the first visit on. */
    acqChannel: text('acq_channel'),
    acqStoreId: uuid('acq_store_id'),
    acqGuideId: uuid('acq_guide_id'),
    acqSharerId: uuid('acq_sharer_id'),
    /** The shopping guide (staff id) who serves this customer. */
    guideStaffId: uuid('guide_staff_id'),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('users_merchant_openid_uq').on(t.merchantId, t.openid),
    // a constraint (not just an index): composite foreign keys (merchant_id, user_id) of other tables point at it
    unique('users_merchant_id_uq').on(t.merchantId, t.id),
    index('users_merchant_phone_idx').on(t.merchantId, t.phone),
    index('users_merchant_unionid_idx').on(t.merchantId, t.unionid),
    index('users_merchant_guide_idx').on(t.merchantId, t.guideStaffId),
    check('users_stage_ck', sql`${t.stage} in ('visitor','interactor','fan','friend','customer','member')`),
  ],
)
