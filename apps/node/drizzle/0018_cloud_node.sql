CREATE TABLE "block_producers" (
	"height" bigint PRIMARY KEY NOT NULL,
	"holder" text NOT NULL,
	"epoch" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lease_history" (
	"epoch" bigint PRIMARY KEY NOT NULL,
	"holder" text NOT NULL,
	"previous" text,
	"height" bigint NOT NULL,
	"taken_at_ms" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "node_lease" (
	"name" text PRIMARY KEY NOT NULL,
	"holder" text NOT NULL,
	"epoch" bigint NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"taken_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "node_processes" (
	"id" text PRIMARY KEY NOT NULL,
	"url" text NOT NULL,
	"host" text NOT NULL,
	"pid" integer NOT NULL,
	"started_at_ms" bigint NOT NULL,
	"seen_at_ms" bigint NOT NULL,
	"height" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tx_queue" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"hash" "bytea" NOT NULL,
	"sender" text NOT NULL,
	"nonce" bigint NOT NULL,
	"bytes" "bytea" NOT NULL,
	"admitted_at_ms" bigint NOT NULL,
	"taken_epoch" bigint
);
--> statement-breakpoint
CREATE INDEX "lease_history_taken_idx" ON "lease_history" USING btree ("taken_at_ms");--> statement-breakpoint
CREATE UNIQUE INDEX "tx_queue_hash_idx" ON "tx_queue" USING btree ("hash");--> statement-breakpoint
CREATE UNIQUE INDEX "tx_queue_sender_nonce_idx" ON "tx_queue" USING btree ("sender","nonce");