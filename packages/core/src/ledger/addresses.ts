import { utf8 } from '../bytes.ts';
import { deriveDid } from '../did/did.ts';

/** The address of an application token: derived from its symbol, so a symbol names one token. */
export function tokenAddress(symbol: string): string {
  return deriveDid(utf8(`token:${symbol}`), 'token');
}

/** The address of the asset a createAsset transaction makes: derived from the transaction hash. */
export function assetAddress(txHash: Uint8Array): string {
  return deriveDid(txHash, 'asset');
}
