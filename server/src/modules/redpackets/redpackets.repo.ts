import { and, desc, eq, sql } from 'drizzle-orm'
import type { DbOrTx } from '../../db/client'
import { redpacketCampaigns, redpacketGrants, redpacketOpens, redpacketPackets } from './redpackets.schema'

export type CampaignRow = typeof redpacketCampaigns.$inferSelect
export type PacketRow = typeof redpacketPackets.$inferSelect

const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`

// ---- campaigns ---------------------------------------------------------------------------------

export async function insertCampaign(db: DbOrTx, v: typeof redpacketCampaigns.$inferInsert): Promise<CampaignRow> {
  const [c] = await db.insert(redpacketCampaigns).values(v).returning()
  return c!
}

export async function listCampaigns(db: DbOrTx, merchantId: string): Promise<CampaignRow[]> {
  return db.select().from(redpacketCampaigns).where(eq(redpacketCampaigns.merchantId, merchantId)).orderBy(desc(redpacketCampaigns.createdAt)).limit(200)
}

export async function findCampaign(db: DbOrTx, merchantId: string, id: string): Promise<CampaignRow | null> {
  const [c] = await db
    .select()
    .from(redpacketCampaigns)
    .where(and(eq(redpacketCampaigns.merchantId, merchantId), eq(redpacketCampaigns.id, id)))
  return c ?? null
}

export async function endCampaign(db: DbOrTx, merchantId: string, id: string): Promise<CampaignRow | null> {
  const [c] = await db
    .update(redpacketCampaigns)
    .set({ status: 'ended' })
    .where(and(eq(redpacketCampaigns.merchantId, merchantId), eq(redpacketCampaigns.id, id)))
    .returning()
  return c ?? null
}

/**
 * The budget check and the reservation in one conditional statement: under any concurrency the sum
 * granted never passes the budget (and the CHECK would refuse it if it did). Null: not enough left.
 */
export async function reserveBudget(db: DbOrTx, merchantId: string, campaignId: string, amountFen: number): Promise<boolean> {
  const r = await db.execute(sql`
    UPDATE redpacket_campaigns SET granted_fen = granted_fen + ${amountFen}
    WHERE merchant_id = ${merchantId} AND id = ${campaignId} AND granted_fen + ${amountFen} <= budget_fen
    RETURNING id`)
  return r.rows.length === 1
}

/** Unclaimed money of an expired packet goes back to its campaign's pool. */
export async function returnToPool(db: DbOrTx, campaignId: string, amountFen: number) {
  await db.execute(sql`
    UPDATE redpacket_campaigns SET granted_fen = granted_fen - ${amountFen}, returned_fen = returned_fen + ${amountFen}
    WHERE id = ${campaignId}`)
}

/** Active campaigns of a merchant that pay lottery cash prizes, oldest first (spend old budgets first). */
export async function lotteryFundingCampaigns(db: DbOrTx, merchantId: string, now: Date): Promise<string[]> {
  const rows = await db.execute<{ id: string }>(sql`
    SELECT id FROM redpacket_campaigns
    WHERE merchant_id = ${merchantId} AND funds_lottery_prizes AND status = 'active'
      AND starts_at <= ${ts(now)} AND ends_at > ${ts(now)} AND granted_fen < budget_fen
    ORDER BY created_at, id LIMIT 20`)
  return rows.rows.map((r) => r.id)
}

export type CampaignStatsRow = {
  packets: number
  funded_fen: number
  claimed_fen: number
  unclaimed_fen: number
  returned_fen: number
  packet_returned_fen: number
  grants_fen: number
}

/** The campaign's money from its rows (one snapshot): what the invariants are checked against. */
export async function campaignStats(db: DbOrTx, campaignId: string): Promise<CampaignStatsRow> {
  const r = await db.execute<CampaignStatsRow>(sql`
    SELECT
      (SELECT count(*) FROM redpacket_packets p WHERE p.campaign_id = ${campaignId})::int8 AS packets,
      (SELECT coalesce(sum(p.total_fen), 0) FROM redpacket_packets p WHERE p.campaign_id = ${campaignId})::int8 AS funded_fen,
      (SELECT coalesce(sum(p.returned_fen), 0) FROM redpacket_packets p WHERE p.campaign_id = ${campaignId})::int8 AS packet_returned_fen,
      coalesce(sum(s.amount_fen) FILTER (WHERE s.claimed_by IS NOT NULL), 0)::int8 AS claimed_fen,
      coalesce(sum(s.amount_fen) FILTER (WHERE s.claimed_by IS NULL AND s.returned_at IS NULL), 0)::int8 AS unclaimed_fen,
      coalesce(sum(s.amount_fen) FILTER (WHERE s.returned_at IS NOT NULL), 0)::int8 AS returned_fen,
      (SELECT coalesce(sum(g.amount_fen), 0) FROM redpacket_grants g WHERE g.campaign_id = ${campaignId})::int8 AS grants_fen
    FROM redpacket_slices s JOIN redpacket_packets p ON p.id = s.packet_id
    WHERE p.campaign_id = ${campaignId}`)
  const row = r.rows[0]!
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)])) as CampaignStatsRow
}

// ---- packets -----------------------------------------------------------------------------------

/** How many packets this user opened in the campaign (the next one gets seq + 1). */
export async function sharerPacketCount(db: DbOrTx, campaignId: string, sharerId: string): Promise<number> {
  const r = await db.execute<{ n: number }>(sql`
    SELECT coalesce(max(sharer_seq), 0)::int AS n FROM redpacket_packets WHERE campaign_id = ${campaignId} AND sharer_id = ${sharerId}`)
  return r.rows[0]?.n ?? 0
}

export async function insertPacket(db: DbOrTx, v: typeof redpacketPackets.$inferInsert) {
  await db.insert(redpacketPackets).values(v)
}

/** All slices of a packet in one statement (unnest of the amounts, in their shuffled order). */
export async function insertSlices(db: DbOrTx, merchantId: string, packetId: string, amounts: number[]) {
  await db.execute(sql`
    INSERT INTO redpacket_slices (merchant_id, packet_id, seq, amount_fen)
    SELECT ${merchantId}, ${packetId}, s.ord::int, s.amount
    FROM unnest(${`{${amounts.join(',')}}`}::int[]) WITH ORDINALITY AS s(amount, ord)`)
}

export async function findPacket(db: DbOrTx, merchantId: string, id: string): Promise<PacketRow | null> {
  const [p] = await db
    .select()
    .from(redpacketPackets)
    .where(and(eq(redpacketPackets.merchantId, merchantId), eq(redpacketPackets.id, id)))
  return p ?? null
}

export async function isSettled(db: DbOrTx, packetId: string): Promise<boolean> {
  const r = await db.execute<{ settled: boolean }>(sql`SELECT settled_at IS NOT NULL AS settled FROM redpacket_packets WHERE id = ${packetId}`)
  return r.rows[0]?.settled ?? false
}

export type PacketCounts = { claimed_count: number; claimed_fen: number; max_fen: number | null; free_count: number }

export async function packetCounts(db: DbOrTx, packetId: string): Promise<PacketCounts> {
  const r = await db.execute<PacketCounts>(sql`
    SELECT count(*) FILTER (WHERE claimed_by IS NOT NULL)::int AS claimed_count,
           coalesce(sum(amount_fen) FILTER (WHERE claimed_by IS NOT NULL), 0)::int8 AS claimed_fen,
           max(amount_fen) FILTER (WHERE claimed_by IS NOT NULL) AS max_fen,
           count(*) FILTER (WHERE claimed_by IS NULL AND returned_at IS NULL)::int AS free_count
    FROM redpacket_slices WHERE packet_id = ${packetId}`)
  const row = r.rows[0]!
  return { claimed_count: row.claimed_count, claimed_fen: Number(row.claimed_fen), max_fen: row.max_fen, free_count: row.free_count }
}

export type GrabRow = { claimed_by: string; amount_fen: number; claimed_at: Date; seq: number }

export async function recentGrabs(db: DbOrTx, packetId: string, limit: number): Promise<GrabRow[]> {
  const r = await db.execute<GrabRow>(sql`
    SELECT claimed_by, amount_fen, claimed_at, seq FROM redpacket_slices
    WHERE packet_id = ${packetId} AND claimed_by IS NOT NULL
    ORDER BY claimed_at DESC, seq DESC LIMIT ${limit}`)
  return r.rows.map((g) => ({ ...g, claimed_at: new Date(g.claimed_at) }))
}

export async function grabOf(db: DbOrTx, packetId: string, userId: string): Promise<{ amount_fen: number; claimed_at: Date } | null> {
  const r = await db.execute<{ amount_fen: number; claimed_at: Date }>(sql`
    SELECT amount_fen, claimed_at FROM redpacket_slices WHERE packet_id = ${packetId} AND claimed_by = ${userId}`)
  const g = r.rows[0]
  return g ? { amount_fen: g.amount_fen, claimed_at: new Date(g.claimed_at) } : null
}

/** True the first time this user views the packet. */
export async function insertOpen(db: DbOrTx, v: { packetId: string; userId: string; merchantId: string; now: Date }): Promise<boolean> {
  const rows = await db
    .insert(redpacketOpens)
    .values({ packetId: v.packetId, userId: v.userId, merchantId: v.merchantId, openedAt: v.now })
    .onConflictDoNothing()
    .returning({ packetId: redpacketOpens.packetId })
  return rows.length === 1
}

/**
 * Claims one free slice for `userId` in one statement. `skipLocked`: take a slice no one else is
 * claiming right now (the fast path; returns nothing when every free slice is locked by grabbers
 * still in flight). Without it, wait for those locks: a slice freed by a rolled-back grab is taken,
 * a slice claimed meanwhile is re-checked and skipped, so "nothing" then means truly empty.
 * A second slice for the same user violates redpacket_slices_packet_claimer_uq (23505).
 */
export async function claimSlice(db: DbOrTx, packetId: string, userId: string, now: Date, skipLocked: boolean) {
  const lock = skipLocked ? sql`FOR UPDATE SKIP LOCKED` : sql`FOR UPDATE`
  const r = await db.execute<{ id: string; amount_fen: number }>(sql`
    UPDATE redpacket_slices SET claimed_by = ${userId}, claimed_at = ${ts(now)}
    WHERE id = (
      SELECT id FROM redpacket_slices
      WHERE packet_id = ${packetId} AND claimed_by IS NULL AND returned_at IS NULL
      ORDER BY seq LIMIT 1 ${lock})
    RETURNING id, amount_fen`)
  return r.rows[0] ?? null
}

// ---- expiry ------------------------------------------------------------------------------------

export async function duePackets(db: DbOrTx, now: Date, limit: number): Promise<{ id: string; campaign_id: string }[]> {
  const r = await db.execute<{ id: string; campaign_id: string }>(sql`
    SELECT id, campaign_id FROM redpacket_packets WHERE settled_at IS NULL AND expires_at <= ${ts(now)}
    ORDER BY expires_at LIMIT ${limit}`)
  return r.rows
}

/** Marks the packet settled; false when another run already did (then nothing else may change). */
export async function settlePacket(db: DbOrTx, packetId: string, now: Date): Promise<boolean> {
  const r = await db.execute(sql`UPDATE redpacket_packets SET settled_at = ${ts(now)} WHERE id = ${packetId} AND settled_at IS NULL RETURNING id`)
  return r.rows.length === 1
}

/** Returns every still-free slice (waiting for in-flight grabs to finish first); the sum returned. */
export async function returnFreeSlices(db: DbOrTx, packetId: string, now: Date): Promise<number> {
  const r = await db.execute<{ fen: number }>(sql`
    WITH ret AS (
      UPDATE redpacket_slices SET returned_at = ${ts(now)}
      WHERE packet_id = ${packetId} AND claimed_by IS NULL AND returned_at IS NULL
      RETURNING amount_fen)
    SELECT coalesce(sum(amount_fen), 0)::int8 AS fen FROM ret`)
  return Number(r.rows[0]!.fen)
}

export async function setPacketReturned(db: DbOrTx, packetId: string, returnedFen: number) {
  await db.execute(sql`UPDATE redpacket_packets SET returned_fen = ${returnedFen} WHERE id = ${packetId}`)
}

// ---- grants ------------------------------------------------------------------------------------

export async function insertGrant(db: DbOrTx, v: typeof redpacketGrants.$inferInsert): Promise<boolean> {
  const rows = await db.insert(redpacketGrants).values(v).onConflictDoNothing().returning({ id: redpacketGrants.id })
  return rows.length === 1
}

export async function findGrant(db: DbOrTx, merchantId: string, sourceType: string, sourceId: string) {
  const [g] = await db
    .select()
    .from(redpacketGrants)
    .where(and(eq(redpacketGrants.merchantId, merchantId), eq(redpacketGrants.sourceType, sourceType), eq(redpacketGrants.sourceId, sourceId)))
  return g ?? null
}
