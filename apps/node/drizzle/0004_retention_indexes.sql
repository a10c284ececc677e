CREATE INDEX "rejected_txs_at_idx" ON "rejected_txs" USING btree ("at_ms");--> statement-breakpoint
CREATE INDEX "blocklet_invocations_at_idx" ON "blocklet_invocations" USING btree ("at_ms");--> statement-breakpoint
CREATE INDEX "blocklet_logs_at_idx" ON "blocklet_logs" USING btree ("at_ms");