import type { Database, Sql } from '../db/client.ts';
import { runAsOne, type Statement, statement } from '../db/statements.ts';
import { type LogLine, storableText } from './host.ts';

/** One finished invocation's durable effects: its kv writes (when it succeeded), metering and logs. */
export interface InvocationRecord {
  invocationId: string;
  name: string;
  version: string;
  trigger: string;
  ok: boolean;
  errorCode: string | null;
  cpuMs: number;
  wallMs: number;
  memoryBytes: number;
  atMs: number;
  periodStartMs: number;
  /** Keys to set (a value) or delete (undefined); empty for a failed invocation. */
  kv: Map<string, unknown | undefined>;
  logs: LogLine[];
}

/** What metering adds to a batch's writes: statements over its invocations (the marketplace's and the economy's counts). */
export type InvocationMeter = (invocations: { name: string; atMs: number; cpuMs: number }[]) => Statement[];

/** Most invocations written in one database transaction. */
export const GROUP_COMMIT_MAX = 500;

/** The error code of an invocation whose effects the database refused (recorded and billed without them). */
export const EFFECTS_REJECTED = 'EFFECTS_REJECTED';

/**
 * How a record was stored: whole, or — when the database refused it even alone — as a failed invocation without
 * its kv writes, with its logs made storable and a line saying why (`reason`), still metered and billed.
 */
export type WriteOutcome = { stored: 'whole' } | { stored: 'without-effects'; reason: string };

/** The record as a failed invocation without its writes: what is kept when the database refuses the record. */
export function withoutEffects(record: InvocationRecord, reason: string): InvocationRecord {
  return {
    ...record,
    ok: false,
    errorCode: EFFECTS_REJECTED,
    kv: new Map(),
    logs: [
      ...record.logs.map((line) => ({ ...line, message: storableText(line.message) })),
      {
        level: 'error',
        message: storableText(`${EFFECTS_REJECTED}: the database refused this invocation's effects: ${reason}`),
        atMs: record.atMs,
      },
    ],
  };
}

/**
 * Group commit: every invocation waits until its record is durable, but records that arrive while a write is
 * in flight go together in the next write. One commit then serves many invocations, so throughput is
 * not bound by one fsync per call, and no call is answered before its effects are stored. A batch is one
 * statement (atomic); when the database refuses it, each record is written alone in a statement of its own, so one bad
 * record never costs another its writes, and a record refused alone is stored without its effects (so its
 * usage is still billed) and its caller told so. Only when that fails too (the database is down) does a call
 * get the error.
 */
export class GroupCommitter {
  #queue: { record: InvocationRecord; resolve: (outcome: WriteOutcome) => void; reject: (error: unknown) => void }[] = [];
  #writing = false;

  constructor(
    readonly db: Database,
    /** Also counts the batch's invocations in the same statement (the marketplace's and the economy's usage). */
    readonly meter?: InvocationMeter,
  ) {}

  write(record: InvocationRecord): Promise<WriteOutcome> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ record, resolve, reject });
      if (!this.#writing) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#writing = true;
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, GROUP_COMMIT_MAX);
      try {
        await writeBatch(
          this.db,
          batch.map((b) => b.record),
          this.meter,
        );
        for (const item of batch) item.resolve({ stored: 'whole' });
      } catch (batchError) {
        // In completion order, so the last write of a kv key still wins.
        for (const item of batch) await this.#writeAlone(item, batch.length === 1 ? batchError : null);
      }
    }
    this.#writing = false;
  }

  async #writeAlone(
    item: { record: InvocationRecord; resolve: (outcome: WriteOutcome) => void; reject: (error: unknown) => void },
    alreadyFailed: unknown,
  ): Promise<void> {
    let refusal: unknown = alreadyFailed;
    if (refusal === null) {
      try {
        await writeBatch(this.db, [item.record], this.meter);
        item.resolve({ stored: 'whole' });
        return;
      } catch (error) {
        refusal = error;
      }
    }
    const reason = (refusal as Error).message ?? String(refusal);
    try {
      await writeBatch(this.db, [withoutEffects(item.record, reason)]);
      item.resolve({ stored: 'without-effects', reason });
    } catch (error) {
      item.reject(error);
    }
  }
}

/**
 * A batch's writes, sent as one statement (db/statements.ts): one round trip, atomic without BEGIN and COMMIT. Its
 * transaction is then open for as long as the database takes to run it, not while a busy node process gets round to
 * its next statement (sampled under several processes, that wait was most of a batch's time).
 */
async function writeBatch(db: Sql, records: InvocationRecord[], meter?: InvocationMeter): Promise<void> {
  const parts: Statement[] = meter ? meter(records.map((r) => ({ name: r.name, atMs: r.atMs, cpuMs: r.cpuMs }))) : [];
  // kv: the last write of a key in the batch wins (records are in completion order).
  const kv = new Map<string, { name: string; key: string; value: unknown | undefined; atMs: number }>();
  for (const r of records)
    if (r.ok) for (const [key, value] of r.kv) kv.set(`${r.name}\u0000${key}`, { name: r.name, key, value, atMs: r.atMs });
  const sets = [...kv.values()].filter((w) => w.value !== undefined);
  const deletes = [...kv.values()].filter((w) => w.value === undefined);
  if (sets.length > 0) {
    parts.push(
      statement(
        `INSERT INTO blocklet_kv (name, key, value, updated_at_ms)
       SELECT k.name, k.key, k.value::jsonb, k.at_ms FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS k(name, key, value, at_ms)
       ON CONFLICT (name, key) DO UPDATE SET value = excluded.value, updated_at_ms = excluded.updated_at_ms`,
        [sets.map((w) => w.name), sets.map((w) => w.key), sets.map((w) => JSON.stringify(w.value)), sets.map((w) => w.atMs)],
      ),
    );
  }
  if (deletes.length > 0) {
    parts.push(
      statement('DELETE FROM blocklet_kv k USING unnest($1::text[], $2::text[]) AS d(name, key) WHERE k.name = d.name AND k.key = d.key', [
        deletes.map((w) => w.name),
        deletes.map((w) => w.key),
      ]),
    );
  }
  parts.push(
    statement(
      `INSERT INTO blocklet_invocations (id, name, version, trigger, ok, error_code, cpu_ms, wall_ms, memory_bytes, at_ms)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::boolean[], $6::text[], $7::float8[], $8::float8[], $9::bigint[], $10::bigint[])`,
      [
        records.map((r) => r.invocationId),
        records.map((r) => r.name),
        records.map((r) => r.version),
        records.map((r) => r.trigger),
        // postgres.js does not send boolean arrays: as text, cast by the column type.
        records.map((r) => (r.ok ? 'true' : 'false')),
        records.map((r) => r.errorCode),
        records.map((r) => r.cpuMs),
        records.map((r) => r.wallMs),
        records.map((r) => r.memoryBytes),
        records.map((r) => r.atMs),
      ],
    ),
  );
  const usage = new Map<
    string,
    { name: string; version: string; period: number; n: number; errors: number; cpu: number; wall: number; mem: number }
  >();
  for (const r of records) {
    const id = `${r.name}\u0000${r.version}\u0000${r.periodStartMs}`;
    const u = usage.get(id) ?? { name: r.name, version: r.version, period: r.periodStartMs, n: 0, errors: 0, cpu: 0, wall: 0, mem: 0 };
    u.n += 1;
    u.errors += r.ok ? 0 : 1;
    u.cpu += r.cpuMs;
    u.wall += r.wallMs;
    u.mem += (r.memoryBytes / 2 ** 20) * r.wallMs;
    usage.set(id, u);
  }
  const rows = [...usage.values()];
  parts.push(
    statement(
      `INSERT INTO blocklet_usage (name, version, period_start_ms, invocations, errors, cpu_ms, wall_ms, memory_mb_ms)
     SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::int[], $5::int[], $6::float8[], $7::float8[], $8::float8[])
     ON CONFLICT (name, version, period_start_ms) DO UPDATE SET invocations = blocklet_usage.invocations + excluded.invocations,
       errors = blocklet_usage.errors + excluded.errors, cpu_ms = blocklet_usage.cpu_ms + excluded.cpu_ms,
       wall_ms = blocklet_usage.wall_ms + excluded.wall_ms, memory_mb_ms = blocklet_usage.memory_mb_ms + excluded.memory_mb_ms`,
      [
        rows.map((u) => u.name),
        rows.map((u) => u.version),
        rows.map((u) => u.period),
        rows.map((u) => u.n),
        rows.map((u) => u.errors),
        rows.map((u) => u.cpu),
        rows.map((u) => u.wall),
        rows.map((u) => u.mem),
      ],
    ),
  );
  const logs = records.flatMap((r) => r.logs.map((l) => ({ r, l })));
  if (logs.length > 0) {
    parts.push(
      statement(
        `INSERT INTO blocklet_logs (name, version, invocation_id, level, message, at_ms)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[])`,
        [
          logs.map((x) => x.r.name),
          logs.map((x) => x.r.version),
          logs.map((x) => x.r.invocationId),
          logs.map((x) => x.l.level),
          logs.map((x) => x.l.message),
          logs.map((x) => x.l.atMs),
        ],
      ),
    );
  }
  await runAsOne(db, parts);
}
