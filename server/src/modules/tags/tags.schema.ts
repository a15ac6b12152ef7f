import { foreignKey, index, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { users } from '../members/members.schema'

/**
 * Free-form labels an admin (or a rule) puts on a user: lottery eligibility, coupon segments,
 * and any later segmentation. One row per (merchant, user, tag).
 */
export const userTags = pgTable(
  'user_tags',
  {
    merchantId: uuid('merchant_id').notNull(),
    userId: uuid('user_id').notNull(),
    tag: text('tag').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'user_tags_pk', columns: [t.merchantId, t.userId, t.tag] }),
    index('user_tags_merchant_tag_idx').on(t.merchantId, t.tag),
    foreignKey({ name: 'user_tags_user_fk', columns: [t.merchantId, t.userId], foreignColumns: [users.merchantId, users.id] }),
  ],
)
