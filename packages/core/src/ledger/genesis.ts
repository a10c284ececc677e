import type { StateEntry } from './state.ts';
import type { ChainParams, NativeToken } from './types.ts';

/** What a chain starts from; the node reads it from a config file. */
export interface GenesisConfig {
  chainId: string;
  timeMs: number;
  nativeToken: NativeToken;
  params: ChainParams;
  allocations: { did: string; amount: bigint }[];
}

/** The state entries of a genesis: one account per allocation (amounts of a repeated DID add up). */
export function genesisEntries(config: GenesisConfig): StateEntry[] {
  const balances = new Map<string, bigint>();
  for (const { did, amount } of config.allocations) balances.set(did, (balances.get(did) ?? 0n) + amount);
  return [...balances].map(([did, balance]) => ({
    kind: 'account',
    value: { did, publicKey: null, moniker: '', nonce: 0, balance, tokens: new Map() },
  }));
}

/** The native token's total supply: everything allocated at genesis (fees move it, nothing mints it). */
export function nativeSupply(config: GenesisConfig): bigint {
  return config.allocations.reduce((sum, a) => sum + a.amount, 0n);
}

/** True for development chains (a chain id with a `dev` part), where the faucet may run. */
export function isDevChain(chainId: string): boolean {
  return /(^|[-_.])dev($|[-_.])/.test(chainId);
}
