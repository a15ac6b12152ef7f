-- membership_add_growth (0003) sums the member's growth entries of the last 12 months on every credit,
-- to decide an upgrade: a cost that grows with the member's history. It now sums only when an upgrade
-- is possible at all (same contract, same results).
CREATE OR REPLACE FUNCTION membership_add_growth(
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
  -- growth entries are positive, so the growth of the window never exceeds the lifetime total just
  -- updated: at the top tier, or below the next tier's threshold (thresholds ascend), no upgrade is
  -- possible and the window is not summed (it would cost a member's whole year of entries per credit)
  IF v_current = cardinality(p_thresholds) - 1 OR m.growth < p_thresholds[v_current + 2] THEN
    RETURN QUERY SELECT true, m.growth, m.tier_level, NULL::int;
    RETURN;
  END IF;
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
