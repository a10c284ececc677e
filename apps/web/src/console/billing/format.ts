import type { BadgeTone } from '@arc/ui';
import { formatAmount } from '@arc/ui';
import type { RouterOutputs } from '../../trpc/types.ts';
import { ABT_DECIMALS } from '../applications/signing.ts';

export type Billing = RouterOutputs['economy']['billing'];
export type InvoiceSummary = RouterOutputs['economy']['invoices']['items'][number];
export type Invoice = RouterOutputs['economy']['invoice'];
export type InvoiceLine = Invoice['lines'][number];

const DAY_MS = 86_400_000;

/** An amount in the ledger's smallest unit as ABT ("0.42 ABT"). */
export const abt = (amount: bigint | string) => `${formatAmount(amount, ABT_DECIMALS)} ABT`;

/** How a billing account's status reads, and its colour. */
export const billingStatus: Record<Billing['status'] | 'notOpen', { label: string; tone: BadgeTone }> = {
  active: { label: 'Active', tone: 'emerald' },
  grace: { label: 'Payment due', tone: 'amber' },
  suspended: { label: 'Suspended', tone: 'red' },
  closed: { label: 'Closed', tone: 'neutral' },
  notOpen: { label: 'Not open', tone: 'neutral' },
};

/** How an invoice's status reads, and its colour. */
export const invoiceStatus: Record<InvoiceSummary['status'], { label: string; tone: BadgeTone }> = {
  open: { label: 'Current period', tone: 'sky' },
  billing: { label: 'Being settled', tone: 'violet' },
  settled: { label: 'Paid', tone: 'emerald' },
  unpaid: { label: 'Unpaid', tone: 'red' },
};

/** Everything the application owes now: fees since the last settlement and settled payouts not yet paid. */
export function owedOf(billing: Billing): bigint {
  return BigInt(billing.feesOwed) + BigInt(billing.unpaid);
}

/** What the owner may take back: the deposit less what it owes (never below 0). */
export function withdrawableOf(billing: Billing): bigint {
  const free = BigInt(billing.deposit) - owedOf(billing);
  return free > 0n ? free : 0n;
}

/** What must be added for the deposit to pay what is unpaid (what ends a grace period or a suspension). */
export function shortfallOf(billing: Billing): bigint {
  const short = BigInt(billing.unpaid) - BigInt(billing.deposit);
  return short > 0n ? short : 0n;
}

const dateFormat = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', year: 'numeric', timeZone: 'UTC' });
const dayFormat = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
const timeFormat = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit', timeZone: 'UTC' });

/** A moment as people read it, in UTC: "Dec 4, 2026, 21:03:40 UTC". */
export function formatMoment(timeMs: number): string {
  return `${dateFormat.format(timeMs)}, ${timeFormat.format(timeMs)} UTC`;
}

/**
 * A billing period's span in UTC: "Nov 25 – Dec 25, 2026" for periods of days, "Dec 4, 2026, 21:03:20 – 21:03:40 UTC"
 * for shorter ones (test chains).
 */
export function formatPeriod(startMs: number, endMs: number): string {
  if (endMs - startMs >= DAY_MS) return `${dayFormat.format(startMs)} – ${dateFormat.format(endMs - 1)}`;
  return `${dateFormat.format(startMs)}, ${timeFormat.format(startMs)} – ${timeFormat.format(endMs)} UTC`;
}

/** A UTC day of an invoice line ("2026-12-04") as "Dec 4". */
export function formatDay(day: string): string {
  const ms = Date.parse(`${day}T00:00:00Z`);
  return Number.isNaN(ms) ? day : dayFormat.format(ms);
}

/** What an invoice line is for, in words. */
export function lineItem(line: Pick<InvoiceLine, 'kind' | 'payee' | 'unit'>): { title: string; detail: string } {
  if (line.kind === 'component') return { title: line.payee, detail: 'Component, paid per use' };
  if (line.kind === 'node') return { title: unitName(line.unit), detail: `Node ${line.payee}` };
  return { title: 'Transaction fees', detail: "Your users' transactions the application paid for" };
}

function unitName(unit: string): string {
  if (unit === 'cpu-ms') return 'Node CPU time';
  return `Node ${unit}`;
}

/** A line's quantity with its unit: "1,204 calls", "3,250 CPU ms". */
export function formatQuantity(quantity: number, unit: string): string {
  const count = quantity.toLocaleString('en-US', { maximumFractionDigits: 2 });
  if (unit === 'call') return `${count} call${quantity === 1 ? '' : 's'}`;
  if (unit === 'cpu-ms') return `${count} CPU ms`;
  if (unit === 'period') return 'this period';
  return `${count} ${unit}`;
}

/** One component or resource of an invoice, with its lines per day. */
export interface LineGroup {
  key: string;
  kind: InvoiceLine['kind'];
  payee: string;
  unit: string;
  quantity: number;
  amount: bigint;
  days: { day: string; quantity: number; amount: bigint }[];
}

/** An invoice's lines grouped per component and resource (largest amount first), each with its days in order. */
export function groupLines(lines: InvoiceLine[]): LineGroup[] {
  const groups = new Map<string, LineGroup>();
  for (const line of lines) {
    const key = `${line.kind}:${line.payee}:${line.unit}`;
    const group = groups.get(key) ?? { key, kind: line.kind, payee: line.payee, unit: line.unit, quantity: 0, amount: 0n, days: [] };
    groups.set(key, group);
    group.quantity += line.quantity;
    group.amount += BigInt(line.amount);
    group.days.push({ day: line.day, quantity: line.quantity, amount: BigInt(line.amount) });
  }
  const out = [...groups.values()];
  for (const group of out) group.days.sort((a, b) => a.day.localeCompare(b.day));
  return out.sort((a, b) => (a.amount === b.amount ? a.key.localeCompare(b.key) : a.amount > b.amount ? -1 : 1));
}
