CREATE TABLE "gateway_api_keys" (
	"key_id" text PRIMARY KEY NOT NULL,
	"secret_hash" text NOT NULL,
	"app_did" text NOT NULL,
	"created_at_ms" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "gateway_sessions" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"did" text NOT NULL,
	"created_at_ms" bigint NOT NULL,
	"expires_at_ms" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "gateway_topic_rules" (
	"app_did" text NOT NULL,
	"name" text NOT NULL,
	"publish" text NOT NULL,
	"subscribe" text NOT NULL,
	"updated_at_ms" bigint NOT NULL,
	CONSTRAINT "gateway_topic_rules_app_did_name_pk" PRIMARY KEY("app_did","name")
);
--> statement-breakpoint
CREATE INDEX "gateway_sessions_expiry_idx" ON "gateway_sessions" USING btree ("expires_at_ms");