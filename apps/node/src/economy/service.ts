import {
  type ApplicationState,
  applicationOwes,
  applicationStatus,
  decodeAccount,
  decodeApplication,
  decodeComponent,
  decodeStake,
  emptyStake,
  nativeSupply,
} from '@arc/core';
import type { z } from 'zod';
import type { Database } from '../db/client.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { BillingOut, InvoiceOut, InvoiceSummary, InvoicesOut, StakeOut, SupplyOut } from './api-schemas.ts';
import { invoiceCsv } from './csv.ts';

const DAY_MS = 86_400_000;

function dayString(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function sum(values: Iterable<bigint>): bigint {
  let total = 0n;
  for (const v of values) total += v;
  return total;
}

/** What the console, the wallet and the explorer read of the economy: billing, invoices, stakes, the supply. */
export class EconomyService {
  constructor(
    readonly db: Database,
    readonly ledger: Ledger,
    readonly now: () => number,
  ) {}

  get #periodMs(): number {
    return this.ledger.params.economy.billingPeriodMs;
  }

  async #application(did: string): Promise<ApplicationState | null> {
    const [row] = await this.db.query<{ value: Uint8Array }>('SELECT value FROM applications WHERE did = $1', [did]);
    return row ? decodeApplication(new Uint8Array(row.value)) : null;
  }

  /** An application's billing account as of the chain's head, with what to do when it is behind. */
  async billing(did: string): Promise<z.infer<typeof BillingOut>> {
    const app = await this.#application(did);
    const p = this.ledger.params.economy;
    const currentPeriod = Math.floor(this.now() / this.#periodMs);
    const [accruing] = await this.db.query<{ amount: string | null }>(
      'SELECT sum(amount)::text AS amount FROM economy_usage WHERE application = $1 AND period = $2',
      [did, currentPeriod],
    );
    const base = { application: did, billingPeriodMs: this.#periodMs, currentPeriod, accruing: accruing?.amount ?? '0' };
    if (!app) {
      return {
        ...base,
        open: false,
        owner: '',
        deposit: '0',
        feesOwed: '0',
        unpaid: '0',
        status: 'closed',
        graceEndsAtMs: 0,
        nextPeriod: 0,
        notice: 'Billing is not open for this application: open it with a deposit so it can pay for its users.',
      };
    }
    const status = applicationStatus(app, this.ledger.head.timeMs, p.graceMs);
    const graceEndsAtMs = app.unpaid.size > 0 ? app.arrearsSinceMs + p.graceMs : 0;
    const unpaid = sum(app.unpaid.values());
    const notice =
      status === 'suspended'
        ? `Suspended: ${unpaid} is unpaid. Add at least that much to the deposit and the application runs again at once.`
        : status === 'grace'
          ? `Behind on payment: ${unpaid} is unpaid. Add funds before ${new Date(graceEndsAtMs).toISOString()} or the application is suspended.`
          : null;
    return {
      ...base,
      open: true,
      owner: app.owner,
      deposit: app.deposit.toString(),
      feesOwed: sum(app.feesOwed.values()).toString(),
      unpaid: unpaid.toString(),
      status,
      graceEndsAtMs,
      nextPeriod: app.nextPeriod,
      notice,
    };
  }

  /** An application's periods with usage or a settlement, newest first, a page at a time. */
  async invoices(did: string, beforePeriod: number | undefined, limit: number): Promise<z.infer<typeof InvoicesOut>> {
    const before = beforePeriod ?? 2_147_483_647;
    const rows = await this.db.query<{
      period: number;
      metered: string | null;
      charged: string | null;
      paid: number | null;
      txHash: string | null;
    }>(
      `WITH periods AS (
         SELECT period FROM economy_usage WHERE application = $1 AND period < $2
         UNION SELECT period FROM economy_settlements WHERE application = $1 AND period < $2)
       SELECT p.period, (SELECT sum(amount)::text FROM economy_usage u WHERE u.application = $1 AND u.period = p.period) AS metered,
         s.charged::text AS charged, s.paid, s.tx_hash AS "txHash"
       FROM periods p LEFT JOIN economy_settlements s ON s.application = $1 AND s.period = p.period
       ORDER BY p.period DESC LIMIT $3`,
      [did, before, limit + 1],
    );
    const items = rows.slice(0, limit).map((row) => this.#summary(row));
    const last = items[items.length - 1];
    return { items, nextBeforePeriod: rows.length > limit && last ? last.period : null };
  }

  #summary(row: { period: number; metered: string | null; charged: string | null; paid: number | null; txHash: string | null }) {
    const current = Math.floor(this.now() / this.#periodMs);
    const settled = row.charged !== null;
    const status: z.infer<typeof InvoiceSummary>['status'] = settled
      ? row.paid
        ? 'settled'
        : 'unpaid'
      : row.period >= current
        ? 'open'
        : 'billing';
    return {
      period: row.period,
      startMs: row.period * this.#periodMs,
      endMs: (row.period + 1) * this.#periodMs,
      metered: row.metered ?? '0',
      charged: row.charged,
      paid: settled ? row.paid === 1 : null,
      status,
      txHash: row.txHash,
    };
  }

  /** One period's invoice: a line per day, component and resource, and the fees line once settled. */
  async invoice(did: string, period: number): Promise<z.infer<typeof InvoiceOut>> {
    const lines = await this.db.query<{
      day: number;
      kind: 'component' | 'node';
      payee: string;
      quantity: number;
      unit: string;
      amount: string;
    }>(
      // Gateway messages are the node's line too (unit 'message').
      `SELECT day, CASE WHEN kind = 'messages' THEN 'node' ELSE kind END AS kind, payee, quantity, unit, amount::text AS amount FROM economy_usage
       WHERE application = $1 AND period = $2 ORDER BY day, kind, payee`,
      [did, period],
    );
    const [settlement] = await this.db.query<{ charged: string; paid: number; txHash: string }>(
      'SELECT charged::text AS charged, paid, tx_hash AS "txHash" FROM economy_settlements WHERE application = $1 AND period = $2',
      [did, period],
    );
    const metered = sum(lines.map((l) => BigInt(l.amount)));
    const out = lines.map((l) => ({ ...l, day: dayString(l.day) }));
    const endDay = Math.floor(((period + 1) * this.#periodMs - 1) / DAY_MS);
    // The settlement charges the metered lines plus the fees the chain accrued for the application's users.
    if (settlement && BigInt(settlement.charged) > metered) {
      const fees = BigInt(settlement.charged) - metered;
      out.push({
        day: dayString(endDay),
        kind: 'fees' as never,
        payee: 'transaction fees',
        quantity: 1,
        unit: 'period',
        amount: fees.toString(),
      });
    }
    const summary = this.#summary({
      period,
      metered: metered.toString(),
      charged: settlement?.charged ?? null,
      paid: settlement?.paid ?? null,
      txHash: settlement?.txHash ?? null,
    });
    return { ...summary, application: did, lines: out };
  }

  /** The invoice as CSV (RFC 4180), for a spreadsheet. */
  async invoiceCsv(did: string, period: number): Promise<string> {
    const invoice = await this.invoice(did, period);
    return invoiceCsv(invoice, this.ledger.options.genesis.nativeToken.decimals);
  }

  /**
   * Where the native supply is: circulating, staked, application deposits, publish stakes (what components published
   * under the old rule locked; names published since are backed by bonded stake, counted in staked), the bridge and
   * the treasury.
   */
  async supply(): Promise<z.infer<typeof SupplyOut>> {
    const p = this.ledger.params.economy;
    const total = nativeSupply(this.ledger.options.genesis);
    const stakes = await this.db.query<{ value: Uint8Array }>('SELECT value FROM stakes');
    const staked = sum(
      stakes.map((r) => decodeStake(new Uint8Array(r.value))).map((s) => s.unbonding.reduce((n, u) => n + u.amount, s.bonded)),
    );
    const apps = await this.db.query<{ value: Uint8Array }>('SELECT value FROM applications');
    const deposits = sum(apps.map((r) => decodeApplication(new Uint8Array(r.value)).deposit));
    const components = await this.db.query<{ value: Uint8Array }>('SELECT value FROM components');
    const publishStakes = sum(components.map((r) => decodeComponent(new Uint8Array(r.value)).stake));
    const accounts = await this.db.query<{ did: string; value: Uint8Array }>(
      'SELECT did, value FROM accounts WHERE did = ANY($1::text[])',
      [[p.treasury, p.bridgeEscrow]],
    );
    const balance = (did: string) => {
      const row = accounts.find((a) => a.did === did);
      return row ? decodeAccount(new Uint8Array(row.value)).balance : 0n;
    };
    const bridgeLocked = balance(p.bridgeEscrow);
    const treasury = balance(p.treasury);
    const circulating = total - staked - deposits - publishStakes - bridgeLocked - treasury;
    return {
      total: total.toString(),
      circulating: circulating.toString(),
      staked: staked.toString(),
      deposits: deposits.toString(),
      publishStakes: publishStakes.toString(),
      bridgeLocked: bridgeLocked.toString(),
      treasury: treasury.toString(),
      treasuryDid: p.treasury,
      bridgeEscrowDid: p.bridgeEscrow,
    };
  }

  /** An account's stake, with what it could withdraw now. */
  async stake(did: string): Promise<z.infer<typeof StakeOut>> {
    const [row] = await this.db.query<{ value: Uint8Array }>('SELECT value FROM stakes WHERE did = $1', [did]);
    const s = row ? decodeStake(new Uint8Array(row.value)) : emptyStake(did);
    const at = this.ledger.head.timeMs;
    return {
      did,
      bonded: s.bonded.toString(),
      unbonding: s.unbonding.map((u) => ({ amount: u.amount.toString(), releaseAtMs: u.releaseAtMs })),
      withdrawable: sum(s.unbonding.filter((u) => u.releaseAtMs <= at).map((u) => u.amount)).toString(),
      slashed: s.slashed.toString(),
      unbondingMs: this.ledger.params.economy.unbondingMs,
      names: s.names,
      publishStake: this.ledger.params.economy.publishStake.toString(),
    };
  }

  /** What an application owes now (for the runtime's suspension check): null when billing is not open. */
  async owes(did: string): Promise<bigint | null> {
    const app = await this.#application(did);
    return app ? applicationOwes(app) : null;
  }
}
