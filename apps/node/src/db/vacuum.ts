import type { Sql } from './client.ts';
import { PeriodicPass } from './periodic.ts';

/**
 * PGlite runs PostgreSQL in single-user mode, where the autovacuum launcher never runs: every UPDATE and DELETE
 * would leave its dead row versions in the table for good, and no table would ever be analyzed. A table the node
 * rewrites often (accounts with every transaction, the market's components with every rank recompute) then grows
 * without bound and every scan of it slows: at 10,000 components, 30 rewrites made searches 5 to 10 times slower.
 * This job does autovacuum's work with autovacuum's default thresholds. It runs on PostgreSQL servers too, where
 * autovacuum usually gets there first and the job finds nothing due.
 */
export interface VacuumOptions {
  /** Time between passes. */
  intervalMs: number;
  /** A table is vacuumed (and analyzed) when its dead rows pass vacuumThreshold + vacuumScaleFactor × live rows. */
  vacuumThreshold: number;
  vacuumScaleFactor: number;
  /** A table is analyzed when its changes since the last analyze pass analyzeThreshold + analyzeScaleFactor × live rows. */
  analyzeThreshold: number;
  analyzeScaleFactor: number;
}

/** PostgreSQL's autovacuum defaults, checked every 15 s (autovacuum's naptime is 60 s; PGlite has nothing else). */
export const VACUUM_DEFAULTS: VacuumOptions = {
  intervalMs: 15_000,
  vacuumThreshold: 50,
  vacuumScaleFactor: 0.2,
  analyzeThreshold: 50,
  analyzeScaleFactor: 0.1,
};

export interface VacuumPassResult {
  vacuumed: string[];
  analyzed: string[];
}

/** One pass: the tables past a threshold (the search path's schemas), most dead rows first, one statement each. */
export async function vacuumPass(db: Sql, options: VacuumOptions): Promise<VacuumPassResult> {
  const due = await db.query<{ name: string; table: string; vacuum: boolean }>(
    `SELECT quote_ident(schemaname) || '.' || quote_ident(relname) AS name, relname AS table, n_dead_tup > $1::float8 + $2::float8 * n_live_tup AS vacuum
     FROM pg_stat_user_tables
     WHERE schemaname = ANY (current_schemas(false))
       AND (n_dead_tup > $1::float8 + $2::float8 * n_live_tup OR n_mod_since_analyze > $3::float8 + $4::float8 * n_live_tup)
     ORDER BY n_dead_tup DESC, relname`,
    [options.vacuumThreshold, options.vacuumScaleFactor, options.analyzeThreshold, options.analyzeScaleFactor],
  );
  const result: VacuumPassResult = { vacuumed: [], analyzed: [] };
  for (const t of due) {
    // Outside any transaction (VACUUM cannot run in one); the name is PostgreSQL's own quote_ident of a catalog name.
    await db.query(t.vacuum ? `VACUUM (ANALYZE) ${t.name}` : `ANALYZE ${t.name}`);
    (t.vacuum ? result.vacuumed : result.analyzed).push(t.table);
  }
  return result;
}

/** Runs a vacuum pass every intervalMs. */
export class VacuumJob {
  readonly #periodic: PeriodicPass;

  constructor(
    private readonly db: Sql,
    private readonly options: VacuumOptions,
    private readonly log: (line: string) => void,
  ) {
    this.#periodic = new PeriodicPass(options.intervalMs, () => this.#pass());
  }

  start(): void {
    this.#periodic.start();
  }

  /** Stops scheduling and waits for a pass in progress. */
  async stop(): Promise<void> {
    await this.#periodic.stop();
  }

  /**
   * Runs passes now until one finds nothing due, and puts the next scheduled pass a whole interval away (benches time
   * a settled database, and a phase shorter than the interval gets no pass inside it; tests).
   */
  async settle(): Promise<void> {
    await this.#periodic.idle();
    this.#periodic.postpone();
    for (let i = 0; i < 10; i += 1) {
      const { vacuumed, analyzed } = await vacuumPass(this.db, this.options);
      if (vacuumed.length === 0 && analyzed.length === 0) break;
    }
    this.#periodic.postpone();
  }

  async #pass(): Promise<void> {
    try {
      const started = performance.now();
      const { vacuumed } = await vacuumPass(this.db, this.options);
      const ms = performance.now() - started;
      // Quiet unless it took long enough to be felt: a pass blocks PGlite's one connection while it runs.
      if (ms >= 1000) this.log(`vacuum: ${vacuumed.join(', ') || 'analyze only'} in ${Math.round(ms)} ms`);
    } catch (error) {
      // A failed pass changes nothing; the next one tries again.
      this.log(`vacuum: the pass failed (${(error as Error).message}); retrying in ${this.options.intervalMs} ms`);
    }
  }
}
