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
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
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
ALTER TABLE "admin_keys" ADD CONSTRAINT "admin_keys_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "merchant_apps" ADD CONSTRAINT "merchant_apps_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff" ADD CONSTRAINT "staff_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_invites" ADD CONSTRAINT "staff_invites_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stores" ADD CONSTRAINT "stores_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "funnel_events" ADD CONSTRAINT "funnel_events_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "funnel_transitions" ADD CONSTRAINT "funnel_transitions_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "admin_keys_hash_uq" ON "admin_keys" USING btree ("key_hash");--> statement-breakpoint
CREATE INDEX "admin_keys_merchant_idx" ON "admin_keys" USING btree ("merchant_id");--> statement-breakpoint
CREATE UNIQUE INDEX "merchant_apps_appid_uq" ON "merchant_apps" USING btree ("appid");--> statement-breakpoint
CREATE INDEX "merchant_apps_merchant_idx" ON "merchant_apps" USING btree ("merchant_id");--> statement-breakpoint
CREATE UNIQUE INDEX "staff_merchant_user_uq" ON "staff" USING btree ("merchant_id","user_id");--> statement-breakpoint
CREATE INDEX "staff_merchant_store_idx" ON "staff" USING btree ("merchant_id","store_id");--> statement-breakpoint
CREATE UNIQUE INDEX "staff_invites_merchant_code_uq" ON "staff_invites" USING btree ("merchant_id","code");--> statement-breakpoint
CREATE UNIQUE INDEX "stores_merchant_code_uq" ON "stores" USING btree ("merchant_id","code");--> statement-breakpoint
CREATE UNIQUE INDEX "stores_merchant_id_uq" ON "stores" USING btree ("merchant_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "users_merchant_openid_uq" ON "users" USING btree ("merchant_id","openid");--> statement-breakpoint
CREATE UNIQUE INDEX "users_merchant_id_uq" ON "users" USING btree ("merchant_id","id");--> statement-breakpoint
CREATE INDEX "users_merchant_phone_idx" ON "users" USING btree ("merchant_id","phone");--> statement-breakpoint
CREATE INDEX "users_merchant_unionid_idx" ON "users" USING btree ("merchant_id","unionid");--> statement-breakpoint
CREATE INDEX "users_merchant_guide_idx" ON "users" USING btree ("merchant_id","guide_staff_id");--> statement-breakpoint
CREATE INDEX "funnel_events_merchant_user_idx" ON "funnel_events" USING btree ("merchant_id","user_id","received_at");--> statement-breakpoint
CREATE INDEX "funnel_events_merchant_type_idx" ON "funnel_events" USING btree ("merchant_id","type","received_at");--> statement-breakpoint
CREATE UNIQUE INDEX "funnel_transitions_user_stage_uq" ON "funnel_transitions" USING btree ("merchant_id","user_id","to_stage");--> statement-breakpoint
CREATE INDEX "funnel_transitions_merchant_at_idx" ON "funnel_transitions" USING btree ("merchant_id","at");--> statement-breakpoint
CREATE INDEX "background_jobs_merchant_idx" ON "background_jobs" USING btree ("merchant_id","created_at");--> statement-breakpoint
CREATE INDEX "job_runs_job_idx" ON "job_runs" USING btree ("job","started_at");