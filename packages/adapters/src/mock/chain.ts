import { eventPosition, type OcapBlock, OcapError, type OcapEvent } from '@arc/core';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { MockSignedTx } from './keys.ts';
import { MockMempool } from './mempool.ts';
import { applyDevOp, applyEntry, type MockDevOp, type MockEntry, type MockLog, type MockOutcome, MockState } from './state.ts';

/** Bounds of the mock chain. Each one, when reached, is a typed error or a documented pruning, never a slowdown. */
export interface MockLimits {
  /** Transactions and logs waiting to be mined; a send beyond it is UNAVAILABLE until a block is mined. */
  mempoolTxsMax: number;
  /** Entries per block; the rest wait for the next block. */
  txsPerBlockMax: number;
  /** Blocks kept; older ones are pruned (getBlock and getTransaction then answer NOT_FOUND for them). */
  blocksKeptMax: number;
  /** Orphaned blocks remembered so a stream can still read what it delivered from them. */
  orphanedBlocksKeptMax: number;
  /** Blocks one `mine(n)` call may make. */
  blocksPerMineMax: number;
  /** Snapshots kept; the oldest is forgotten first. */
  snapshotsMax: number;
}

export const MOCK_LIMITS_DEFAULT: MockLimits = {
  mempoolTxsMax: 10_000,
  txsPerBlockMax: 10_000,
  blocksKeptMax: 100_000,
  orphanedBlocksKeptMax: 1_024,
  blocksPerMineMax: 10_000,
  snapshotsMax: 64,
};

/** One block with everything the mock needs to serve and replay it. Never changed once made. */
export interface MockBlock {
  header: OcapBlock;
  /** Developer operations applied before the block's entries (those issued since the previous block). */
  devOps: MockDevOp[];
  entries: MockEntry[];
  /** Aligned with `entries`. */
  outcomes: MockOutcome[];
  events: OcapEvent[];
}

/** Where a transaction stands. */
export type MockTxLookup =
  | { status: 'pending'; entry: MockEntry }
  | { status: 'mined'; entry: MockEntry; block: MockBlock; outcome: MockOutcome };

interface Saved {
  base: MockState;
  blocks: MockBlock[];
  state: MockState;
  pendingDevOps: MockDevOp[];
  mempool: MockEntry[];
}

const ZERO_HASH = `0x${'0'.repeat(64)}`;

/**
 * The in-memory chain: kept blocks, the mempool, and the live state. The state after the oldest kept block is
 * kept as `base`; everything newer can be replayed from it, which is how a reorg or a revert recomputes state.
 * Developer operations apply at once and ride along with the next block, so a replay meets them in order.
 */
export class MockChain {
  #base: MockState;
  #blocks: MockBlock[];
  #state: MockState;
  #pendingDevOps: MockDevOp[] = [];
  readonly #mempool: MockMempool;
  readonly #txIndex = new Map<string, { block: MockBlock; index: number }>();
  readonly #byHash = new Map<string, MockBlock>();
  readonly #orphans = new Map<string, MockBlock>();
  readonly #listeners = new Set<() => void>();
  readonly #snapshots = new Map<string, Saved>();
  /** Bumped by every reorg and revert and hashed into new blocks, so a replaced block never gets its old hash back. */
  #fork = 0;
  #snapshotsTaken = 0;
  #logsEmitted = 0;

  constructor(
    readonly chainId: string,
    readonly feePerTx: bigint,
    readonly now: () => number,
    readonly limits: MockLimits,
    genesis: MockDevOp[],
  ) {
    this.#mempool = new MockMempool(feePerTx, limits.mempoolTxsMax);
    this.#base = new MockState();
    for (const op of genesis) applyDevOp(this.#base, chainId, op);
    const header = this.#header({ height: 0, parentHash: ZERO_HASH, timestampMs: now(), txHashes: [] });
    const block: MockBlock = { header, devOps: genesis, entries: [], outcomes: [], events: [] };
    this.#blocks = [block];
    this.#byHash.set(header.hash, block);
    this.#state = this.#base.clone();
  }

  // ——— reading ———

  /** The live state: after the head block and the developer operations since. */
  get state(): MockState {
    return this.#state;
  }

  get head(): MockBlock {
    return this.#blocks[this.#blocks.length - 1] as MockBlock;
  }

  /** The lowest height still kept. */
  get oldestHeight(): number {
    return (this.#blocks[0] as MockBlock).header.height;
  }

  /** The canonical block at `height`, if kept. */
  blockAt(height: number): MockBlock | undefined {
    return this.#blocks[height - this.oldestHeight];
  }

  /** The canonical block with this hash, if kept. */
  blockByHash(hash: string): MockBlock | undefined {
    return this.#byHash.get(hash);
  }

  /** A block by hash, canonical or recently orphaned. */
  anyBlockByHash(hash: string): MockBlock | undefined {
    return this.#byHash.get(hash) ?? this.#orphans.get(hash);
  }

  lookupTx(hash: string): MockTxLookup | undefined {
    const pending = this.#mempool.get(hash);
    if (pending) return { status: 'pending', entry: pending };
    const mined = this.#txIndex.get(hash);
    if (!mined) return undefined;
    return {
      status: 'mined',
      entry: mined.block.entries[mined.index] as MockEntry,
      block: mined.block,
      outcome: mined.block.outcomes[mined.index] as MockOutcome,
    };
  }

  mempool(): MockEntry[] {
    return this.#mempool.list();
  }

  /** The nonce the sender's next transaction must carry: mined ones plus the ones waiting. */
  nextNonce(address: string): number {
    return this.#state.nonceOf(address) + this.#mempool.pendingCount(address);
  }

  /** Calls `listener` after every change of the block list (mined blocks, reorgs, reverts). */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  // ——— writing ———

  /**
   * Puts a signed transaction in the mempool after the checks a node makes at the door: chain, nonce (exactly the
   * next one: a future nonce is refused, not held), fee, and whether the sender can pay counting what it has pending.
   */
  admit(tx: MockSignedTx): void {
    if (tx.chainId !== this.chainId)
      throw new OcapError('INVALID_ARGUMENT', `The transaction is for chain ${tx.chainId}, this is ${this.chainId}.`);
    if (this.#mempool.has(tx.hash) || this.#txIndex.has(tx.hash))
      throw new OcapError('KNOWN_TRANSACTION', `The chain already holds transaction ${tx.hash}.`);
    this.#mempool.admit(tx, this.#state);
  }

  /** Queues a custom log event for the next block; returns its hash. */
  emit(log: Omit<MockLog, 'kind' | 'hash'>): string {
    this.#mempool.checkRoom();
    this.#logsEmitted += 1;
    const hash = hashOf([this.chainId, 'log', log.address, log.topics, log.data, this.#logsEmitted]);
    this.#mempool.addLog({ kind: 'log', hash, ...log });
    return hash;
  }

  /** Applies a developer operation at once; it is recorded with the next block. */
  devOp(op: MockDevOp): string | undefined {
    const made = applyDevOp(this.#state, this.chainId, op);
    this.#pendingDevOps.push(op);
    return made;
  }

  /** Mines `count` blocks from the mempool, oldest entries first. */
  mine(count: number): OcapBlock[] {
    if (!Number.isSafeInteger(count) || count < 1 || count > this.limits.blocksPerMineMax) {
      throw new OcapError('INVALID_ARGUMENT', `mine takes a block count from 1 to ${this.limits.blocksPerMineMax}, not ${count}.`);
    }
    const made: OcapBlock[] = [];
    for (let i = 0; i < count; i += 1) {
      const entries = this.#mempool.take(this.limits.txsPerBlockMax);
      made.push(this.#append(entries, this.#pendingDevOps).header);
      this.#pendingDevOps = [];
    }
    this.#mempool.rebuildPending();
    this.#notify();
    return made;
  }

  /** Applies the entries to the live state (its dev ops already are) and appends the block. */
  #append(entries: MockEntry[], devOps: MockDevOp[]): MockBlock {
    const parent = this.head.header;
    const height = parent.height + 1;
    const outcomes = entries.map((entry) => applyEntry(this.#state, entry));
    const timestampMs = Math.max(this.now(), parent.timestampMs);
    const header = this.#header({ height, parentHash: parent.hash, timestampMs, txHashes: entries.map((e) => e.hash) });
    const events = outcomes
      .flatMap((outcome) => outcome.events)
      .map(
        (draft, i): OcapEvent => ({
          ...draft,
          position: eventPosition(height, i),
          blockHeight: height,
          blockHash: header.hash,
          removed: false,
        }),
      );
    const block: MockBlock = { header, devOps, entries, outcomes, events };
    this.#blocks.push(block);
    this.#index(block);
    this.#prune();
    return block;
  }

  #header(fields: Omit<OcapBlock, 'hash'>): OcapBlock {
    const hash = hashOf([this.chainId, fields.height, fields.parentHash, fields.timestampMs, this.#fork, fields.txHashes]);
    return { ...fields, hash };
  }

  #index(block: MockBlock): void {
    this.#byHash.set(block.header.hash, block);
    for (const [index, entry] of block.entries.entries()) this.#txIndex.set(entry.hash, { block, index });
  }

  #unindex(block: MockBlock): void {
    this.#byHash.delete(block.header.hash);
    for (const entry of block.entries) this.#txIndex.delete(entry.hash);
  }

  /** Drops the oldest blocks beyond the bound, folding them into the base state. */
  #prune(): void {
    while (this.#blocks.length > this.limits.blocksKeptMax) {
      this.#unindex(this.#blocks.shift() as MockBlock);
      replay(this.#base, this.chainId, this.#blocks[0] as MockBlock);
    }
  }

  /**
   * Replaces the newest `depth` blocks with as many new, empty ones (new hashes). The orphaned transactions go
   * back to the mempool, or are forgotten with `dropTxs`; developer operations survive. State is replayed from the
   * base. Mempool transactions whose nonce no longer follows (their predecessor was dropped) are forgotten too.
   */
  reorg(depth: number, options: { dropTxs?: boolean } = {}): { orphaned: OcapBlock[]; blocks: OcapBlock[]; dropped: string[] } {
    const deepest = this.#blocks.length - 1;
    if (!Number.isSafeInteger(depth) || depth < 1 || depth > deepest) {
      throw new OcapError('INVALID_ARGUMENT', `A reorg replaces 1 to ${deepest} blocks (the kept blocks above the oldest), not ${depth}.`);
    }
    this.#fork += 1;
    const orphaned = this.#blocks.splice(this.#blocks.length - depth);
    for (const block of orphaned) this.#orphan(block);
    this.#state = this.#base.clone();
    for (const block of this.#blocks.slice(1)) replay(this.#state, this.chainId, block);
    const carried = orphaned.flatMap((block) => block.devOps);
    for (const op of carried) applyDevOp(this.#state, this.chainId, op);
    const blocks: OcapBlock[] = [];
    for (let i = 0; i < depth; i += 1) blocks.push(this.#append([], i === 0 ? carried : []).header);
    for (const op of this.#pendingDevOps) applyDevOp(this.#state, this.chainId, op);
    const returning = options.dropTxs ? [] : orphaned.flatMap((block) => block.entries);
    const dropped = options.dropTxs ? orphaned.flatMap((block) => block.entries.map((e) => e.hash)) : [];
    dropped.push(...this.#mempool.refill([...returning, ...this.#mempool.list()], this.#state));
    this.#notify();
    return { orphaned: orphaned.map((b) => b.header), blocks, dropped };
  }

  /** Saves the whole chain (blocks, mempool, state); `revert(id)` goes back to it. */
  snapshot(): string {
    this.#snapshotsTaken += 1;
    const id = `snapshot-${this.#snapshotsTaken}`;
    this.#snapshots.set(id, {
      base: this.#base.clone(),
      blocks: [...this.#blocks],
      state: this.#state.clone(),
      pendingDevOps: [...this.#pendingDevOps],
      mempool: this.#mempool.list(),
    });
    if (this.#snapshots.size > this.limits.snapshotsMax) {
      const oldest = this.#snapshots.keys().next().value;
      if (oldest !== undefined) this.#snapshots.delete(oldest);
    }
    return id;
  }

  /** Restores a snapshot (it stays usable). Blocks made since are orphaned, as in a reorg. */
  revert(id: string): void {
    const saved = this.#snapshots.get(id);
    if (!saved) throw new OcapError('NOT_FOUND', `No snapshot ${id} (at most ${this.limits.snapshotsMax} are kept).`);
    this.#fork += 1;
    const keep = new Set(saved.blocks);
    for (const block of this.#blocks) if (!keep.has(block)) this.#orphan(block);
    for (const block of saved.blocks) this.#index(block);
    this.#base = saved.base.clone();
    this.#blocks = [...saved.blocks];
    this.#state = saved.state.clone();
    this.#pendingDevOps = [...saved.pendingDevOps];
    this.#mempool.restore(saved.mempool);
    this.#notify();
  }

  #orphan(block: MockBlock): void {
    this.#unindex(block);
    this.#orphans.set(block.header.hash, block);
    if (this.#orphans.size > this.limits.orphanedBlocksKeptMax) {
      const oldest = this.#orphans.keys().next().value;
      if (oldest !== undefined) this.#orphans.delete(oldest);
    }
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }
}

/** Re-applies a block to a state (its outcomes are already recorded; a replay reaches the same ones). */
function replay(state: MockState, chainId: string, block: MockBlock): void {
  for (const op of block.devOps) applyDevOp(state, chainId, op);
  for (const entry of block.entries) applyEntry(state, entry);
}

function hashOf(fields: unknown[]): string {
  return `0x${bytesToHex(sha256(utf8ToBytes(JSON.stringify(fields))))}`;
}
