CREATE TABLE "bridge_checkpoints" (
	"name" text PRIMARY KEY NOT NULL,
	"value" jsonb NOT NULL,
	"updated_at_ms" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "bridge_transfers" (
	"seq" bigserial NOT NULL,
	"direction" text NOT NULL,
	"source_id" text NOT NULL,
	"amount" numeric(78, 0) NOT NULL,
	"from_account" text NOT NULL,
	"to_account" text NOT NULL,
	"status" text NOT NULL,
	"reason" text,
	"eth_tx_hash" text,
	"eth_block" bigint,
	"ledger_tx_hash" text,
	"confirmations" integer DEFAULT 0 NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"created_at_ms" bigint NOT NULL,
	"updated_at_ms" bigint NOT NULL,
	CONSTRAINT "bridge_transfers_direction_source_id_pk" PRIMARY KEY("direction","source_id")
);
--> statement-breakpoint
CREATE UNIQUE INDEX "bridge_transfers_seq_idx" ON "bridge_transfers" USING btree ("seq");--> statement-breakpoint
CREATE INDEX "bridge_transfers_status_idx" ON "bridge_transfers" USING btree ("status","seq");--> statement-breakpoint
CREATE INDEX "bridge_transfers_from_idx" ON "bridge_transfers" USING btree ("from_account","seq");--> statement-breakpoint
CREATE INDEX "bridge_transfers_to_idx" ON "bridge_transfers" USING btree ("to_account","seq");