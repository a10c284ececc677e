/**
 * The blocks of the height under agreement, for the consensus driver: this node's proposal built through the ledger,
 * peers' proposals checked through the import path, the ones that passed kept until the height is decided, and the
 * decided one committed with its certificate. Also the sortition seed the head block leaves to the next height.
 */
import type { BlockSeal, BuiltBlock } from '@arc/core';
import { BlockInvalid, blockHash, bytesEqual, seedAlpha, toHex, vrfProve } from '@arc/core';
import type { Database, Sql } from '../db/client.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { Dropped } from '../ledger/mempool.ts';
import { seedAfter, seedAfterHeader, storedHeader } from './chain-context.ts';
import { ProposalSize } from './proposal-size.ts';
import { decodeCandidate, encodeCandidate } from './wire.ts';

/** Blocks this node built or checked for the height under agreement, kept until it is decided. */
export const BLOCKS_PER_HEIGHT_MAX = 64;

interface Ready {
  built: BuiltBlock;
  seal: BlockSeal;
  dropped: Dropped[];
}

export class HeightBlocks {
  private readonly ready = new Map<string, Ready>();
  /** The seed the block this node committed last leaves to the next height. */
  private committedSeed: { height: number; seed: Uint8Array } | null = null;
  /** How many transactions a proposal takes (outcomes and this node's own build and check times). */
  readonly size: ProposalSize;

  constructor(
    private readonly db: Database,
    private readonly ledger: Ledger,
    blockWaitMs: number,
    private readonly log: (line: string) => void,
    private readonly trace: (text: string) => void,
  ) {
    this.size = new ProposalSize(blockWaitMs);
  }

  /**
   * Forgets the last height's blocks and answers the seed the head block leaves: from the block this node just
   * committed without a read; after a catch-up or a start, from the stored header.
   */
  async nextHeight(): Promise<Uint8Array> {
    this.ready.clear();
    const head = this.ledger.head;
    const known = this.committedSeed;
    if (known?.height === head.height) return known.seed;
    const header = await storedHeader(this.db, head.height);
    if (!header) throw new Error(`the head block ${head.height} is not stored`);
    return seedAfter(header);
  }

  /** This node's block for `height` on the head (its seed proof over `headSeed`): its hash and encoded payload. */
  async build(secretKey: Uint8Array, headSeed: Uint8Array, height: number): Promise<{ hash: Uint8Array; payload: Uint8Array }> {
    const seedProof = vrfProve(secretKey, seedAlpha(headSeed, height));
    const startedMs = performance.now();
    const next = await this.ledger.proposeNext(seedProof, this.size.txs);
    const txs = next.built.applied.included.map((i) => i.checked.bytes);
    this.size.observe(txs.length, performance.now() - startedMs);
    this.trace(`built ${txs.length} txs in ${Math.round(performance.now() - startedMs)} ms (at most ${this.size.txs})`);
    this.keep(next.built.hash, next);
    return { hash: next.built.hash, payload: encodeCandidate({ header: next.built.header, seal: next.seal, txs }) };
  }

  /** Checks a proposed block on the head through the import path; true when it is valid and hashes to `value`. */
  async check(payload: Uint8Array, value: Uint8Array, headSeed: Uint8Array): Promise<boolean> {
    let candidate: ReturnType<typeof decodeCandidate>;
    try {
      candidate = decodeCandidate(payload);
    } catch (error) {
      if (error instanceof Error) return false;
      throw error;
    }
    if (!bytesEqual(blockHash(candidate.header), value)) return false;
    const startedMs = performance.now();
    const built = await this.ledger.checkNext(candidate, headSeed);
    this.size.observe(candidate.txs.length, performance.now() - startedMs);
    if (built instanceof BlockInvalid) {
      this.log(`consensus: a proposal for height ${candidate.header.height} is invalid (${built.code}: ${built.message})`);
      return false;
    }
    this.keep(value, { built, seal: candidate.seal, dropped: [] });
    return true;
  }

  /**
   * Commits the decided block `value` with `write` (its certificate) in the block's transaction, checking `payload`
   * first when the block was not built or checked here. False when the block is not at hand (it came by certificate
   * alone) or does not check: the caller fetches it from a peer.
   */
  async commit(value: Uint8Array, payload: Uint8Array | null, headSeed: Uint8Array, write: (tx: Sql) => Promise<void>): Promise<boolean> {
    let ready = this.ready.get(toHex(value));
    if (!ready && payload && (await this.check(payload, value, headSeed))) ready = this.ready.get(toHex(value));
    if (!ready) return false;
    const startedMs = performance.now();
    await this.ledger.commitDecided(ready.built, ready.seal, ready.dropped, write);
    this.committedSeed = { height: ready.built.header.height, seed: seedAfterHeader(ready.built.header) };
    this.trace(`committed ${ready.built.applied.included.length} txs in ${Math.round(performance.now() - startedMs)} ms`);
    this.size.decided();
    return true;
  }

  private keep(hash: Uint8Array, ready: Ready): void {
    if (this.ready.size < BLOCKS_PER_HEIGHT_MAX) this.ready.set(toHex(hash), ready);
  }
}
