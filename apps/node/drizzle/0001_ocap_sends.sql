CREATE TABLE "ocap_sends" (
	"key" text PRIMARY KEY NOT NULL,
	"payload_hash" text NOT NULL,
	"result" jsonb NOT NULL,
	"at_ms" bigint NOT NULL
);
