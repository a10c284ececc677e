import type { Sql } from './client.ts';
import { PeriodicPass } from './periodic.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * How long the node keeps the records that grow with traffic. 0 days keeps a table forever.
 * Usage records (blocklet_usage) are billing data and are never pruned.
 */
export interface RetentionOptions {
  logsDays: number;
  invocationsDays: number;
  rejectedTxsDays: number;
  /** Rows one DELETE removes at most: a pass never holds a long lock or writes one huge transaction. */
  batchRowsMax: number;
  /** Batches one pass runs at most per table; what is left waits for the next pass. */
  batchesPerPassMax: number;
  /** Time between passes. */
  intervalMs: number;
}

export const RETENTION_DEFAULTS: RetentionOptions = {
  logsDays: 14,
  invocationsDays: 30,
  rejectedTxsDays: 30,
  batchRowsMax: 1000,
  batchesPerPassMax: 50,
  intervalMs: 10 * 60 * 1000,
};

/** The pruned tables: each has an `at_ms` time column (indexed) and a key to delete by. */
const PRUNED = [
  { table: 'blocklet_logs', key: 'id', days: (o: RetentionOptions) => o.logsDays },
  { table: 'blocklet_invocations', key: 'id', days: (o: RetentionOptions) => o.invocationsDays },
  { table: 'rejected_txs', key: 'hash', days: (o: RetentionOptions) => o.rejectedTxsDays },
] as const;

export type PrunedTable = (typeof PRUNED)[number]['table'];

export interface PassResult {
  /** Rows deleted per table. */
  deleted: Record<PrunedTable, number>;
  /** DELETE statements run per table (each removed at most batchRowsMax rows). */
  batches: Record<PrunedTable, number>;
}

/**
 * One pruning pass: for each table, deletes rows older than its retention in batches of at most
 * batchRowsMax (oldest first), at most batchesPerPassMax batches. Each batch is its own statement, so
 * block commits interleave with a long prune.
 */
export async function prunePass(db: Sql, options: RetentionOptions, nowMs: number): Promise<PassResult> {
  const result: PassResult = {
    deleted: { blocklet_logs: 0, blocklet_invocations: 0, rejected_txs: 0 },
    batches: { blocklet_logs: 0, blocklet_invocations: 0, rejected_txs: 0 },
  };
  for (const { table, key, days } of PRUNED) {
    if (days(options) === 0) continue;
    const cutoffMs = nowMs - days(options) * DAY_MS;
    for (let batch = 0; batch < options.batchesPerPassMax; batch++) {
      const rows = await db.query<{ n: number }>(
        `WITH doomed AS (SELECT ${key} FROM ${table} WHERE at_ms < $1 ORDER BY at_ms LIMIT $2)
         DELETE FROM ${table} WHERE ${key} IN (SELECT ${key} FROM doomed) RETURNING 1 AS n`,
        [cutoffMs, options.batchRowsMax],
      );
      result.batches[table]++;
      result.deleted[table] += rows.length;
      if (rows.length < options.batchRowsMax) break;
    }
  }
  return result;
}

/** Runs a pruning pass every intervalMs (the first one interval after start). */
export class RetentionJob {
  readonly #periodic: PeriodicPass;

  constructor(
    private readonly db: Sql,
    private readonly options: RetentionOptions,
    private readonly now: () => number,
    private readonly log: (line: string) => void,
  ) {
    this.#periodic = new PeriodicPass(options.intervalMs, () => this.pass());
  }

  start(): void {
    this.#periodic.start();
  }

  /** Stops scheduling and waits for a pass in progress (between batches it is short). */
  async stop(): Promise<void> {
    await this.#periodic.stop();
  }

  private async pass(): Promise<void> {
    try {
      const { deleted } = await prunePass(this.db, this.options, this.now());
      const total = deleted.blocklet_logs + deleted.blocklet_invocations + deleted.rejected_txs;
      if (total > 0) {
        this.log(
          `retention: pruned ${deleted.blocklet_logs} logs, ${deleted.blocklet_invocations} invocations, ${deleted.rejected_txs} rejected transactions`,
        );
      }
    } catch (error) {
      // Nothing is lost by a failed prune (the rows stay); the next pass tries again.
      this.log(`retention: the pruning pass failed (${(error as Error).message}); retrying in ${this.options.intervalMs} ms`);
    }
  }
}
