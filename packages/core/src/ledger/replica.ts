/**
 * A chain replayed in memory from its genesis: every block goes through `validateBlock`, the import path a node
 * takes, and its writes are committed to a MemoryState. `arc node verify` replays a node's chain in one of these and
 * stops at the first block that does not validate or does not reach its state root. Pure.
 */
import { bytesEqual, toHex } from '../bytes.ts';
import { blockHash, decodeHeader } from './block.ts';
import { type BlockCandidate, BlockInvalid, type BuiltBlock, type ParentBlock, validateBlock } from './block-build.ts';
import { type GenesisConfig, genesisEntries, genesisHeader } from './genesis.ts';
import { MemoryState } from './memory-state.ts';
import { SnapshotError, type SnapshotHead } from './snapshot.ts';
import type { StateEntry } from './state.ts';
import type { BlockHeader, ChainParams } from './types.ts';

/** Blocks between sweeps of the trie nodes no root reaches any more (a long replay would otherwise keep every one). */
const SWEEP_EVERY_BLOCKS = 256;

export class ChainReplica {
  readonly state = new MemoryState();
  /** Block 0 as this genesis makes it. */
  readonly genesis: { header: BlockHeader; hash: Uint8Array };
  private current: ParentBlock;
  private sinceSweep = 0;

  /**
   * `params`: the parameters the chain's blocks are applied under (a node's `nodeChainParams`). `from`: a snapshot's
   * checked head and its entries, to replay from its height instead of from genesis; the entries must give the state
   * root its block names (SNAPSHOT_MISMATCH otherwise).
   */
  constructor(
    readonly config: GenesisConfig,
    readonly params: ChainParams,
    from?: { head: SnapshotHead; entries: Iterable<StateEntry> },
  ) {
    const genesisRoot = from ? MemoryState.fromGenesis(config).trie.root : this.state.commit(genesisEntries(config));
    const header = genesisHeader(config, genesisRoot);
    this.genesis = { header, hash: blockHash(header) };
    this.current = { height: 0, hash: this.genesis.hash, stateRoot: genesisRoot, timeMs: header.timeMs };
    if (from) {
      const root = this.state.commit(from.entries);
      const named = from.head.header.stateRoot;
      if (!bytesEqual(root, named)) {
        throw new SnapshotError(
          'SNAPSHOT_MISMATCH',
          `the snapshot's entries give state root ${toHex(root)}; its block ${from.head.height} names ${toHex(named)}`,
        );
      }
      this.current = { height: from.head.height, hash: from.head.hash, stateRoot: root, timeMs: from.head.header.timeMs };
    }
  }

  get head(): ParentBlock {
    return this.current;
  }

  /**
   * Null when a block 0 (its encoded header) is the one this genesis makes; otherwise a BlockInvalid saying what
   * differs: the state root (allocations or parameters differ), or anything else in the header.
   */
  checkGenesis(encodedHeader: Uint8Array): BlockInvalid | null {
    const header = decodeHeader(encodedHeader);
    if (!bytesEqual(header.stateRoot, this.genesis.header.stateRoot)) {
      return new BlockInvalid(
        'STATE_ROOT_MISMATCH',
        `block 0 commits to state root ${toHex(header.stateRoot)}; this genesis makes ${toHex(this.genesis.header.stateRoot)}`,
      );
    }
    if (!bytesEqual(blockHash(header), this.genesis.hash)) {
      return new BlockInvalid('WRONG_PARENT', `block 0's header differs from the one this genesis makes (chain id, time or roots)`);
    }
    return null;
  }

  /** Validates the next block on this state and, when valid, commits it; the state is unchanged when it is not. */
  apply(candidate: BlockCandidate, nowMs: number): BuiltBlock | BlockInvalid {
    const base = { chainId: this.config.chainId, params: this.params, parent: this.current, view: this.state, trie: this.state.trie };
    const built = validateBlock(base, candidate, { nowMs });
    if (built instanceof BlockInvalid) return built;
    this.state.commit(built.writes, built.trieUpdate);
    this.current = { height: built.header.height, hash: built.hash, stateRoot: built.header.stateRoot, timeMs: built.header.timeMs };
    this.sinceSweep += 1;
    if (this.sinceSweep >= SWEEP_EVERY_BLOCKS) {
      this.state.trie.sweep();
      this.sinceSweep = 0;
    }
    return built;
  }
}
