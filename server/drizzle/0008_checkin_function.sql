-- checkin_apply: today's check-in in one call (server/src/modules/checkin/checkin.service.ts documents
-- the rules; the reward rule stays in TypeScript). The caller reads the context without a lock (taken?,
-- the streak ending yesterday, the tier level), prices the day, and calls this with what it assumed:
--   1. the user's check-in lock (the advisory lock make-ups take too: same key as checkin.repo lockUser);
--   2. the context again, under the lock: `checked` when the day is taken; `stale` with the real streak
--      and tier level when they differ from the caller's (a make-up or a tier change in between): the
--      caller prices again and calls again, nothing written;
--   3. the check-in row, the points (points_apply, key checkin:<user>:<day>), the growth
--      (membership_add_growth), the interaction (event + funnel_advance to interactor).
-- Status ok answers the balance after, the event id and the funnel's signal/promoted for the caller's
-- listeners (same transaction). The check-in row's foreign key guarantees the user exists.
-- checkin_streak: the length of the run of consecutive checked days ending at p_end (0 when that day is
-- not checked). Gaps-and-islands: walking back from the end day, day + row_number stays equal to
-- p_end + 1 exactly while the days are consecutive, and drops below it for good at the first gap.
-- The one definition: checkin.repo's statements and checkin_apply call it.
CREATE FUNCTION checkin_streak(p_merchant_id uuid, p_user_id uuid, p_end date) RETURNS int
LANGUAGE sql STABLE AS $$
  SELECT count(*)::int FROM (
    SELECT c.day, row_number() OVER (ORDER BY c.day DESC) AS rn
    FROM checkins c WHERE c.merchant_id = p_merchant_id AND c.user_id = p_user_id AND c.day <= p_end
  ) x WHERE x.day + x.rn::int = p_end + 1
$$;
--> statement-breakpoint
CREATE FUNCTION checkin_apply(
  p_merchant_id uuid, p_user_id uuid, p_day date, p_streak int, p_tier_level int,
  p_points int, p_bonus int, p_bonus_streak int, p_reason text, p_now timestamptz, p_expires_at timestamptz,
  p_growth int, p_growth_since timestamptz, p_thresholds bigint[], p_tier_names text[], p_stages text[]
) RETURNS TABLE (status text, checkin_id uuid, balance bigint, event_id bigint, signal boolean, promoted boolean, streak int, tier_level int)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_checked boolean;
  v_streak int;
  v_level int;
  v_id uuid;
  v_balance bigint;
  v_event bigint;
  a record;
  g record;
  f record;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('checkin:' || p_merchant_id || ':' || p_user_id, 0));
  -- the same reads as checkin.repo's context statement
  SELECT EXISTS (SELECT 1 FROM checkins c WHERE c.merchant_id = p_merchant_id AND c.user_id = p_user_id AND c.day = p_day),
    checkin_streak(p_merchant_id, p_user_id, p_day - 1),
    coalesce((SELECT m.tier_level FROM memberships m WHERE m.merchant_id = p_merchant_id AND m.user_id = p_user_id), 0)
  INTO v_checked, v_streak, v_level;
  IF v_checked THEN
    RETURN QUERY SELECT 'checked'::text, NULL::uuid, NULL::bigint, NULL::bigint, false, false, v_streak, v_level;
    RETURN;
  END IF;
  IF v_streak <> p_streak OR v_level <> p_tier_level THEN
    RETURN QUERY SELECT 'stale'::text, NULL::uuid, NULL::bigint, NULL::bigint, false, false, v_streak, v_level;
    RETURN;
  END IF;

  INSERT INTO checkins (merchant_id, user_id, day, made_up, points, bonus, cost, bonus_streak, created_at)
  VALUES (p_merchant_id, p_user_id, p_day, false, p_points, p_bonus, 0, p_bonus_streak, p_now)
  RETURNING id INTO v_id;

  IF p_points + p_bonus > 0 THEN
    SELECT * INTO a FROM points_apply(p_merchant_id, p_user_id, 'earn', p_points + p_bonus, 'checkin:' || p_user_id || ':' || p_day,
                                      'checkin', p_reason, 'checkin', v_id::text, p_now, p_expires_at);
    -- the key is the day's, whose row this transaction just inserted: anything else is a broken invariant
    IF a.status <> 'ok' THEN RAISE EXCEPTION 'checkin_apply: points_apply answered % for %', a.status, v_id; END IF;
    v_balance := a.balance;
  ELSE
    SELECT coalesce(max(pa.balance), 0) - coalesce(sum(pl.remaining), 0) INTO v_balance
    FROM points_accounts pa LEFT JOIN points_lots pl ON pl.account_id = pa.id AND pl.remaining > 0 AND pl.expires_at <= p_now
    WHERE pa.merchant_id = p_merchant_id AND pa.user_id = p_user_id;
  END IF;
  IF p_growth > 0 THEN
    SELECT * INTO g FROM membership_add_growth(p_merchant_id, p_user_id, p_growth, 'checkin', 'checkin', v_id::text,
                                               p_now, p_growth_since, p_thresholds, p_tier_names);
  END IF;

  INSERT INTO funnel_events (merchant_id, user_id, type, props, occurred_at)
  VALUES (p_merchant_id, p_user_id, 'checkin', json_build_object('day', to_char(p_day, 'YYYY-MM-DD'))::jsonb, p_now)
  RETURNING id INTO v_event;
  SELECT * INTO f FROM funnel_advance(p_merchant_id, p_user_id, 'interactor', array_position(p_stages, 'interactor'), p_stages,
                                      'event:checkin', v_event, NULL, NULL, NULL);
  RETURN QUERY SELECT 'ok'::text, v_id, v_balance, v_event, coalesce(f.signal, false), coalesce(f.promoted, false), v_streak, v_level;
END $$;
