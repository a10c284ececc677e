import { OcapError } from '@arc/core';

/** An output the sender may spend: confirmed (depth 0) or the change of its own unconfirmed send (depth ≥ 1). */
export interface SpendableCoin {
  txid: string;
  vout: number;
  value: bigint;
  script: Uint8Array;
  /** Unconfirmed transactions in the chain that leads to this coin (0 for a confirmed coin). */
  depth: number;
}

/** Change below this is not worth an output: it goes to the fee instead (Bitcoin Core's P2PKH dust limit, the strictest). */
export const DUST_LIMIT_SATS = 546n;
/**
 * The deepest unconfirmed chain the adapter builds on: Bitcoin Core refuses a transaction with more than 25
 * unconfirmed ancestors (including itself) by default (-limitancestorcount).
 */
export const UNCONFIRMED_CHAIN_DEPTH_MAX = 24;
/** Bound on inputs in one transfer; more coins than this cannot be gathered into one send. */
export const TRANSFER_INPUTS_MAX = 200;

// Virtual sizes (vB) for P2WPKH spends, rounded up so the fee never falls short of the rate:
// version + locktime + counts (10) + segwit marker and flag (0.5); an input 41 bytes + a 72-byte
// signature and 33-byte key as witness (27.25); an output 8 + 1 + script.
const TX_OVERHEAD_VBYTES = 11;
const P2WPKH_INPUT_VBYTES = 69;

/** An output's virtual size for a locking script of `scriptLength` bytes. */
export function outputVbytes(scriptLength: number): number {
  return 8 + 1 + scriptLength;
}

/** An upper bound on a P2WPKH-input transaction's virtual size. */
export function estimateVbytes(inputs: number, outputScriptLengths: number[]): number {
  return TX_OVERHEAD_VBYTES + inputs * P2WPKH_INPUT_VBYTES + outputScriptLengths.reduce((a, n) => a + outputVbytes(n), 0);
}

export interface Selection {
  inputs: SpendableCoin[];
  fee: bigint;
  /** Change back to the sender, 0n when the rest is dust (then it is part of the fee). */
  change: bigint;
}

/**
 * Chooses coins for `amount` plus the fee at `feeRateSatPerVb`: confirmed coins first, then the shallowest
 * unconfirmed change, largest first within a depth, so parallel sends spread over coins before they chain.
 */
export function selectCoins(request: {
  coins: SpendableCoin[];
  amount: bigint;
  feeRateSatPerVb: bigint;
  toScriptLength: number;
  changeScriptLength: number;
}): Selection {
  const { amount, feeRateSatPerVb, toScriptLength, changeScriptLength } = request;
  const usable = request.coins
    .filter((c) => c.depth < UNCONFIRMED_CHAIN_DEPTH_MAX)
    .sort((a, b) => a.depth - b.depth || (b.value > a.value ? 1 : b.value < a.value ? -1 : 0));
  const inputs: SpendableCoin[] = [];
  let total = 0n;
  for (const coin of usable) {
    if (inputs.length >= TRANSFER_INPUTS_MAX) break;
    inputs.push(coin);
    total += coin.value;
    const feeWithChange = BigInt(estimateVbytes(inputs.length, [toScriptLength, changeScriptLength])) * feeRateSatPerVb;
    const change = total - amount - feeWithChange;
    if (change >= DUST_LIMIT_SATS) return { inputs, fee: feeWithChange, change };
    const feeAlone = BigInt(estimateVbytes(inputs.length, [toScriptLength])) * feeRateSatPerVb;
    if (total - amount >= feeAlone) return { inputs, fee: total - amount, change: 0n };
  }
  const everything = request.coins.reduce((a, c) => a + c.value, 0n);
  const needed = amount + BigInt(estimateVbytes(1, [toScriptLength])) * feeRateSatPerVb;
  if (everything >= needed) {
    throw new OcapError(
      'INSUFFICIENT_FUNDS',
      `The sender's spendable coins cannot pay ${amount} sat plus the fee now: the rest sits in long unconfirmed chains or too many small coins; retry after the next block.`,
    );
  }
  throw new OcapError('INSUFFICIENT_FUNDS', `The sender holds ${everything} sat in spendable coins, less than ${amount} sat plus the fee.`);
}
