import { type Bill, type BillLine, decodeApplication, ECONOMY_LIMITS, type SettleTx } from '@arc/core';
import type { Database } from '../db/client.ts';
import { PeriodicPass } from '../db/periodic.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { NodeTxQueue } from '../ledger/node-tx.ts';

export const SETTLEMENT_LIMITS = {
  /** How often the job looks for ended periods. */
  intervalMs: 1_000,
  /** After a period ends, how long the job waits for invocations still being written into it. */
  periodMarginMs: 1_000,
  /** A settle transaction is filled up to this share of the chain's maxTxBytes (the rest is headroom). */
  txFillRatio: 0.9,
  /** Settled transactions read per pass when recording what settlements charged. */
  indexBatchMax: 500,
  /** Settle transactions submitted per pass (under the mempool's share of one account): the rest go next pass. */
  txsPerPassMax: 64,
} as const;

/** The chain_meta-like key of the last height whose settle transactions are recorded. */
const INDEXED_KEY = 'economy:settlements-indexed-height';

interface UsageRow {
  application: string;
  period: number;
  kind: 'component' | 'node';
  payee: string;
  amount: string;
}

/** What an application's owner hears in their inbox when it falls behind or is suspended. */
export interface BillingWarning {
  kind: 'billing';
  application: string;
  status: 'grace' | 'suspended';
  period: number | null;
  unpaid: string;
  /** When the grace period ends (suspended after). */
  graceEndsAtMs: number;
  message: string;
}

interface SettledEvent {
  type: string;
  application?: string;
  period?: number;
  charged?: string;
  paid?: boolean;
}

/**
 * Settles billing periods as one of the chain's settlers: when a period has ended, each application with billing
 * open gets a bill of what its users used in the period (economy_usage, metered by the runtime) and the fees it
 * accrued on the chain, in settle transactions signed with the node key. The rows a transaction carries are marked
 * with its hash before it is submitted; a transaction that is neither waiting nor committed gives its rows back
 * (the next pass bills them again: the ledger settles each application's period once, so nothing is charged twice).
 * Committed settlements are recorded from their billSettled events (economy_settlements), for the invoices.
 */
export class SettlementJob {
  readonly #pass: PeriodicPass;
  /** Settle transactions this node submitted that may still wait in the mempool. */
  readonly #submitted = new Set<string>();
  /** Where warnings go: the owner's inbox topic (`inbox:<did>`, which only that DID may hear). Set once the gateway runs. */
  warn: (topic: string, payload: BillingWarning) => void = () => undefined;
  /** Applications this process told it suspended (told again after a restart, once). */
  readonly #toldSuspended = new Set<string>();

  constructor(
    readonly db: Database,
    readonly ledger: Ledger,
    readonly queue: NodeTxQueue,
    readonly now: () => number,
    readonly log: (line: string) => void,
    intervalMs: number = SETTLEMENT_LIMITS.intervalMs,
  ) {
    this.#pass = new PeriodicPass(intervalMs, () =>
      this.run().then(
        () => undefined,
        (error: unknown) => this.log(`economy: a settlement pass failed (the next one retries): ${(error as Error).message}`),
      ),
    );
  }

  start(): void {
    if (this.ledger.params.economy.settlers.includes(this.ledger.nodeDid)) this.#pass.start();
  }

  stop(): Promise<void> {
    return this.#pass.stop();
  }

  /** One pass: record what committed, give back what was lost, then bill every ended period not yet billed. */
  async run(): Promise<{ submitted: number; bills: number }> {
    await this.recordSettled();
    await this.warnSuspended();
    for (const hash of this.#submitted) if (!this.ledger.mempool.get(hash)) this.#submitted.delete(hash);
    if (this.#submitted.size > 0) return { submitted: 0, bills: 0 };
    await this.#restoreLost();
    const { billingPeriodMs } = this.ledger.params.economy;
    const closed = Math.floor((this.now() - SETTLEMENT_LIMITS.periodMarginMs) / billingPeriodMs) - 1;
    if (closed < 0) return { submitted: 0, bills: 0 };
    const bills = await this.#bills(closed);
    let submitted = 0;
    for (const [period, periodBills] of bills) {
      for (const chunk of this.#chunks(periodBills)) {
        if (submitted >= SETTLEMENT_LIMITS.txsPerPassMax) break;
        const itx: SettleTx = { type: 'settle', period, bills: chunk };
        const hash = await this.queue.send(itx, async ({ checked }) => {
          await this.db.query(
            `UPDATE economy_usage SET settle_tx = $1 WHERE period = $2 AND settle_tx IS NULL AND application = ANY($3::text[])`,
            [checked.hashHex, period, chunk.map((b) => b.application)],
          );
        });
        this.#submitted.add(hash);
        submitted += 1;
      }
    }
    return { submitted, bills: [...bills.values()].reduce((n, b) => n + b.length, 0) };
  }

  /** Waits for the pass in progress. */
  idle(): Promise<void> {
    return this.#pass.idle();
  }

  /** Each period's bills: usage rows of applications with billing open, and applications that owe fees. */
  async #bills(closed: number): Promise<Map<number, Bill[]>> {
    const rows = await this.db.query<UsageRow>(
      // A node's gateway messages are billed with its CPU time: one 'node' line per node.
      `SELECT u.application, u.period, CASE WHEN u.kind = 'messages' THEN 'node' ELSE u.kind END AS kind, u.payee,
         sum(u.amount)::text AS amount
       FROM economy_usage u JOIN applications a ON a.did = u.application
       WHERE u.period <= $1 AND u.settle_tx IS NULL
       GROUP BY 1, 2, 3, 4
       ORDER BY 2, 1, 3, 4`,
      [closed],
    );
    const apps = await this.db.query<{ value: Uint8Array }>('SELECT value FROM applications');
    const byPeriod = new Map<number, Map<string, BillLine[]>>();
    const nextPeriod = new Map<string, number>();
    for (const row of apps) {
      const app = decodeApplication(new Uint8Array(row.value));
      nextPeriod.set(app.did, app.nextPeriod);
      // An application that owes fees is billed for the period that just closed, with or without usage.
      if (app.feesOwed.size > 0 && app.nextPeriod <= closed) {
        const period = byPeriod.get(closed) ?? new Map<string, BillLine[]>();
        byPeriod.set(closed, period);
        if (!period.has(app.did)) period.set(app.did, []);
      }
    }
    for (const row of rows) {
      // A period the chain settled already (by another settler) cannot bill again; its rows wait for a human.
      if ((nextPeriod.get(row.application) ?? 0) > row.period) continue;
      const period = byPeriod.get(row.period) ?? new Map<string, BillLine[]>();
      byPeriod.set(row.period, period);
      const lines = period.get(row.application) ?? [];
      period.set(row.application, lines);
      // A line worth nothing (CPU time that rounds to 0) stays on the invoice but is not billed.
      const amount = BigInt(row.amount);
      if (amount > 0n && lines.length < ECONOMY_LIMITS.billLinesMax) lines.push({ kind: row.kind, payee: row.payee, amount });
    }
    // The chain settles an application's periods in order: only its oldest open period is billed in one pass.
    const seen = new Set<string>();
    const out = new Map<number, Bill[]>();
    for (const period of [...byPeriod.keys()].sort((a, b) => a - b)) {
      const bills: Bill[] = [];
      for (const [application, lines] of byPeriod.get(period) ?? []) {
        if (seen.has(application)) continue;
        seen.add(application);
        bills.push({ application, lines });
      }
      if (bills.length > 0) out.set(period, bills);
    }
    return out;
  }

  /** Bills in groups that fit one transaction: at most billsMax, and within the chain's maxTxBytes. */
  #chunks(bills: Bill[]): Bill[][] {
    const budget = Math.floor(this.ledger.params.maxTxBytes * SETTLEMENT_LIMITS.txFillRatio) - 300;
    const chunks: Bill[][] = [];
    let current: Bill[] = [];
    let bytes = 0;
    for (const bill of bills) {
      const size = 8 + bill.application.length + bill.lines.reduce((n, l) => n + 4 + l.payee.length + 34, 0);
      if (current.length > 0 && (current.length >= ECONOMY_LIMITS.billsMax || bytes + size > budget)) {
        chunks.push(current);
        current = [];
        bytes = 0;
      }
      current.push(bill);
      bytes += size;
    }
    if (current.length > 0) chunks.push(current);
    return chunks;
  }

  /**
   * Rows marked with a settle transaction that is neither waiting nor committed go back to be billed again; so do
   * those of a settle that failed (it is in the chain, but it paid its fee and settled nothing).
   */
  async #restoreLost(): Promise<void> {
    const marked = await this.db.query<{ tx: string }>(
      `SELECT DISTINCT u.settle_tx AS tx FROM economy_usage u
       WHERE u.settle_tx IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM txs t WHERE t.hash = decode(u.settle_tx, 'hex') AND t.failed_code IS NULL)`,
    );
    for (const { tx } of marked) {
      if (this.ledger.mempool.get(tx)) continue;
      await this.db.query('UPDATE economy_usage SET settle_tx = NULL WHERE settle_tx = $1', [tx]);
    }
  }

  /** Records committed settlements (anyone's) from their billSettled events, for invoices and warnings. */
  async recordSettled(): Promise<number> {
    const [meta] = await this.db.query<{ value: unknown }>('SELECT value FROM chain_meta WHERE key = $1', [INDEXED_KEY]);
    const from = Number(meta?.value ?? 0);
    // Read before the query: a block committed meanwhile is left for the next pass, never skipped.
    const head = this.ledger.head.height;
    const txs = await this.db.query<{ hash: Uint8Array; height: number; events: SettledEvent[] }>(
      `SELECT hash, height::float8 AS height, events FROM txs WHERE height > $1 AND height <= $2 AND type = 'settle' ORDER BY height, idx LIMIT $3`,
      [from, head, SETTLEMENT_LIMITS.indexBatchMax],
    );
    const until = txs.length === SETTLEMENT_LIMITS.indexBatchMax ? (txs[txs.length - 1]?.height ?? from) : head;
    const settled = {
      application: [] as string[],
      period: [] as number[],
      tx: [] as string[],
      height: [] as number[],
      charged: [] as string[],
      paid: [] as number[],
    };
    for (const tx of txs) {
      const hash = Buffer.from(tx.hash).toString('hex');
      for (const e of tx.events) {
        if (e.type !== 'billSettled' || e.application === undefined || e.period === undefined) continue;
        settled.application.push(e.application);
        settled.period.push(e.period);
        settled.tx.push(hash);
        settled.height.push(tx.height);
        settled.charged.push(e.charged ?? '0');
        settled.paid.push(e.paid ? 1 : 0);
      }
    }
    await this.db.transaction(async (sql) => {
      if (settled.application.length > 0) {
        await sql.query(
          `INSERT INTO economy_settlements (application, period, tx_hash, height, charged, paid, settled_at_ms)
           SELECT a, p, t, h, c::numeric, paid, $7 FROM unnest($1::text[], $2::int[], $3::text[], $4::bigint[], $5::text[], $6::int[]) AS x(a, p, t, h, c, paid)
           ON CONFLICT (application, period) DO NOTHING`,
          [settled.application, settled.period, settled.tx, settled.height, settled.charged, settled.paid, this.now()],
        );
      }
      await sql.query(`INSERT INTO chain_meta (key, value) VALUES ($1, $2::jsonb) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, [
        INDEXED_KEY,
        JSON.stringify(until),
      ]);
    });
    for (let i = 0; i < settled.application.length; i++) {
      if (settled.paid[i] === 0) await this.#warn(settled.application[i] as string, 'grace', settled.period[i] ?? null);
    }
    return settled.application.length;
  }

  /** Tells owners whose applications' grace ran out that they are suspended (once per process). */
  async warnSuspended(): Promise<void> {
    const { graceMs } = this.ledger.params.economy;
    const rows = await this.db.query<{ value: Uint8Array }>('SELECT value FROM applications');
    for (const row of rows) {
      const app = decodeApplication(new Uint8Array(row.value));
      if (app.unpaid.size === 0) {
        this.#toldSuspended.delete(app.did);
        continue;
      }
      if (this.ledger.head.timeMs < app.arrearsSinceMs + graceMs || this.#toldSuspended.has(app.did)) continue;
      this.#toldSuspended.add(app.did);
      await this.#warn(app.did, 'suspended', null);
    }
  }

  async #warn(application: string, status: 'grace' | 'suspended', period: number | null): Promise<void> {
    const [row] = await this.db.query<{ value: Uint8Array }>('SELECT value FROM applications WHERE did = $1', [application]);
    if (!row) return;
    const app = decodeApplication(new Uint8Array(row.value));
    let unpaid = 0n;
    for (const v of app.unpaid.values()) unpaid += v;
    const graceEndsAtMs = app.arrearsSinceMs + this.ledger.params.economy.graceMs;
    const message =
      status === 'grace'
        ? `${application} could not pay its bill${period === null ? '' : ` for period ${period}`}: ${unpaid} is unpaid. Add funds before ${new Date(graceEndsAtMs).toISOString()} or it is suspended.`
        : `${application} is suspended: its users get APP_SUSPENDED. Add ${unpaid} to its deposit and it runs again at once.`;
    try {
      this.warn(`inbox:${app.owner}`, { kind: 'billing', application, status, period, unpaid: unpaid.toString(), graceEndsAtMs, message });
    } catch (error) {
      this.log(`economy: could not tell ${app.owner} about ${application}: ${(error as Error).message}`);
    }
  }
}
