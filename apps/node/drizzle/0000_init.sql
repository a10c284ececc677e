CREATE TABLE "faucet_claims" (
	"idempotency_key" text PRIMARY KEY NOT NULL,
	"did" text NOT NULL,
	"tx_hash" text NOT NULL,
	"at_ms" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "accounts" (
	"did" text PRIMARY KEY NOT NULL,
	"nonce" bigint NOT NULL,
	"balance" numeric(78, 0) NOT NULL,
	"value" "bytea" NOT NULL,
	"updated_height" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "assets" (
	"address" text PRIMARY KEY NOT NULL,
	"owner" text NOT NULL,
	"consumed" boolean NOT NULL,
	"updated_height" bigint NOT NULL,
	"value" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "blocks" (
	"height" bigint PRIMARY KEY NOT NULL,
	"hash" "bytea" NOT NULL,
	"prev_hash" "bytea" NOT NULL,
	"time_ms" bigint NOT NULL,
	"proposer" text NOT NULL,
	"tx_root" "bytea" NOT NULL,
	"state_root" "bytea" NOT NULL,
	"tx_count" integer NOT NULL,
	"header" "bytea" NOT NULL,
	"seal" "bytea" NOT NULL,
	"certificate" "bytea"
);
--> statement-breakpoint
CREATE TABLE "chain_meta" (
	"key" text PRIMARY KEY NOT NULL,
	"value" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "grants" (
	"payer" text NOT NULL,
	"grantee" text NOT NULL,
	"value" "bytea" NOT NULL,
	CONSTRAINT "grants_payer_grantee_pk" PRIMARY KEY("payer","grantee")
);
--> statement-breakpoint
CREATE TABLE "rejected_txs" (
	"hash" "bytea" PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"message" text NOT NULL,
	"at_ms" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tokens" (
	"address" text PRIMARY KEY NOT NULL,
	"symbol" text NOT NULL,
	"owner" text NOT NULL,
	"created_height" bigint NOT NULL,
	"value" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tx_accounts" (
	"did" text NOT NULL,
	"height" bigint NOT NULL,
	"idx" integer NOT NULL,
	CONSTRAINT "tx_accounts_did_height_idx_pk" PRIMARY KEY("did","height","idx")
);
--> statement-breakpoint
CREATE TABLE "txs" (
	"hash" "bytea" PRIMARY KEY NOT NULL,
	"height" bigint NOT NULL,
	"idx" integer NOT NULL,
	"from_did" text NOT NULL,
	"nonce" bigint NOT NULL,
	"type" text NOT NULL,
	"fee" numeric(78, 0) NOT NULL,
	"fee_payer" text,
	"accounts" text[] NOT NULL,
	"bytes" "bytea" NOT NULL,
	"events" json NOT NULL
);
--> statement-breakpoint
CREATE INDEX "faucet_claims_did_idx" ON "faucet_claims" USING btree ("did","at_ms");--> statement-breakpoint
CREATE INDEX "assets_owner_idx" ON "assets" USING btree ("owner","address");--> statement-breakpoint
CREATE UNIQUE INDEX "blocks_hash_idx" ON "blocks" USING btree ("hash");--> statement-breakpoint
CREATE UNIQUE INDEX "tokens_symbol_idx" ON "tokens" USING btree ("symbol");--> statement-breakpoint
CREATE UNIQUE INDEX "txs_position_idx" ON "txs" USING btree ("height","idx");