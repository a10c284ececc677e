import { checkTxStatic, encodeTx, type KeyPair, LedgerError, signTx, type UnsignedTx } from '@arc/core';
import type { Database, Sql } from '../db/client.ts';
import { type Statement, statement } from '../db/statements.ts';
import type { Admission } from '../ledger/admission.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { dayOf } from './indexer.ts';

/** Usage flushing: how often, and the most records one recordUsage transaction carries. */
export const USAGE_LIMITS = { flushMsDefault: 2000, recordsPerTxMax: 200 } as const;

interface PendingRow {
  component: string;
  application: string;
  account: string;
  day: number;
  calls: number;
  installs: number;
  /** Decimal string of the smallest unit. */
  paid: string;
}

/**
 * Metered use of components, on its way to the chain. Each invocation of an installed blocklet (or of a component's
 * own blocklet: its owner's use) adds to a pending row in the same database transaction as the invocation's record;
 * a flusher moves pending counts into one recordUsage transaction signed with the node key (a usage reporter) and
 * keeps them, marked in flight, until the transaction commits (dropped then) or is lost (added back). A restart
 * between those steps loses nothing and counts nothing twice.
 */
export class UsageMeter {
  #timer: NodeJS.Timeout | null = null;
  #flushing: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(
    readonly db: Database,
    readonly ledger: Ledger,
    readonly admission: Admission,
    readonly key: KeyPair & { did: string },
    readonly now: () => number,
    readonly log: (line: string) => void,
    readonly flushMs: number = USAGE_LIMITS.flushMsDefault,
  ) {}

  start(): void {
    this.#stopped = false;
    this.#timer = setInterval(() => {
      void this.flush();
    }, this.flushMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.flush();
    this.#stopped = true;
  }

  /**
   * The statement that counts invocations of blocklets (runtime/metering.ts sends it with the invocation records' own
   * writes, as one statement). A call of a per-call component installed into an application also counts what it cost
   * that application (the price the economy bills it), so paid use reaches the chain with the calls and weighs in the
   * rank and in verified use.
   */
  meterStatement(invocations: { name: string; atMs: number }[]): Statement | null {
    if (invocations.length === 0) return null;
    return statement(
      `INSERT INTO market_pending_usage (component, application, account, day, calls, paid)
       SELECT coalesce(i.component, c.name), coalesce(i.application, c.owner), coalesce(i.account, c.owner), x.day, count(*),
         coalesce(sum(p.price_amount) FILTER (WHERE p.price_model = 'perCall'), 0)
       FROM unnest($1::text[], $2::int[]) AS x(name, day)
       LEFT JOIN market_installs i ON i.blocklet = x.name
       LEFT JOIN market_components c ON c.name = x.name AND i.blocklet IS NULL
       LEFT JOIN market_components p ON p.name = i.component
       WHERE i.blocklet IS NOT NULL OR c.name IS NOT NULL
       GROUP BY 1, 2, 3, 4
       ON CONFLICT (component, application, account, day) DO UPDATE
         SET calls = market_pending_usage.calls + EXCLUDED.calls, paid = market_pending_usage.paid + EXCLUDED.paid`,
      [invocations.map((i) => i.name), invocations.map((i) => dayOf(i.atMs))],
    );
  }

  /** Counts one install (recorded with the next flush). */
  async meterInstall(component: string, application: string, account: string, atMs: number): Promise<void> {
    await this.db.query(
      `INSERT INTO market_pending_usage (component, application, account, day, calls, installs) VALUES ($1, $2, $3, $4, 0, 1)
       ON CONFLICT (component, application, account, day) DO UPDATE SET installs = market_pending_usage.installs + 1`,
      [component, application, account, dayOf(atMs)],
    );
  }

  /** In the index's transaction that holds committed recordUsage txs: their counts are on the chain now. */
  async committed(sql: Sql, txHashes: string[]): Promise<void> {
    await sql.query(
      'UPDATE market_pending_usage SET inflight = 0, inflight_installs = 0, inflight_paid = 0, inflight_tx = NULL WHERE inflight_tx = ANY($1::text[])',
      [txHashes],
    );
    await sql.query('DELETE FROM market_pending_usage WHERE calls = 0 AND installs = 0 AND paid = 0 AND inflight_tx IS NULL');
  }

  /** One flush at a time; resolves when the pending counts present now are submitted (or found in flight). */
  flush(): Promise<void> {
    if (this.#stopped) return this.#flushing;
    this.#flushing = this.#flushing.then(() =>
      this.#flushOnce().catch((error: unknown) =>
        this.log(`market usage flush failed (kept for the next one): ${(error as Error).message}`),
      ),
    );
    return this.#flushing;
  }

  async #flushOnce(): Promise<void> {
    await this.#settleInflight();
    const [inflight] = await this.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM market_pending_usage WHERE inflight_tx IS NOT NULL',
    );
    if ((inflight?.n ?? 0) > 0) return;
    const rows = await this.db.query<PendingRow>(
      `SELECT component, application, account, day, calls::float8 AS calls, installs, paid::text AS paid FROM market_pending_usage
       WHERE calls > 0 OR installs > 0 OR paid > 0 ORDER BY day, component, application LIMIT $1`,
      [USAGE_LIMITS.recordsPerTxMax],
    );
    const first = rows[0];
    if (!first) return;
    const day = first.day;
    const records = rows.filter((r) => r.day === day);
    const nonce = await this.ledger.nextNonce(this.key.did);
    const unsigned: UnsignedTx = {
      chainId: this.ledger.chainId,
      from: this.key.did,
      publicKey: this.key.publicKey,
      nonce,
      fee: this.ledger.params.minFee,
      feePayer: null,
      itx: {
        type: 'recordUsage',
        period: day,
        records: records.map((r) => ({
          component: r.component,
          application: r.application,
          account: r.account,
          installs: r.installs,
          calls: r.calls,
          paid: BigInt(r.paid),
        })),
      },
    };
    const bytes = encodeTx(signTx(unsigned, this.key.secretKey));
    const checked = checkTxStatic(bytes, { chainId: this.ledger.chainId, params: this.ledger.params });
    if (checked instanceof LedgerError) throw new Error(`the usage transaction does not check: ${checked.message}`);
    const hash = checked.hashHex;
    // Marked in flight before it is submitted: a crash after the submit still knows which tx holds the counts.
    await this.db.transaction(async (sql) => {
      await sql.query(
        `UPDATE market_pending_usage p SET inflight = x.calls, inflight_installs = x.installs, inflight_paid = x.paid::numeric,
           calls = p.calls - x.calls, installs = p.installs - x.installs, paid = p.paid - x.paid::numeric, inflight_tx = $8
         FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::bigint[], $6::int[], $7::text[])
           AS x(component, application, account, day, calls, installs, paid)
         WHERE p.component = x.component AND p.application = x.application AND p.account = x.account AND p.day = x.day`,
        [
          records.map((r) => r.component),
          records.map((r) => r.application),
          records.map((r) => r.account),
          records.map((r) => r.day),
          records.map((r) => r.calls),
          records.map((r) => r.installs),
          records.map((r) => r.paid),
          hash,
        ],
      );
    });
    try {
      await this.admission.submit(bytes);
    } catch (error) {
      await this.#restore(hash);
      throw error;
    }
  }

  /** Counts in a transaction that is neither waiting nor committed (dropped, refused, lost in a restart) go back. */
  async #settleInflight(): Promise<void> {
    const txs = await this.db.query<{ tx: string }>(
      'SELECT DISTINCT inflight_tx AS tx FROM market_pending_usage WHERE inflight_tx IS NOT NULL',
    );
    for (const { tx } of txs) {
      if (this.ledger.mempool.get(tx)) continue;
      const [stored] = await this.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM txs WHERE hash = decode($1, 'hex') AND failed_code IS NULL",
        [tx],
      );
      // Committed: the index drops the counts when it reads the block. A failed one (fee paid, nothing recorded) goes back.
      if ((stored?.n ?? 0) > 0) continue;
      await this.#restore(tx);
    }
  }

  async #restore(tx: string): Promise<void> {
    await this.db.query(
      `UPDATE market_pending_usage SET calls = calls + inflight, installs = installs + inflight_installs, paid = paid + inflight_paid,
         inflight = 0, inflight_installs = 0, inflight_paid = 0, inflight_tx = NULL WHERE inflight_tx = $1`,
      [tx],
    );
  }
}
