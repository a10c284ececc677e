import { OcapError, type OcapEvent } from '@arc/core';
import { type MockSignedTx, mockAddressFor } from './keys.ts';

/**
 * The mock chain's state machine: accounts, tokens and assets, and the pure rules that apply a transaction or
 * a developer operation to them. The chain (chain.ts) decides what is applied when; this file decides what it does.
 */

export interface MockToken {
  address: string;
  symbol: string;
  name: string;
  decimals: number;
  totalSupply: bigint;
  balances: Map<string, bigint>;
}

export interface MockAsset {
  id: string;
  owner: string;
  uri: string | null;
}

/** A custom event queued with `native.emit`: mined like a contract call that logs, unsigned and free. */
export interface MockLog {
  kind: 'log';
  hash: string;
  address: string;
  topics: string[];
  data: string;
}

/** What a block holds, in order: signed transactions and emitted logs. */
export type MockEntry = MockSignedTx | MockLog;

/**
 * A developer operation (`fund`, `setBalance`, `createToken`, `mintAsset`): applied at once, outside any
 * transaction, recorded with the block that follows so a reorg replays it and it survives the reorg.
 */
export type MockDevOp =
  | { op: 'fund'; address: string; amount: bigint }
  | { op: 'setBalance'; address: string; amount: bigint }
  | { op: 'createToken'; symbol: string; name: string; decimals: number; supply: bigint; owner: string }
  | { op: 'mintAsset'; owner: string; uri: string | null };

/** An event before it has a place in a block. */
export type MockEventDraft = Omit<OcapEvent, 'position' | 'blockHeight' | 'blockHash' | 'removed'>;

/** How one entry ended when it was applied. */
export interface MockOutcome {
  status: 'success' | 'failed';
  /** The fee actually charged (0n when the sender could not pay it, or for a log). */
  fee: bigint;
  error?: string;
  events: MockEventDraft[];
}

/** Balances, nonces, tokens and assets at one point of the chain. */
export class MockState {
  balances = new Map<string, bigint>();
  nonces = new Map<string, number>();
  tokens = new Map<string, MockToken>();
  assets = new Map<string, MockAsset>();
  tokensCreated = 0;
  assetsMinted = 0;

  balanceOf(address: string): bigint {
    return this.balances.get(address) ?? 0n;
  }

  nonceOf(address: string): number {
    return this.nonces.get(address) ?? 0;
  }

  tokenBalanceOf(token: string, owner: string): bigint {
    return this.tokens.get(token)?.balances.get(owner) ?? 0n;
  }

  clone(): MockState {
    const copy = new MockState();
    copy.balances = new Map(this.balances);
    copy.nonces = new Map(this.nonces);
    for (const [address, token] of this.tokens) copy.tokens.set(address, { ...token, balances: new Map(token.balances) });
    for (const [id, asset] of this.assets) copy.assets.set(id, { ...asset });
    copy.tokensCreated = this.tokensCreated;
    copy.assetsMinted = this.assetsMinted;
    return copy;
  }
}

/** The address a chain gives its n-th token and n-th asset: derived, so a replay gives the same ones. */
export function tokenAddressOf(chainId: string, index: number): string {
  return mockAddressFor(`${chainId}/token/${index}`);
}

export function assetIdOf(chainId: string, index: number): string {
  return mockAddressFor(`${chainId}/asset/${index}`);
}

/** Applies a developer operation; returns the token address or asset id it made, if any. */
export function applyDevOp(state: MockState, chainId: string, op: MockDevOp): string | undefined {
  switch (op.op) {
    case 'fund':
      state.balances.set(op.address, state.balanceOf(op.address) + op.amount);
      return undefined;
    case 'setBalance':
      state.balances.set(op.address, op.amount);
      return undefined;
    case 'createToken': {
      const address = tokenAddressOf(chainId, state.tokensCreated);
      state.tokensCreated += 1;
      const balances = new Map<string, bigint>(op.supply > 0n ? [[op.owner, op.supply]] : []);
      state.tokens.set(address, { address, symbol: op.symbol, name: op.name, decimals: op.decimals, totalSupply: op.supply, balances });
      return address;
    }
    case 'mintAsset': {
      const id = assetIdOf(chainId, state.assetsMinted);
      state.assetsMinted += 1;
      state.assets.set(id, { id, owner: op.owner, uri: op.uri });
      return id;
    }
  }
}

/**
 * Applies one entry at inclusion. A signed transaction always uses its nonce; it pays its fee when the sender
 * can, and fails (moving nothing else) when what it moves is no longer there — the balance changed since it
 * was admitted, or a reorg took the funds away.
 */
export function applyEntry(state: MockState, entry: MockEntry): MockOutcome {
  if (entry.kind === 'log') {
    return {
      status: 'success',
      fee: 0n,
      events: [
        {
          kind: 'log',
          txHash: entry.hash,
          from: entry.address,
          to: null,
          amount: 0n,
          token: null,
          address: entry.address,
          topics: [...entry.topics],
          data: entry.data,
        },
      ],
    };
  }
  const expected = state.nonceOf(entry.from);
  // The chain admits transactions in nonce order and evicts the ones a reorg left without a predecessor.
  if (entry.nonce !== expected)
    throw new OcapError('INTERNAL', `mock ledger bug: ${entry.hash} has nonce ${entry.nonce}, the account is at ${expected}`);
  state.nonces.set(entry.from, expected + 1);
  const balance = state.balanceOf(entry.from);
  if (balance < entry.fee) return failed(0n, `${entry.from} cannot pay the fee of ${entry.fee}`);
  state.balances.set(entry.from, balance - entry.fee);
  const reason = moveOf(state, entry);
  return reason === null ? { status: 'success', fee: entry.fee, events: [eventOf(entry)] } : failed(entry.fee, reason);
}

function failed(fee: bigint, error: string): MockOutcome {
  return { status: 'failed', fee, error, events: [] };
}

/** Moves what the transaction moves; returns why it cannot, or null when done. */
function moveOf(state: MockState, tx: MockSignedTx): string | null {
  switch (tx.kind) {
    case 'transfer': {
      const balance = state.balanceOf(tx.from);
      if (balance < tx.amount) return `insufficient funds: ${tx.from} holds ${balance}, the transfer needs ${tx.amount}`;
      state.balances.set(tx.from, balance - tx.amount);
      state.balances.set(tx.to, state.balanceOf(tx.to) + tx.amount);
      return null;
    }
    case 'tokenTransfer': {
      const token = tx.token === undefined ? undefined : state.tokens.get(tx.token);
      if (!token) return `unknown token ${tx.token}`;
      const held = token.balances.get(tx.from) ?? 0n;
      if (held < tx.amount) return `insufficient funds: ${tx.from} holds ${held} ${token.symbol}, the transfer needs ${tx.amount}`;
      token.balances.set(tx.from, held - tx.amount);
      token.balances.set(tx.to, (token.balances.get(tx.to) ?? 0n) + tx.amount);
      return null;
    }
    case 'assetTransfer': {
      const asset = tx.asset === undefined ? undefined : state.assets.get(tx.asset);
      if (!asset) return `unknown asset ${tx.asset}`;
      if (asset.owner !== tx.from) return `asset ${asset.id} belongs to ${asset.owner}, not ${tx.from}`;
      asset.owner = tx.to;
      return null;
    }
  }
}

function eventOf(tx: MockSignedTx): MockEventDraft {
  const base = { txHash: tx.hash, from: tx.from, to: tx.to };
  switch (tx.kind) {
    case 'transfer':
      return { ...base, kind: 'transfer', amount: tx.amount, token: null };
    case 'tokenTransfer':
      return { ...base, kind: 'tokenTransfer', amount: tx.amount, token: tx.token ?? null };
    case 'assetTransfer':
      return { ...base, kind: 'assetTransfer', amount: 1n, token: tx.asset ?? null };
  }
}
