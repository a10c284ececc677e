import type { Sql } from '../db/client.ts';
import { type Statement, statement } from '../db/statements.ts';

/** One finished invocation, as the runtime's group commit hands it to the meters. */
export interface MeteredInvocation {
  name: string;
  atMs: number;
  cpuMs: number;
}

export interface EconomyPrices {
  /** What a node charges per CPU millisecond of a blocklet invocation, in the native token's smallest unit. */
  cpuMsPrice: bigint;
  /** What a node charges per message a client publishes on an application's gateway topic. */
  messagePrice: bigint;
}

/** 10^12 per CPU millisecond (0.001 ABT per CPU second) and per gateway message (0.000001 ABT). */
export const ECONOMY_PRICES_DEFAULT: EconomyPrices = { cpuMsPrice: 10n ** 12n, messagePrice: 10n ** 12n };

export const MESSAGE_METER_LIMITS = {
  /** How often counted messages are written (what a crash can lose: at most this much of the counts). */
  flushMs: 2_000,
  /** Applications counted between two flushes; past it a flush happens at once. */
  applicationsMax: 10_000,
} as const;

const DAY_MS = 86_400_000;

/**
 * Accrues what applications' users use to the applications' bills: each invocation of a blocklet installed into an
 * application adds a component line (its per-call price) and a line for this node's CPU time, in the invocation
 * records' own database transaction (so each invocation is billed exactly once). The period is the one the record
 * is written in: a period that has ended gets no new rows, so its settlement sees all of them.
 */
export class EconomyMeter {
  constructor(
    readonly nodeDid: string,
    readonly billingPeriodMs: number,
    readonly prices: EconomyPrices,
    readonly now: () => number,
  ) {}

  /** The statement that bills these invocations (runtime/metering.ts sends it with the invocations' own writes). */
  meterStatement(invocations: MeteredInvocation[]): Statement | null {
    if (invocations.length === 0) return null;
    const atMs = this.now();
    const period = Math.floor(atMs / this.billingPeriodMs);
    const day = Math.floor(atMs / DAY_MS);
    return statement(
      `INSERT INTO economy_usage (application, period, day, kind, payee, quantity, unit, amount)
       SELECT i.application, $3::int, $4::int, 'component', i.component, count(*), 'call', count(*) * c.price_amount
       FROM unnest($1::text[], $2::float8[]) AS x(name, cpu)
       JOIN market_installs i ON i.blocklet = x.name
       JOIN market_components c ON c.name = i.component AND c.price_model = 'perCall'
       GROUP BY i.application, i.component, c.price_amount
       UNION ALL
       SELECT i.application, $3::int, $4::int, 'node', $5::text, sum(x.cpu), 'cpu-ms', round(sum(x.cpu))::numeric * $6::numeric
       FROM unnest($1::text[], $2::float8[]) AS x(name, cpu)
       JOIN market_installs i ON i.blocklet = x.name
       GROUP BY i.application
       ON CONFLICT (application, period, day, kind, payee) DO UPDATE
         SET quantity = economy_usage.quantity + EXCLUDED.quantity, amount = economy_usage.amount + EXCLUDED.amount`,
      [invocations.map((i) => i.name), invocations.map((i) => i.cpuMs), period, day, this.nodeDid, this.prices.cpuMsPrice.toString()],
    );
  }
}

/**
 * Counts the messages clients publish on applications' gateway topics, in memory, and writes them to economy_usage
 * as a line of this node's (`kind` 'messages', billed with the node's CPU line) every MESSAGE_METER_LIMITS.flushMs. A
 * crash loses at most one interval of counts; nothing is billed twice.
 */
export class MessageMeter {
  #counts = new Map<string, number>();
  #timer: NodeJS.Timeout | null = null;
  #flushing: Promise<void> = Promise.resolve();

  constructor(
    readonly db: { query: Sql['query'] },
    readonly nodeDid: string,
    readonly billingPeriodMs: number,
    readonly prices: EconomyPrices,
    readonly now: () => number,
    readonly log: (line: string) => void,
  ) {}

  count(application: string): void {
    this.#counts.set(application, (this.#counts.get(application) ?? 0) + 1);
    if (this.#counts.size >= MESSAGE_METER_LIMITS.applicationsMax) void this.flush();
  }

  start(): void {
    this.#timer = setInterval(() => void this.flush(), MESSAGE_METER_LIMITS.flushMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.flush();
  }

  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(async () => {
      if (this.#counts.size === 0) return;
      const counts = this.#counts;
      this.#counts = new Map();
      const atMs = this.now();
      try {
        await this.db.query(
          `INSERT INTO economy_usage (application, period, day, kind, payee, quantity, unit, amount)
           SELECT x.app, $3::int, $4::int, 'messages', $5::text, x.n, 'message', x.n::numeric * $6::numeric
           FROM unnest($1::text[], $2::int[]) AS x(app, n)
           ON CONFLICT (application, period, day, kind, payee) DO UPDATE
             SET quantity = economy_usage.quantity + EXCLUDED.quantity, amount = economy_usage.amount + EXCLUDED.amount`,
          [
            [...counts.keys()],
            [...counts.values()],
            Math.floor(atMs / this.billingPeriodMs),
            Math.floor(atMs / DAY_MS),
            this.nodeDid,
            this.prices.messagePrice.toString(),
          ],
        );
      } catch (error) {
        // Kept for the next flush rather than lost.
        for (const [app, n] of counts) this.#counts.set(app, (this.#counts.get(app) ?? 0) + n);
        this.log(`economy: gateway message counts not written (kept for the next flush): ${(error as Error).message}`);
      }
    });
    return this.#flushing;
  }
}
