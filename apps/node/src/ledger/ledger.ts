import { EventEmitter } from 'node:events';
import {
  type BlockCandidate,
  BlockInvalid,
  type BlockSeal,
  type BuiltBlock,
  bytesEqual,
  type ChainParams,
  type CheckedTx,
  checkTxStatic,
  didFromPublicKey,
  LedgerError,
  proposeBlock,
  sealBlock,
  toHex,
  validateBlock,
} from '@arc/core';
import { nodeChainParams } from '../config/genesis.ts';
import type { Database } from '../db/client.ts';
import { announce, type BlockCommitted } from './block-committed.ts';
import { ForwardedTxs } from './forwarded-txs.ts';
import { genesisBlock } from './genesis-block.ts';
import { viewForTxs } from './keys.ts';
import { type Head, LEDGER_LIMITS_DEFAULT, type LedgerLimits, type LedgerOptions } from './ledger-options.ts';
import { type Dropped, Mempool } from './mempool.ts';
import { ProducerPacing } from './producer-pacing.ts';
import { RejectionLimiter, senderKey } from './rejection-limiter.ts';
import { StateCache } from './state-cache.ts';
import { StateTrie, setStoredFrom, TRIE_STORED_FROM } from './state-trie.ts';
import { type CommitBlock, emptyStateKeys, LedgerStore, PARAMS_DID, SNAPSHOT_FROM, TOKEN_BALANCES_INDEXED } from './store.ts';
import { TxWaiters } from './tx-waiters.ts';
import { SignaturePool } from './verify-pool.ts';

export type { BlockCommitted, CommittedTx } from './block-committed.ts';
export { type Head, LEDGER_LIMITS_DEFAULT, type LedgerLimits, type LedgerOptions } from './ledger-options.ts';

const RETRY_AFTER_FAILURE_MS = 1000;
/**
 * Subscribers of `block` inside the node (runtime registry, gateway hub, the tx waiters, tests and
 * benches); tx.wait calls do not add listeners, so more than this is a leak worth a warning.
 */
const BLOCK_LISTENERS_MAX = 32;

/**
 * The ledger on one node: the database of record, the state trie over it, the mempool and the
 * block producer (one-node mode; consensus replaces the producer's "I decide" with a vote).
 */
export class Ledger {
  readonly store: LedgerStore;
  readonly trie: StateTrie;
  readonly cache: StateCache;
  readonly mempool: Mempool;
  readonly signatures: SignaturePool;
  readonly events = new EventEmitter<{ block: [BlockCommitted] }>();
  readonly rejections: RejectionLimiter;
  readonly waiters: TxWaiters;
  readonly limits: LedgerLimits;
  readonly nodeDid: string;
  head!: Head;
  private running = false;
  private readonly pacing: ProducerPacing;
  private loop: Promise<void> | null = null;
  /** Set when a block committed but the memory views did not follow: they are reloaded before the next block. */
  private memoryBehind: string[] | null = null;
  /** The block in progress (produced or imported); the next waits for it. */
  private blockWork: Promise<unknown> = Promise.resolve();
  healthy = true;
  private chainParams: ChainParams;
  /** On a node that follows another: what it sent on and has not yet seen in a block (forwarded-txs.ts). */
  readonly forwarded: ForwardedTxs;

  constructor(
    readonly db: Database,
    readonly options: LedgerOptions,
  ) {
    this.store = new LedgerStore(db);
    this.cache = new StateCache(this.store);
    this.mempool = new Mempool(options.mempool);
    this.forwarded = new ForwardedTxs(options.mempool, options.now);
    this.limits = { ...LEDGER_LIMITS_DEFAULT, ...options.limits };
    this.trie = new StateTrie(db, this.limits.trie);
    this.signatures = new SignaturePool(options.verifyThreads, { batchTimeoutMs: this.limits.verifyBatchTimeoutMs }, options.log);
    this.nodeDid = didFromPublicKey(options.nodeKey.publicKey, 'node');
    this.chainParams = nodeChainParams(options.genesis, this.nodeDid);
    this.paramsDid = this.nodeDid;
    this.events.setMaxListeners(BLOCK_LISTENERS_MAX);
    this.rejections = new RejectionLimiter(this.limits.rejections, options.now);
    this.waiters = new TxWaiters(this.events, this.limits.txWaiters);
    this.pacing = new ProducerPacing({
      running: () => this.running,
      checking: () => this.signatures.checking,
      mempoolSize: () => this.mempool.size,
      maxTxsPerBlock: () => this.params.maxTxsPerBlock,
      lastBlockTimeMs: () => this.head.timeMs,
      blockIntervalMs: options.blockIntervalMs,
      now: options.now,
    });
  }

  get chainId(): string {
    return this.options.genesis.chainId;
  }

  /**
   * The DID the chain's parameters name in the market's roles on a development chain (nodeChainParams): this node's,
   * or, on a node started from a snapshot, the exporting node's (the chain keeps the parameters it was made under).
   */
  paramsDid: string;
  /** The lowest height whose block this node holds whole: 0, or the height it started from a snapshot at, plus one. */
  firstHeight = 0;

  /** The genesis parameters, with this node in the market's roles on a development chain (see nodeChainParams). */
  get params(): ChainParams {
    return this.chainParams;
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
    const paramsDid = await this.store.getMeta(PARAMS_DID);
    if (typeof paramsDid === 'string' && paramsDid !== this.nodeDid) {
      this.paramsDid = paramsDid;
      this.chainParams = nodeChainParams(this.options.genesis, paramsDid);
    }
    const snapshotFrom = await this.store.getMeta(SNAPSHOT_FROM);
    if (typeof snapshotFrom === 'number') this.firstHeight = snapshotFrom + 1;
    const root = new Uint8Array(row.state_root);
    if (!(await this.trie.has(root))) {
      // A chain stored before the trie tables (migration 0016): build them once from the state rows. A chain already
      // on them cannot lack its head's root (each block writes its nodes in its own transaction), but if it does, the
      // state rows rebuild them the same way.
      if ((await this.store.getMeta(TRIE_STORED_FROM)) !== undefined) {
        this.options.log(`the trie tables lack the state root of block ${row.height}; rebuilding them from the state rows`);
      }
      const built = await this.trie.buildFromRows(this.store, Number(row.height), this.options.log);
      if (!bytesEqual(built, root)) {
        throw new Error(`state root mismatch at height ${row.height}: the state rows give ${toHex(built)}, the block says ${toHex(root)}`);
      }
    }
    this.trie.reset(root, Number((await this.store.getMeta(TRIE_STORED_FROM)) ?? 0));
    this.head = { height: Number(row.height), hash: new Uint8Array(row.hash), stateRoot: root, timeMs: Number(row.time_ms) };
    const indexed = await this.store.indexTokenBalancesOnce();
    if (indexed > 0) this.options.log(`indexed ${indexed} token balances for the explorer's holder lists`);
    this.options.log(`resumed chain ${this.chainId} at height ${this.head.height} (state root ${toHex(root).slice(0, 16)}…)`);
  }

  private async writeGenesis(): Promise<void> {
    const { block, trieUpdate } = genesisBlock(this.options.genesis, this.options.nodeKey);
    // One transaction: a start killed here leaves either no chain or a whole genesis.
    await this.store.commitBlock(block, async (tx) => {
      await this.trie.write(tx, 0, trieUpdate);
      await setStoredFrom(tx, 0);
      await this.store.setMeta(tx, 'chain', { chainId: this.chainId, genesisHash: toHex(block.hash) });
      // A new chain indexes token holders from its first block.
      await this.store.setMeta(tx, TOKEN_BALANCES_INDEXED, true);
    });
    this.trie.reset(trieUpdate.root, 0);
    this.trie.commit(trieUpdate);
    this.head = { height: 0, hash: block.hash, stateRoot: block.header.stateRoot, timeMs: block.header.timeMs };
    this.options.log(`wrote genesis of chain ${this.chainId} (${block.writes.length} accounts)`);
  }

  /** Starts producing blocks. */
  /** Starts the block producer (unless `produce` is false: a node that follows another imports its blocks). */
  start({ produce }: { produce: boolean } = { produce: true }): void {
    if (this.running) return;
    this.running = true;
    if (produce) this.loop = this.produceLoop();
    this.trie.startPruning(() => this.head.height, this.options.log);
  }

  /** Deletes every trie node no kept root reaches any more now; answers how many blocks' records it went through. */
  async pruneTrie(): Promise<number> {
    return this.trie.pruneAll(this.head.height);
  }

  /** Stops after the block in progress is committed. */
  async stop(): Promise<void> {
    this.running = false;
    this.pacing.kick();
    await this.loop;
    await this.trie.stopPruning();
    this.waiters.close();
    await this.signatures.close();
  }

  /** Asks the producer to make a block now (there is work). */
  kick(): void {
    this.pacing.kick();
  }

  private async produceLoop(): Promise<void> {
    while (this.running) {
      if (this.mempool.size === 0) await this.pacing.idle();
      if (!this.running) break;
      try {
        if (this.memoryBehind) await this.reload(this.memoryBehind);
        await this.pacing.gather();
        await this.produceBlock();
        this.healthy = true;
      } catch (error) {
        // A failed commit changed nothing in memory (the trie, cache and mempool move only after a
        // commit); a failure after the commit left `memoryBehind`, reloaded on the next turn.
        this.healthy = false;
        this.options.log(`block ${this.head.height + 1}: ${(error as Error).message}; retrying`);
        await new Promise((r) => setTimeout(r, RETRY_AFTER_FAILURE_MS));
      }
    }
  }

  /**
   * One block: select, prefetch, apply, commit, then advance the in-memory views. The mempool only
   * loses a transaction after a commit that holds it, or holds the record of why it was dropped.
   */
  async produceBlock(): Promise<BlockCommitted> {
    return this.serially(async () => {
      const selectAtMs = Math.max(this.options.now(), this.head.timeMs + 1);
      const candidates = this.mempool.select(this.params.maxTxsPerBlock, this.params.maxBlockBytes, selectAtMs);
      const keys = this.blockKeys();
      const view = await viewForTxs(this.cache, keys, candidates);
      // The one apply path a block takes, here or on a node importing it (core's block-build.ts).
      const built = await this.trie.build(this.head.stateRoot, keys, (trie) =>
        proposeBlock({ chainId: this.chainId, params: this.params, parent: this.head, view, trie }, candidates, selectAtMs, this.nodeDid),
      );
      const seal = sealBlock(built.hash, this.options.nodeKey.secretKey, this.options.nodeKey.publicKey);
      return this.commitBuilt(built, seal, this.mempool.droppedWith(built.applied.rejected, built.header.timeMs));
    });
  }

  /**
   * Commits a block made elsewhere, exactly as a produced one is committed, once core's validateBlock accepts it on
   * this node's head and state; an invalid block is answered with its reason and changes nothing. Its transactions
   * leave this node's mempool.
   */
  async importBlock(candidate: BlockCandidate): Promise<BlockCommitted | BlockInvalid> {
    return this.serially(async () => {
      const checked: CheckedTx[] = [];
      for (const bytes of candidate.txs) {
        const one = checkTxStatic(bytes, { chainId: this.chainId, params: this.params });
        if (!(one instanceof LedgerError)) checked.push(one);
      }
      const keys = this.blockKeys();
      keys.accounts.add(candidate.header.proposer);
      const view = await viewForTxs(this.cache, keys, checked);
      const built = await this.trie.build(this.head.stateRoot, keys, (trie) =>
        validateBlock({ chainId: this.chainId, params: this.params, parent: this.head, view, trie }, candidate, {
          nowMs: this.options.now(),
        }),
      );
      if (built instanceof BlockInvalid) return built;
      return this.commitBuilt(built, candidate.seal, []);
    });
  }

  /** Runs `work` while no block commits (a state snapshot reads every table at one head). */
  atRest<T>(work: () => Promise<T>): Promise<T> {
    return this.serially(work);
  }

  /** Runs block work one at a time: the producer's blocks and imported ones never interleave. */
  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.blockWork.then(work);
    this.blockWork = run.catch(() => undefined);
    return run;
  }

  /**
   * Commits a built block (proposed here or validated from elsewhere), then advances the in-memory views. The mempool
   * only loses a transaction after a commit that holds it, or holds the record of why it was dropped.
   */
  private async commitBuilt(built: BuiltBlock, seal: BlockSeal, dropped: Dropped[]): Promise<BlockCommitted> {
    const { header, hash, writes, trieUpdate } = built;
    // Each sender's records are bounded (rejection-limiter.ts); past the bound they are counted, not stored.
    const charged = dropped.map((d) => (this.rejections.charge(senderKey(d.entry.checked.tx.from)) ? d : null));
    const stored = charged.filter((d) => d !== null);
    const block: CommitBlock = {
      header,
      hash,
      seal,
      txs: built.applied.included.map(({ checked, ok }) => ({
        checked,
        accounts: ok.accounts,
        events: ok.events,
        failed: ok.failed && { code: ok.failed.code, message: ok.failed.message },
      })),
      writes,
      rejected: stored.map((d) => ({ hashHex: d.entry.checked.hashHex, code: d.code, message: d.message })),
    };
    try {
      await this.store.commitBlock(block, (tx) => this.trie.write(tx, header.height, trieUpdate));
    } catch (error) {
      this.rejections.refund(stored.map((d) => senderKey(d.entry.checked.tx.from)));
      throw new Error(`failed to commit: ${(error as Error).message}`);
    }
    const txHashes = block.txs.map((t) => t.checked.hashHex);
    this.forwarded.forget(txHashes);
    const droppedHashes = dropped.map((d) => d.entry.checked.hashHex);
    const committed: BlockCommitted = {
      header,
      hash,
      txHashes,
      failed: block.txs.flatMap(({ checked, failed }) => (failed ? [{ hashHex: checked.hashHex, ...failed }] : [])),
      rejected: dropped.map((d) => ({ hashHex: d.entry.checked.hashHex, code: d.code, message: d.message })),
      txs: block.txs.map(({ checked, accounts, failed }) => ({
        hashHex: checked.hashHex,
        type: checked.tx.itx.type,
        accounts,
        tx: checked.tx,
        failed,
      })),
    };
    // The block is a fact now: subscribers hear of it whatever fails next.
    try {
      this.head = { height: header.height, hash, stateRoot: header.stateRoot, timeMs: header.timeMs };
      this.trie.commit(trieUpdate);
      this.cache.apply(writes);
      this.mempool.remove(txHashes, false);
      this.mempool.remove(droppedHashes, false);
    } catch (error) {
      this.memoryBehind = [...txHashes, ...droppedHashes];
      throw new Error(`committed, but the node's memory did not follow (reloading it from the database): ${(error as Error).message}`);
    } finally {
      announce(this.events, committed, this.options.log);
    }
    return committed;
  }

  /** Brings the memory views back to the database after a block committed without them following. */
  private async reload(settledHashes: string[]): Promise<void> {
    const [row] = await this.db.query<{ height: string | number; hash: Uint8Array; state_root: Uint8Array; time_ms: string | number }>(
      'SELECT height, hash, state_root, time_ms FROM blocks ORDER BY height DESC LIMIT 1',
    );
    if (!row) throw new Error('the blocks table is empty after a commit');
    const root = new Uint8Array(row.state_root);
    this.trie.reset(root);
    this.cache.clear();
    this.mempool.remove(settledHashes, false);
    this.head = { height: Number(row.height), hash: new Uint8Array(row.hash), stateRoot: root, timeMs: Number(row.time_ms) };
    this.memoryBehind = null;
    this.options.log(`reloaded the state from the database at height ${this.head.height}`);
  }

  /**
   * The nonce an account's next transaction takes: committed plus waiting, both read with no commit between them (a
   * commit moves transactions from waiting to committed, so two reads across it count one twice or not at all).
   */
  async nextNonce(did: string): Promise<number> {
    const keys = emptyStateKeys();
    keys.accounts.add(did);
    for (;;) {
      const version = this.cache.version;
      const view = await this.cache.view(keys);
      if (this.cache.version === version) return (view.account(did)?.nonce ?? 0) + this.mempool.pendingCount(did) + 1;
    }
  }

  /** True while a transaction waits: in this mempool, or sent on to the followed node and not yet in a block here. */
  awaits(hash: string): boolean {
    return this.mempool.get(hash) !== undefined || this.forwarded.has(hash);
  }

  /** Candidate transactions' keys for admission dry runs. */
  async viewFor(checked: CheckedTx) {
    return viewForTxs(this.cache, this.blockKeys(), [checked]);
  }

  /** What every block may read whatever its transactions: the proposer (fees), the treasury and the bridge escrow. */
  private blockKeys() {
    const keys = emptyStateKeys();
    keys.accounts.add(this.nodeDid);
    keys.accounts.add(this.params.economy.treasury);
    keys.accounts.add(this.params.economy.bridgeEscrow);
    return keys;
  }
}
