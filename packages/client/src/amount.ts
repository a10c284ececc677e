import { badInput } from './errors.ts';

/** The most decimals an amount may have here; ABT uses 18, no sane token uses more than this. */
export const AMOUNT_DECIMALS_MAX = 36;
/** Longest amount text accepted, so a pasted novel is a clear error rather than a huge bigint. */
export const AMOUNT_TEXT_MAX = 100;

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

function checkDecimals(decimals: number): void {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > AMOUNT_DECIMALS_MAX) {
    throw badInput(`decimals must be a whole number from 0 to ${AMOUNT_DECIMALS_MAX}, not ${decimals}`);
  }
}

/** Parses a decimal string ('1.5') into the smallest unit (bigint), exactly; throws BAD_INPUT on anything else. */
export function parseAmount(text: string, decimals: number): bigint {
  checkDecimals(decimals);
  if (typeof text !== 'string' || text.length > AMOUNT_TEXT_MAX) {
    throw badInput(`an amount is a decimal number of at most ${AMOUNT_TEXT_MAX} characters`);
  }
  const match = DECIMAL.exec(text);
  if (match === null) {
    throw badInput(`"${text}" is not an amount; write digits with an optional fraction, like 12 or 1.5`);
  }
  const whole = match[1] as string;
  const fraction = match[2] ?? '';
  if (fraction.length > decimals) {
    throw badInput(`"${text}" has ${fraction.length} digits after the point; this token has ${decimals} decimals`);
  }
  return BigInt(whole + fraction.padEnd(decimals, '0'));
}

/** Formats an amount in the smallest unit as a decimal string ('1.5'), exactly, without trailing zeros. */
export function formatAmount(value: bigint, decimals: number): string {
  checkDecimals(decimals);
  const sign = value < 0n ? '-' : '';
  const digits = (value < 0n ? -value : value).toString().padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals).replace(/0+$/, '');
  return fraction === '' ? `${sign}${whole}` : `${sign}${whole}.${fraction}`;
}
