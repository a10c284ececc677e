CREATE TABLE "applications" (
	"did" text PRIMARY KEY NOT NULL,
	"owner" text NOT NULL,
	"value" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "receipts" (
	"id" text PRIMARY KEY NOT NULL,
	"value" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stakes" (
	"did" text PRIMARY KEY NOT NULL,
	"value" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE INDEX "applications_owner_idx" ON "applications" USING btree ("owner","did");