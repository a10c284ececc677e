import { OcapError } from '@arc/core';
import { MOCK_ADDRESS, MOCK_HASH } from './keys.ts';
import type { MockDevOp } from './state.ts';

/** Input checks shared by the mock adapter and its level-3 calls: each returns the checked value or throws an OcapError. */

/** A token created at genesis. Its address is `adapter.native.tokens()[i].address`, in this order. */
export interface MockTokenPreset {
  symbol: string;
  name?: string;
  decimals?: number;
  supply: bigint;
  owner: string;
}

/** Returns the address if it is a mock address; INVALID_ADDRESS otherwise. */
export function checkAddress(address: string, what = 'address'): string {
  if (typeof address !== 'string' || !MOCK_ADDRESS.test(address)) {
    throw new OcapError(
      'INVALID_ADDRESS',
      `"${String(address)}" is not a mock ${what}: write mock1 followed by 40 lower-case hex characters.`,
    );
  }
  return address;
}

export function checkHash(hash: string): string {
  const lower = typeof hash === 'string' ? hash.toLowerCase() : '';
  if (!MOCK_HASH.test(lower)) throw new OcapError('INVALID_ARGUMENT', `"${String(hash)}" is not a mock hash: 0x and 64 hex characters.`);
  return lower;
}

export function checkAmount(amount: bigint): bigint {
  if (typeof amount !== 'bigint' || amount <= 0n)
    throw new OcapError('INVALID_ARGUMENT', `An amount is a bigint above 0 in the smallest unit, not ${String(amount)}.`);
  return amount;
}

export function checkNonNegative(amount: bigint, what: string): bigint {
  if (typeof amount !== 'bigint' || amount < 0n)
    throw new OcapError('INVALID_ARGUMENT', `${what} is a bigint from 0, not ${String(amount)}.`);
  return amount;
}

const SYMBOL = /^[A-Za-z0-9]{1,16}$/;
const TOKEN_NAME_CHARS_MAX = 64;
const TOKEN_DECIMALS_MAX = 36;

/** Checks a token's description and turns it into the developer operation that creates it. */
export function tokenOp(token: MockTokenPreset): MockDevOp {
  if (typeof token.symbol !== 'string' || !SYMBOL.test(token.symbol)) {
    throw new OcapError('INVALID_ARGUMENT', `A token symbol is 1 to 16 letters or digits, not "${String(token.symbol)}".`);
  }
  const name = token.name ?? token.symbol;
  if (typeof name !== 'string' || name.length === 0 || name.length > TOKEN_NAME_CHARS_MAX) {
    throw new OcapError('INVALID_ARGUMENT', `A token name is 1 to ${TOKEN_NAME_CHARS_MAX} characters.`);
  }
  const decimals = token.decimals ?? 18;
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > TOKEN_DECIMALS_MAX) {
    throw new OcapError('INVALID_ARGUMENT', `Token decimals are a whole number from 0 to ${TOKEN_DECIMALS_MAX}, not ${decimals}.`);
  }
  return {
    op: 'createToken',
    symbol: token.symbol,
    name,
    decimals,
    supply: checkNonNegative(token.supply, 'A token supply'),
    owner: checkAddress(token.owner),
  };
}
