import { sql } from 'drizzle-orm'
import { boolean, index, jsonb, pgTable, text, timestamp, unique, uniqueIndex, uuid, check } from 'drizzle-orm/pg-core'

/** The tenant. Every business row elsewhere carries merchant_id. */
export const merchants = pgTable('merchants', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  timezone: text('timezone').notNull().default('Asia/Shanghai'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
})

/**
 * A merchant's mini-program and its WeChat Pay merchant account. appid is globally unique:
 * it is how an anonymous login finds its tenant (the one unique key without merchant_id).
 */
export const merchantApps = pgTable(
  'merchant_apps',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    merchantId: uuid('merchant_id').notNull().references(() => merchants.id),
    appid: text('appid').notNull(),
    appSecret: text('app_secret').notNull(),
    mchid: text('mchid'),
    mchSerial: text('mch_serial'),
    mchPrivateKeyPem: text('mch_private_key_pem'),
    apiV3Key: text('api_v3_key'),
    /** WeChat Pay verification keys by serial: platform certificates (hex serial) and/or public key (PUB_KEY_ID_…). */
    wechatpayKeys: jsonb('wechatpay_keys').$type<Record<string, string>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('merchant_apps_appid_uq').on(t.appid), index('merchant_apps_merchant_idx').on(t.merchantId)],
)

/** Admin API keys: only a SHA-256 of the key is kept; the key is shown once at creation. */
export const adminKeys = pgTable(
  'admin_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    merchantId: uuid('merchant_id').notNull().references(() => merchants.id),
    keyHash: text('key_hash').notNull(),
    prefix: text('prefix').notNull(),
    label: text('label').notNull().default('default'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('admin_keys_hash_uq').on(t.keyHash), index('admin_keys_merchant_idx').on(t.merchantId)],
)

export const stores = pgTable(
  'stores',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    merchantId: uuid('merchant_id').notNull().references(() => merchants.id),
    name: text('name').notNull(),
    code: text('code'),
    address: text('address'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('stores_merchant_code_uq').on(t.merchantId, t.code), unique('stores_merchant_id_uq').on(t.merchantId, t.id)],
)

export const staff = pgTable(
  'staff',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    merchantId: uuid('merchant_id').notNull().references(() => merchants.id),
    userId: uuid('user_id').notNull(),
    storeId: uuid('store_id').notNull(),
    role: text('role').notNull(),
    active: boolean('active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('staff_merchant_user_uq').on(t.merchantId, t.userId),
    index('staff_merchant_store_idx').on(t.merchantId, t.storeId),
    check('staff_role_ck', sql`${t.role} in ('guide', 'manager')`),
  ],
)

export const staffInvites = pgTable(
  'staff_invites',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    merchantId: uuid('merchant_id').notNull().references(() => merchants.id),
    storeId: uuid('store_id').notNull(),
    role: text('role').notNull(),
    code: text('code').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    redeemedByUserId: uuid('redeemed_by_user_id'),
    redeemedAt: timestamp('redeemed_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('staff_invites_merchant_code_uq').on(t.merchantId, t.code),
    check('staff_invites_role_ck', sql`${t.role} in ('guide', 'manager')`),
  ],
)
