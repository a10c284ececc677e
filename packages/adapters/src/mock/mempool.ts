import { OcapError } from '@arc/core';
import type { MockSignedTx } from './keys.ts';
import type { MockEntry, MockState } from './state.ts';

/** What a sender has waiting in the mempool, so a new send is checked against what will be left. */
interface PendingSpend {
  count: number;
  native: bigint;
  tokens: Map<string, bigint>;
  assets: Set<string>;
}

/**
 * The mock chain's mempool: entries in arrival order (mined oldest first), and what each sender has pending, so a
 * send is admitted only with the next nonce and only if the sender can pay counting what it already has waiting.
 */
export class MockMempool {
  #entries = new Map<string, MockEntry>();
  #pending = new Map<string, PendingSpend>();

  constructor(
    readonly feePerTx: bigint,
    /** A send or log beyond it is UNAVAILABLE until a block is mined (MockLimits.mempoolTxsMax). */
    readonly txsMax: number,
  ) {}

  get size(): number {
    return this.#entries.size;
  }

  has(hash: string): boolean {
    return this.#entries.has(hash);
  }

  get(hash: string): MockEntry | undefined {
    return this.#entries.get(hash);
  }

  /** The entries, oldest first. */
  list(): MockEntry[] {
    return [...this.#entries.values()];
  }

  /** How many transactions of `address` wait here. */
  pendingCount(address: string): number {
    return this.#pending.get(address)?.count ?? 0;
  }

  /**
   * Admits a signed transaction after the checks a node makes at the door: nonce (exactly the next one: a future
   * nonce is refused, not held), fee, room, and whether the sender can pay counting what it has pending.
   */
  admit(tx: MockSignedTx, state: MockState): void {
    const expected = state.nonceOf(tx.from) + this.pendingCount(tx.from);
    if (tx.nonce < expected) throw new OcapError('NONCE_TOO_LOW', `Nonce ${tx.nonce} of ${tx.from} is used; the next one is ${expected}.`);
    if (tx.nonce > expected) {
      throw new OcapError(
        'INVALID_ARGUMENT',
        `Nonce ${tx.nonce} of ${tx.from} leaves a gap; the mock chain takes only the next nonce, ${expected}.`,
      );
    }
    if (tx.fee < this.feePerTx) throw new OcapError('FEE_TOO_LOW', `The fee ${tx.fee} is below the mock chain's fee of ${this.feePerTx}.`);
    this.checkRoom();
    const pending = this.#pending.get(tx.from) ?? emptySpend();
    const native = pending.native + tx.fee + (tx.kind === 'transfer' ? tx.amount : 0n);
    if (tx.kind !== 'assetTransfer' && tx.amount <= 0n) throw new OcapError('INVALID_ARGUMENT', `An amount is above 0, not ${tx.amount}.`);
    if (tx.kind === 'tokenTransfer') checkToken(tx, pending, state);
    if (tx.kind === 'assetTransfer') checkAsset(tx, pending, state);
    const balance = state.balanceOf(tx.from);
    if (native > balance) {
      throw new OcapError(
        'INSUFFICIENT_FUNDS',
        `${tx.from} holds ${balance}; with what it has pending this needs ${native} (fee ${tx.fee} included).`,
      );
    }
    this.#entries.set(tx.hash, tx);
    this.#addPending(tx);
  }

  /** Queues a custom log event (no sender, no nonce); `checkRoom` first. */
  addLog(entry: MockEntry): void {
    this.#entries.set(entry.hash, entry);
  }

  /** Removes and answers up to `max` of the oldest entries; call `rebuildPending` once done taking. */
  take(max: number): MockEntry[] {
    const taken = [...this.#entries.values()].slice(0, max);
    for (const entry of taken) this.#entries.delete(entry.hash);
    return taken;
  }

  /** Refills the mempool in order, keeping each sender's transactions only while their nonces follow on; returns the rest. */
  refill(entries: MockEntry[], state: MockState): string[] {
    this.#entries = new Map();
    const next = new Map<string, number>();
    const evicted: string[] = [];
    for (const entry of entries) {
      if (entry.kind !== 'log') {
        const expected = next.get(entry.from) ?? state.nonceOf(entry.from);
        if (entry.nonce !== expected) {
          evicted.push(entry.hash);
          continue;
        }
        next.set(entry.from, expected + 1);
      }
      this.#entries.set(entry.hash, entry);
    }
    this.rebuildPending();
    return evicted;
  }

  /** Puts back exactly these entries (a snapshot's). */
  restore(entries: MockEntry[]): void {
    this.#entries = new Map(entries.map((entry) => [entry.hash, entry]));
    this.rebuildPending();
  }

  rebuildPending(): void {
    this.#pending = new Map();
    for (const entry of this.#entries.values()) if (entry.kind !== 'log') this.#addPending(entry);
  }

  /** Throws UNAVAILABLE when the mempool holds its bound. */
  checkRoom(): void {
    if (this.#entries.size >= this.txsMax) {
      throw new OcapError('UNAVAILABLE', `The mock mempool is full (${this.txsMax} transactions); mine a block and retry.`);
    }
  }

  #addPending(tx: MockSignedTx): void {
    const spend = this.#pending.get(tx.from) ?? emptySpend();
    spend.count += 1;
    spend.native += tx.fee + (tx.kind === 'transfer' ? tx.amount : 0n);
    if (tx.kind === 'tokenTransfer' && tx.token !== undefined) spend.tokens.set(tx.token, (spend.tokens.get(tx.token) ?? 0n) + tx.amount);
    if (tx.kind === 'assetTransfer' && tx.asset !== undefined) spend.assets.add(tx.asset);
    this.#pending.set(tx.from, spend);
  }
}

function checkToken(tx: MockSignedTx, pending: PendingSpend, state: MockState): void {
  const token = tx.token === undefined ? undefined : state.tokens.get(tx.token);
  if (!token) throw new OcapError('NOT_FOUND', `The mock chain has no token ${tx.token}.`);
  const needed = (pending.tokens.get(token.address) ?? 0n) + tx.amount;
  const held = token.balances.get(tx.from) ?? 0n;
  if (needed > held)
    throw new OcapError('INSUFFICIENT_FUNDS', `${tx.from} holds ${held} ${token.symbol}; with what it has pending this needs ${needed}.`);
}

function checkAsset(tx: MockSignedTx, pending: PendingSpend, state: MockState): void {
  if (tx.amount !== 1n) throw new OcapError('INVALID_ARGUMENT', 'An asset transfer carries amount 1.');
  const asset = tx.asset === undefined ? undefined : state.assets.get(tx.asset);
  if (!asset) throw new OcapError('NOT_FOUND', `The mock chain has no asset ${tx.asset}.`);
  if (asset.owner !== tx.from) throw new OcapError('FORBIDDEN', `Asset ${asset.id} belongs to ${asset.owner}, not ${tx.from}.`);
  if (pending.assets.has(asset.id)) throw new OcapError('FORBIDDEN', `Asset ${asset.id} already has a pending transfer from ${tx.from}.`);
}

function emptySpend(): PendingSpend {
  return { count: 0, native: 0n, tokens: new Map(), assets: new Set() };
}
