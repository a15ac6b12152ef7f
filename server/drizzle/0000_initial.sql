CREATE TABLE "admin_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"merchant_id" uuid NOT NULL,
	"key_hash" text NOT NULL,
	"prefix" text NOT NULL,
	"label" text DEFAULT 'default' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "merchant_apps" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"merchant_id" uuid NOT NULL,
	"appid" text NOT NULL,
	"app_secret" text NOT NULL,
	"mchid" text,
	"mch_serial" text,
	"mch_private_key_pem" text,
	"api_v3_key" text,
	"wechatpay_keys" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "merchants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"timezone" text DEFAULT 'Asia/Shanghai' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "staff" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"merchant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"store_id" uuid NOT NULL,
	"role" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "staff_role_ck" CHECK ("staff"."role" in ('guide', 'manager'))
);
--> statement-breakpoint
CREATE TABLE "staff_invites" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"merchant_id" uuid NOT NULL,
	"store_id" uuid NOT NULL,
	"role" text NOT NULL,
	"code" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"redeemed_by_user_id" uuid,
	"redeemed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "staff_invites_role_ck" CHECK ("staff_invites"."role" in ('guide', 'manager'))
);
--> statement-breakpoint
CREATE TABLE "stores" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"merchant_id" uuid NOT NULL,
	"name" text NOT NULL,
	"code" text,
	"address" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "stores_merchant_id_uq" UNIQUE("merchant_id","id")
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"merchant_id" uuid NOT NULL,
	"appid" text NOT NULL,
	"openid" text NOT NULL,
	"unionid" text,
	"session_key" text,
	"phone" text,
	"nickname" text,
	"avatar_url" text,
	"stage" text DEFAULT 'visitor' NOT NULL,
	"acq_channel" text,
	"acq_store_id" uuid,
	"acq_guide_id" uuid,
	"acq_sharer_id" uuid,
	"guide_staff_id" uuid,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_merchant_id_uq" UNIQUE("merchant_id","id"),
	CONSTRAINT "users_stage_ck" CHECK ("users"."stage" in ('visitor','interactor','fan','friend','customer','member'))
);
--> statement-breakpoint
CREATE TABLE "funnel_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "funnel_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"merchant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"type" text NOT NULL,
	"channel" text,
	"store_id" uuid,
	"guide_id" uuid,
	"sharer_id" uuid,
	"props" jsonb,
	"occurred_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "funnel_transitions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "funnel_transitions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"merchant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"from_stage" text,
	"to_stage" text NOT NULL,
	"to_rank" smallint NOT NULL,
	"cause" text NOT NULL,
	"cause_event_id" bigint,
	"channel" text,
	"store_id" uuid,
	"guide_id" uuid,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "funnel_transitions_rank_ck" CHECK ("funnel_transitions"."to_rank" between 1 and 6)
);
--> statement-breakpoint
CREATE TABLE "background_jobs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"merchant_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"total" integer DEFAULT 0 NOT NULL,
	"processed" integer DEFAULT 0 NOT NULL,
	"succeeded" integer DEFAULT 0 NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL,
	"errors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"result" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "background_jobs_status_ck" CHECK ("background_jobs"."status" in ('queued','running','succeeded','failed'))
);
--> statement-breakpoint
CREATE TABLE "job_runs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "job_runs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"job" text NOT NULL,
	"status" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"details" jsonb,
	CONSTRAINT "job_runs_status_ck" CHECK ("job_runs"."status" in ('running','succeeded','failed','skipped'))
);
--> statement-breakpoint
CREATE TABLE "points_accounts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"merchant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"balance" bigint DEFAULT 0 NOT NULL,
	"debt" bigint DEFAULT 0 NOT NULL,
	"lifetime_earned" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "points_accounts_merchant_id_uq" UNIQUE("merchant_id","id"),
	CONSTRAINT "points_accounts_balance_ck" CHECK ("points_accounts"."balance" >= 0),
	CONSTRAINT "points_accounts_debt_ck" CHECK ("points_accounts"."debt" >= 0),
	CONSTRAINT "points_accounts_balance_or_debt_ck" CHECK ("points_accounts"."balance" = 0 or "points_accounts"."debt" = 0),
	CONSTRAINT "points_accounts_lifetime_ck" CHECK ("points_accounts"."lifetime_earned" >= 0)
);
--> statement-breakpoint
CREATE TABLE "points_entries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "points_entries_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"merchant_id" uuid NOT NULL,
	"account_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"amount" integer NOT NULL,
	"debt_change" integer DEFAULT 0 NOT NULL,
	"balance_after" bigint NOT NULL,
	"debt_after" bigint NOT NULL,
	"reason_code" text NOT NULL,
	"reason" text,
	"idempotency_key" text NOT NULL,
	"source_type" text,
	"source_id" text,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "points_entries_kind_ck" CHECK ("points_entries"."kind" in ('earn','spend','expire','adjust','clawback')),
	CONSTRAINT "points_entries_amount_ck" CHECK (case "points_entries"."kind"
        when 'earn' then "points_entries"."amount" > 0 and "points_entries"."debt_change" <= 0 and -"points_entries"."debt_change" <= "points_entries"."amount"
        when 'adjust' then "points_entries"."amount" <> 0 and "points_entries"."debt_change" <= 0 and -"points_entries"."debt_change" <= greatest("points_entries"."amount", 0)
        when 'clawback' then "points_entries"."amount" < 0 and "points_entries"."debt_change" >= 0 and "points_entries"."debt_change" <= -"points_entries"."amount"
        else "points_entries"."amount" < 0 and "points_entries"."debt_change" = 0 end),
	CONSTRAINT "points_entries_after_ck" CHECK ("points_entries"."balance_after" >= 0 and "points_entries"."debt_after" >= 0)
);
--> statement-breakpoint
CREATE TABLE "points_lot_consumptions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "points_lot_consumptions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"merchant_id" uuid NOT NULL,
	"entry_id" uuid NOT NULL,
	"lot_id" uuid NOT NULL,
	"amount" integer NOT NULL,
	CONSTRAINT "points_lot_consumptions_amount_ck" CHECK ("points_lot_consumptions"."amount" > 0)
);
--> statement-breakpoint
CREATE TABLE "points_lots" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"merchant_id" uuid NOT NULL,
	"account_id" uuid NOT NULL,
	"entry_id" uuid NOT NULL,
	"amount" integer NOT NULL,
	"remaining" integer NOT NULL,
	"expires_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "points_lots_amount_ck" CHECK ("points_lots"."amount" > 0),
	CONSTRAINT "points_lots_remaining_ck" CHECK ("points_lots"."remaining" >= 0 and "points_lots"."remaining" <= "points_lots"."amount")
);
--> statement-breakpoint
CREATE TABLE "points_policies" (
	"merchant_id" uuid PRIMARY KEY NOT NULL,
	"expiry_mode" text NOT NULL,
	"expiry_value" integer,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "points_policies_expiry_ck" CHECK (("points_policies"."expiry_mode" = 'never' and "points_policies"."expiry_value" is null) or ("points_policies"."expiry_mode" in ('months_after_earn','days_after_earn') and "points_policies"."expiry_value" > 0))
);
--> statement-breakpoint
CREATE TABLE "user_tags" (
	"merchant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"tag" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "user_tags_pk" PRIMARY KEY("merchant_id","user_id","tag")
);
--> statement-breakpoint
CREATE TABLE "coupon_claim_counts" (
	"merchant_id" uuid NOT NULL,
	"template_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"n" integer NOT NULL,
	CONSTRAINT "coupon_claim_counts_pk" PRIMARY KEY("template_id","user_id"),
	CONSTRAINT "coupon_claim_counts_n_ck" CHECK ("coupon_claim_counts"."n" > 0)
);
--> statement-breakpoint
CREATE TABLE "coupon_templates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"merchant_id" uuid NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"kind" text NOT NULL,
	"amount_off_fen" integer,
	"percent_off" integer,
	"max_discount_fen" integer,
	"min_spend_fen" integer DEFAULT 0 NOT NULL,
	"item_name" text,
	"item_sku" text,
	"validity_type" text NOT NULL,
	"valid_from" timestamp with time zone,
	"valid_to" timestamp with time zone,
	"valid_days" integer,
	"total_stock" integer,
	"issued" integer DEFAULT 0 NOT NULL,
	"per_user_limit" integer,
	"claimable" boolean DEFAULT true NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "coupon_templates_merchant_id_uq" UNIQUE("merchant_id","id"),
	CONSTRAINT "coupon_templates_terms_ck" CHECK (case "coupon_templates"."kind"
        when 'amount_off' then "coupon_templates"."amount_off_fen" > 0 and "coupon_templates"."percent_off" is null
        when 'percent_off' then "coupon_templates"."percent_off" between 1 and 99 and "coupon_templates"."amount_off_fen" is null and ("coupon_templates"."max_discount_fen" is null or "coupon_templates"."max_discount_fen" > 0)
        when 'free_item' then "coupon_templates"."item_name" is not null and "coupon_templates"."amount_off_fen" is null and "coupon_templates"."percent_off" is null
        else false end and "coupon_templates"."min_spend_fen" >= 0),
	CONSTRAINT "coupon_templates_validity_ck" CHECK (("coupon_templates"."validity_type" = 'fixed' and "coupon_templates"."valid_from" < "coupon_templates"."valid_to" and "coupon_templates"."valid_days" is null)
        or ("coupon_templates"."validity_type" = 'relative' and "coupon_templates"."valid_days" > 0 and "coupon_templates"."valid_from" is null and "coupon_templates"."valid_to" is null)),
	CONSTRAINT "coupon_templates_stock_ck" CHECK ("coupon_templates"."issued" >= 0 and ("coupon_templates"."total_stock" is null or "coupon_templates"."issued" <= "coupon_templates"."total_stock")),
	CONSTRAINT "coupon_templates_limit_ck" CHECK ("coupon_templates"."per_user_limit" is null or "coupon_templates"."per_user_limit" > 0)
);
--> statement-breakpoint
CREATE TABLE "coupons" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"merchant_id" uuid NOT NULL,
	"template_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"code" text NOT NULL,
	"status" text DEFAULT 'issued' NOT NULL,
	"valid_from" timestamp with time zone NOT NULL,
	"valid_to" timestamp with time zone NOT NULL,
	"source_type" text NOT NULL,
	"source_id" text,
	"issue_key" text NOT NULL,
	"order_id" text,
	"locked_at" timestamp with time zone,
	"used_at" timestamp with time zone,
	"used_store_id" uuid,
	"used_staff_id" uuid,
	"issued_at" timestamp with time zone NOT NULL,
	CONSTRAINT "coupons_status_ck" CHECK ("coupons"."status" in ('issued','locked','used')),
	CONSTRAINT "coupons_order_ck" CHECK (("coupons"."status" <> 'locked' or "coupons"."order_id" is not null) and ("coupons"."status" <> 'issued' or "coupons"."order_id" is null)),
	CONSTRAINT "coupons_used_ck" CHECK (("coupons"."status" = 'used') = ("coupons"."used_at" is not null)),
	CONSTRAINT "coupons_source_ck" CHECK ("coupons"."source_type" in ('claim','lottery','checkin','task','admin'))
);
--> statement-breakpoint
CREATE TABLE "lotteries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"merchant_id" uuid NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"kind" text NOT NULL,
	"start_at" timestamp with time zone NOT NULL,
	"end_at" timestamp with time zone NOT NULL,
	"enabled" boolean DEFAULT false NOT NULL,
	"eligibility" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"cost_points" integer,
	"free_draws_per_day" integer DEFAULT 0 NOT NULL,
	"limit_per_day" integer,
	"limit_total" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "lotteries_merchant_id_uq" UNIQUE("merchant_id","id"),
	CONSTRAINT "lotteries_kind_ck" CHECK ("lotteries"."kind" in ('wheel','grid','scratch')),
	CONSTRAINT "lotteries_window_ck" CHECK ("lotteries"."start_at" < "lotteries"."end_at"),
	CONSTRAINT "lotteries_limits_ck" CHECK (("lotteries"."cost_points" is null or "lotteries"."cost_points" >= 0) and "lotteries"."free_draws_per_day" >= 0
        and ("lotteries"."limit_per_day" is null or "lotteries"."limit_per_day" > 0) and ("lotteries"."limit_total" is null or "lotteries"."limit_total" > 0))
);
--> statement-breakpoint
CREATE TABLE "lottery_draw_counts" (
	"lottery_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"period" text NOT NULL,
	"merchant_id" uuid NOT NULL,
	"n" integer NOT NULL,
	CONSTRAINT "lottery_draw_counts_pk" PRIMARY KEY("lottery_id","user_id","period"),
	CONSTRAINT "lottery_draw_counts_n_ck" CHECK ("lottery_draw_counts"."n" > 0)
);
--> statement-breakpoint
CREATE TABLE "lottery_draws" (
	"id" uuid PRIMARY KEY NOT NULL,
	"merchant_id" uuid NOT NULL,
	"lottery_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"idempotency_key" text NOT NULL,
	"business_day" date NOT NULL,
	"weights" jsonb NOT NULL,
	"total_weight" bigint NOT NULL,
	"random_value" bigint NOT NULL,
	"drawn_prize_id" uuid NOT NULL,
	"prize_id" uuid NOT NULL,
	"outcome" text NOT NULL,
	"reason" text NOT NULL,
	"prize_type" text NOT NULL,
	"prize_name" text NOT NULL,
	"free" boolean NOT NULL,
	"cost_points" integer NOT NULL,
	"points_awarded" integer,
	"coupon_id" uuid,
	"coupon_code" text,
	"redeem_code" text,
	"collected_at" timestamp with time zone,
	"collected_store_id" uuid,
	"collected_staff_id" uuid,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "lottery_draws_outcome_ck" CHECK ("lottery_draws"."outcome" in ('prize','none')),
	CONSTRAINT "lottery_draws_reason_ck" CHECK (("lottery_draws"."outcome" = 'prize' and "lottery_draws"."reason" = 'won') or ("lottery_draws"."outcome" = 'none' and "lottery_draws"."reason" in ('no_prize','out_of_stock'))),
	CONSTRAINT "lottery_draws_cost_ck" CHECK ("lottery_draws"."cost_points" >= 0 and (not "lottery_draws"."free" or "lottery_draws"."cost_points" = 0))
);
--> statement-breakpoint
CREATE TABLE "lottery_prizes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"merchant_id" uuid NOT NULL,
	"lottery_id" uuid NOT NULL,
	"position" smallint NOT NULL,
	"name" text NOT NULL,
	"type" text NOT NULL,
	"weight" integer NOT NULL,
	"stock" integer,
	"points" integer,
	"coupon_template_id" uuid,
	"amount_fen" integer,
	"image_url" text,
	CONSTRAINT "lottery_prizes_stock_ck" CHECK ("lottery_prizes"."stock" is null or "lottery_prizes"."stock" >= 0),
	CONSTRAINT "lottery_prizes_weight_ck" CHECK ("lottery_prizes"."weight" >= 0),
	CONSTRAINT "lottery_prizes_type_ck" CHECK (case "lottery_prizes"."type"
        when 'none' then "lottery_prizes"."stock" is null
        when 'points' then "lottery_prizes"."points" > 0
        when 'coupon' then "lottery_prizes"."coupon_template_id" is not null
        when 'physical' then true
        when 'red_packet' then "lottery_prizes"."amount_fen" > 0
        else false end)
);
--> statement-breakpoint
CREATE TABLE "membership_plans" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"merchant_id" uuid NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"duration_days" integer NOT NULL,
	"price_fen" integer NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "membership_plans_price_ck" CHECK ("membership_plans"."price_fen" > 0),
	CONSTRAINT "membership_plans_duration_ck" CHECK ("membership_plans"."duration_days" > 0)
);
--> statement-breakpoint
CREATE TABLE "orders" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"merchant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"status" text DEFAULT 'created' NOT NULL,
	"description" text NOT NULL,
	"items" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"membership_plan_id" uuid,
	"membership_days" integer,
	"subtotal_fen" integer NOT NULL,
	"discount_fen" integer DEFAULT 0 NOT NULL,
	"total_fen" integer NOT NULL,
	"paid_fen" integer DEFAULT 0 NOT NULL,
	"refunded_fen" integer DEFAULT 0 NOT NULL,
	"transaction_id" text,
	"points_earned" integer DEFAULT 0 NOT NULL,
	"points_clawed" integer DEFAULT 0 NOT NULL,
	"needs_review" boolean DEFAULT false NOT NULL,
	"review_reason" text,
	"expires_at" timestamp with time zone NOT NULL,
	"paid_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"close_reason" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "orders_status_ck" CHECK ("orders"."status" in ('created', 'paid', 'partially_refunded', 'refunded', 'closed')),
	CONSTRAINT "orders_kind_ck" CHECK ("orders"."kind" in ('products', 'membership')),
	CONSTRAINT "orders_amounts_ck" CHECK ("orders"."subtotal_fen" > 0 and "orders"."discount_fen" >= 0 and "orders"."total_fen" > 0 and "orders"."total_fen" = "orders"."subtotal_fen" - "orders"."discount_fen"),
	CONSTRAINT "orders_refund_ck" CHECK ("orders"."refunded_fen" >= 0 and "orders"."refunded_fen" <= "orders"."paid_fen" and "orders"."paid_fen" >= 0),
	CONSTRAINT "orders_paid_ck" CHECK (("orders"."status" in ('created', 'closed')) = ("orders"."paid_at" is null)),
	CONSTRAINT "orders_points_ck" CHECK ("orders"."points_earned" >= 0 and "orders"."points_clawed" >= 0 and "orders"."points_clawed" <= "orders"."points_earned")
);
--> statement-breakpoint
CREATE TABLE "paid_memberships" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"merchant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"plan_id" uuid NOT NULL,
	"order_id" uuid NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "paid_memberships_period_ck" CHECK ("paid_memberships"."ends_at" > "paid_memberships"."starts_at")
);
--> statement-breakpoint
CREATE TABLE "payment_attempts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"merchant_id" uuid NOT NULL,
	"order_id" uuid NOT NULL,
	"out_trade_no" text NOT NULL,
	"appid" text NOT NULL,
	"mchid" text NOT NULL,
	"payer_openid" text NOT NULL,
	"amount_fen" integer NOT NULL,
	"description" text NOT NULL,
	"notify_url" text NOT NULL,
	"time_expire" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"prepay_id" text,
	"prepay_at" timestamp with time zone,
	"transaction_id" text,
	"paid_at" timestamp with time zone,
	"failure_code" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "payment_attempts_status_ck" CHECK ("payment_attempts"."status" in ('pending', 'paid', 'closed', 'failed')),
	CONSTRAINT "payment_attempts_amount_ck" CHECK ("payment_attempts"."amount_fen" > 0)
);
--> statement-breakpoint
CREATE TABLE "payment_notifications" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "payment_notifications_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"notification_id" text NOT NULL,
	"merchant_id" uuid NOT NULL,
	"event_type" text NOT NULL,
	"summary" text,
	"reference" text NOT NULL,
	"transaction_id" text,
	"amount_fen" integer,
	"outcome" text NOT NULL,
	"received_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "products" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"merchant_id" uuid NOT NULL,
	"sku" text NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"price_fen" integer NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "products_price_ck" CHECK ("products"."price_fen" > 0)
);
--> statement-breakpoint
CREATE TABLE "refunds" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"merchant_id" uuid NOT NULL,
	"order_id" uuid NOT NULL,
	"out_refund_no" text NOT NULL,
	"attempt_id" uuid NOT NULL,
	"amount_fen" integer NOT NULL,
	"reason" text,
	"notify_url" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"refund_id" text,
	"failure_code" text,
	"points_clawed" integer DEFAULT 0 NOT NULL,
	"points_debt" integer DEFAULT 0 NOT NULL,
	"succeeded_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "refunds_status_ck" CHECK ("refunds"."status" in ('pending', 'processing', 'succeeded', 'closed', 'abnormal', 'failed')),
	CONSTRAINT "refunds_amount_ck" CHECK ("refunds"."amount_fen" > 0),
	CONSTRAINT "refunds_points_ck" CHECK ("refunds"."points_clawed" >= 0 and "refunds"."points_debt" >= 0)
);
--> statement-breakpoint
CREATE TABLE "growth_entries" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "growth_entries_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"merchant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"amount" integer NOT NULL,
	"reason" text NOT NULL,
	"source_type" text,
	"source_id" text,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "growth_entries_amount_ck" CHECK ("growth_entries"."amount" > 0)
);
--> statement-breakpoint
CREATE TABLE "membership_policies" (
	"merchant_id" uuid PRIMARY KEY NOT NULL,
	"phone_required" boolean NOT NULL,
	"points_per_yuan" integer NOT NULL,
	"growth_per_yuan" integer NOT NULL,
	"member_code_secret" text NOT NULL,
	"updated_at" timestamp with time zone,
	CONSTRAINT "membership_policies_rates_ck" CHECK ("membership_policies"."points_per_yuan" >= 0 and "membership_policies"."growth_per_yuan" >= 0)
);
--> statement-breakpoint
CREATE TABLE "membership_tiers" (
	"merchant_id" uuid NOT NULL,
	"level" integer NOT NULL,
	"name" text NOT NULL,
	"threshold" integer NOT NULL,
	"multiplier_permille" integer NOT NULL,
	"checkin_bonus" integer NOT NULL,
	CONSTRAINT "membership_tiers_pk" PRIMARY KEY("merchant_id","level"),
	CONSTRAINT "membership_tiers_values_ck" CHECK ("membership_tiers"."level" >= 0 and "membership_tiers"."threshold" >= 0 and "membership_tiers"."multiplier_permille" > 0 and "membership_tiers"."checkin_bonus" >= 0),
	CONSTRAINT "membership_tiers_first_ck" CHECK ("membership_tiers"."level" <> 0 or "membership_tiers"."threshold" = 0)
);
--> statement-breakpoint
CREATE TABLE "memberships" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"merchant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"card_no" text,
	"claimed_at" timestamp with time zone,
	"growth" bigint DEFAULT 0 NOT NULL,
	"tier_level" integer DEFAULT 0 NOT NULL,
	"tier_reached_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "memberships_card_ck" CHECK ("memberships"."card_no" is null or "memberships"."card_no" ~ '^[0-9]{12}$'),
	CONSTRAINT "memberships_claimed_ck" CHECK (("memberships"."card_no" is null) = ("memberships"."claimed_at" is null)),
	CONSTRAINT "memberships_values_ck" CHECK ("memberships"."growth" >= 0 and "memberships"."tier_level" >= 0)
);
--> statement-breakpoint
CREATE TABLE "tier_changes" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "tier_changes_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"merchant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"from_level" integer NOT NULL,
	"to_level" integer NOT NULL,
	"from_name" text,
	"to_name" text,
	"reason" text NOT NULL,
	"qualifying_growth" bigint NOT NULL,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "tier_changes_reason_ck" CHECK ("tier_changes"."reason" in ('upgrade', 'evaluation'))
);
--> statement-breakpoint
CREATE TABLE "checkin_policies" (
	"merchant_id" uuid PRIMARY KEY NOT NULL,
	"base_points" integer NOT NULL,
	"streak_bonuses" jsonb NOT NULL,
	"cycle" text NOT NULL,
	"makeup_window_days" integer NOT NULL,
	"makeup_cost" integer NOT NULL,
	"makeup_per_month" integer NOT NULL,
	"growth_per_checkin" integer NOT NULL,
	"updated_at" timestamp with time zone,
	CONSTRAINT "checkin_policies_cycle_ck" CHECK ("checkin_policies"."cycle" in ('none', 'weekly', 'monthly')),
	CONSTRAINT "checkin_policies_values_ck" CHECK ("checkin_policies"."base_points" >= 0 and "checkin_policies"."makeup_window_days" >= 0 and "checkin_policies"."makeup_cost" >= 0 and "checkin_policies"."makeup_per_month" >= 0 and "checkin_policies"."growth_per_checkin" >= 0)
);
--> statement-breakpoint
CREATE TABLE "checkins" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"merchant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"day" date NOT NULL,
	"made_up" boolean DEFAULT false NOT NULL,
	"points" integer NOT NULL,
	"bonus" integer NOT NULL,
	"cost" integer DEFAULT 0 NOT NULL,
	"bonus_streak" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "checkins_values_ck" CHECK ("checkins"."points" >= 0 and "checkins"."bonus" >= 0 and "checkins"."cost" >= 0),
	CONSTRAINT "checkins_makeup_ck" CHECK ("checkins"."made_up" or "checkins"."cost" = 0)
);
--> statement-breakpoint
CREATE TABLE "wallet_accounts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"merchant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"balance_fen" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "wallet_accounts_merchant_id_uq" UNIQUE("merchant_id","id"),
	CONSTRAINT "wallet_accounts_balance_ck" CHECK ("wallet_accounts"."balance_fen" >= 0)
);
--> statement-breakpoint
CREATE TABLE "wallet_entries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "wallet_entries_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"merchant_id" uuid NOT NULL,
	"account_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"balance_after_fen" bigint NOT NULL,
	"reason_code" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"source_type" text,
	"source_id" text,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "wallet_entries_kind_ck" CHECK ("wallet_entries"."kind" in ('credit','withdraw_hold','withdraw_refund')),
	CONSTRAINT "wallet_entries_amount_ck" CHECK (case "wallet_entries"."kind" when 'withdraw_hold' then "wallet_entries"."amount_fen" < 0 else "wallet_entries"."amount_fen" > 0 end),
	CONSTRAINT "wallet_entries_after_ck" CHECK ("wallet_entries"."balance_after_fen" >= 0)
);
--> statement-breakpoint
CREATE TABLE "redpacket_campaigns" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"merchant_id" uuid NOT NULL,
	"name" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"budget_fen" bigint NOT NULL,
	"granted_fen" bigint DEFAULT 0 NOT NULL,
	"returned_fen" bigint DEFAULT 0 NOT NULL,
	"packet_total_fen" integer NOT NULL,
	"slices_per_packet" integer NOT NULL,
	"floor_fen" integer NOT NULL,
	"sharer_can_grab" boolean DEFAULT false NOT NULL,
	"funds_lottery_prizes" boolean DEFAULT false NOT NULL,
	"eligibility" jsonb NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"packet_ttl_minutes" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "redpacket_campaigns_merchant_id_uq" UNIQUE("merchant_id","id"),
	CONSTRAINT "redpacket_campaigns_status_ck" CHECK ("redpacket_campaigns"."status" in ('active','ended')),
	CONSTRAINT "redpacket_campaigns_budget_ck" CHECK ("redpacket_campaigns"."granted_fen" >= 0 and "redpacket_campaigns"."granted_fen" <= "redpacket_campaigns"."budget_fen" and "redpacket_campaigns"."returned_fen" >= 0),
	CONSTRAINT "redpacket_campaigns_packet_ck" CHECK ("redpacket_campaigns"."slices_per_packet" between 1 and 1000 and "redpacket_campaigns"."floor_fen" >= 1 and "redpacket_campaigns"."packet_total_fen" >= "redpacket_campaigns"."slices_per_packet" * "redpacket_campaigns"."floor_fen"),
	CONSTRAINT "redpacket_campaigns_window_ck" CHECK ("redpacket_campaigns"."starts_at" < "redpacket_campaigns"."ends_at")
);
--> statement-breakpoint
CREATE TABLE "redpacket_grants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"merchant_id" uuid NOT NULL,
	"campaign_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"amount_fen" integer NOT NULL,
	"source_type" text NOT NULL,
	"source_id" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "redpacket_grants_amount_ck" CHECK ("redpacket_grants"."amount_fen" > 0)
);
--> statement-breakpoint
CREATE TABLE "redpacket_opens" (
	"packet_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"merchant_id" uuid NOT NULL,
	"opened_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "redpacket_packets" (
	"id" uuid PRIMARY KEY NOT NULL,
	"merchant_id" uuid NOT NULL,
	"campaign_id" uuid NOT NULL,
	"sharer_id" uuid NOT NULL,
	"sharer_seq" integer NOT NULL,
	"total_fen" integer NOT NULL,
	"slice_count" integer NOT NULL,
	"sharer_can_grab" boolean NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"settled_at" timestamp with time zone,
	"returned_fen" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "redpacket_packets_merchant_id_uq" UNIQUE("merchant_id","id"),
	CONSTRAINT "redpacket_packets_amounts_ck" CHECK ("redpacket_packets"."total_fen" > 0 and "redpacket_packets"."slice_count" > 0 and "redpacket_packets"."returned_fen" >= 0 and "redpacket_packets"."returned_fen" <= "redpacket_packets"."total_fen")
);
--> statement-breakpoint
CREATE TABLE "redpacket_slices" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"merchant_id" uuid NOT NULL,
	"packet_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"amount_fen" integer NOT NULL,
	"claimed_by" uuid,
	"claimed_at" timestamp with time zone,
	"returned_at" timestamp with time zone,
	CONSTRAINT "redpacket_slices_amount_ck" CHECK ("redpacket_slices"."amount_fen" > 0),
	CONSTRAINT "redpacket_slices_state_ck" CHECK (("redpacket_slices"."claimed_by" is null) = ("redpacket_slices"."claimed_at" is null) and ("redpacket_slices"."claimed_by" is null or "redpacket_slices"."returned_at" is null))
);
--> statement-breakpoint
CREATE TABLE "payout_notifications" (
	"merchant_id" uuid NOT NULL,
	"notification_id" text NOT NULL,
	"out_bill_no" text NOT NULL,
	"state" text NOT NULL,
	"outcome" text NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	CONSTRAINT "payout_notifications_pk" PRIMARY KEY("merchant_id","notification_id")
);
--> statement-breakpoint
CREATE TABLE "payout_transfers" (
	"id" uuid PRIMARY KEY NOT NULL,
	"merchant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"appid" text NOT NULL,
	"mchid" text NOT NULL,
	"openid" text NOT NULL,
	"amount_fen" integer NOT NULL,
	"out_bill_no" text NOT NULL,
	"scene_id" text NOT NULL,
	"remark" text NOT NULL,
	"notify_url" text,
	"status" text NOT NULL,
	"wechat_state" text,
	"transfer_bill_no" text,
	"package_info" text,
	"package_at" timestamp with time zone,
	"fail_reason" text,
	"last_error" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"refunded_at" timestamp with time zone,
	"checked_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "payout_transfers_status_ck" CHECK ("payout_transfers"."status" in ('created','wait_user_confirm','processing','success','failed','cancelled')),
	CONSTRAINT "payout_transfers_amount_ck" CHECK ("payout_transfers"."amount_fen" > 0),
	CONSTRAINT "payout_transfers_refund_ck" CHECK (("payout_transfers"."refunded_at" is not null) = ("payout_transfers"."status" in ('failed','cancelled')))
);
--> statement-breakpoint
CREATE TABLE "staff_purchases" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"merchant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"staff_id" uuid NOT NULL,
	"store_id" uuid NOT NULL,
	"receipt_no" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"points" integer NOT NULL,
	"growth" integer NOT NULL,
	"multiplier_permille" integer NOT NULL,
	"balance_after" bigint,
	"tier_level_after" integer,
	"tier_name_after" text,
	"upgraded" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "staff_purchases_values_ck" CHECK ("staff_purchases"."amount_fen" > 0 and "staff_purchases"."points" >= 0 and "staff_purchases"."growth" >= 0)
);
--> statement-breakpoint
CREATE TABLE "staff_redemptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"merchant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"staff_id" uuid NOT NULL,
	"points" integer NOT NULL,
	"reason" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"balance_after" bigint,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "staff_redemptions_points_ck" CHECK ("staff_redemptions"."points" > 0)
);
--> statement-breakpoint
CREATE TABLE "referral_codes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"merchant_id" uuid NOT NULL,
	"code" text NOT NULL,
	"owner_user_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"staff_id" uuid,
	"qr_image" "bytea",
	"qr_content_type" text,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "referral_codes_kind_ck" CHECK (("referral_codes"."kind" = 'user' and "referral_codes"."staff_id" is null) or ("referral_codes"."kind" = 'guide' and "referral_codes"."staff_id" is not null))
);
--> statement-breakpoint
CREATE TABLE "referral_daily_counts" (
	"merchant_id" uuid NOT NULL,
	"inviter_id" uuid NOT NULL,
	"day" date NOT NULL,
	"count" integer NOT NULL,
	CONSTRAINT "referral_daily_counts_pk" PRIMARY KEY("merchant_id","inviter_id","day"),
	CONSTRAINT "referral_daily_counts_ck" CHECK ("referral_daily_counts"."count" >= 0)
);
--> statement-breakpoint
CREATE TABLE "referral_policies" (
	"merchant_id" uuid PRIMARY KEY NOT NULL,
	"active" boolean NOT NULL,
	"milestone" text NOT NULL,
	"inviter_points" integer NOT NULL,
	"invitee_points" integer NOT NULL,
	"daily_cap" integer NOT NULL,
	"bind_window_minutes" integer NOT NULL,
	"hold_threshold" integer NOT NULL,
	"hold_window_minutes" integer NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "referral_policies_milestone_ck" CHECK ("referral_policies"."milestone" in ('login', 'card_claimed', 'first_purchase')),
	CONSTRAINT "referral_policies_values_ck" CHECK ("referral_policies"."inviter_points" >= 0 and "referral_policies"."invitee_points" >= 0 and "referral_policies"."daily_cap" >= 1 and "referral_policies"."bind_window_minutes" >= 0 and "referral_policies"."hold_threshold" >= 1 and "referral_policies"."hold_window_minutes" >= 1)
);
--> statement-breakpoint
CREATE TABLE "referrals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"merchant_id" uuid NOT NULL,
	"inviter_id" uuid NOT NULL,
	"invitee_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"guide_staff_id" uuid,
	"code" text NOT NULL,
	"milestone" text NOT NULL,
	"inviter_points" integer NOT NULL,
	"invitee_points" integer NOT NULL,
	"review" text NOT NULL,
	"review_reason" text,
	"reviewed_at" timestamp with time zone,
	"ip" text,
	"device_id" text,
	"bound_at" timestamp with time zone NOT NULL,
	"milestone_at" timestamp with time zone,
	"customer_at" timestamp with time zone,
	"rewarded_at" timestamp with time zone,
	CONSTRAINT "referrals_kind_ck" CHECK ("referrals"."kind" in ('user', 'guide')),
	CONSTRAINT "referrals_review_ck" CHECK ("referrals"."review" in ('clear', 'held', 'approved', 'rejected')),
	CONSTRAINT "referrals_milestone_ck" CHECK ("referrals"."milestone" in ('login', 'card_claimed', 'first_purchase')),
	CONSTRAINT "referrals_self_ck" CHECK ("referrals"."inviter_id" <> "referrals"."invitee_id"),
	CONSTRAINT "referrals_paid_ck" CHECK ("referrals"."rewarded_at" is null or ("referrals"."milestone_at" is not null and "referrals"."review" in ('clear', 'approved')))
);
--> statement-breakpoint
CREATE TABLE "share_opens" (
	"merchant_id" uuid NOT NULL,
	"sharer_id" uuid NOT NULL,
	"opener_id" uuid NOT NULL,
	"first_at" timestamp with time zone NOT NULL,
	CONSTRAINT "share_opens_pk" PRIMARY KEY("merchant_id","sharer_id","opener_id")
);
--> statement-breakpoint
CREATE TABLE "social_stats" (
	"merchant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"shares" integer DEFAULT 0 NOT NULL,
	"reach" integer DEFAULT 0 NOT NULL,
	"invitees" integer DEFAULT 0 NOT NULL,
	"invitee_customers" integer DEFAULT 0 NOT NULL,
	"content" integer DEFAULT 0 NOT NULL,
	"score" integer GENERATED ALWAYS AS (reach + 5 * invitees + 20 * invitee_customers + 10 * content) STORED NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "social_stats_pk" PRIMARY KEY("merchant_id","user_id"),
	CONSTRAINT "social_stats_values_ck" CHECK ("social_stats"."shares" >= 0 and "social_stats"."reach" >= 0 and "social_stats"."invitees" >= 0 and "social_stats"."invitee_customers" >= 0 and "social_stats"."content" >= 0)
);
--> statement-breakpoint
CREATE TABLE "task_checkin_days" (
	"merchant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"day" date NOT NULL,
	CONSTRAINT "task_checkin_days_pk" PRIMARY KEY("merchant_id","user_id","day")
);
--> statement-breakpoint
CREATE TABLE "task_completions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"merchant_id" uuid NOT NULL,
	"task_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"reward_type" text NOT NULL,
	"reward_points" integer,
	"coupon_id" uuid,
	"claimed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tasks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"merchant_id" uuid NOT NULL,
	"title" text NOT NULL,
	"description" text,
	"kind" text NOT NULL,
	"target" integer NOT NULL,
	"reward_type" text NOT NULL,
	"reward_points" integer,
	"reward_template_id" uuid,
	"reward_amount_fen" integer,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone,
	"active" boolean DEFAULT true NOT NULL,
	"archived_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "tasks_merchant_id_uq" UNIQUE("merchant_id","id"),
	CONSTRAINT "tasks_kind_ck" CHECK ("tasks"."kind" in ('share_n', 'invite_n', 'complete_profile', 'first_purchase', 'claim_card', 'checkin_n_days')),
	CONSTRAINT "tasks_target_ck" CHECK ("tasks"."target" between 1 and 1000),
	CONSTRAINT "tasks_reward_ck" CHECK (("tasks"."reward_type" = 'points' and "tasks"."reward_points" > 0) or ("tasks"."reward_type" = 'coupon' and "tasks"."reward_template_id" is not null) or ("tasks"."reward_type" = 'cash' and "tasks"."reward_amount_fen" > 0)),
	CONSTRAINT "tasks_window_ck" CHECK ("tasks"."ends_at" is null or "tasks"."ends_at" > "tasks"."starts_at")
);
--> statement-breakpoint
CREATE TABLE "user_milestones" (
	"merchant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"milestone" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "user_milestones_pk" PRIMARY KEY("merchant_id","user_id","milestone"),
	CONSTRAINT "user_milestones_ck" CHECK ("user_milestones"."milestone" in ('first_purchase', 'card_claimed'))
);
--> statement-breakpoint
ALTER TABLE "admin_keys" ADD CONSTRAINT "admin_keys_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "merchant_apps" ADD CONSTRAINT "merchant_apps_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff" ADD CONSTRAINT "staff_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_invites" ADD CONSTRAINT "staff_invites_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stores" ADD CONSTRAINT "stores_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "funnel_events" ADD CONSTRAINT "funnel_events_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "funnel_transitions" ADD CONSTRAINT "funnel_transitions_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "points_accounts" ADD CONSTRAINT "points_accounts_user_fk" FOREIGN KEY ("merchant_id","user_id") REFERENCES "public"."users"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "points_entries" ADD CONSTRAINT "points_entries_account_fk" FOREIGN KEY ("merchant_id","account_id") REFERENCES "public"."points_accounts"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "points_lot_consumptions" ADD CONSTRAINT "points_lot_consumptions_entry_id_points_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."points_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "points_lot_consumptions" ADD CONSTRAINT "points_lot_consumptions_lot_id_points_lots_id_fk" FOREIGN KEY ("lot_id") REFERENCES "public"."points_lots"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "points_lots" ADD CONSTRAINT "points_lots_entry_id_points_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."points_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "points_lots" ADD CONSTRAINT "points_lots_account_fk" FOREIGN KEY ("merchant_id","account_id") REFERENCES "public"."points_accounts"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "points_policies" ADD CONSTRAINT "points_policies_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_tags" ADD CONSTRAINT "user_tags_user_fk" FOREIGN KEY ("merchant_id","user_id") REFERENCES "public"."users"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coupon_templates" ADD CONSTRAINT "coupon_templates_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coupons" ADD CONSTRAINT "coupons_template_fk" FOREIGN KEY ("merchant_id","template_id") REFERENCES "public"."coupon_templates"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coupons" ADD CONSTRAINT "coupons_user_fk" FOREIGN KEY ("merchant_id","user_id") REFERENCES "public"."users"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lotteries" ADD CONSTRAINT "lotteries_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lottery_draws" ADD CONSTRAINT "lottery_draws_lottery_fk" FOREIGN KEY ("merchant_id","lottery_id") REFERENCES "public"."lotteries"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lottery_draws" ADD CONSTRAINT "lottery_draws_user_fk" FOREIGN KEY ("merchant_id","user_id") REFERENCES "public"."users"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lottery_draws" ADD CONSTRAINT "lottery_draws_prize_fk" FOREIGN KEY ("prize_id") REFERENCES "public"."lottery_prizes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lottery_prizes" ADD CONSTRAINT "lottery_prizes_lottery_fk" FOREIGN KEY ("merchant_id","lottery_id") REFERENCES "public"."lotteries"("merchant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lottery_prizes" ADD CONSTRAINT "lottery_prizes_coupon_template_fk" FOREIGN KEY ("merchant_id","coupon_template_id") REFERENCES "public"."coupon_templates"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "membership_plans" ADD CONSTRAINT "membership_plans_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_user_fk" FOREIGN KEY ("merchant_id","user_id") REFERENCES "public"."users"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "paid_memberships" ADD CONSTRAINT "paid_memberships_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "paid_memberships" ADD CONSTRAINT "paid_memberships_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_attempts" ADD CONSTRAINT "payment_attempts_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_attempts" ADD CONSTRAINT "payment_attempts_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_notifications" ADD CONSTRAINT "payment_notifications_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "products" ADD CONSTRAINT "products_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_attempt_id_payment_attempts_id_fk" FOREIGN KEY ("attempt_id") REFERENCES "public"."payment_attempts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "membership_policies" ADD CONSTRAINT "membership_policies_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "membership_tiers" ADD CONSTRAINT "membership_tiers_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_user_fk" FOREIGN KEY ("merchant_id","user_id") REFERENCES "public"."users"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "checkin_policies" ADD CONSTRAINT "checkin_policies_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "checkins" ADD CONSTRAINT "checkins_user_fk" FOREIGN KEY ("merchant_id","user_id") REFERENCES "public"."users"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wallet_accounts" ADD CONSTRAINT "wallet_accounts_user_fk" FOREIGN KEY ("merchant_id","user_id") REFERENCES "public"."users"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wallet_entries" ADD CONSTRAINT "wallet_entries_account_fk" FOREIGN KEY ("merchant_id","account_id") REFERENCES "public"."wallet_accounts"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "redpacket_campaigns" ADD CONSTRAINT "redpacket_campaigns_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "redpacket_grants" ADD CONSTRAINT "redpacket_grants_campaign_fk" FOREIGN KEY ("merchant_id","campaign_id") REFERENCES "public"."redpacket_campaigns"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "redpacket_opens" ADD CONSTRAINT "redpacket_opens_packet_id_redpacket_packets_id_fk" FOREIGN KEY ("packet_id") REFERENCES "public"."redpacket_packets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "redpacket_packets" ADD CONSTRAINT "redpacket_packets_campaign_fk" FOREIGN KEY ("merchant_id","campaign_id") REFERENCES "public"."redpacket_campaigns"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "redpacket_packets" ADD CONSTRAINT "redpacket_packets_sharer_fk" FOREIGN KEY ("merchant_id","sharer_id") REFERENCES "public"."users"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "redpacket_slices" ADD CONSTRAINT "redpacket_slices_packet_id_redpacket_packets_id_fk" FOREIGN KEY ("packet_id") REFERENCES "public"."redpacket_packets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payout_transfers" ADD CONSTRAINT "payout_transfers_user_fk" FOREIGN KEY ("merchant_id","user_id") REFERENCES "public"."users"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_purchases" ADD CONSTRAINT "staff_purchases_user_fk" FOREIGN KEY ("merchant_id","user_id") REFERENCES "public"."users"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_purchases" ADD CONSTRAINT "staff_purchases_store_fk" FOREIGN KEY ("merchant_id","store_id") REFERENCES "public"."stores"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_purchases" ADD CONSTRAINT "staff_purchases_staff_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_redemptions" ADD CONSTRAINT "staff_redemptions_user_fk" FOREIGN KEY ("merchant_id","user_id") REFERENCES "public"."users"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referral_codes" ADD CONSTRAINT "referral_codes_owner_fk" FOREIGN KEY ("merchant_id","owner_user_id") REFERENCES "public"."users"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referral_policies" ADD CONSTRAINT "referral_policies_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals" ADD CONSTRAINT "referrals_inviter_fk" FOREIGN KEY ("merchant_id","inviter_id") REFERENCES "public"."users"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals" ADD CONSTRAINT "referrals_invitee_fk" FOREIGN KEY ("merchant_id","invitee_id") REFERENCES "public"."users"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "social_stats" ADD CONSTRAINT "social_stats_user_fk" FOREIGN KEY ("merchant_id","user_id") REFERENCES "public"."users"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_completions" ADD CONSTRAINT "task_completions_task_fk" FOREIGN KEY ("merchant_id","task_id") REFERENCES "public"."tasks"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_completions" ADD CONSTRAINT "task_completions_user_fk" FOREIGN KEY ("merchant_id","user_id") REFERENCES "public"."users"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "admin_keys_hash_uq" ON "admin_keys" USING btree ("key_hash");--> statement-breakpoint
CREATE INDEX "admin_keys_merchant_idx" ON "admin_keys" USING btree ("merchant_id");--> statement-breakpoint
CREATE UNIQUE INDEX "merchant_apps_appid_uq" ON "merchant_apps" USING btree ("appid");--> statement-breakpoint
CREATE INDEX "merchant_apps_merchant_idx" ON "merchant_apps" USING btree ("merchant_id");--> statement-breakpoint
CREATE UNIQUE INDEX "staff_merchant_user_uq" ON "staff" USING btree ("merchant_id","user_id");--> statement-breakpoint
CREATE INDEX "staff_merchant_store_idx" ON "staff" USING btree ("merchant_id","store_id");--> statement-breakpoint
CREATE UNIQUE INDEX "staff_invites_merchant_code_uq" ON "staff_invites" USING btree ("merchant_id","code");--> statement-breakpoint
CREATE UNIQUE INDEX "stores_merchant_code_uq" ON "stores" USING btree ("merchant_id","code");--> statement-breakpoint
CREATE UNIQUE INDEX "users_merchant_openid_uq" ON "users" USING btree ("merchant_id","openid");--> statement-breakpoint
CREATE INDEX "users_merchant_phone_idx" ON "users" USING btree ("merchant_id","phone");--> statement-breakpoint
CREATE INDEX "users_merchant_unionid_idx" ON "users" USING btree ("merchant_id","unionid");--> statement-breakpoint
CREATE INDEX "users_merchant_guide_idx" ON "users" USING btree ("merchant_id","guide_staff_id");--> statement-breakpoint
CREATE INDEX "funnel_events_merchant_user_idx" ON "funnel_events" USING btree ("merchant_id","user_id","received_at");--> statement-breakpoint
CREATE INDEX "funnel_events_merchant_type_idx" ON "funnel_events" USING btree ("merchant_id","type","received_at");--> statement-breakpoint
CREATE UNIQUE INDEX "funnel_transitions_user_stage_uq" ON "funnel_transitions" USING btree ("merchant_id","user_id","to_stage");--> statement-breakpoint
CREATE INDEX "funnel_transitions_merchant_at_idx" ON "funnel_transitions" USING btree ("merchant_id","at");--> statement-breakpoint
CREATE INDEX "background_jobs_merchant_idx" ON "background_jobs" USING btree ("merchant_id","created_at");--> statement-breakpoint
CREATE INDEX "job_runs_job_idx" ON "job_runs" USING btree ("job","started_at");--> statement-breakpoint
CREATE UNIQUE INDEX "points_accounts_merchant_user_uq" ON "points_accounts" USING btree ("merchant_id","user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "points_entries_idempotency_uq" ON "points_entries" USING btree ("merchant_id","idempotency_key");--> statement-breakpoint
CREATE UNIQUE INDEX "points_entries_seq_uq" ON "points_entries" USING btree ("seq");--> statement-breakpoint
CREATE INDEX "points_entries_user_idx" ON "points_entries" USING btree ("merchant_id","user_id","created_at","seq");--> statement-breakpoint
CREATE INDEX "points_entries_source_idx" ON "points_entries" USING btree ("merchant_id","source_type","source_id");--> statement-breakpoint
CREATE INDEX "points_lot_consumptions_entry_idx" ON "points_lot_consumptions" USING btree ("entry_id");--> statement-breakpoint
CREATE INDEX "points_lot_consumptions_lot_idx" ON "points_lot_consumptions" USING btree ("lot_id");--> statement-breakpoint
CREATE INDEX "points_lots_live_idx" ON "points_lots" USING btree ("account_id","expires_at","created_at") WHERE "points_lots"."remaining" > 0;--> statement-breakpoint
CREATE INDEX "points_lots_due_idx" ON "points_lots" USING btree ("expires_at") WHERE "points_lots"."remaining" > 0 and "points_lots"."expires_at" is not null;--> statement-breakpoint
CREATE INDEX "user_tags_merchant_tag_idx" ON "user_tags" USING btree ("merchant_id","tag");--> statement-breakpoint
CREATE INDEX "coupon_templates_merchant_created_idx" ON "coupon_templates" USING btree ("merchant_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "coupons_merchant_code_uq" ON "coupons" USING btree ("merchant_id","code");--> statement-breakpoint
CREATE UNIQUE INDEX "coupons_merchant_issue_key_uq" ON "coupons" USING btree ("merchant_id","issue_key");--> statement-breakpoint
CREATE INDEX "coupons_merchant_user_idx" ON "coupons" USING btree ("merchant_id","user_id","issued_at");--> statement-breakpoint
CREATE INDEX "coupons_order_idx" ON "coupons" USING btree ("order_id") WHERE "coupons"."order_id" is not null;--> statement-breakpoint
CREATE INDEX "lotteries_merchant_created_idx" ON "lotteries" USING btree ("merchant_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "lottery_draws_idempotency_uq" ON "lottery_draws" USING btree ("merchant_id","user_id","idempotency_key");--> statement-breakpoint
CREATE UNIQUE INDEX "lottery_draws_redeem_code_uq" ON "lottery_draws" USING btree ("merchant_id","redeem_code") WHERE "lottery_draws"."redeem_code" is not null;--> statement-breakpoint
CREATE INDEX "lottery_draws_lottery_idx" ON "lottery_draws" USING btree ("lottery_id","created_at");--> statement-breakpoint
CREATE INDEX "lottery_draws_user_idx" ON "lottery_draws" USING btree ("merchant_id","user_id","lottery_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "lottery_prizes_position_uq" ON "lottery_prizes" USING btree ("lottery_id","position");--> statement-breakpoint
CREATE UNIQUE INDEX "lottery_prizes_merchant_id_uq" ON "lottery_prizes" USING btree ("merchant_id","id");--> statement-breakpoint
CREATE INDEX "membership_plans_merchant_idx" ON "membership_plans" USING btree ("merchant_id");--> statement-breakpoint
CREATE INDEX "orders_merchant_user_idx" ON "orders" USING btree ("merchant_id","user_id","created_at");--> statement-breakpoint
CREATE INDEX "orders_merchant_status_idx" ON "orders" USING btree ("merchant_id","status","created_at");--> statement-breakpoint
CREATE INDEX "orders_open_expiry_idx" ON "orders" USING btree ("expires_at") WHERE "orders"."status" = 'created';--> statement-breakpoint
CREATE UNIQUE INDEX "orders_merchant_transaction_uq" ON "orders" USING btree ("merchant_id","transaction_id");--> statement-breakpoint
CREATE UNIQUE INDEX "paid_memberships_order_uq" ON "paid_memberships" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "paid_memberships_user_idx" ON "paid_memberships" USING btree ("merchant_id","user_id","ends_at");--> statement-breakpoint
CREATE UNIQUE INDEX "payment_attempts_out_trade_no_uq" ON "payment_attempts" USING btree ("out_trade_no");--> statement-breakpoint
CREATE UNIQUE INDEX "payment_attempts_one_pending_uq" ON "payment_attempts" USING btree ("order_id") WHERE "payment_attempts"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "payment_attempts_order_idx" ON "payment_attempts" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "payment_attempts_pending_idx" ON "payment_attempts" USING btree ("created_at") WHERE "payment_attempts"."status" = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX "payment_notifications_id_uq" ON "payment_notifications" USING btree ("notification_id");--> statement-breakpoint
CREATE INDEX "payment_notifications_merchant_idx" ON "payment_notifications" USING btree ("merchant_id","received_at");--> statement-breakpoint
CREATE UNIQUE INDEX "products_merchant_sku_uq" ON "products" USING btree ("merchant_id","sku");--> statement-breakpoint
CREATE UNIQUE INDEX "refunds_out_refund_no_uq" ON "refunds" USING btree ("out_refund_no");--> statement-breakpoint
CREATE INDEX "refunds_order_idx" ON "refunds" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "refunds_open_idx" ON "refunds" USING btree ("created_at") WHERE "refunds"."status" in ('pending', 'processing', 'abnormal');--> statement-breakpoint
CREATE INDEX "growth_entries_user_at_idx" ON "growth_entries" USING btree ("merchant_id","user_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "growth_entries_source_uq" ON "growth_entries" USING btree ("merchant_id","source_type","source_id");--> statement-breakpoint
CREATE UNIQUE INDEX "memberships_merchant_user_uq" ON "memberships" USING btree ("merchant_id","user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "memberships_merchant_card_uq" ON "memberships" USING btree ("merchant_id","card_no");--> statement-breakpoint
CREATE INDEX "memberships_merchant_claimed_idx" ON "memberships" USING btree ("merchant_id","claimed_at");--> statement-breakpoint
CREATE INDEX "memberships_tier_review_idx" ON "memberships" USING btree ("tier_reached_at") WHERE "memberships"."tier_level" > 0;--> statement-breakpoint
CREATE INDEX "tier_changes_user_idx" ON "tier_changes" USING btree ("merchant_id","user_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "checkins_merchant_user_day_uq" ON "checkins" USING btree ("merchant_id","user_id","day");--> statement-breakpoint
CREATE INDEX "checkins_merchant_day_idx" ON "checkins" USING btree ("merchant_id","day");--> statement-breakpoint
CREATE UNIQUE INDEX "wallet_accounts_merchant_user_uq" ON "wallet_accounts" USING btree ("merchant_id","user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "wallet_entries_idempotency_uq" ON "wallet_entries" USING btree ("merchant_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "wallet_entries_account_idx" ON "wallet_entries" USING btree ("account_id","created_at","seq");--> statement-breakpoint
CREATE INDEX "redpacket_campaigns_merchant_created_idx" ON "redpacket_campaigns" USING btree ("merchant_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "redpacket_grants_source_uq" ON "redpacket_grants" USING btree ("merchant_id","source_type","source_id");--> statement-breakpoint
CREATE INDEX "redpacket_grants_campaign_idx" ON "redpacket_grants" USING btree ("campaign_id");--> statement-breakpoint
CREATE UNIQUE INDEX "redpacket_opens_packet_user_uq" ON "redpacket_opens" USING btree ("packet_id","user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "redpacket_packets_sharer_seq_uq" ON "redpacket_packets" USING btree ("campaign_id","sharer_id","sharer_seq");--> statement-breakpoint
CREATE INDEX "redpacket_packets_due_idx" ON "redpacket_packets" USING btree ("expires_at") WHERE "redpacket_packets"."settled_at" is null;--> statement-breakpoint
CREATE INDEX "redpacket_packets_campaign_idx" ON "redpacket_packets" USING btree ("campaign_id");--> statement-breakpoint
CREATE UNIQUE INDEX "redpacket_slices_packet_claimer_uq" ON "redpacket_slices" USING btree ("packet_id","claimed_by");--> statement-breakpoint
CREATE UNIQUE INDEX "redpacket_slices_packet_seq_uq" ON "redpacket_slices" USING btree ("packet_id","seq");--> statement-breakpoint
CREATE INDEX "redpacket_slices_free_idx" ON "redpacket_slices" USING btree ("packet_id","seq") WHERE "redpacket_slices"."claimed_by" is null and "redpacket_slices"."returned_at" is null;--> statement-breakpoint
CREATE INDEX "redpacket_slices_claimed_idx" ON "redpacket_slices" USING btree ("packet_id","claimed_at") WHERE "redpacket_slices"."claimed_by" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "payout_transfers_out_bill_no_uq" ON "payout_transfers" USING btree ("mchid","out_bill_no");--> statement-breakpoint
CREATE INDEX "payout_transfers_user_idx" ON "payout_transfers" USING btree ("merchant_id","user_id","created_at");--> statement-breakpoint
CREATE INDEX "payout_transfers_open_idx" ON "payout_transfers" USING btree ("updated_at") WHERE "payout_transfers"."status" in ('created','wait_user_confirm','processing');--> statement-breakpoint
CREATE UNIQUE INDEX "staff_purchases_receipt_uq" ON "staff_purchases" USING btree ("merchant_id","receipt_no");--> statement-breakpoint
CREATE INDEX "staff_purchases_staff_idx" ON "staff_purchases" USING btree ("merchant_id","staff_id","created_at");--> statement-breakpoint
CREATE INDEX "staff_purchases_user_idx" ON "staff_purchases" USING btree ("merchant_id","user_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "staff_redemptions_key_uq" ON "staff_redemptions" USING btree ("merchant_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "staff_redemptions_staff_idx" ON "staff_redemptions" USING btree ("merchant_id","staff_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "referral_codes_code_uq" ON "referral_codes" USING btree ("merchant_id","code");--> statement-breakpoint
CREATE UNIQUE INDEX "referral_codes_owner_uq" ON "referral_codes" USING btree ("merchant_id","owner_user_id","kind");--> statement-breakpoint
CREATE UNIQUE INDEX "referrals_invitee_uq" ON "referrals" USING btree ("merchant_id","invitee_id");--> statement-breakpoint
CREATE INDEX "referrals_inviter_idx" ON "referrals" USING btree ("merchant_id","inviter_id","bound_at");--> statement-breakpoint
CREATE INDEX "referrals_review_idx" ON "referrals" USING btree ("merchant_id","review","bound_at");--> statement-breakpoint
CREATE INDEX "social_stats_score_idx" ON "social_stats" USING btree ("merchant_id","score" DESC NULLS LAST,"user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "task_completions_uq" ON "task_completions" USING btree ("merchant_id","task_id","user_id");--> statement-breakpoint
CREATE INDEX "task_completions_user_idx" ON "task_completions" USING btree ("merchant_id","user_id");--> statement-breakpoint
CREATE INDEX "tasks_merchant_idx" ON "tasks" USING btree ("merchant_id","created_at");