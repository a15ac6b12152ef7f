-- The points ledger's write path as database functions: one round trip per movement instead of ~8.
-- server/src/modules/points/points.service.ts documents the model, the debt policy and the invariants;
-- these functions are its implementation, and the only code that writes points_entries, points_lots,
-- points_lot_consumptions and the balances of points_accounts. They run in the caller's transaction.
--
-- points_expire_lots: expires up to p_limit due lots (remaining > 0, expires_at <= p_now) of one account
-- whose row the caller has locked, in one `expire` entry keyed by the first lot (a lot is expired once,
-- so the key is unique and a rerun finds nothing). Returns how many lots and points it expired (0, 0: none due).
CREATE FUNCTION points_expire_lots(p_account_id uuid, p_now timestamptz, p_limit int DEFAULT NULL)
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
    LIMIT p_limit
    FOR UPDATE) d;
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
-- points_apply: one movement (earn, spend, adjust, clawback; p_amount signed). Never raises for a
-- business outcome, so the caller's transaction stays usable; `status` says what happened:
--   ok            written: entry_id, balance (after), debt_change
--   replay        the key's first entry, same kind/user/amount: its entry_id, balance_after, debt_change
--   conflict      the key was used for a different movement
--   no_user       p_user_id is not a user of this merchant
--   insufficient  a spend/negative adjust above the spendable balance (`balance` = spendable, nothing written)
-- p_expires_at: the new lot's expiry for a credit (NULL = never); the caller resolves the merchant policy.
CREATE FUNCTION points_apply(
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

  -- debits lock every held lot (the due ones are expired first, the rest consumed); credits only the due ones
  IF NOT v_credit THEN
    PERFORM 1 FROM points_lots pl WHERE pl.account_id = acc.id AND pl.remaining > 0
      ORDER BY pl.expires_at ASC NULLS LAST, pl.created_at, pl.id FOR UPDATE;
  END IF;
  SELECT coalesce(sum(d.remaining), 0) INTO v_due FROM (
    SELECT pl.remaining FROM points_lots pl
    WHERE pl.account_id = acc.id AND pl.remaining > 0 AND pl.expires_at IS NOT NULL AND pl.expires_at <= p_now
    FOR UPDATE) d;
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
