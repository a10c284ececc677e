import { hostname } from 'node:os';
import { z } from 'zod';
import { BLOCK_COMMITS_APPLICATION, type Database } from '../db/client.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { BlockletRuntime } from '../runtime/service.ts';
import { FencedError, LEASE_TIMING_DEFAULT, type LeaseTiming, ProducerLease } from './lease.ts';
import { DatabaseFollower } from './replica.ts';
import { QUEUED_CHANNEL, TxQueue } from './tx-queue.ts';

/** A process of a cloud node (cloud/README.md): its name among the node's processes, and the lease's timing. */
export interface CloudOptions {
  /** Unique among the node's processes now (`ARC_PROCESS`); a restarted process may take its old name. */
  process: string;
  lease?: Partial<LeaseTiming>;
}

/** Work one process of the node does for the whole node (blocks' side jobs, billing, cron): started while it produces. */
export interface LeaderJob {
  name: string;
  /** Starts the job; answers how to stop it. */
  start(): Promise<() => Promise<void>>;
}

/** The channel on which processes tell each other that a blocklet's aliases or environment changed. */
const BLOCKLET_CHANNEL = 'arc_blocklet_changed';
const BlockletChanged = z.object({ process: z.string(), name: z.string().max(200) });

/** How often the producer looks at the queue besides its notifications, and sweeps rows no block took. */
const TAKE_POLL_MS = 250;
const SWEEP_EVERY_MS = 10_000;
/** Each process writes its row this often; a row older than `goneAfterMs` shows the process as gone. */
const HEARTBEAT_MS = 1000;
export const PROCESS_GONE_AFTER_MS = 5000;
/** A process gone this long leaves the table. */
const PROCESS_FORGOTTEN_AFTER_MS = 10 * 60_000;

/**
 * One process of a cloud node: every process serves the API, reads, the gateway and blocklet invocations over the
 * shared PostgreSQL; the one holding the producer lease also makes the blocks and runs the node's leader jobs.
 */
export class CloudNode {
  readonly queue: TxQueue;
  readonly follower: DatabaseFollower;
  readonly lease: ProducerLease;
  readonly startedAtMs: number;
  url = '';
  #producingEpoch: number | null = null;
  #stops: (() => Promise<void>)[] = [];
  #takeTimer: NodeJS.Timeout | null = null;
  #sweepTimer: NodeJS.Timeout | null = null;
  #beat: NodeJS.Timeout | null = null;
  #unlistenQueued: (() => Promise<void>) | null = null;
  #unlistenBlocklets: (() => Promise<void>) | null = null;
  #taking: Promise<unknown> = Promise.resolve();
  #takeWaiting = false;
  #transition: Promise<void> = Promise.resolve();

  constructor(
    readonly db: Database,
    readonly ledger: Ledger,
    readonly options: CloudOptions,
    readonly jobs: LeaderJob[],
    readonly log: (line: string) => void,
  ) {
    if (db.kind !== 'postgres' || !db.listen) throw new Error('a cloud node needs PostgreSQL (DATABASE_URL) shared by its processes');
    this.startedAtMs = ledger.options.now();
    this.queue = new TxQueue(db, ledger);
    this.follower = new DatabaseFollower(db, ledger, log);
    this.lease = new ProducerLease(
      db,
      options.process,
      { acquired: (epoch) => this.#serial(() => this.#produce(epoch)), lost: () => this.#serial(() => this.#stepDown()) },
      { ...LEASE_TIMING_DEFAULT, ...options.lease },
      log,
    );
    ledger.queue = this.queue;
    ledger.commitHook = async (tx, block, dropped) => {
      const epoch = this.#producingEpoch;
      if (epoch === null || this.lease.epoch !== epoch) throw new FencedError(epoch ?? 0);
      await this.queue.settle(tx, block.header.height, [...block.txs.map((t) => t.checked.hashHex), ...dropped]);
      await tx.query('INSERT INTO block_producers (height, holder, epoch) VALUES ($1, $2, $3)', [
        block.header.height,
        this.options.process,
        epoch,
      ]);
      await this.lease.fence(tx, epoch);
    };
  }

  /** True while this process holds the lease and produces. */
  get producing(): boolean {
    return this.#producingEpoch !== null;
  }

  get epoch(): number | null {
    return this.#producingEpoch;
  }

  /** Follows the database's chain and competes for the lease; call once the ledger is open and started. */
  async start(url: string): Promise<void> {
    this.url = url;
    await this.follower.start();
    await this.follower.catchUp();
    await this.#heartbeat();
    this.#beat = setInterval(() => void this.#heartbeat(), HEARTBEAT_MS);
    this.lease.start();
  }

  /**
   * A rollback (or any alias or environment change) on one process reaches every other at once through NOTIFY; if the
   * listening connection was down, every process drops all it kept when it is back (so the bound is that reconnect).
   */
  async shareRuntime(runtime: BlockletRuntime): Promise<void> {
    const self = this.options.process;
    runtime.events.on('changed', (name) => {
      void this.db
        .query('SELECT pg_notify($1, $2)', [BLOCKLET_CHANNEL, JSON.stringify({ process: self, name })])
        .catch((error: Error) => this.log(`telling the other processes of ${name}'s change failed: ${error.message}`));
    });
    let first = true;
    this.#unlistenBlocklets =
      (await this.db.listen?.(
        BLOCKLET_CHANNEL,
        (payload) => {
          const parsed = BlockletChanged.safeParse(parseJson(payload));
          if (parsed.success && parsed.data.process !== self) runtime.forget(parsed.data.name);
        },
        () => {
          if (!first) runtime.forget(null);
          first = false;
        },
      )) ?? null;
  }

  async stop(): Promise<void> {
    await this.#unlistenBlocklets?.().catch(() => undefined);
    if (this.#beat) clearInterval(this.#beat);
    await this.lease.stop();
    await this.#transition;
    await this.follower.stop();
    await this.db.query('DELETE FROM node_processes WHERE id = $1', [this.options.process]).catch(() => undefined);
  }

  #serial(step: () => Promise<void>): Promise<void> {
    const run = this.#transition.then(step);
    this.#transition = run.catch(() => undefined);
    return run;
  }

  /** Took the lease: read every block up to the database's head, take the whole queue, produce, run the leader jobs. */
  async #produce(epoch: number): Promise<void> {
    await this.follower.pause();
    await this.#cutOffOldCommits();
    await this.follower.catchUp();
    this.#producingEpoch = epoch;
    await this.ledger.setProducing(true);
    await this.queue.take(epoch);
    this.#unlistenQueued = (await this.db.listen?.(QUEUED_CHANNEL, () => this.#take())) ?? null;
    this.#takeTimer = setInterval(() => this.#take(), TAKE_POLL_MS);
    this.#sweepTimer = setInterval(() => void this.queue.sweep().catch(() => undefined), SWEEP_EVERY_MS);
    this.log(`producing blocks from height ${this.ledger.head.height + 1} (lease epoch ${epoch})`);
    for (const job of this.jobs) {
      try {
        this.#stops.push(await job.start());
      } catch (error) {
        this.log(`${job.name} did not start on this producer: ${(error as Error).message}`);
      }
    }
  }

  /**
   * Ends every block commit another process still has open: a producer paused in the middle of one (even part-way
   * through sending a statement, where PostgreSQL's idle timeout does not reach it) holds row locks the next block
   * needs. Its lease has expired, so that commit could never pass its fence anyway.
   */
  async #cutOffOldCommits(): Promise<void> {
    const cut = await this.db.query<{ name: string }>(
      `SELECT application_name AS name FROM pg_stat_activity
       WHERE datname = current_database() AND xact_start IS NOT NULL AND application_name LIKE $1 AND application_name <> $2
         AND pg_terminate_backend(pid)`,
      [`${BLOCK_COMMITS_APPLICATION}%`, `${BLOCK_COMMITS_APPLICATION}${this.options.process}`],
    );
    for (const { name } of cut) this.log(`cut off a block commit left open by ${name.slice(BLOCK_COMMITS_APPLICATION.length)}`);
  }

  /** Takes the queue's new rows; calls while one is waiting to run fold into it (a NOTIFY per admitted transaction). */
  #take(): void {
    const epoch = this.#producingEpoch;
    if (epoch === null || this.#takeWaiting) return;
    this.#takeWaiting = true;
    this.#taking = this.#taking.then(() => {
      this.#takeWaiting = false;
      return this.queue.take(epoch).catch((error: Error) => this.log(`taking queued transactions: ${error.message}`));
    });
  }

  /** Lost the lease: stop the leader jobs and the producer (what its mempool held stays queued) and follow again. */
  async #stepDown(): Promise<void> {
    if (this.#producingEpoch === null) return;
    this.log(`stopped producing (lease epoch ${this.#producingEpoch} ended)`);
    this.#producingEpoch = null;
    if (this.#takeTimer) clearInterval(this.#takeTimer);
    if (this.#sweepTimer) clearInterval(this.#sweepTimer);
    await this.#unlistenQueued?.().catch(() => undefined);
    await this.#taking;
    for (const stop of this.#stops.splice(0).reverse()) await stop().catch(() => undefined);
    // A commit cut off mid-way may take its driver a while to give up on: following resumes regardless after a lease.
    const stopped = this.ledger.setProducing(false);
    await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, this.lease.timing.leaseMs))]);
    this.follower.resume();
  }

  async #heartbeat(): Promise<void> {
    const now = this.ledger.options.now();
    await this.db
      .query(
        `INSERT INTO node_processes (id, url, host, pid, started_at_ms, seen_at_ms, height) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (id) DO UPDATE SET url = $2, host = $3, pid = $4, started_at_ms = $5, seen_at_ms = $6, height = $7`,
        [this.options.process, this.url, hostname(), process.pid, this.startedAtMs, now, this.ledger.head.height],
      )
      .then(() => this.db.query('DELETE FROM node_processes WHERE seen_at_ms < $1', [now - PROCESS_FORGOTTEN_AFTER_MS]))
      .catch((error: Error) => this.log(`heartbeat: ${error.message}`));
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** A periodic job as a leader job. */
export function periodic(name: string, job: { start(): void; stop(): Promise<void> }): LeaderJob {
  return {
    name,
    start: async () => {
      job.start();
      return () => job.stop();
    },
  };
}

/** On a cloud node's new chain, the one process that seeds the demo (the first to claim it). */
export async function claimSeeding(db: Database): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO chain_meta (key, value) VALUES ('demo_seed_claimed', 'true'::jsonb) ON CONFLICT (key) DO NOTHING RETURNING key`,
  );
  return rows.length > 0;
}
