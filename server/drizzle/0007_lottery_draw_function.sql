-- lottery_draw: a draw's writes in one call (server/src/modules/lottery/lottery.draw.ts documents the
-- rules, the lock order and the TypeScript side that decides everything random before calling).
--   1. the per-user counters (one conditional upsert of the day and total rows);
--   2. the points price through points_apply (free while today's count is within the free draws);
--   3. the funnel interaction (event + funnel_advance to interactor);
--   then, with p_complete (the one-call path, for slots paid out in SQL: none, points, physical):
--   4. the outcome: points credited then the stock taken (a prize gone after its credit raises
--      PRIZE_GONE, undoing everything: the caller draws again with p_drawn_out); a physical prize's
--      stock taken (gone: recorded as out of stock); the draw record.
--   Without p_complete it stops after 3 and returns what the caller's transaction needs to go on
--   (coupon and red-packet payouts, listeners in TypeScript).
-- Business refusals raise SQLSTATE 'SY001' with the API error code as message and its details as JSON
-- in DETAIL, so the whole call is undone (counters included): DRAW_LIMIT_REACHED, POINTS_INSUFFICIENT,
-- IDEMPOTENCY_CONFLICT, USER_NOT_FOUND; and two signals for the caller: DUPLICATE_DRAW (this key already
-- has a draw: answer with it) and PRIZE_GONE.
CREATE FUNCTION lottery_draw(
  p_merchant_id uuid, p_lottery_id uuid, p_user_id uuid, p_key text, p_day date,
  p_day_limit int, p_total_limit int, p_free_per_day int, p_cost_points int, p_lottery_name text,
  p_draw_id uuid, p_now timestamptz, p_stages text[], p_complete boolean,
  p_weights jsonb, p_total_weight bigint, p_random bigint,
  p_drawn_id uuid, p_drawn_type text, p_drawn_name text, p_drawn_limited boolean, p_drawn_points int, p_drawn_out boolean,
  p_none_id uuid, p_none_name text, p_redeem_code text, p_prize_reason text, p_expires_at timestamptz
) RETURNS TABLE (
  free boolean, cost int, event_id bigint, signal boolean, promoted boolean,
  prize_id uuid, reason text, prize_type text, prize_name text, points_awarded int, redeem_code text
)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  c record;
  v_day int;
  v_total int;
  v_free boolean;
  v_cost int;
  v_event bigint;
  a record;
  f record;
  v_won boolean;
  v_awarded int;
  v_code text;
BEGIN
  FOR c IN
    INSERT INTO lottery_draw_counts AS k (lottery_id, user_id, period, merchant_id, n)
    VALUES (p_lottery_id, p_user_id, p_day::text, p_merchant_id, 1), (p_lottery_id, p_user_id, 'total', p_merchant_id, 1)
    ON CONFLICT (lottery_id, user_id, period) DO UPDATE SET n = k.n + 1
    WHERE k.n < CASE WHEN k.period = 'total' THEN coalesce(p_total_limit, 2147483647) ELSE coalesce(p_day_limit, 2147483647) END
    RETURNING k.period, k.n
  LOOP
    IF c.period = 'total' THEN v_total := c.n; ELSE v_day := c.n; END IF;
  END LOOP;
  IF v_total IS NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'SY001', MESSAGE = 'DRAW_LIMIT_REACHED', DETAIL = json_build_object('scope', 'total', 'limit', p_total_limit)::text;
  END IF;
  IF v_day IS NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'SY001', MESSAGE = 'DRAW_LIMIT_REACHED', DETAIL = json_build_object('scope', 'day', 'limit', p_day_limit)::text;
  END IF;

  v_free := v_day <= p_free_per_day;
  -- not free implies a points price: the day limit caps draws at the free ones otherwise
  v_cost := CASE WHEN v_free THEN 0 ELSE coalesce(p_cost_points, 0) END;
  IF v_cost > 0 THEN
    SELECT * INTO a FROM points_apply(p_merchant_id, p_user_id, 'spend', -v_cost, 'lottery:' || p_lottery_id || ':' || p_user_id || ':' || p_key,
                                      'lottery_draw', p_lottery_name, 'lottery_draw', p_draw_id::text, p_now, NULL);
    IF a.status = 'replay' THEN
      RAISE EXCEPTION USING ERRCODE = 'SY001', MESSAGE = 'DUPLICATE_DRAW';
    ELSIF a.status = 'conflict' THEN
      RAISE EXCEPTION USING ERRCODE = 'SY001', MESSAGE = 'IDEMPOTENCY_CONFLICT',
        DETAIL = json_build_object('idempotencyKey', 'lottery:' || p_lottery_id || ':' || p_user_id || ':' || p_key)::text;
    ELSIF a.status = 'no_user' THEN
      RAISE EXCEPTION USING ERRCODE = 'SY001', MESSAGE = 'USER_NOT_FOUND';
    ELSIF a.status = 'insufficient' THEN
      RAISE EXCEPTION USING ERRCODE = 'SY001', MESSAGE = 'POINTS_INSUFFICIENT', DETAIL = json_build_object('balance', a.balance, 'needed', v_cost)::text;
    END IF;
  END IF;

  -- the user row (funnel) before any prize row: the lock order of check-in and the coupon claim
  INSERT INTO funnel_events (merchant_id, user_id, type, props, occurred_at)
  VALUES (p_merchant_id, p_user_id, 'lottery_draw', json_build_object('lotteryId', p_lottery_id, 'drawId', p_draw_id)::jsonb, p_now)
  RETURNING id INTO v_event;
  SELECT * INTO f FROM funnel_advance(p_merchant_id, p_user_id, 'interactor', array_position(p_stages, 'interactor'), p_stages,
                                      'event:lottery_draw', v_event, NULL, NULL, NULL);
  IF NOT p_complete THEN
    RETURN QUERY SELECT v_free, v_cost, v_event, coalesce(f.signal, false), coalesce(f.promoted, false),
      NULL::uuid, NULL::text, NULL::text, NULL::text, NULL::int, NULL::text;
    RETURN;
  END IF;

  v_won := p_drawn_type <> 'none' AND NOT p_drawn_out;
  IF v_won AND p_drawn_type = 'points' THEN
    SELECT * INTO a FROM points_apply(p_merchant_id, p_user_id, 'earn', p_drawn_points, 'lottery-prize:' || p_draw_id,
                                      'lottery_prize', p_prize_reason, 'lottery_draw', p_draw_id::text, p_now, p_expires_at);
    IF a.status <> 'ok' THEN RAISE EXCEPTION 'lottery_draw: points_apply answered % for draw %', a.status, p_draw_id; END IF;
    v_awarded := p_drawn_points;
  ELSIF v_won AND p_drawn_type = 'physical' THEN
    v_code := p_redeem_code;
  ELSIF v_won THEN
    RAISE EXCEPTION 'lottery_draw: a % prize is paid out by the caller (p_complete false)', p_drawn_type;
  END IF;
  -- LAST, the shared prize row: locked from here until COMMIT only
  IF v_won AND p_drawn_limited THEN
    UPDATE lottery_prizes SET stock = stock - 1 WHERE id = p_drawn_id AND stock > 0;
    IF NOT FOUND THEN
      -- just ran out: a paid-out prize is undone by raising; a physical one paid nothing yet
      IF p_drawn_type <> 'physical' THEN RAISE EXCEPTION USING ERRCODE = 'SY001', MESSAGE = 'PRIZE_GONE'; END IF;
      v_won := false;
      v_code := NULL;
    END IF;
  END IF;

  INSERT INTO lottery_draws (id, merchant_id, lottery_id, user_id, idempotency_key, business_day, weights, total_weight, random_value,
                             drawn_prize_id, prize_id, outcome, reason, prize_type, prize_name, free, cost_points, points_awarded,
                             coupon_id, coupon_code, redeem_code, created_at)
  VALUES (p_draw_id, p_merchant_id, p_lottery_id, p_user_id, p_key, p_day, p_weights, p_total_weight, p_random,
          p_drawn_id, CASE WHEN v_won THEN p_drawn_id ELSE p_none_id END, CASE WHEN v_won THEN 'prize' ELSE 'none' END,
          CASE WHEN v_won THEN 'won' WHEN p_drawn_type = 'none' THEN 'no_prize' ELSE 'out_of_stock' END,
          CASE WHEN v_won THEN p_drawn_type ELSE 'none' END, CASE WHEN v_won THEN p_drawn_name ELSE p_none_name END,
          v_free, v_cost, v_awarded, NULL, NULL, v_code, p_now)
  ON CONFLICT DO NOTHING;
  IF NOT FOUND THEN RAISE EXCEPTION USING ERRCODE = 'SY001', MESSAGE = 'DUPLICATE_DRAW'; END IF;
  RETURN QUERY SELECT v_free, v_cost, v_event, coalesce(f.signal, false), coalesce(f.promoted, false),
    CASE WHEN v_won THEN p_drawn_id ELSE p_none_id END,
    CASE WHEN v_won THEN 'won' WHEN p_drawn_type = 'none' THEN 'no_prize' ELSE 'out_of_stock' END,
    CASE WHEN v_won THEN p_drawn_type ELSE 'none' END, CASE WHEN v_won THEN p_drawn_name ELSE p_none_name END, v_awarded, v_code;
END $$;
