CREATE TABLE "abuse_reports" (
	"id" text PRIMARY KEY NOT NULL,
	"component" text NOT NULL,
	"status" text NOT NULL,
	"created_height" bigint NOT NULL,
	"value" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "component_usage" (
	"component" text NOT NULL,
	"account" text NOT NULL,
	"value" "bytea" NOT NULL,
	CONSTRAINT "component_usage_component_account_pk" PRIMARY KEY("component","account")
);
--> statement-breakpoint
CREATE TABLE "component_versions" (
	"name" text NOT NULL,
	"version" text NOT NULL,
	"status" text NOT NULL,
	"published_height" bigint NOT NULL,
	"value" "bytea" NOT NULL,
	CONSTRAINT "component_versions_name_version_pk" PRIMARY KEY("name","version")
);
--> statement-breakpoint
CREATE TABLE "components" (
	"name" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"owner" text NOT NULL,
	"updated_height" bigint NOT NULL,
	"value" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reviews" (
	"component" text NOT NULL,
	"reviewer" text NOT NULL,
	"updated_height" bigint NOT NULL,
	"value" "bytea" NOT NULL,
	CONSTRAINT "reviews_component_reviewer_pk" PRIMARY KEY("component","reviewer")
);
--> statement-breakpoint
CREATE INDEX "abuse_reports_status_idx" ON "abuse_reports" USING btree ("status","created_height");--> statement-breakpoint
CREATE INDEX "components_owner_idx" ON "components" USING btree ("owner","name");--> statement-breakpoint
CREATE INDEX "reviews_reviewer_idx" ON "reviews" USING btree ("reviewer","component");