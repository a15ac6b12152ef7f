-- staff_purchase: an offline purchase recorded at the counter in one call (server/src/modules/staff-desk/
-- staff-desk.service.ts documents the rules): the purchase row (idempotent on the receipt number), the
-- points through points_apply, growth and tier through membership_add_growth, the funnel through
-- funnel_advance, the guide binding, and the result stored on the purchase row for replays.
-- Lock order as everywhere: points account -> membership -> user row.
--
-- Status: ok (written; `signal` = the stage listeners must be told, in the same transaction; `promoted`
-- = the user became a customer now),
-- exists (the receipt number was recorded before: that row, for the caller to replay or refuse),
-- needs_tx (p_in_tx is false and this user's first purchase needs the stage listeners, which run in
-- the caller's language: nothing was written; call again inside a transaction with p_in_tx true).
CREATE FUNCTION staff_purchase(
  p_merchant_id uuid, p_user_id uuid, p_staff_id uuid, p_store_id uuid, p_receipt_no text, p_amount_fen bigint,
  p_points int, p_growth int, p_multiplier_permille int, p_reason text, p_now timestamptz, p_expires_at timestamptz,
  p_growth_since timestamptz, p_thresholds bigint[], p_tier_names text[], p_stages text[], p_in_tx boolean
) RETURNS TABLE (
  status text, id uuid, user_id uuid, store_id uuid, amount_fen bigint, points int, growth int, balance_after bigint,
  tier_level_after int, tier_name_after text, upgraded boolean, created_at timestamptz, signal boolean, promoted boolean
)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_rank int := array_position(p_stages, 'customer');
  v_row staff_purchases;
  v_balance bigint;
  a record;
  g record;
  f record;
BEGIN
  -- stages_signalled bits are only ever set: read without a lock, a set bit stays set
  IF NOT p_in_tx AND EXISTS (SELECT 1 FROM users u WHERE u.merchant_id = p_merchant_id AND u.id = p_user_id
                             AND (u.stages_signalled & (1 << (v_rank - 1))) = 0) THEN
    RETURN QUERY SELECT 'needs_tx'::text, NULL::uuid, NULL::uuid, NULL::uuid, NULL::bigint, NULL::int, NULL::int, NULL::bigint,
      NULL::int, NULL::text, NULL::boolean, NULL::timestamptz, false, false;
    RETURN;
  END IF;
  INSERT INTO staff_purchases (merchant_id, user_id, staff_id, store_id, receipt_no, amount_fen, points, growth, multiplier_permille, created_at)
  VALUES (p_merchant_id, p_user_id, p_staff_id, p_store_id, p_receipt_no, p_amount_fen, p_points, p_growth, p_multiplier_permille, p_now)
  ON CONFLICT (merchant_id, receipt_no) DO NOTHING
  RETURNING * INTO v_row;
  IF v_row.id IS NULL THEN
    SELECT * INTO v_row FROM staff_purchases sp WHERE sp.merchant_id = p_merchant_id AND sp.receipt_no = p_receipt_no;
    RETURN QUERY SELECT 'exists'::text, v_row.id, v_row.user_id, v_row.store_id, v_row.amount_fen, v_row.points, v_row.growth,
      v_row.balance_after, v_row.tier_level_after, v_row.tier_name_after, v_row.upgraded, v_row.created_at, false, false;
    RETURN;
  END IF;
  IF p_points > 0 THEN
    SELECT * INTO a FROM points_apply(p_merchant_id, p_user_id, 'earn', p_points, 'staff-purchase:' || p_receipt_no, 'purchase', p_reason,
                                      'staff_purchase', v_row.id::text, p_now, p_expires_at);
    -- the key is the receipt number's, which this transaction owns: anything else is a broken invariant
    IF a.status <> 'ok' THEN RAISE EXCEPTION 'staff_purchase: points_apply answered % for receipt %', a.status, p_receipt_no; END IF;
    v_balance := a.balance;
  ELSE
    SELECT coalesce(max(pa.balance), 0) - coalesce(sum(pl.remaining), 0) INTO v_balance
    FROM points_accounts pa LEFT JOIN points_lots pl ON pl.account_id = pa.id AND pl.remaining > 0 AND pl.expires_at <= p_now
    WHERE pa.merchant_id = p_merchant_id AND pa.user_id = p_user_id;
  END IF;
  SELECT * INTO g FROM membership_add_growth(p_merchant_id, p_user_id, p_growth, 'purchase', 'staff_purchase', v_row.id::text,
                                             p_now, p_growth_since, p_thresholds, p_tier_names);
  SELECT * INTO f FROM funnel_advance(p_merchant_id, p_user_id, 'customer', v_rank, p_stages, 'purchase', NULL, NULL, p_store_id, p_staff_id);
  UPDATE users u SET guide_staff_id = p_staff_id WHERE u.merchant_id = p_merchant_id AND u.id = p_user_id AND u.guide_staff_id IS NULL;
  UPDATE staff_purchases sp SET balance_after = v_balance, tier_level_after = g.tier_level,
    tier_name_after = p_tier_names[least(g.tier_level, cardinality(p_tier_names) - 1) + 1], upgraded = g.upgraded_from IS NOT NULL
  WHERE sp.id = v_row.id RETURNING * INTO v_row;
  RETURN QUERY SELECT 'ok'::text, v_row.id, v_row.user_id, v_row.store_id, v_row.amount_fen, v_row.points, v_row.growth,
    v_row.balance_after, v_row.tier_level_after, v_row.tier_name_after, v_row.upgraded, v_row.created_at, coalesce(f.signal, false), coalesce(f.promoted, false);
END $$;
