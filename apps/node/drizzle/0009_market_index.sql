CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE TABLE "market_account_usage" (
	"component" text NOT NULL,
	"account" text NOT NULL,
	"calls" bigint NOT NULL,
	"installs" integer NOT NULL,
	"paid" numeric(78, 0) NOT NULL,
	CONSTRAINT "market_account_usage_component_account_pk" PRIMARY KEY("component","account")
);
--> statement-breakpoint
CREATE TABLE "market_components" (
	"name" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"owner" text NOT NULL,
	"owner_moniker" text NOT NULL,
	"publisher" text NOT NULL,
	"description" text NOT NULL,
	"latest_version" text NOT NULL,
	"categories" text[] NOT NULL,
	"chains" text[] NOT NULL,
	"price_model" text NOT NULL,
	"price_amount" numeric(78, 0) NOT NULL,
	"stake" numeric(78, 0) NOT NULL,
	"manifest_hash" text NOT NULL,
	"bundle_hash" text NOT NULL,
	"readme_hash" text NOT NULL,
	"beneficiaries" jsonb NOT NULL,
	"deprecated" boolean NOT NULL,
	"created_height" bigint NOT NULL,
	"published_at_ms" bigint NOT NULL,
	"updated_at_ms" bigint NOT NULL,
	"rating_average" double precision,
	"rating_count" integer DEFAULT 0 NOT NULL,
	"calls_30d" bigint DEFAULT 0 NOT NULL,
	"installs" integer DEFAULT 0 NOT NULL,
	"upheld_reports" integer DEFAULT 0 NOT NULL,
	"verified_publisher" boolean DEFAULT false NOT NULL,
	"rank_score" double precision DEFAULT 0 NOT NULL,
	"rank_parts" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"rank_computed_at_ms" bigint DEFAULT 0 NOT NULL,
	"document" "tsvector" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "market_index_meta" (
	"id" integer PRIMARY KEY NOT NULL,
	"height" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "market_installs" (
	"application" text NOT NULL,
	"component" text NOT NULL,
	"version" text NOT NULL,
	"blocklet" text NOT NULL,
	"account" text NOT NULL,
	"tx_hash" text NOT NULL,
	"installed_at_ms" bigint NOT NULL,
	CONSTRAINT "market_installs_application_component_pk" PRIMARY KEY("application","component")
);
--> statement-breakpoint
CREATE TABLE "market_pending_usage" (
	"component" text NOT NULL,
	"application" text NOT NULL,
	"account" text NOT NULL,
	"day" integer NOT NULL,
	"calls" bigint NOT NULL,
	"installs" integer DEFAULT 0 NOT NULL,
	"inflight" bigint DEFAULT 0 NOT NULL,
	"inflight_installs" integer DEFAULT 0 NOT NULL,
	"inflight_tx" text,
	CONSTRAINT "market_pending_usage_component_application_account_day_pk" PRIMARY KEY("component","application","account","day")
);
--> statement-breakpoint
CREATE TABLE "market_reports" (
	"id" text PRIMARY KEY NOT NULL,
	"component" text NOT NULL,
	"reviewer" text NOT NULL,
	"status" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "market_reviews" (
	"component" text NOT NULL,
	"reviewer" text NOT NULL,
	"stars" integer NOT NULL,
	"text_hash" text NOT NULL,
	"revision" integer NOT NULL,
	"created_at_ms" bigint NOT NULL,
	"updated_at_ms" bigint NOT NULL,
	"hidden" boolean NOT NULL,
	"reply_hash" text,
	"reply_at_ms" bigint,
	"tx_hash" text NOT NULL,
	CONSTRAINT "market_reviews_component_reviewer_pk" PRIMARY KEY("component","reviewer")
);
--> statement-breakpoint
CREATE TABLE "market_texts" (
	"hash" text PRIMARY KEY NOT NULL,
	"text" text NOT NULL,
	"purpose" text NOT NULL,
	"bytes" integer NOT NULL,
	"created_at_ms" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "market_usage_daily" (
	"component" text NOT NULL,
	"application" text NOT NULL,
	"day" integer NOT NULL,
	"account" text NOT NULL,
	"calls" bigint NOT NULL,
	"installs" integer NOT NULL,
	"paid" numeric(78, 0) NOT NULL,
	CONSTRAINT "market_usage_daily_component_application_day_pk" PRIMARY KEY("component","application","day")
);
--> statement-breakpoint
CREATE TABLE "market_versions" (
	"name" text NOT NULL,
	"version" text NOT NULL,
	"release_notes" text NOT NULL,
	"manifest_hash" text NOT NULL,
	"bundle_hash" text NOT NULL,
	"readme_hash" text NOT NULL,
	"published_by" text NOT NULL,
	"published_at_ms" bigint NOT NULL,
	"height" bigint NOT NULL,
	"tx_hash" text NOT NULL,
	"status" text NOT NULL,
	"status_reason" text NOT NULL,
	CONSTRAINT "market_versions_name_version_pk" PRIMARY KEY("name","version")
);
--> statement-breakpoint
CREATE INDEX "market_components_document_idx" ON "market_components" USING gin ("document");--> statement-breakpoint
CREATE INDEX "market_components_name_trgm_idx" ON "market_components" USING gin ("name" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "market_components_description_trgm_idx" ON "market_components" USING gin ("description" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "market_components_rank_idx" ON "market_components" USING btree ("rank_score","name");--> statement-breakpoint
CREATE INDEX "market_components_used_idx" ON "market_components" USING btree ("calls_30d","name");--> statement-breakpoint
CREATE INDEX "market_components_newest_idx" ON "market_components" USING btree ("updated_at_ms","name");--> statement-breakpoint
CREATE INDEX "market_components_owner_idx" ON "market_components" USING btree ("owner","name");--> statement-breakpoint
CREATE INDEX "market_components_readme_idx" ON "market_components" USING btree ("readme_hash");--> statement-breakpoint
CREATE INDEX "market_installs_blocklet_idx" ON "market_installs" USING btree ("blocklet");--> statement-breakpoint
CREATE INDEX "market_reports_component_idx" ON "market_reports" USING btree ("component","status");--> statement-breakpoint
CREATE INDEX "market_reviews_page_idx" ON "market_reviews" USING btree ("component","updated_at_ms","reviewer");--> statement-breakpoint
CREATE INDEX "market_usage_daily_day_idx" ON "market_usage_daily" USING btree ("day","component");--> statement-breakpoint
CREATE INDEX "market_versions_height_idx" ON "market_versions" USING btree ("name","height");