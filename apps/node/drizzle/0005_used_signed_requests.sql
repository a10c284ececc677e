CREATE TABLE "used_signed_requests" (
	"request_hash" text PRIMARY KEY NOT NULL,
	"expires_at_ms" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "used_signed_requests_expiry_idx" ON "used_signed_requests" USING btree ("expires_at_ms");