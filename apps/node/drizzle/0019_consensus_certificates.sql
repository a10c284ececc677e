CREATE TABLE "block_certificates" (
	"height" bigint PRIMARY KEY NOT NULL,
	"hash" "bytea" NOT NULL,
	"attempt" integer NOT NULL,
	"step" integer NOT NULL,
	"final" boolean NOT NULL,
	"certificate" "bytea" NOT NULL,
	"decided_at_ms" bigint NOT NULL
);
