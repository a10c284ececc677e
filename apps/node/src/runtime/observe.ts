import type { Sql } from '../db/client.ts';

/** A blocklet's log lines, newest first, one page (cursor = the id to continue below). */
export async function readLogs(db: Sql, name: string, cursor: string | undefined, limit: number) {
  const rows = await db.query<{
    id: string;
    version: string;
    invocation_id: string;
    level: 'info' | 'warn' | 'error';
    message: string;
    at_ms: number;
  }>(
    `SELECT id::text AS id, version, invocation_id, level, message, at_ms::float8 AS at_ms FROM blocklet_logs
     WHERE name = $1 AND ($2::bigint IS NULL OR id < $2::bigint) ORDER BY id DESC LIMIT $3`,
    [name, cursor ?? null, limit + 1],
  );
  const page = rows.slice(0, limit);
  return {
    items: page.map((r) => ({
      id: r.id,
      version: r.version,
      invocationId: r.invocation_id,
      level: r.level,
      message: r.message,
      atMs: r.at_ms,
    })),
    nextCursor: rows.length > limit ? (page[page.length - 1]?.id ?? null) : null,
  };
}

/** Per version since a time: invocations, errors, duration p50/p99 (ms), CPU ms. */
export async function readMetrics(db: Sql, name: string, sinceMs: number) {
  const rows = await db.query<{
    version: string;
    invocations: number;
    errors: number;
    p50: number | null;
    p99: number | null;
    cpu: number;
  }>(
    `SELECT version, count(*)::int AS invocations, count(*) FILTER (WHERE NOT ok)::int AS errors,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY wall_ms) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY wall_ms) AS p99,
            coalesce(sum(cpu_ms), 0)::float8 AS cpu
     FROM blocklet_invocations WHERE name = $1 AND at_ms >= $2 GROUP BY version ORDER BY max(at_ms) DESC`,
    [name, sinceMs],
  );
  return rows.map((r) => ({ version: r.version, invocations: r.invocations, errors: r.errors, p50Ms: r.p50, p99Ms: r.p99, cpuMs: r.cpu }));
}

/** Metered usage records (per blocklet version per hour) from a period on, optionally of one blocklet. */
export async function readUsage(db: Sql, name: string | undefined, fromPeriodMs: number) {
  const rows = await db.query<{
    name: string;
    version: string;
    period_start_ms: number;
    invocations: number;
    errors: number;
    cpu_ms: number;
    wall_ms: number;
    memory_mb_ms: number;
  }>(
    `SELECT name, version, period_start_ms::float8 AS period_start_ms, invocations, errors, cpu_ms, wall_ms, memory_mb_ms
     FROM blocklet_usage WHERE ($1::text IS NULL OR name = $1) AND period_start_ms >= $2 ORDER BY period_start_ms DESC, name, version LIMIT 1000`,
    [name ?? null, fromPeriodMs],
  );
  return rows.map((r) => ({
    name: r.name,
    version: r.version,
    periodStartMs: r.period_start_ms,
    invocations: r.invocations,
    errors: r.errors,
    cpuMs: r.cpu_ms,
    wallMs: r.wall_ms,
    memoryMbMs: r.memory_mb_ms,
  }));
}
