CREATE TABLE "market_words" (
	"word" text PRIMARY KEY NOT NULL
);
--> statement-breakpoint
DROP INDEX "market_components_name_trgm_idx";--> statement-breakpoint
DROP INDEX "market_components_description_trgm_idx";--> statement-breakpoint
DROP INDEX "market_components_rank_idx";--> statement-breakpoint
DROP INDEX "market_components_used_idx";--> statement-breakpoint
DROP INDEX "market_components_newest_idx";--> statement-breakpoint
ALTER TABLE "market_index_meta" ADD COLUMN "ranks_computed_at_ms" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "market_words_trgm_idx" ON "market_words" USING gist ("word" gist_trgm_ops);--> statement-breakpoint
CREATE INDEX "market_components_name_gist_idx" ON "market_components" USING gist ("name" gist_trgm_ops);--> statement-breakpoint
CREATE INDEX "market_components_rated_idx" ON "market_components" USING btree ((coalesce("rating_average", 0)) DESC NULLS LAST,"name");--> statement-breakpoint
CREATE INDEX "market_components_rank_idx" ON "market_components" USING btree ("rank_score" DESC NULLS LAST,"name");--> statement-breakpoint
CREATE INDEX "market_components_used_idx" ON "market_components" USING btree ("calls_30d" DESC NULLS LAST,"name");--> statement-breakpoint
CREATE INDEX "market_components_newest_idx" ON "market_components" USING btree ("updated_at_ms" DESC NULLS LAST,"name");--> statement-breakpoint
ALTER TABLE "market_components" DROP COLUMN "rank_computed_at_ms";--> statement-breakpoint
-- The vocabulary of the components already indexed (the indexer keeps it from here on): market/projection.ts wordsSql.
INSERT INTO "market_words" ("word")
SELECT DISTINCT w FROM "market_components" c,
  unnest(tsvector_to_array(to_tsvector('simple', replace(c.name, '-', ' ') || ' ' || c.description || ' ' || array_to_string(c.categories, ' ')
    || ' ' || coalesce((SELECT t.text FROM "market_texts" t WHERE t.hash = c.readme_hash), '')))) AS w
WHERE w ~ '^[[:alpha:]]{3,32}$'
ON CONFLICT DO NOTHING;
