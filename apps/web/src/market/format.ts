import { formatAmount } from '@arc/ui';
import type { ComponentKind } from './query.ts';

/** ABT's decimals: prices are in its smallest unit. */
export const ABT_DECIMALS = 18;

export const kindLabels: Record<ComponentKind, { one: string; many: string }> = {
  adapter: { one: 'Adapter', many: 'Adapters' },
  blocklet: { one: 'Blocklet', many: 'Blocklets' },
  component: { one: 'Component', many: 'Components' },
  application: { one: 'Application', many: 'Applications' },
};

export const kindTones = { adapter: 'sky', blocklet: 'indigo', component: 'violet', application: 'emerald' } as const;

/** 1,204 · 12.3k · 4.5M: short counts for cards. */
export function formatCount(n: number): string {
  if (n < 10_000) return n.toLocaleString('en-US');
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 100_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

/** "Free", "2 ABT / month", "0.001 ABT / call". */
export function formatPrice(price: { model: 'free' | 'perMonth' | 'perCall'; amount: string }): string {
  if (price.model === 'free') return 'Free';
  let value: string;
  try {
    value = formatAmount(price.amount, ABT_DECIMALS, { maxFractionDigits: 6 });
  } catch {
    value = price.amount;
  }
  return `${value} ABT / ${price.model === 'perMonth' ? 'month' : 'call'}`;
}

/** "4.3 out of 5 from 12 reviews" or "No reviews yet". */
export function ratingWords(average: number | null, count: number): string {
  if (average === null || count === 0) return 'No reviews yet';
  return `${average.toFixed(1)} out of 5 from ${count.toLocaleString('en-US')} review${count === 1 ? '' : 's'}`;
}

export function formatDate(ms: number): string {
  return new Date(ms).toLocaleDateString('en-GB', { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
}
