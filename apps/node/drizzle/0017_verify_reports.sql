CREATE TABLE "verify_reports" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"verifier" text NOT NULL,
	"height" bigint NOT NULL,
	"state_root" "bytea" NOT NULL,
	"at_ms" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "verify_reports_latest_idx" ON "verify_reports" USING btree ("height" DESC NULLS LAST,"id" DESC NULLS LAST);