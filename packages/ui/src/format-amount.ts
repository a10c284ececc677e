/** Formatting of token amounts: integers in the token's smallest unit, never floats. */

const INTEGER = /^-?\d+$/;
/** 10^77 is already past 2^256: no token has more decimals than this. */
const maxDecimals = 77;

export interface FormatAmountOptions {
  /** Appended after a space, e.g. `ABT`. */
  symbol?: string;
  /**
   * Keep at most this many fraction digits, cutting (never rounding) the rest and marking the cut
   * with `…`, so a shortened amount never claims more than it is. Default: every digit.
   */
  maxFractionDigits?: number;
}

/**
 * Formats an amount given in the smallest unit (`1500000000000000000` with 18 decimals is `1.5`):
 * thousands separated by commas, trailing fraction zeros dropped, exact to the last digit.
 * Throws a RangeError for something that is not an integer or for impossible decimals.
 */
export function formatAmount(amount: bigint | string, decimals: number, options: FormatAmountOptions = {}): string {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > maxDecimals) {
    throw new RangeError(`decimals must be an integer from 0 to ${maxDecimals}, got ${decimals}`);
  }
  const value = toBigInt(amount);
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  const unit = 10n ** BigInt(decimals);

  const whole = groupThousands((magnitude / unit).toString());
  let fraction = (magnitude % unit).toString().padStart(decimals, '0').replace(/0+$/, '');
  let cut = false;
  const { maxFractionDigits } = options;
  if (maxFractionDigits !== undefined && fraction.length > maxFractionDigits) {
    fraction = fraction.slice(0, maxFractionDigits).replace(/0+$/, '');
    cut = true;
  }

  const sign = negative ? '-' : '';
  const number = `${sign}${whole}${fraction ? `.${fraction}` : ''}${cut ? '…' : ''}`;
  return options.symbol ? `${number} ${options.symbol}` : number;
}

function toBigInt(amount: bigint | string): bigint {
  if (typeof amount === 'bigint') return amount;
  if (!INTEGER.test(amount)) throw new RangeError(`not an integer amount: "${amount}"`);
  return BigInt(amount);
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
