import { OcapError, type OcapEvent, type TokenInfo } from '@arc/core';
import { CHAINCODE_NAME } from './config.ts';
import { canonicalAccount } from './identity.ts';

/** Like an ERC-20 uint256: the token chaincode refuses amounts above this. */
export const TOKEN_AMOUNT_MAX = 2n ** 256n - 1n;
const DECIMAL = /^[0-9]{1,78}$/;

/** The token chaincode's functions the adapter calls (fabric-chaincode/token/README.md). */
export const TOKEN_FN = {
  name: 'TokenName',
  symbol: 'Symbol',
  decimals: 'Decimals',
  totalSupply: 'TotalSupply',
  balanceOf: 'BalanceOf',
  transfer: 'Transfer',
  clientAccountId: 'ClientAccountID',
} as const;

/** A chaincode name, or INVALID_ARGUMENT. */
export function requireChaincode(name: unknown, what = 'token'): string {
  if (typeof name !== 'string' || name.length > 128 || !CHAINCODE_NAME.test(name)) {
    throw new OcapError(
      'INVALID_ARGUMENT',
      `The ${what} "${String(name)}" is not a chaincode name (letters and digits, single - or _ between them).`,
    );
  }
  return name;
}

/** A positive bigint amount the token accepts, or INVALID_ARGUMENT. */
export function requireAmount(amount: unknown): bigint {
  if (typeof amount !== 'bigint' || amount <= 0n) {
    throw new OcapError('INVALID_ARGUMENT', "A transfer amount is a positive bigint in the token's smallest unit.");
  }
  if (amount > TOKEN_AMOUNT_MAX) throw new OcapError('INVALID_ARGUMENT', 'A token amount is at most 2^256 - 1.');
  return amount;
}

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

/** A decimal answer of the chaincode as bigint, or INTERNAL naming the call. */
export function amountAnswer(bytes: Uint8Array, what: string): bigint {
  const answer = text(bytes).trim();
  if (!DECIMAL.test(answer))
    throw new OcapError('INTERNAL', `The token chaincode answered ${what} with "${answer.slice(0, 80)}", not a whole number.`);
  return BigInt(answer);
}

/** Name, symbol, decimals and supply, read in parallel through `evaluate` (the token's own functions). */
export async function readTokenInfo(chaincode: string, evaluate: (fn: string, args: string[]) => Promise<Uint8Array>): Promise<TokenInfo> {
  const [name, symbol, decimals, totalSupply] = await Promise.all([
    evaluate(TOKEN_FN.name, []),
    evaluate(TOKEN_FN.symbol, []),
    evaluate(TOKEN_FN.decimals, []),
    evaluate(TOKEN_FN.totalSupply, []),
  ]);
  const decimalCount = Number(text(decimals).trim());
  if (!Number.isInteger(decimalCount) || decimalCount < 0) {
    throw new OcapError('INTERNAL', `The token chaincode ${chaincode} answered Decimals with "${text(decimals).slice(0, 20)}".`);
  }
  return {
    address: chaincode,
    name: text(name),
    symbol: text(symbol),
    decimals: decimalCount,
    totalSupply: amountAnswer(totalSupply, 'TotalSupply'),
  };
}

/** The payload of a token `Transfer` event ({from, to, value}; from is null for a mint), or undefined when malformed. */
export function decodeTransferPayload(payload: Uint8Array): { from: string | null; to: string | null; value: bigint } | undefined {
  let parsed: { from?: unknown; to?: unknown; value?: unknown };
  try {
    parsed = JSON.parse(text(payload));
  } catch {
    // Not JSON: the event is passed on as a raw log.
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object' || typeof parsed.value !== 'string' || !DECIMAL.test(parsed.value)) return undefined;
  const from = parsed.from === null || parsed.from === undefined || parsed.from === '' ? null : canonicalAccount(parsed.from);
  const to = parsed.to === null || parsed.to === undefined || parsed.to === '' ? null : canonicalAccount(parsed.to);
  if (from === undefined || to === undefined) return undefined;
  return { from, to, value: BigInt(parsed.value) };
}

/** The OCAP fields of a chaincode event, before the stream adds where it sits. */
export type EventFields = Pick<OcapEvent, 'kind' | 'from' | 'to' | 'amount' | 'token' | 'address' | 'topics' | 'data'>;

/**
 * Decodes a token chaincode's events: `Transfer` becomes `kind` (`transfer` for the channel's coin, `tokenTransfer`
 * with `token` = the chaincode for other tokens); anything else is a `log` with the event name as its only topic and
 * the payload as hex data.
 */
export function tokenEventDecoder(
  chaincode: string,
  kind: 'transfer' | 'tokenTransfer',
): (name: string, payload: Uint8Array) => EventFields {
  return (name, payload) => {
    const transfer = name === 'Transfer' ? decodeTransferPayload(payload) : undefined;
    if (transfer)
      return { kind, from: transfer.from, to: transfer.to, amount: transfer.value, token: kind === 'transfer' ? null : chaincode };
    return logFields(chaincode, name, payload);
  };
}

/** Any chaincode event as a raw log. */
export function logFields(chaincode: string, name: string, payload: Uint8Array): EventFields {
  return {
    kind: 'log',
    from: null,
    to: null,
    amount: 0n,
    token: null,
    address: chaincode,
    topics: [name],
    data: Buffer.from(payload).toString('hex'),
  };
}
