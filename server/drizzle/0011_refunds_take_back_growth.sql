-- Refunds take back growth, in proportion, as they take back points: growth entries may be negative
-- (reason `refund`, always after the credit they reverse, so the running total never drops below zero
-- and membership_add_growth's "lifetime >= any 12-month window" shortcut (0010) still holds); orders
-- record the growth they credited and how much refunds took back. Orders paid before this change get
-- their growth from the entry their payment wrote.
ALTER TABLE "growth_entries" DROP CONSTRAINT "growth_entries_amount_ck";--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "growth_earned" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "growth_clawed" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_growth_ck" CHECK ("orders"."growth_earned" >= 0 and "orders"."growth_clawed" >= 0 and "orders"."growth_clawed" <= "orders"."growth_earned");--> statement-breakpoint
ALTER TABLE "growth_entries" ADD CONSTRAINT "growth_entries_amount_ck" CHECK ("growth_entries"."amount" > 0 or ("growth_entries"."amount" < 0 and "growth_entries"."reason" = 'refund'));
--> statement-breakpoint
UPDATE "orders" o SET "growth_earned" = g."amount"
FROM "growth_entries" g
WHERE g."merchant_id" = o."merchant_id" AND g."source_type" = 'order' AND g."source_id" = o."id"::text AND g."amount" > 0;
