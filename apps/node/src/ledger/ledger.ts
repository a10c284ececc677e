import { EventEmitter } from 'node:events';
import {
  applyTxs,
  BLOCK_VERSION,
  type BlockHeader,
  blockHash,
  bytesEqual,
  type ChainParams,
  type CheckedTx,
  didFromPublicKey,
  type GenesisConfig,
  type KeyPair,
  signMessage,
  toHex,
  txMerkleRoot,
} from '@arc/core';
import type { Database } from '../db/client.ts';
import { genesisBlock } from './genesis-block.ts';
import { addTxKeys } from './keys.ts';
import { Mempool, type MempoolEntry, type MempoolLimits } from './mempool.ts';
import { StateCache } from './state-cache.ts';
import { StateTrie } from './state-trie.ts';
import { type CommitBlock, emptyStateKeys, LedgerStore } from './store.ts';
import { SignaturePool } from './verify-pool.ts';

export interface LedgerOptions {
  genesis: GenesisConfig;
  nodeKey: KeyPair;
  /** The longest the chain goes without a block while idle (an empty block marks time). */
  blockIntervalMs: number;
  mempool: MempoolLimits;
  verifyThreads: number;
  now: () => number;
  log: (line: string) => void;
}

export interface Head {
  height: number;
  hash: Uint8Array;
  stateRoot: Uint8Array;
  timeMs: number;
}

/** What subscribers hear after each commit. */
export interface BlockCommitted {
  header: BlockHeader;
  hash: Uint8Array;
  txHashes: string[];
  rejected: { hashHex: string; code: string; message: string }[];
}

const RETRY_AFTER_FAILURE_MS = 1000;

/**
 * The ledger on one node: the database of record, the state trie over it, the mempool and the
 * block producer (one-node mode; consensus replaces the producer's "I decide" with a vote).
 */
export class Ledger {
  readonly store: LedgerStore;
  readonly trie = new StateTrie();
  readonly cache: StateCache;
  readonly mempool: Mempool;
  readonly signatures: SignaturePool;
  readonly events = new EventEmitter<{ block: [BlockCommitted] }>();
  readonly nodeDid: string;
  head!: Head;
  private running = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  healthy = true;

  constructor(
    readonly db: Database,
    readonly options: LedgerOptions,
  ) {
    this.store = new LedgerStore(db);
    this.cache = new StateCache(this.store);
    this.mempool = new Mempool(options.mempool);
    this.signatures = new SignaturePool(options.verifyThreads);
    this.nodeDid = didFromPublicKey(options.nodeKey.publicKey, 'node');
    this.events.setMaxListeners(0);
  }

  get chainId(): string {
    return this.options.genesis.chainId;
  }

  get params(): ChainParams {
    return this.options.genesis.params;
  }

  /** Writes genesis on an empty database, or checks the stored chain and resumes from its head. */
  async open(): Promise<void> {
    const stored = await this.store.getMeta('chain');
    if (stored === undefined) {
      await this.writeGenesis();
      return;
    }
    const meta = stored as { chainId: string; genesisHash: string };
    if (meta.chainId !== this.chainId) {
      throw new Error(
        `the database holds chain "${meta.chainId}" but the genesis file is for "${this.chainId}"; use another DATA_DIR or DATABASE_URL`,
      );
    }
    const [row] = await this.db.query<{ height: string | number; hash: Uint8Array; state_root: Uint8Array; time_ms: string | number }>(
      'SELECT height, hash, state_root, time_ms FROM blocks ORDER BY height DESC LIMIT 1',
    );
    if (!row) {
      // An earlier start wrote the metadata but died before genesis (older nodes did those apart).
      await this.writeGenesis();
      return;
    }
    const root = await this.trie.rebuild(this.store);
    if (!bytesEqual(root, row.state_root)) {
      throw new Error(
        `state root mismatch at height ${row.height}: the state rows give ${toHex(root)}, the block says ${toHex(row.state_root)}`,
      );
    }
    this.head = { height: Number(row.height), hash: new Uint8Array(row.hash), stateRoot: root, timeMs: Number(row.time_ms) };
    this.options.log(
      `resumed chain ${this.chainId} at height ${this.head.height} (state root verified, ${this.trie.nodeCount} trie nodes)`,
    );
  }

  private async writeGenesis(): Promise<void> {
    const { block, trieUpdate } = genesisBlock(this.options.genesis, this.trie, this.options.nodeKey);
    // One transaction: a start killed here leaves either no chain or a whole genesis.
    await this.store.commitBlock(block, (tx) => this.store.setMeta(tx, 'chain', { chainId: this.chainId, genesisHash: toHex(block.hash) }));
    this.trie.commit(trieUpdate);
    this.head = { height: 0, hash: block.hash, stateRoot: block.header.stateRoot, timeMs: block.header.timeMs };
    this.options.log(`wrote genesis of chain ${this.chainId} (${block.writes.length} accounts)`);
  }

  /** Starts producing blocks. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.produceLoop();
  }

  /** Stops after the block in progress is committed. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.signatures.close();
  }

  /** Asks the producer to make a block now (there is work). */
  kick(): void {
    this.wake?.();
  }

  private async produceLoop(): Promise<void> {
    while (this.running) {
      if (this.mempool.size === 0) await this.idle();
      if (!this.running) break;
      try {
        await this.produceBlock();
        this.healthy = true;
      } catch (error) {
        // Nothing in memory changed (the trie and cache move only after a commit); try again.
        this.healthy = false;
        this.options.log(`block ${this.head.height + 1} failed to commit, retrying: ${(error as Error).message}`);
        await new Promise((r) => setTimeout(r, RETRY_AFTER_FAILURE_MS));
      }
    }
  }

  private idle(): Promise<void> {
    const waitMs = Math.max(0, this.head.timeMs + this.options.blockIntervalMs - this.options.now());
    return new Promise((resolve) => {
      const timer = setTimeout(done, waitMs);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wake = null;
        resolve();
      }
      this.wake = done;
    });
  }

  /** One block: select, prefetch, apply, commit, then advance the in-memory views. */
  async produceBlock(): Promise<BlockCommitted> {
    const timeMs = Math.max(this.options.now(), this.head.timeMs + 1);
    const expired = await this.evictExpired(timeMs);
    const candidates = this.mempool.select(this.params.maxTxsPerBlock, this.params.maxBlockBytes);
    const keys = emptyStateKeys();
    keys.accounts.add(this.nodeDid);
    for (const c of candidates) addTxKeys(keys, c);
    const view = await this.cache.view(keys);
    const ctx = { chainId: this.chainId, height: this.head.height + 1, timeMs, proposer: this.nodeDid, params: this.params };
    const result = applyTxs(view, candidates, ctx);
    const writes = [...result.overlay.writes.values()];
    const trieUpdate = this.trie.prepare(writes);
    const header: BlockHeader = {
      version: BLOCK_VERSION,
      chainId: this.chainId,
      height: ctx.height,
      prevHash: this.head.hash,
      timeMs,
      proposer: this.nodeDid,
      txRoot: txMerkleRoot(result.included.map((i) => i.checked.hash)),
      stateRoot: trieUpdate.root,
      txCount: result.included.length,
    };
    const hash = blockHash(header);
    const rejected = result.rejected.map(({ checked, error }) => ({ hashHex: checked.hashHex, code: error.code, message: error.message }));
    const block: CommitBlock = {
      header,
      hash,
      seal: { publicKey: this.options.nodeKey.publicKey, signature: signMessage(this.options.nodeKey.secretKey, hash) },
      txs: result.included.map(({ checked, ok }) => ({ checked, accounts: ok.accounts, events: ok.events })),
      writes,
      rejected: [...rejected, ...expired],
    };
    await this.store.commitBlock(block);
    this.trie.commit(trieUpdate);
    this.cache.apply(writes);
    this.head = { height: header.height, hash, stateRoot: header.stateRoot, timeMs };
    this.mempool.remove(
      block.txs.map((t) => t.checked.hashHex),
      false,
    );
    const followers = this.mempool.remove(
      rejected.map((r) => r.hashHex),
      true,
    );
    if (followers.length > 0) await this.recordDropped(followers, 'NONCE_GAP', 'an earlier transaction of the same account failed', timeMs);
    const committed: BlockCommitted = { header, hash, txHashes: block.txs.map((t) => t.checked.hashHex), rejected: block.rejected };
    this.events.emit('block', committed);
    return committed;
  }

  private async evictExpired(nowMs: number): Promise<CommitBlock['rejected']> {
    const stale = this.mempool.evictStale(nowMs);
    return stale.map((e) => ({
      hashHex: e.checked.hashHex,
      code: 'EXPIRED',
      message: 'the transaction waited in the mempool longer than its TTL; send it again',
    }));
  }

  private async recordDropped(entries: MempoolEntry[], code: string, message: string, atMs: number): Promise<void> {
    await this.store.recordRejected(
      entries.map((e) => ({ hashHex: e.checked.hashHex, code, message })),
      atMs,
    );
  }

  /** Candidate transactions' keys for admission dry runs. */
  async viewFor(checked: CheckedTx) {
    const keys = emptyStateKeys();
    keys.accounts.add(this.nodeDid);
    addTxKeys(keys, checked);
    return this.cache.view(keys);
  }
}
