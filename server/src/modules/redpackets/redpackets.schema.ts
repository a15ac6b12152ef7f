import { sql } from 'drizzle-orm'
import { bigint, boolean, check, foreignKey, index, integer, jsonb, pgTable, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { users } from '../members/members.schema'
import { merchants } from '../tenancy/tenancy.schema'

/**
 * Money of red packets, in fen. Invariants:
 *   campaign: granted_fen <= budget_fen (CHECK; raised only by a conditional UPDATE)
 *             granted_fen == sum(packets.total_fen - packets.returned_fen) + sum(grants.amount_fen)
 *             returned_fen == sum(packets.returned_fen)
 *   packet:   total_fen == sum(slices.amount_fen) == claimed + unclaimed + returned
 *             (a slice is exactly one of: claimed (claimed_by set), returned (returned_at set), unclaimed)
 */
export const redpacketCampaigns = pgTable(
  'redpacket_campaigns',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    merchantId: uuid('merchant_id')
      .notNull()
      .references(() => merchants.id),
    name: text('name').notNull(),
    status: text('status').notNull().default('active'),
    budgetFen: bigint('budget_fen', { mode: 'number' }).notNull(),
    /** Committed now: packets opened (less what they returned) + cash prizes paid. */
    grantedFen: bigint('granted_fen', { mode: 'number' }).notNull().default(0),
    /** Unclaimed slices given back by expired packets (cumulative, for reporting). */
    returnedFen: bigint('returned_fen', { mode: 'number' }).notNull().default(0),
    packetTotalFen: integer('packet_total_fen').notNull(),
    slicesPerPacket: integer('slices_per_packet').notNull(),
    floorFen: integer('floor_fen').notNull(),
    sharerCanGrab: boolean('sharer_can_grab').notNull().default(false),
    fundsLotteryPrizes: boolean('funds_lottery_prizes').notNull().default(false),
    eligibility: jsonb('eligibility').$type<{ minStage?: string; maxPacketsPerUser: number }>().notNull(),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
    packetTtlMinutes: integer('packet_ttl_minutes').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    unique('redpacket_campaigns_merchant_id_uq').on(t.merchantId, t.id),
    index('redpacket_campaigns_merchant_created_idx').on(t.merchantId, t.createdAt),
    check('redpacket_campaigns_status_ck', sql`${t.status} in ('active','ended')`),
    check('redpacket_campaigns_budget_ck', sql`${t.grantedFen} >= 0 and ${t.grantedFen} <= ${t.budgetFen} and ${t.returnedFen} >= 0`),
    check(
      'redpacket_campaigns_packet_ck',
      sql`${t.slicesPerPacket} between 1 and 1000 and ${t.floorFen} >= 1 and ${t.packetTotalFen} >= ${t.slicesPerPacket} * ${t.floorFen}`,
    ),
    check('redpacket_campaigns_window_ck', sql`${t.startsAt} < ${t.endsAt}`),
  ],
)

/** A share packet opened by `sharer_id`: funded from its campaign at creation, pre-split into slices. */
export const redpacketPackets = pgTable(
  'redpacket_packets',
  {
    id: uuid('id').primaryKey(),
    merchantId: uuid('merchant_id').notNull(),
    campaignId: uuid('campaign_id').notNull(),
    sharerId: uuid('sharer_id').notNull(),
    /** 1, 2, ... per (campaign, sharer): unique, so the per-user packet limit holds under races. */
    sharerSeq: integer('sharer_seq').notNull(),
    totalFen: integer('total_fen').notNull(),
    sliceCount: integer('slice_count').notNull(),
    sharerCanGrab: boolean('sharer_can_grab').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    /** Set once by the expiry job, with the sum of the slices it returned. */
    settledAt: timestamp('settled_at', { withTimezone: true }),
    returnedFen: integer('returned_fen').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    unique('redpacket_packets_merchant_id_uq').on(t.merchantId, t.id),
    uniqueIndex('redpacket_packets_sharer_seq_uq').on(t.campaignId, t.sharerId, t.sharerSeq),
    index('redpacket_packets_due_idx')
      .on(t.expiresAt)
      .where(sql`${t.settledAt} is null`),
    index('redpacket_packets_campaign_idx').on(t.campaignId),
    foreignKey({ name: 'redpacket_packets_campaign_fk', columns: [t.merchantId, t.campaignId], foreignColumns: [redpacketCampaigns.merchantId, redpacketCampaigns.id] }),
    foreignKey({ name: 'redpacket_packets_sharer_fk', columns: [t.merchantId, t.sharerId], foreignColumns: [users.merchantId, users.id] }),
    check('redpacket_packets_amounts_ck', sql`${t.totalFen} > 0 and ${t.sliceCount} > 0 and ${t.returnedFen} >= 0 and ${t.returnedFen} <= ${t.totalFen}`),
  ],
)

/** One pre-split amount of a packet. Claimed by one grabber (unique per packet), or returned at expiry. */
export const redpacketSlices = pgTable(
  'redpacket_slices',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    merchantId: uuid('merchant_id').notNull(),
    packetId: uuid('packet_id')
      .notNull()
      .references(() => redpacketPackets.id),
    /** Shuffled order; grabs take the lowest free one. */
    seq: integer('seq').notNull(),
    amountFen: integer('amount_fen').notNull(),
    claimedBy: uuid('claimed_by'),
    claimedAt: timestamp('claimed_at', { withTimezone: true }),
    returnedAt: timestamp('returned_at', { withTimezone: true }),
  },
  (t) => [
    // one slice per user and packet: a second grab, however concurrent, fails on this index
    uniqueIndex('redpacket_slices_packet_claimer_uq').on(t.packetId, t.claimedBy),
    uniqueIndex('redpacket_slices_packet_seq_uq').on(t.packetId, t.seq),
    index('redpacket_slices_free_idx')
      .on(t.packetId, t.seq)
      .where(sql`${t.claimedBy} is null and ${t.returnedAt} is null`),
    index('redpacket_slices_claimed_idx')
      .on(t.packetId, t.claimedAt)
      .where(sql`${t.claimedBy} is not null`),
    check('redpacket_slices_amount_ck', sql`${t.amountFen} > 0`),
    check('redpacket_slices_state_ck', sql`(${t.claimedBy} is null) = (${t.claimedAt} is null) and (${t.claimedBy} is null or ${t.returnedAt} is null)`),
  ],
)

/** Who viewed a packet (the `redpacket_open` interaction is recorded once per viewer). */
export const redpacketOpens = pgTable(
  'redpacket_opens',
  {
    packetId: uuid('packet_id')
      .notNull()
      .references(() => redpacketPackets.id),
    userId: uuid('user_id').notNull(),
    merchantId: uuid('merchant_id').notNull(),
    openedAt: timestamp('opened_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('redpacket_opens_packet_user_uq').on(t.packetId, t.userId)],
)

/** Cash granted from a campaign's budget without a packet (lottery cash prizes), once per source. */
export const redpacketGrants = pgTable(
  'redpacket_grants',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    merchantId: uuid('merchant_id').notNull(),
    campaignId: uuid('campaign_id').notNull(),
    userId: uuid('user_id').notNull(),
    amountFen: integer('amount_fen').notNull(),
    sourceType: text('source_type').notNull(),
    sourceId: text('source_id').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('redpacket_grants_source_uq').on(t.merchantId, t.sourceType, t.sourceId),
    index('redpacket_grants_campaign_idx').on(t.campaignId),
    foreignKey({ name: 'redpacket_grants_campaign_fk', columns: [t.merchantId, t.campaignId], foreignColumns: [redpacketCampaigns.merchantId, redpacketCampaigns.id] }),
    check('redpacket_grants_amount_ck', sql`${t.amountFen} > 0`),
  ],
)
