import { EventEmitter } from 'node:events';
import {
  type BlockCandidate,
  BlockInvalid,
  type BlockSeal,
  type BuiltBlock,
  bytesEqual,
  type ChainParams,
  type CheckedTx,
  didFromPublicKey,
  proposeBlock,
  sealBlock,
} from '@arc/core';
import { nodeChainParams } from '../config/genesis.ts';
import type { Database, Sql } from '../db/client.ts';
import { announce, type BlockCommitted, commitRecord, committedOf } from './block-committed.ts';
import { ForwardedTxs } from './forwarded-txs.ts';
import { type InFlight, inFlight } from './in-flight.ts';
import { viewForTxs } from './keys.ts';
import { openChain } from './ledger-open.ts';
import { type Head, LEDGER_LIMITS_DEFAULT, type LedgerLimits, type LedgerOptions } from './ledger-options.ts';
import { blockKeys, headFromDatabase, localNextNonce, type SharedQueue, validateOnHead } from './ledger-reads.ts';
import { type Dropped, Mempool } from './mempool.ts';
import { ProducerPacing } from './producer-pacing.ts';
import { RejectionLimiter, senderKey } from './rejection-limiter.ts';
import { StateCache } from './state-cache.ts';
import { StateTrie } from './state-trie.ts';
import { type CommitBlock, LedgerStore } from './store.ts';
import { TxWaiters } from './tx-waiters.ts';
import { SignaturePool } from './verify-pool.ts';

export type { BlockCommitted, CommittedTx } from './block-committed.ts';
export { type Head, LEDGER_LIMITS_DEFAULT, type LedgerLimits, type LedgerOptions } from './ledger-options.ts';

const RETRY_AFTER_FAILURE_MS = 1000;

/** A block imported with its consensus certificate: the parent's seed to check its seed proof, and the row to write. */
export interface Certified {
  parentSeed: Uint8Array;
  write: (tx: Sql) => Promise<void>;
}
/** A commit's promise settled either way, as true. */
const LANDED = [() => true, () => true] as const;
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
  /** The commit of the producer's block in flight (settled, never rejected). */
  private committing: Promise<unknown> = Promise.resolve();
  healthy = true;
  private chainParams: ChainParams;
  /** On a node that follows another: what it sent on and has not yet seen in a block (forwarded-txs.ts). */
  readonly forwarded: ForwardedTxs;
  /** A cloud node's checks and writes in each block's own transaction (the lease's fence, the queue): cloud/. */
  commitHook: ((tx: Sql, block: CommitBlock, dropped: string[]) => Promise<void>) | null = null;
  /** A cloud node's queue of admitted transactions in the shared database: it answers nonces for the mempool (cloud/). */
  queue: SharedQueue | null = null;
  /** A cloud node's process produces only while it holds the producer lease (setProducing). */
  private producing = false;

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
    const opened = await openChain(this);
    if (opened.paramsDid !== undefined) {
      this.paramsDid = opened.paramsDid;
      this.chainParams = nodeChainParams(this.options.genesis, opened.paramsDid);
    }
    this.firstHeight = opened.firstHeight;
    this.head = opened.head;
  }

  /** Starts the block producer (unless `produce` is false: a node that follows another imports its blocks). */
  start({ produce }: { produce: boolean } = { produce: true }): void {
    if (this.running) return;
    this.running = true;
    this.producing = produce && !this.options.cloud;
    if (this.producing) this.loop = this.produceLoop();
    if (!this.options.cloud) this.trie.startPruning(() => this.head.height, this.options.log);
  }

  /**
   * Starts producing from the head the database holds (a cloud node's process that took the lease), or stops after
   * the block in flight (it lost the lease; what its mempool held is still queued in the database).
   */
  async setProducing(on: boolean): Promise<void> {
    if (on === this.producing || !this.running) return;
    this.producing = on;
    if (on) {
      await this.reload([]);
      this.loop = this.produceLoop();
      this.trie.startPruning(() => this.head.height, this.options.log);
      return;
    }
    this.pacing.kick();
    await this.loop;
    this.loop = null;
    await this.trie.stopPruning();
    this.mempool.clear();
  }

  /** Deletes every trie node no kept root reaches any more now; answers how many blocks' records it went through. */
  async pruneTrie(): Promise<number> {
    return this.trie.pruneAll(this.head.height);
  }

  /** Stops after the block in progress is committed. */
  async stop(): Promise<void> {
    this.running = false;
    this.producing = false;
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

  /**
   * The producer, pipelined: it builds each block while the one before commits (that block's writes and trie nodes
   * carried in memory, its transactions not offered again), and commits them in order. A transaction is acknowledged
   * only when its block's commit returned (the events, the waiters); a commit that fails takes the block built on it
   * with it, and the memory views never moved for either.
   */
  private async produceLoop(): Promise<void> {
    let flight: InFlight | null = null;
    while (this.running && this.producing) {
      // Nothing waits beyond the block still committing: wait for it to land (its senders hear), or for a
      // transaction to arrive, which the next block takes while it commits.
      if (flight && this.mempool.size <= flight.txs.size) {
        const landing: InFlight = flight;
        const landed = await Promise.race([landing.commit.then(...LANDED), this.pacing.kicked().then(() => false)]);
        if (landed) {
          flight = null;
          await this.land(landing);
        }
        continue;
      }
      if (!flight && this.mempool.size === 0) await this.pacing.idle();
      if (!this.running || !this.producing) break;
      try {
        if (!flight && this.memoryBehind) await this.reload(this.memoryBehind);
        await this.pacing.gather();
        const previous: InFlight | null = flight;
        flight = null;
        flight = await this.pipelineStep(previous);
        this.healthy = true;
      } catch (error) {
        await this.failed(error);
      }
    }
    if (flight) await this.land(flight);
  }

  /** Waits for a block's commit; a failure is handled as the loop's are. */
  private async land(flight: InFlight): Promise<void> {
    try {
      await flight.commit;
      this.healthy = true;
    } catch (error) {
      await this.failed(error);
    }
  }

  /** After a failed turn: logged, and a pause before the next (a disk that failed a write may need a moment). */
  private async failed(error: unknown): Promise<void> {
    // A failed commit changed nothing in memory (the trie, cache and mempool move only after a
    // commit); a failure after the commit left `memoryBehind`, reloaded on the next turn.
    this.healthy = false;
    this.options.log(`block ${this.head.height + 1}: ${(error as Error).message}; retrying`);
    // A block may still be committing (the failure was in building the next): its transactions are offered again
    // only once it has landed.
    await this.committing;
    await new Promise((r) => setTimeout(r, RETRY_AFTER_FAILURE_MS));
  }

  /**
   * One turn of the pipeline: builds the next block on `previous` (still committing) or on the head, waits for
   * `previous` to commit, then starts this one's commit and answers it in flight. With nothing new to build on
   * `previous`, it only waits for it.
   */
  private pipelineStep(previous: InFlight | null): Promise<InFlight | null> {
    return this.serially(async () => {
      const parent = previous?.head ?? this.head;
      const selectAtMs = Math.max(this.options.now(), parent.timeMs + 1);
      const candidates = this.mempool.select(this.params.maxTxsPerBlock, this.params.maxBlockBytes, selectAtMs, previous ?? undefined);
      if (previous && candidates.length === 0) {
        await previous.commit;
        return null;
      }
      const next = await this.buildOn(parent, candidates, selectAtMs, previous);
      // A block built on one whose commit failed is dropped with it (the error goes to the loop).
      if (previous) await previous.commit;
      const commit = this.commitBuilt(next.built, next.seal, next.dropped);
      this.committing = commit.catch(() => undefined);
      return inFlight(next.built, next.dropped, commit);
    }, true);
  }

  /**
   * One block: select, prefetch, apply, commit, then advance the in-memory views. The mempool only
   * loses a transaction after a commit that holds it, or holds the record of why it was dropped.
   */
  async produceBlock(): Promise<BlockCommitted> {
    return this.serially(async () => {
      const selectAtMs = Math.max(this.options.now(), this.head.timeMs + 1);
      const candidates = this.mempool.select(this.params.maxTxsPerBlock, this.params.maxBlockBytes, selectAtMs);
      const next = await this.buildOn(this.head, candidates, selectAtMs, null);
      return this.commitBuilt(next.built, next.seal, next.dropped);
    });
  }

  /** Applies candidates as the block after `parent` (the head, or `pending` still committing), sealed by this node. */
  private async buildOn(parent: Head, candidates: CheckedTx[], selectAtMs: number, pending: InFlight | null, seedProof?: Uint8Array) {
    const keys = blockKeys(this);
    const view = await viewForTxs(this.cache, keys, candidates, pending?.writes);
    // The one apply path a block takes, here or on a node importing it (core's block-build.ts).
    const built = await this.trie.build(
      parent.stateRoot,
      keys,
      (trie) =>
        proposeBlock({ chainId: this.chainId, params: this.params, parent, view, trie }, candidates, selectAtMs, this.nodeDid, seedProof),
      pending?.nodes,
    );
    const seal = sealBlock(built.hash, this.options.nodeKey.secretKey, this.options.nodeKey.publicKey);
    // What `pending` holds or drops is its own to record.
    const dropped = this.mempool
      .droppedWith(built.applied.rejected, built.header.timeMs)
      .filter((d) => !pending?.txs.has(d.entry.checked.hashHex));
    return { built, seal, dropped };
  }

  /**
   * Commits a block made elsewhere, exactly as a produced one is committed, once core's validateBlock accepts it on
   * this node's head and state; an invalid block is answered with its reason and changes nothing. Its transactions
   * leave this node's mempool.
   */
  async importBlock(candidate: BlockCandidate, certified?: Certified): Promise<BlockCommitted | BlockInvalid> {
    return this.serially(async () => {
      const built = await validateOnHead(this, candidate, certified?.parentSeed);
      return built instanceof BlockInvalid ? built : this.commitBuilt(built, candidate.seal, [], certified?.write);
    });
  }

  /** Consensus: this node's block for the next height, built on the head and not committed (consensus/driver.ts). */
  proposeNext(seedProof: Uint8Array, maxTxs: number): Promise<{ built: BuiltBlock; seal: BlockSeal; dropped: Dropped[] }> {
    return this.serially(async () => {
      const selectAtMs = Math.max(this.options.now(), this.head.timeMs + 1);
      const count = Math.min(maxTxs, this.params.maxTxsPerBlock);
      const candidates = this.mempool.select(count, this.params.maxBlockBytes, selectAtMs);
      return this.buildOn(this.head, candidates, selectAtMs, null, seedProof);
    });
  }

  /** Consensus: checks another node's block for the next height on the head (nothing committed). */
  checkNext(candidate: BlockCandidate, parentSeed: Uint8Array): Promise<BuiltBlock | BlockInvalid> {
    return this.serially(() => validateOnHead(this, candidate, parentSeed));
  }

  /** Consensus: commits the height's decided block (built by proposeNext or checkNext on this head) with its certificate. */
  commitDecided(built: BuiltBlock, seal: BlockSeal, dropped: Dropped[], write: (tx: Sql) => Promise<void>): Promise<BlockCommitted> {
    return this.serially(async () => {
      if (built.header.height !== this.head.height + 1 || !bytesEqual(built.header.prevHash, this.head.hash)) {
        throw new Error(`the decided block ${built.header.height} does not follow this node's head ${this.head.height}`);
      }
      return this.commitBuilt(built, seal, dropped, write);
    });
  }

  /** Runs `work` while no block commits (a state snapshot reads every table at one head). */
  atRest<T>(work: () => Promise<T>): Promise<T> {
    return this.serially(work);
  }

  /**
   * Runs block work one at a time: the producer's blocks and imported ones never interleave. Work also waits for a
   * block still committing, except the producer's next turn (`overlap`), which builds on it.
   */
  private serially<T>(work: () => Promise<T>, overlap = false): Promise<T> {
    const run = this.blockWork.then(() => (overlap ? undefined : this.committing)).then(work);
    this.blockWork = run.catch(() => undefined);
    return run;
  }

  /**
   * Commits a built block (proposed here or validated from elsewhere), then advances the in-memory views. The mempool
   * only loses a transaction after a commit that holds it, or holds the record of why it was dropped.
   */
  private async commitBuilt(
    built: BuiltBlock,
    seal: BlockSeal,
    dropped: Dropped[],
    alongside?: (tx: Sql) => Promise<void>,
  ): Promise<BlockCommitted> {
    const { header, hash, writes, trieUpdate } = built;
    // Each sender's records are bounded (rejection-limiter.ts); past the bound they are counted, not stored.
    const stored = dropped.filter((d) => this.rejections.charge(senderKey(d.entry.checked.tx.from)));
    const block = commitRecord(built, seal, stored);
    const droppedHashes = dropped.map((d) => d.entry.checked.hashHex);
    try {
      await this.store.commitBlock(
        block,
        async (tx) => {
          await this.trie.write(tx, header.height, trieUpdate);
          await alongside?.(tx);
        },
        this.commitHook ? (tx) => this.commitHook?.(tx, block, droppedHashes) ?? Promise.resolve() : undefined,
      );
    } catch (error) {
      this.rejections.refund(stored.map((d) => senderKey(d.entry.checked.tx.from)));
      throw new Error(`failed to commit: ${(error as Error).message}`);
    }
    const committed = committedOf(block, dropped);
    const { txHashes } = committed;
    this.forwarded.forget(txHashes);
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

  /** Brings the memory views back to the database (after a block committed without them following, or another process's). */
  async reload(settledHashes: string[]): Promise<void> {
    this.head = await headFromDatabase(this);
    this.mempool.remove(settledHashes, false);
    this.memoryBehind = null;
    this.options.log(`reloaded the state from the database at height ${this.head.height}`);
  }

  /** The nonce an account's next transaction takes: committed plus waiting (ledger-reads.ts). */
  nextNonce(did: string): Promise<number> {
    return this.queue ? this.queue.nextNonce(did) : localNextNonce(this, did);
  }

  /** False after a block committed without the memory views following it (until they are reloaded from the database). */
  get inStep(): boolean {
    return this.memoryBehind === null;
  }

  /** True while a transaction waits: in this mempool, or sent on to the followed node and not yet in a block here. */
  awaits(hash: string): boolean {
    return this.mempool.get(hash) !== undefined || this.forwarded.has(hash);
  }

  /** Candidate transactions' keys for admission dry runs. */
  async viewFor(checked: CheckedTx) {
    return viewForTxs(this.cache, blockKeys(this), [checked]);
  }
}
