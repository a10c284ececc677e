CREATE TABLE "blocklet_executions" (
	"name" text NOT NULL,
	"dedup_key" text NOT NULL,
	"executor_did" text NOT NULL,
	"priority_hex" text NOT NULL,
	"outcome" text NOT NULL,
	"output_digest" text NOT NULL,
	"accepted_at_ms" bigint NOT NULL,
	CONSTRAINT "blocklet_executions_name_dedup_key_pk" PRIMARY KEY("name","dedup_key")
);
--> statement-breakpoint
CREATE INDEX "blocklet_executions_accepted_idx" ON "blocklet_executions" USING btree ("name","accepted_at_ms");