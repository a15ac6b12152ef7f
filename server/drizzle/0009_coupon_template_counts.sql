-- Coupon templates stop being hot rows. An unlimited template no longer counts its coupons in `issued`
-- (every issuer held its row lock to COMMIT); its coupons are counted on read, by the new index.
-- `issued` stays the stock counter of limited templates and is 0, unused, on unlimited ones. The
-- coupons -> template foreign key goes too: its check locked (KEY SHARE, a MultiXact under
-- concurrency) the one row every issuer of a popular coupon shares; templates are never deleted.
ALTER TABLE "coupons" DROP CONSTRAINT "coupons_template_fk";
--> statement-breakpoint
CREATE INDEX "coupons_merchant_template_idx" ON "coupons" USING btree ("merchant_id","template_id");
--> statement-breakpoint
UPDATE "coupon_templates" SET "issued" = 0 WHERE "total_stock" IS NULL AND "issued" <> 0;
