-- trie_nodes: a hash index on the node hash instead of the primary key's B-tree (a row per (hash, height); see schema.ts).
ALTER TABLE "trie_nodes" DROP CONSTRAINT "trie_nodes_pkey";--> statement-breakpoint
CREATE INDEX "trie_nodes_hash_idx" ON "trie_nodes" USING hash ("hash");
