CREATE TABLE "trie_nodes" (
	"hash" "bytea" PRIMARY KEY NOT NULL,
	"node" "bytea" NOT NULL,
	"height" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "trie_stale" (
	"height" bigint PRIMARY KEY NOT NULL,
	"hashes" "bytea" NOT NULL
);
