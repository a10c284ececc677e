CREATE TABLE "blocklet_aliases" (
	"name" text NOT NULL,
	"alias" text NOT NULL,
	"version" text NOT NULL,
	"share_bps" integer NOT NULL,
	"updated_at_ms" bigint NOT NULL,
	CONSTRAINT "blocklet_aliases_name_alias_pk" PRIMARY KEY("name","alias")
);
--> statement-breakpoint
CREATE TABLE "blocklet_bundles" (
	"hash" text PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"bytes" integer NOT NULL,
	"created_at_ms" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "blocklet_dedup" (
	"name" text NOT NULL,
	"dedup_key" text NOT NULL,
	"at_ms" bigint NOT NULL,
	CONSTRAINT "blocklet_dedup_name_dedup_key_pk" PRIMARY KEY("name","dedup_key")
);
--> statement-breakpoint
CREATE TABLE "blocklet_env" (
	"name" text NOT NULL,
	"key" text NOT NULL,
	"value" text NOT NULL,
	"secure" boolean NOT NULL,
	"updated_at_ms" bigint NOT NULL,
	CONSTRAINT "blocklet_env_name_key_pk" PRIMARY KEY("name","key")
);
--> statement-breakpoint
CREATE TABLE "blocklet_index_meta" (
	"id" integer PRIMARY KEY NOT NULL,
	"height" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "blocklet_invocations" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"version" text NOT NULL,
	"trigger" text NOT NULL,
	"ok" boolean NOT NULL,
	"error_code" text,
	"cpu_ms" double precision NOT NULL,
	"wall_ms" double precision NOT NULL,
	"memory_bytes" bigint NOT NULL,
	"at_ms" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "blocklet_kv" (
	"name" text NOT NULL,
	"key" text NOT NULL,
	"value" jsonb NOT NULL,
	"updated_at_ms" bigint NOT NULL,
	CONSTRAINT "blocklet_kv_name_key_pk" PRIMARY KEY("name","key")
);
--> statement-breakpoint
CREATE TABLE "blocklet_logs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"version" text NOT NULL,
	"invocation_id" text NOT NULL,
	"level" text NOT NULL,
	"message" text NOT NULL,
	"at_ms" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "blocklet_manifests" (
	"hash" text PRIMARY KEY NOT NULL,
	"manifest" jsonb NOT NULL,
	"created_at_ms" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "blocklet_trigger_state" (
	"name" text NOT NULL,
	"trigger_id" text NOT NULL,
	"checkpoint" jsonb,
	"updated_at_ms" bigint NOT NULL,
	CONSTRAINT "blocklet_trigger_state_name_trigger_id_pk" PRIMARY KEY("name","trigger_id")
);
--> statement-breakpoint
CREATE TABLE "blocklet_usage" (
	"name" text NOT NULL,
	"version" text NOT NULL,
	"period_start_ms" bigint NOT NULL,
	"invocations" integer NOT NULL,
	"errors" integer NOT NULL,
	"cpu_ms" double precision NOT NULL,
	"wall_ms" double precision NOT NULL,
	"memory_mb_ms" double precision NOT NULL,
	CONSTRAINT "blocklet_usage_name_version_period_start_ms_pk" PRIMARY KEY("name","version","period_start_ms")
);
--> statement-breakpoint
CREATE TABLE "blocklet_versions" (
	"name" text NOT NULL,
	"version" text NOT NULL,
	"owner" text NOT NULL,
	"manifest_hash" text NOT NULL,
	"bundle_hash" text NOT NULL,
	"tx_hash" text NOT NULL,
	"height" bigint NOT NULL,
	"deployed_at_ms" bigint NOT NULL,
	CONSTRAINT "blocklet_versions_name_version_pk" PRIMARY KEY("name","version")
);
--> statement-breakpoint
CREATE TABLE "blocklets" (
	"name" text PRIMARY KEY NOT NULL,
	"owner" text NOT NULL,
	"created_height" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "blocklet_invocations_name_idx" ON "blocklet_invocations" USING btree ("name","version","at_ms");--> statement-breakpoint
CREATE INDEX "blocklet_logs_name_idx" ON "blocklet_logs" USING btree ("name","id");--> statement-breakpoint
CREATE INDEX "blocklet_versions_height_idx" ON "blocklet_versions" USING btree ("name","height");