import {
  type AccountState,
  applyWritesToTrie,
  EMPTY_ROOT,
  encodeAccount,
  encodeProof,
  proveKey,
  stateKey,
  stateKeyHash,
  type TrieNode,
  toHex,
} from '@arc/core';
import type { AccountResponse } from '../schemas.ts';

/**
 * A state trie of accounts built with core, answering account.get the way the contract says a
 * node does. Tests tamper with its answers to see the client refuse them.
 */
export class FakeState {
  readonly nodes = new Map<string, TrieNode>();
  readonly accounts = new Map<string, AccountState>();
  root: Uint8Array = EMPTY_ROOT;
  height = 0;

  put(...accounts: AccountState[]): this {
    const writes = accounts.map((value) => ({ kind: 'account' as const, value }));
    const result = applyWritesToTrie({ get: (hex) => this.nodes.get(hex) }, this.root, writes);
    for (const [hex, node] of result.created) this.nodes.set(hex, node);
    for (const account of accounts) this.accounts.set(account.did, account);
    this.root = result.root;
    this.height += 1;
    return this;
  }

  /** account.get's answer, exactly as the node's contract describes it. */
  accountResponse(did: string): AccountResponse {
    const key = stateKey('account', did);
    const proof = encodeProof(proveKey({ get: (hex) => this.nodes.get(hex) }, this.root, stateKeyHash(key)));
    const account = this.accounts.get(did);
    return {
      did,
      exists: account !== undefined,
      moniker: account?.moniker ?? '',
      nonce: account?.nonce ?? 0,
      publicKey: account?.publicKey ? toHex(account.publicKey) : null,
      balance: account?.balance ?? 0n,
      tokens: [...(account?.tokens ?? [])].map(([address, amount]) => ({ address, symbol: 'TOK', decimals: 6, amount })),
      proof: {
        height: this.height,
        stateRoot: toHex(this.root),
        key,
        value: account ? toHex(encodeAccount(account)) : null,
        ...proof,
      },
    };
  }
}

/** An account with a balance and nothing else. */
export function accountWith(did: string, balance: bigint, nonce = 0, tokens: [string, bigint][] = []): AccountState {
  return { did, publicKey: null, moniker: '', nonce, balance, tokens: new Map(tokens) };
}
