import type { Database, Sql } from '../db/client.ts';

/** The producer lease's timing (cloud/README.md): failover takes at most about `leaseMs + tryEveryMs`. */
export interface LeaseTiming {
  /** How long a taken or renewed lease lasts without another renewal (the database's clock). */
  leaseMs: number;
  /** How often the holder renews. */
  renewEveryMs: number;
  /** How often a process without the lease tries to take it. */
  tryEveryMs: number;
}

export const LEASE_TIMING_DEFAULT: LeaseTiming = { leaseMs: 3000, renewEveryMs: 750, tryEveryMs: 250 };

const LEASE_NAME = 'producer';

/** Thrown in a block's transaction when this process no longer holds the lease it produced the block under. */
export class FencedError extends Error {
  constructor(epoch: number) {
    super(`this process no longer holds the producer lease of epoch ${epoch}; another process produces now`);
  }
}

export interface LeaseEvents {
  /** This process took the lease (the chain was at `height` in the database). */
  acquired(epoch: number): Promise<void>;
  /** This process lost the lease (a renewal failed or found another holder): it must stop producing. */
  lost(epoch: number): Promise<void>;
}

/**
 * The producer lease of a cloud node: a row in PostgreSQL, taken when it has expired, renewed by its holder, and
 * checked under its lock in every block's own transaction (`fence`), so a paused old producer can never commit.
 * All times are the database's (clock_timestamp()), never a process's own clock.
 */
export class ProducerLease {
  #epoch: number | null = null;
  #timer: NodeJS.Timeout | null = null;
  #turn: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(
    readonly db: Database,
    readonly holder: string,
    readonly events: LeaseEvents,
    readonly timing: LeaseTiming = LEASE_TIMING_DEFAULT,
    readonly log: (line: string) => void = () => undefined,
  ) {}

  /** The epoch this process holds, or null. */
  get epoch(): number | null {
    return this.#epoch;
  }

  start(): void {
    this.#schedule(0);
  }

  /** Stops trying and renewing; a held lease is given up at once (another process may take it without waiting). */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#turn;
    const epoch = this.#epoch;
    if (epoch === null) return;
    this.#epoch = null;
    await this.events.lost(epoch);
    await this.db
      .query("UPDATE node_lease SET expires_at = clock_timestamp() - interval '1 second' WHERE name = $1 AND holder = $2 AND epoch = $3", [
        LEASE_NAME,
        this.holder,
        epoch,
      ])
      .catch(() => undefined);
  }

  /**
   * The last statement of a block's transaction: refuses unless this process still holds the lease of `epoch` and it
   * has not expired, and locks the lease row until COMMIT, so no take-over can slip between this check and the commit.
   * The row is locked only for that last round trip: a process paused right there holds up a take-over until it wakes
   * (and then commits a block that was rightly its own); paused anywhere else, it is taken over and refused on waking.
   * (The database is not asked to cut off sessions idle in a transaction: postgres.js may then run a transaction's
   * remaining statements outside it, porsager/postgres#1133.)
   */
  async fence(tx: Sql, epoch: number): Promise<void> {
    const rows = await tx.query(
      `UPDATE node_lease SET epoch = epoch WHERE name = $1 AND holder = $2 AND epoch = $3 AND expires_at > clock_timestamp()
       RETURNING epoch`,
      [LEASE_NAME, this.holder, epoch],
    );
    if (rows.length === 0) throw new FencedError(epoch);
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#turn = this.#step().finally(() => this.#schedule(this.#epoch === null ? this.timing.tryEveryMs : this.timing.renewEveryMs));
    }, ms);
  }

  async #step(): Promise<void> {
    try {
      if (this.#epoch === null) await this.#tryTake();
      else await this.#renew(this.#epoch);
    } catch (error) {
      // A take-over that met the holder's row lock (it is committing a block) just tries again at the next turn.
      if ((error as { code?: string }).code === '55P03') return;
      this.log(`producer lease: ${(error as Error).message}`);
      // A holder that cannot reach the database to renew stops producing before its lease can run out.
      if (this.#epoch !== null) await this.#lose(this.#epoch);
    }
  }

  async #tryTake(): Promise<void> {
    const leaseMs = this.timing.leaseMs;
    const taken = await this.db.transaction(async (tx) => {
      // A holder committing a block has the row locked for a moment; a holder paused at that moment holds it until
      // it wakes: the next try comes soon either way.
      await tx.query(`SET LOCAL lock_timeout = ${this.timing.tryEveryMs}`);
      const [row] = await tx.query<{ epoch: string | number; previous: string | null }>(
        `INSERT INTO node_lease (name, holder, epoch, expires_at, taken_at)
         VALUES ($1, $2, 1, clock_timestamp() + $3 * interval '1 millisecond', clock_timestamp())
         ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, epoch = node_lease.epoch + 1,
           expires_at = EXCLUDED.expires_at, taken_at = EXCLUDED.taken_at
         WHERE node_lease.expires_at < clock_timestamp()
         RETURNING epoch, (SELECT holder FROM node_lease WHERE name = $1) AS previous`,
        [LEASE_NAME, this.holder, leaseMs],
      );
      if (!row) return null;
      const epoch = Number(row.epoch);
      await tx.query(
        `INSERT INTO lease_history (epoch, holder, previous, height, taken_at_ms)
         VALUES ($1, $2, $3, (SELECT coalesce(max(height), 0) FROM blocks), (extract(epoch from clock_timestamp()) * 1000)::bigint)
         ON CONFLICT (epoch) DO NOTHING`,
        [epoch, this.holder, row.previous === this.holder ? null : row.previous],
      );
      return epoch;
    });
    if (taken === null || this.#stopped) return;
    this.#epoch = taken;
    this.log(`producer lease: taken (epoch ${taken})`);
    try {
      await this.events.acquired(taken);
    } catch (error) {
      this.log(`producer lease: could not start producing (${(error as Error).message}); giving the lease up`);
      await this.#lose(taken);
      await this.db.query("UPDATE node_lease SET expires_at = clock_timestamp() - interval '1 second' WHERE name = $1 AND epoch = $2", [
        LEASE_NAME,
        taken,
      ]);
    }
  }

  async #renew(epoch: number): Promise<void> {
    const rows = await this.db.query(
      `UPDATE node_lease SET expires_at = clock_timestamp() + $4 * interval '1 millisecond'
       WHERE name = $1 AND holder = $2 AND epoch = $3 AND expires_at > clock_timestamp() RETURNING epoch`,
      [LEASE_NAME, this.holder, epoch, this.timing.leaseMs],
    );
    if (rows.length === 0) {
      this.log(`producer lease: epoch ${epoch} was lost (expired or taken over)`);
      await this.#lose(epoch);
    }
  }

  async #lose(epoch: number): Promise<void> {
    if (this.#epoch !== epoch) return;
    this.#epoch = null;
    await this.events.lost(epoch).catch((error: Error) => this.log(`producer lease: stepping down failed: ${error.message}`));
  }
}
