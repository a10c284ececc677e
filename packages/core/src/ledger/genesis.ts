import { BLOCK_VERSION, txMerkleRoot, ZERO_HASH } from './block.ts';
import type { StateEntry } from './state.ts';
import type { BlockHeader, ChainParams, NativeToken } from './types.ts';

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
  const accounts: StateEntry[] = [...balances].map(([did, balance]) => ({
    kind: 'account',
    value: { did, publicKey: null, moniker: '', nonce: 0, balance, tokens: new Map() },
  }));
  // A consensus chain's validators start with their stake bonded: what sortition weighs and slashing can take.
  const stakes: StateEntry[] = (config.params.consensus?.validators ?? []).map((v) => ({
    kind: 'stake',
    value: { did: v.did, bonded: v.stake, unbonding: [], slashed: 0n, names: 0 },
  }));
  return [...accounts, ...stakes];
}

/** Block 0's header: no transactions, no proposer, the genesis state's root (applyWritesToTrie of genesisEntries). */
export function genesisHeader(config: GenesisConfig, stateRoot: Uint8Array): BlockHeader {
  return {
    version: BLOCK_VERSION,
    chainId: config.chainId,
    height: 0,
    prevHash: ZERO_HASH,
    timeMs: config.timeMs,
    proposer: '',
    txRoot: txMerkleRoot([]),
    stateRoot,
    txCount: 0,
  };
}

/** The native token's total supply: everything allocated and staked at genesis (fees move it, nothing mints it). */
export function nativeSupply(config: GenesisConfig): bigint {
  const staked = (config.params.consensus?.validators ?? []).reduce((sum, v) => sum + v.stake, 0n);
  return config.allocations.reduce((sum, a) => sum + a.amount, staked);
}

/** True for development chains (a chain id with a `dev` part), where the faucet may run. */
export function isDevChain(chainId: string): boolean {
  return /(^|[-_.])dev($|[-_.])/.test(chainId);
}
