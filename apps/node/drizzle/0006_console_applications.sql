CREATE TABLE "console_applications" (
	"app_did" text PRIMARY KEY NOT NULL,
	"owner_did" text NOT NULL,
	"name" text NOT NULL,
	"signed_at_ms" bigint NOT NULL,
	"owner_public_key" text NOT NULL,
	"owner_signature" text NOT NULL,
	"app_public_key" text NOT NULL,
	"app_signature" text NOT NULL,
	"created_at_ms" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "console_applications_owner_idx" ON "console_applications" USING btree ("owner_did","created_at_ms");