ALTER TABLE "txs" ADD COLUMN "failed_code" text;--> statement-breakpoint
ALTER TABLE "txs" ADD COLUMN "failed_message" text;