import type { Sql } from '../db/client.ts';

/** One finished invocation, as the runtime's group commit hands it to the meters. */
export interface MeteredInvocation {
  name: string;
  atMs: number;
  cpuMs: number;
}

export interface EconomyPrices {
  /** What a node charges per CPU millisecond of a blocklet invocation, in the native token's smallest unit. */
  cpuMsPrice: bigint;
}

/** 10^12 per CPU millisecond: 0.001 ABT per CPU second. */
export const ECONOMY_PRICES_DEFAULT: EconomyPrices = { cpuMsPrice: 10n ** 12n };

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

  async meter(sql: Sql, invocations: MeteredInvocation[]): Promise<void> {
    if (invocations.length === 0) return;
    const atMs = this.now();
    const period = Math.floor(atMs / this.billingPeriodMs);
    const day = Math.floor(atMs / DAY_MS);
    await sql.query(
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
