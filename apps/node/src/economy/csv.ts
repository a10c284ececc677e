import type { z } from 'zod';
import type { InvoiceOut } from './api-schemas.ts';

/** A field as RFC 4180 wants it: quoted when it holds a comma, a quote or a line break; a leading =+-@ is defused. */
function field(value: string | number): string {
  let text = String(value);
  // Spreadsheets run a cell that starts with one of these as a formula (CSV injection): a payee name must not.
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** An amount in smallest units as a decimal in whole tokens (18 decimals: 1500000000000000000 → 1.5). */
export function formatUnits(amount: string, decimals: number): string {
  const padded = amount.padStart(decimals + 1, '0');
  const whole = padded.slice(0, padded.length - decimals);
  const fraction = padded.slice(padded.length - decimals).replace(/0+$/, '');
  return fraction === '' ? whole : `${whole}.${fraction}`;
}

/** One invoice as CSV: a header, a row per line, and a total row. */
export function invoiceCsv(invoice: z.infer<typeof InvoiceOut>, decimals: number): string {
  const rows: (string | number)[][] = [['day', 'kind', 'payee', 'quantity', 'unit', 'amount_abt', 'amount_units']];
  let total = 0n;
  for (const line of invoice.lines) {
    total += BigInt(line.amount);
    rows.push([line.day, line.kind, line.payee, line.quantity, line.unit, formatUnits(line.amount, decimals), line.amount]);
  }
  rows.push(['total', '', invoice.application, '', `period ${invoice.period}`, formatUnits(total.toString(), decimals), total.toString()]);
  return `${rows.map((row) => row.map(field).join(',')).join('\r\n')}\r\n`;
}
