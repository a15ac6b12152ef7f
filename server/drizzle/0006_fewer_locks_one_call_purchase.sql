-- Fewer locks and round trips on the hot write paths (same contracts as 0001, 0003 and 0004):
-- * points lots get no row locks of their own: every writer of a lot holds its account's row lock
--   (points_apply locks it first; the expiry job locks it before points_expire_lots), so lot locks only
--   added a lock record per lot to every spend;
-- * funnel_advance reads the user row without a lock first and stops when there is nothing to do;
-- * staff_purchase resolves the member and the store itself and writes the purchase row once.
CREATE OR REPLACE FUNCTION points_expire_lots(p_account_id uuid, p_now timestamptz, p_limit int DEFAULT NULL)
RETURNS TABLE (lots int, points bigint) LANGUAGE plpgsql AS $$
DECLARE
  acc points_accounts;
  v_ids uuid[];
  v_amounts int[];
  v_points bigint;
  v_entry uuid;
BEGIN
  SELECT * INTO acc FROM points_accounts WHERE id = p_account_id;
  SELECT array_agg(d.id ORDER BY d.expires_at, d.created_at, d.id), array_agg(d.remaining ORDER BY d.expires_at, d.created_at, d.id),
         coalesce(sum(d.remaining), 0)
  INTO v_ids, v_amounts, v_points FROM (
    SELECT l.id, l.remaining, l.expires_at, l.created_at FROM points_lots l
    WHERE l.account_id = p_account_id AND l.remaining > 0 AND l.expires_at IS NOT NULL AND l.expires_at <= p_now
    ORDER BY l.expires_at, l.created_at, l.id
    LIMIT p_limit) d;
  IF v_points = 0 THEN RETURN QUERY SELECT 0, 0::bigint; RETURN; END IF;
  INSERT INTO points_entries (merchant_id, account_id, user_id, kind, amount, debt_change, balance_after, debt_after,
                              reason_code, idempotency_key, created_at)
  VALUES (acc.merchant_id, acc.id, acc.user_id, 'expire', -v_points, 0, acc.balance - v_points, acc.debt,
          'expired', 'expire:' || v_ids[1], p_now)
  RETURNING id INTO v_entry;
  UPDATE points_lots SET remaining = 0 WHERE id = ANY (v_ids);
  INSERT INTO points_lot_consumptions (merchant_id, entry_id, lot_id, amount)
    SELECT acc.merchant_id, v_entry, t.id, t.amount FROM unnest(v_ids, v_amounts) WITH ORDINALITY AS t(id, amount, ord) ORDER BY t.ord;
  UPDATE points_accounts SET balance = balance - v_points, updated_at = p_now WHERE id = p_account_id;
  RETURN QUERY SELECT cardinality(v_ids), v_points;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION points_apply(
  p_merchant_id uuid, p_user_id uuid, p_kind text, p_amount int, p_key text,
  p_reason_code text, p_reason text, p_source_type text, p_source_id text,
  p_now timestamptz, p_expires_at timestamptz
) RETURNS TABLE (status text, entry_id uuid, balance bigint, debt_change int)
LANGUAGE plpgsql AS $$
DECLARE
  acc points_accounts;
  seen points_entries;
  v_credit boolean := p_amount > 0;
  v_due bigint;
  v_live bigint;
  v_take bigint := 0;
  v_debt_change int := 0;
  v_credited int := 0;
  v_balance bigint;
  v_entry uuid;
  v_left bigint;
  v_n int;
  l record;
BEGIN
  SELECT * INTO acc FROM points_accounts a WHERE a.merchant_id = p_merchant_id AND a.user_id = p_user_id FOR UPDATE;
  IF NOT FOUND THEN
    -- no account yet: a replay (of another user's key) or a stranger must not create one
    SELECT * INTO seen FROM points_entries e WHERE e.merchant_id = p_merchant_id AND e.idempotency_key = p_key;
    IF FOUND THEN
      RETURN QUERY SELECT CASE WHEN seen.kind = p_kind AND seen.user_id = p_user_id AND seen.amount = p_amount THEN 'replay' ELSE 'conflict' END,
        seen.id, seen.balance_after, seen.debt_change;
      RETURN;
    END IF;
    PERFORM 1 FROM users u WHERE u.merchant_id = p_merchant_id AND u.id = p_user_id;
    IF NOT FOUND THEN RETURN QUERY SELECT 'no_user'::text, NULL::uuid, 0::bigint, 0; RETURN; END IF;
    IF NOT v_credit AND p_kind <> 'clawback' THEN RETURN QUERY SELECT 'insufficient'::text, NULL::uuid, 0::bigint, 0; RETURN; END IF;
    INSERT INTO points_accounts (merchant_id, user_id) VALUES (p_merchant_id, p_user_id) ON CONFLICT (merchant_id, user_id) DO NOTHING;
    SELECT * INTO acc FROM points_accounts a WHERE a.merchant_id = p_merchant_id AND a.user_id = p_user_id FOR UPDATE;
  END IF;

  -- checked under the lock: a request with the same key may have committed while we waited for it
  SELECT * INTO seen FROM points_entries e WHERE e.merchant_id = p_merchant_id AND e.idempotency_key = p_key;
  IF FOUND THEN
    RETURN QUERY SELECT CASE WHEN seen.kind = p_kind AND seen.user_id = p_user_id AND seen.amount = p_amount THEN 'replay' ELSE 'conflict' END,
      seen.id, seen.balance_after, seen.debt_change;
    RETURN;
  END IF;

  -- lots are written only under their account's lock (held above): no row locks of their own
  SELECT coalesce(sum(pl.remaining), 0) INTO v_due FROM points_lots pl
  WHERE pl.account_id = acc.id AND pl.remaining > 0 AND pl.expires_at IS NOT NULL AND pl.expires_at <= p_now;
  v_live := acc.balance - v_due;

  IF v_credit THEN
    v_debt_change := -least(p_amount, acc.debt);
  ELSIF p_kind = 'clawback' THEN
    v_take := least(v_live, -p_amount);
    v_debt_change := -p_amount - v_take;
  ELSE
    v_take := -p_amount;
    IF v_live < v_take THEN RETURN QUERY SELECT 'insufficient'::text, NULL::uuid, v_live, 0; RETURN; END IF;
  END IF;

  IF v_due > 0 THEN PERFORM points_expire_lots(acc.id, p_now); END IF;

  IF v_credit THEN v_credited := p_amount + v_debt_change; END IF;
  v_balance := v_live + v_credited - v_take;
  INSERT INTO points_entries (merchant_id, account_id, user_id, kind, amount, debt_change, balance_after, debt_after,
                              reason_code, reason, idempotency_key, source_type, source_id, created_at)
  VALUES (p_merchant_id, acc.id, p_user_id, p_kind, p_amount, v_debt_change, v_balance, acc.debt + v_debt_change,
          p_reason_code, p_reason, p_key, p_source_type, p_source_id, p_now)
  ON CONFLICT (merchant_id, idempotency_key) DO NOTHING
  RETURNING id INTO v_entry;
  IF v_entry IS NULL THEN
    -- only reachable when another user's still-uncommitted entry held the key: always a conflict
    -- (the due lots expired above are correct on their own)
    RETURN QUERY SELECT 'conflict'::text, NULL::uuid, 0::bigint, 0;
    RETURN;
  END IF;

  IF v_take > 0 THEN
    v_left := v_take;
    FOR l IN SELECT pl.id, pl.remaining FROM points_lots pl
             WHERE pl.account_id = acc.id AND pl.remaining > 0 AND (pl.expires_at IS NULL OR pl.expires_at > p_now)
             ORDER BY pl.expires_at ASC NULLS LAST, pl.created_at, pl.id LOOP
      v_n := least(l.remaining, v_left);
      UPDATE points_lots SET remaining = remaining - v_n WHERE id = l.id;
      INSERT INTO points_lot_consumptions (merchant_id, entry_id, lot_id, amount) VALUES (p_merchant_id, v_entry, l.id, v_n);
      v_left := v_left - v_n;
      EXIT WHEN v_left = 0;
    END LOOP;
    -- the locked balance says the lots hold enough; anything else is a broken invariant, not a user error
    IF v_left > 0 THEN RAISE EXCEPTION 'points lots of account % hold % < %', acc.id, v_take - v_left, v_take; END IF;
  END IF;
  IF v_credited > 0 THEN
    INSERT INTO points_lots (merchant_id, account_id, entry_id, amount, remaining, expires_at, created_at)
    VALUES (p_merchant_id, acc.id, v_entry, v_credited, v_credited, p_expires_at, p_now);
  END IF;
  UPDATE points_accounts SET balance = v_balance, debt = acc.debt + v_debt_change,
    lifetime_earned = lifetime_earned + CASE WHEN p_kind = 'earn' THEN p_amount ELSE 0 END, updated_at = p_now
  WHERE id = acc.id;
  RETURN QUERY SELECT 'ok'::text, v_entry, v_balance, v_debt_change;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION funnel_advance(
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
  -- stages only rise and signalled bits are only set: a read without the lock that finds nothing to do
  -- is final (the common case: a repeat purchase, check-in or draw), and takes no row lock
  SELECT u.stage, u.stages_signalled INTO v_old, v_signalled FROM users u
  WHERE u.merchant_id = p_merchant_id AND u.id = p_user_id;
  IF NOT FOUND THEN RETURN; END IF;
  IF array_position(p_stages, v_old) >= p_rank AND (v_signalled & v_bit) <> 0 THEN
    RETURN QUERY SELECT v_old, false, false;
    RETURN;
  END IF;
  SELECT u.stage, u.stages_signalled INTO v_old, v_signalled FROM users u
  WHERE u.merchant_id = p_merchant_id AND u.id = p_user_id FOR UPDATE;
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
--> statement-breakpoint
-- staff_purchase: an offline purchase recorded at the counter in one call (server/src/modules/staff-desk/
-- staff-desk.service.ts documents the rules). Replaces 0004's version: the member is resolved from the
-- card number and the store checked here (one round trip instead of two), the points come as one
-- figure per tier level (the rule stays in TypeScript; the tier is read here), and the purchase row is
-- written once, with its result, under an advisory lock on the receipt number (no insert-then-update).
-- Lock order as everywhere: receipt -> points account -> membership -> user row.
--
-- Status: ok (written; `signal` = the stage listeners must be told, in the same transaction; `promoted`
-- = the user became a customer now), no_store, no_member (no card with this number),
-- exists (the receipt number was recorded before: that row, and `member_id` = the member resolved now,
-- for the caller to replay or refuse), needs_tx (p_in_tx is false and this user's first purchase needs
-- the stage listeners, which run in the caller's language: nothing was written; call again inside a
-- transaction with p_in_tx true).
DROP FUNCTION staff_purchase(uuid, uuid, uuid, uuid, text, bigint, int, int, int, text, timestamptz, timestamptz, timestamptz, bigint[], text[], text[], boolean);
--> statement-breakpoint
CREATE FUNCTION staff_purchase(
  p_merchant_id uuid, p_card_no text, p_staff_id uuid, p_store_id uuid, p_receipt_no text, p_amount_fen bigint,
  p_points_by_level int[], p_multipliers_by_level int[], p_growth int, p_reason text, p_now timestamptz, p_expires_at timestamptz,
  p_growth_since timestamptz, p_thresholds bigint[], p_tier_names text[], p_stages text[], p_in_tx boolean
) RETURNS TABLE (
  status text, id uuid, user_id uuid, store_id uuid, amount_fen bigint, points int, growth int, balance_after bigint,
  tier_level_after int, tier_name_after text, upgraded boolean, created_at timestamptz, signal boolean, promoted boolean, member_id uuid
)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_rank int := array_position(p_stages, 'customer');
  v_user uuid;
  v_level int;
  v_slot int;
  v_points int;
  v_id uuid := gen_random_uuid();
  v_row staff_purchases;
  v_balance bigint;
  a record;
  g record;
  f record;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM stores s WHERE s.merchant_id = p_merchant_id AND s.id = p_store_id) THEN
    RETURN QUERY SELECT 'no_store'::text, NULL::uuid, NULL::uuid, NULL::uuid, NULL::bigint, NULL::int, NULL::int, NULL::bigint,
      NULL::int, NULL::text, NULL::boolean, NULL::timestamptz, false, false, NULL::uuid;
    RETURN;
  END IF;
  SELECT m.user_id, m.tier_level INTO v_user, v_level FROM memberships m WHERE m.merchant_id = p_merchant_id AND m.card_no = p_card_no;
  IF v_user IS NULL THEN
    RETURN QUERY SELECT 'no_member'::text, NULL::uuid, NULL::uuid, NULL::uuid, NULL::bigint, NULL::int, NULL::int, NULL::bigint,
      NULL::int, NULL::text, NULL::boolean, NULL::timestamptz, false, false, NULL::uuid;
    RETURN;
  END IF;
  -- stages_signalled bits are only ever set: read without a lock, a set bit stays set
  IF NOT p_in_tx AND EXISTS (SELECT 1 FROM users u WHERE u.merchant_id = p_merchant_id AND u.id = v_user
                             AND (u.stages_signalled & (1 << (v_rank - 1))) = 0) THEN
    RETURN QUERY SELECT 'needs_tx'::text, NULL::uuid, NULL::uuid, NULL::uuid, NULL::bigint, NULL::int, NULL::int, NULL::bigint,
      NULL::int, NULL::text, NULL::boolean, NULL::timestamptz, false, false, v_user;
    RETURN;
  END IF;
  -- one receipt at a time (until COMMIT); the unique index stays the guarantee behind it. A statement
  -- after the lock sees what the holder committed.
  PERFORM pg_advisory_xact_lock(hashtextextended('staff_purchase:' || p_merchant_id || ':' || p_receipt_no, 0));
  SELECT * INTO v_row FROM staff_purchases sp WHERE sp.merchant_id = p_merchant_id AND sp.receipt_no = p_receipt_no;
  IF FOUND THEN
    RETURN QUERY SELECT 'exists'::text, v_row.id, v_row.user_id, v_row.store_id, v_row.amount_fen, v_row.points, v_row.growth,
      v_row.balance_after, v_row.tier_level_after, v_row.tier_name_after, v_row.upgraded, v_row.created_at, false, false, v_user;
    RETURN;
  END IF;
  -- the tier before this purchase sets the multiplier (levels past the last tier count as the last)
  v_slot := least(v_level, cardinality(p_points_by_level) - 1) + 1;
  v_points := p_points_by_level[v_slot];
  IF v_points > 0 THEN
    SELECT * INTO a FROM points_apply(p_merchant_id, v_user, 'earn', v_points, 'staff-purchase:' || p_receipt_no, 'purchase', p_reason,
                                      'staff_purchase', v_id::text, p_now, p_expires_at);
    -- the key is the receipt number's, which this transaction owns: anything else is a broken invariant
    IF a.status <> 'ok' THEN RAISE EXCEPTION 'staff_purchase: points_apply answered % for receipt %', a.status, p_receipt_no; END IF;
    v_balance := a.balance;
  ELSE
    SELECT coalesce(max(pa.balance), 0) - coalesce(sum(pl.remaining), 0) INTO v_balance
    FROM points_accounts pa LEFT JOIN points_lots pl ON pl.account_id = pa.id AND pl.remaining > 0 AND pl.expires_at <= p_now
    WHERE pa.merchant_id = p_merchant_id AND pa.user_id = v_user;
  END IF;
  SELECT * INTO g FROM membership_add_growth(p_merchant_id, v_user, p_growth, 'purchase', 'staff_purchase', v_id::text,
                                             p_now, p_growth_since, p_thresholds, p_tier_names);
  SELECT * INTO f FROM funnel_advance(p_merchant_id, v_user, 'customer', v_rank, p_stages, 'purchase', NULL, NULL, p_store_id, p_staff_id);
  UPDATE users u SET guide_staff_id = p_staff_id WHERE u.merchant_id = p_merchant_id AND u.id = v_user AND u.guide_staff_id IS NULL;
  INSERT INTO staff_purchases (id, merchant_id, user_id, staff_id, store_id, receipt_no, amount_fen, points, growth, multiplier_permille,
                               balance_after, tier_level_after, tier_name_after, upgraded, created_at)
  VALUES (v_id, p_merchant_id, v_user, p_staff_id, p_store_id, p_receipt_no, p_amount_fen, v_points, p_growth, p_multipliers_by_level[v_slot],
          v_balance, g.tier_level, p_tier_names[least(g.tier_level, cardinality(p_tier_names) - 1) + 1], g.upgraded_from IS NOT NULL, p_now)
  RETURNING * INTO v_row;
  RETURN QUERY SELECT 'ok'::text, v_row.id, v_row.user_id, v_row.store_id, v_row.amount_fen, v_row.points, v_row.growth,
    v_row.balance_after, v_row.tier_level_after, v_row.tier_name_after, v_row.upgraded, v_row.created_at, coalesce(f.signal, false),
    coalesce(f.promoted, false), v_user;
END $$;
