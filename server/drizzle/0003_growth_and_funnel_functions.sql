-- Growth credits (tier upgrades) and funnel stage raises as database functions: one round trip each on
-- the hot paths (check-in, staff purchase, draws). The TypeScript services that call them document the
-- rules: server/src/modules/membership/membership.service.ts (addGrowth) and
-- server/src/modules/funnel/funnel.service.ts (advanceStage).
--
-- membership_add_growth: credits p_amount growth once per source (a replayed source credits nothing),
-- creating the (cardless) membership row on the first credit, and upgrades the tier at once when the
-- growth of (p_since, p_now] reaches a higher threshold. p_thresholds/p_names: the merchant's tiers by
-- level (index 1 = level 0). Returns whether it credited, the growth and level after, and the level
-- before an upgrade (NULL when there was none).
CREATE FUNCTION membership_add_growth(
  p_merchant_id uuid, p_user_id uuid, p_amount int, p_reason text, p_source_type text, p_source_id text,
  p_now timestamptz, p_since timestamptz, p_thresholds bigint[], p_names text[]
) RETURNS TABLE (credited boolean, growth bigint, tier_level int, upgraded_from int)
LANGUAGE plpgsql AS $$
DECLARE
  v_entry bigint;
  m memberships;
  v_current int;
  v_qualifying bigint;
  v_target int;
BEGIN
  IF p_amount > 0 THEN
    INSERT INTO growth_entries (merchant_id, user_id, amount, reason, source_type, source_id, at)
    VALUES (p_merchant_id, p_user_id, p_amount, p_reason, p_source_type, p_source_id, p_now)
    ON CONFLICT (merchant_id, source_type, source_id) DO NOTHING
    RETURNING id INTO v_entry;
  END IF;
  IF v_entry IS NULL THEN
    SELECT * INTO m FROM memberships ms WHERE ms.merchant_id = p_merchant_id AND ms.user_id = p_user_id;
    RETURN QUERY SELECT false, coalesce(m.growth, 0::bigint), coalesce(m.tier_level, 0), NULL::int;
    RETURN;
  END IF;
  -- the row exists for everyone who earned growth before: create it only on the first credit
  UPDATE memberships ms SET growth = ms.growth + p_amount, updated_at = p_now
  WHERE ms.merchant_id = p_merchant_id AND ms.user_id = p_user_id RETURNING * INTO m;
  IF NOT FOUND THEN
    INSERT INTO memberships (merchant_id, user_id, tier_reached_at, created_at, updated_at)
    VALUES (p_merchant_id, p_user_id, p_now, p_now, p_now) ON CONFLICT (merchant_id, user_id) DO NOTHING;
    UPDATE memberships ms SET growth = ms.growth + p_amount, updated_at = p_now
    WHERE ms.merchant_id = p_merchant_id AND ms.user_id = p_user_id RETURNING * INTO m;
  END IF;
  v_current := least(m.tier_level, cardinality(p_thresholds) - 1);
  SELECT coalesce(sum(g.amount), 0) INTO v_qualifying FROM growth_entries g
  WHERE g.merchant_id = p_merchant_id AND g.user_id = p_user_id AND g.at > p_since AND g.at <= p_now;
  SELECT coalesce(max(t.i - 1), 0)::int INTO v_target FROM unnest(p_thresholds) WITH ORDINALITY AS t(threshold, i) WHERE t.threshold <= v_qualifying;
  IF v_target <= v_current THEN
    RETURN QUERY SELECT true, m.growth, m.tier_level, NULL::int;
    RETURN;
  END IF;
  UPDATE memberships SET tier_level = v_target, tier_reached_at = p_now, updated_at = p_now WHERE id = m.id;
  INSERT INTO tier_changes (merchant_id, user_id, from_level, to_level, from_name, to_name, reason, qualifying_growth, at)
  VALUES (p_merchant_id, p_user_id, v_current, v_target, p_names[v_current + 1], p_names[v_target + 1], 'upgrade', v_qualifying, p_now);
  RETURN QUERY SELECT true, m.growth, v_target, v_current;
END $$;
--> statement-breakpoint
-- funnel_advance: raises the user's stage to p_to (rank p_rank in p_stages) if it is higher, writing one
-- transition row, and marks the stage as signalled to the listeners. The user row is locked first (the
-- lock order the callers document). Returns the stage before, whether it was promoted, and whether the
-- listeners must now be told (the first time this stage is asked for this user). No row: the user does
-- not exist in this merchant.
CREATE FUNCTION funnel_advance(
  p_merchant_id uuid, p_user_id uuid, p_to text, p_rank int, p_stages text[],
  p_cause text, p_cause_event_id bigint, p_channel text, p_store_id uuid, p_guide_id uuid
) RETURNS TABLE (old_stage text, promoted boolean, signal boolean)
LANGUAGE plpgsql AS $$
DECLARE
  v_old text;
  v_signalled smallint;
  v_bit smallint := (1 << (p_rank - 1))::smallint;
  v_promote boolean;
  v_signal boolean;
BEGIN
  SELECT u.stage, u.stages_signalled INTO v_old, v_signalled FROM users u
  WHERE u.merchant_id = p_merchant_id AND u.id = p_user_id FOR UPDATE;
  IF NOT FOUND THEN RETURN; END IF;
  v_promote := array_position(p_stages, v_old) < p_rank;
  v_signal := (v_signalled & v_bit) = 0;
  IF v_promote OR v_signal THEN
    UPDATE users u SET stage = CASE WHEN v_promote THEN p_to ELSE u.stage END, stages_signalled = u.stages_signalled | v_bit
    WHERE u.merchant_id = p_merchant_id AND u.id = p_user_id;
  END IF;
  IF v_promote THEN
    INSERT INTO funnel_transitions (merchant_id, user_id, from_stage, to_stage, to_rank, cause, cause_event_id, channel, store_id, guide_id)
    VALUES (p_merchant_id, p_user_id, v_old, p_to, p_rank, p_cause, p_cause_event_id, p_channel, p_store_id, p_guide_id)
    ON CONFLICT DO NOTHING;
  END IF;
  RETURN QUERY SELECT v_old, v_promote, v_signal;
END $$;
