-- Hot parent rows. A foreign-key check takes a KEY SHARE lock on the parent row; when every request
-- references the same parent (the merchant, the counter's store and staff member, the campaign and its
-- prizes), concurrent transactions turn that lock into a MultiXact and each writes a lock record: the
-- hot-row pattern. Append-only records (funnel events and transitions, draw records, counter purchases)
-- keep the ids without the FK; those parents are never deleted (merchants, stores, staff) or are
-- deleted only under the campaign row's FOR UPDATE after checking that nobody has drawn, which the
-- per-user draw counters' FK (checked once per user and day, not per draw) makes race-free.
-- Also: checkins (merchant, day) had no reader, and the planner sometimes chose it over the
-- (merchant, user, day) unique index for a user's month.
ALTER TABLE "funnel_events" DROP CONSTRAINT "funnel_events_merchant_id_merchants_id_fk";
--> statement-breakpoint
ALTER TABLE "funnel_transitions" DROP CONSTRAINT "funnel_transitions_merchant_id_merchants_id_fk";
--> statement-breakpoint
ALTER TABLE "lottery_draws" DROP CONSTRAINT "lottery_draws_lottery_fk";
--> statement-breakpoint
ALTER TABLE "lottery_draws" DROP CONSTRAINT "lottery_draws_prize_fk";
--> statement-breakpoint
ALTER TABLE "staff_purchases" DROP CONSTRAINT "staff_purchases_store_fk";
--> statement-breakpoint
ALTER TABLE "staff_purchases" DROP CONSTRAINT "staff_purchases_staff_fk";
--> statement-breakpoint
DROP INDEX "checkins_merchant_day_idx";--> statement-breakpoint
ALTER TABLE "lottery_draw_counts" ADD CONSTRAINT "lottery_draw_counts_lottery_fk" FOREIGN KEY ("merchant_id","lottery_id") REFERENCES "public"."lotteries"("merchant_id","id") ON DELETE no action ON UPDATE no action;