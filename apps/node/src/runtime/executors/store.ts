import type { Sql } from '../../db/client.ts';

/** One accepted execution of a chain-event invocation (a row of blocklet_executions). */
export interface Execution {
  name: string;
  dedupKey: string;
  executorDid: string;
  priorityHex: string;
  /** 'ok', or the failed invocation's error code. */
  outcome: string;
  outputDigest: string;
  acceptedAtMs: number;
}

/** Where accepted executions go: the database on a node, memory in a test. */
export interface ExecutionStore {
  record(execution: Execution): Promise<void>;
}

/** The most rows one read of the executions returns. */
export const EXECUTIONS_PAGE_MAX = 200;

/**
 * The node's table. A second report of the same executor (a retry that ended otherwise) updates the row; a report
 * of another executor never replaces it, so what this node accepted first stays, also across restarts.
 */
export function sqlExecutionStore(db: Sql): ExecutionStore {
  return {
    async record(e) {
      await db.query(
        `INSERT INTO blocklet_executions (name, dedup_key, executor_did, priority_hex, outcome, output_digest, accepted_at_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (name, dedup_key) DO UPDATE
           SET outcome = EXCLUDED.outcome, output_digest = EXCLUDED.output_digest, accepted_at_ms = EXCLUDED.accepted_at_ms
           WHERE blocklet_executions.executor_did = EXCLUDED.executor_did`,
        [e.name, e.dedupKey, e.executorDid, e.priorityHex, e.outcome, e.outputDigest, e.acceptedAtMs],
      );
    },
  };
}

/** A blocklet's accepted executions, newest first (at most EXECUTIONS_PAGE_MAX). */
export async function recentExecutions(db: Sql, name: string, limit: number): Promise<Execution[]> {
  return db.query<Execution>(
    `SELECT name, dedup_key AS "dedupKey", executor_did AS "executorDid", priority_hex AS "priorityHex", outcome,
            output_digest AS "outputDigest", accepted_at_ms::float8 AS "acceptedAtMs"
       FROM blocklet_executions WHERE name = $1 ORDER BY accepted_at_ms DESC LIMIT $2`,
    [name, Math.max(1, Math.min(EXECUTIONS_PAGE_MAX, Math.floor(limit)))],
  );
}
