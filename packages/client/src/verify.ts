import {
  type BlockCandidate,
  BlockInvalid,
  type BlockInvalidCode,
  ChainReplica,
  CodecError,
  decodeHeader,
  decodeSeal,
  fromHex,
  genesisHashOf,
  nodeChainParams,
  parseGenesisJson,
  SnapshotError,
  type SnapshotHead,
  type StateEntry,
  toHex,
} from '@arc/core';
import type { ArcClient } from './client.ts';
import { badInput, ClientError } from './errors.ts';
import type { RawBlocks } from './schemas.ts';

/**
 * Replays a node's chain from its genesis through core's import path (ChainReplica: `validateBlock` on a state in
 * memory) and checks every block: its link, seal, bounds, that every transaction applies, its transaction root and
 * its state root. Nothing is taken on the node's word but the bytes it serves.
 */

/** Blocks asked for per page (the node also bounds a page by its transactions). */
const PAGE_BLOCKS = 100;

export type VerifyMismatchCode = BlockInvalidCode | 'BLOCK_UNDECODABLE' | 'BLOCK_MISSING';

/** The first block that does not verify, and why. */
export interface VerifyMismatch {
  height: number;
  code: VerifyMismatchCode;
  message: string;
  /** The transaction to blame, when one is (its index in the block and its own refusal code). */
  txIndex?: number;
  txCode?: string;
}

export interface VerifyProgress {
  /** The last block replayed. */
  height: number;
  from: number;
  to: number;
  /** Blocks and transactions checked in [from, to] so far. */
  blocks: number;
  txs: number;
  elapsedMs: number;
}

export interface VerifyReport {
  chainId: string;
  from: number;
  to: number;
  /** Blocks and transactions checked in [from, to] (blocks before `from` are replayed too, to reach its state). */
  blocks: number;
  txs: number;
  ms: number;
  blocksPerSec: number;
  /** The state root reached at `to` (hex); null when a mismatch stopped the replay. */
  stateRoot: string | null;
  mismatch: VerifyMismatch | null;
}

export interface VerifyOptions {
  /** First height whose figures are reported (default 1). */
  from?: number;
  /** Last height to replay (default: the node's height when asked). */
  to?: number;
  /** After each page of blocks. */
  onProgress?: (progress: VerifyProgress) => void;
  /** The verifier's clock, for the bound on block times ahead of it (default Date.now). */
  now?: () => number;
  /**
   * Replay from a snapshot's state (read and checked with core's SnapshotReader) instead of from genesis: its
   * entries must give its block's state root, its chain and genesis must be the node's, and the replay starts at the
   * block after it.
   */
  snapshot?: { head: SnapshotHead; entries: Iterable<StateEntry> };
}

function decodeBlock(raw: RawBlocks['blocks'][number]): BlockCandidate | VerifyMismatch {
  try {
    return { header: decodeHeader(fromHex(raw.header)), seal: decodeSeal(fromHex(raw.seal)), txs: raw.txs.map(fromHex) };
  } catch (error) {
    if (!(error instanceof CodecError)) throw error;
    return { height: raw.height, code: 'BLOCK_UNDECODABLE', message: `block ${raw.height} does not decode: ${error.message}` };
  }
}

function mismatchOf(height: number, invalid: BlockInvalid): VerifyMismatch {
  return {
    height,
    code: invalid.code,
    message: invalid.message,
    ...(invalid.txIndex === undefined ? {} : { txIndex: invalid.txIndex }),
    ...(invalid.txCode === undefined ? {} : { txCode: invalid.txCode }),
  };
}

/** A replica at a snapshot's state, made before any request: folding a large state keeps this process busy for minutes. */
function snapshotReplica(snapshot: NonNullable<VerifyOptions['snapshot']>): ChainReplica {
  const { genesis, nodeDid } = snapshot.head;
  try {
    return new ChainReplica(genesis, nodeChainParams(genesis, nodeDid), snapshot);
  } catch (error) {
    if (error instanceof SnapshotError) throw new ClientError(error.code, error.message);
    throw error;
  }
}

export async function verifyChain(client: ArcClient, options: VerifyOptions = {}): Promise<VerifyReport> {
  const now = options.now ?? Date.now;
  const { snapshot } = options;
  const fromSnapshot = snapshot ? snapshotReplica(snapshot) : null;
  const served = await client.getGenesis();
  let config: ReturnType<typeof parseGenesisJson>;
  try {
    config = parseGenesisJson(served.genesis, "the node's chain.genesis");
  } catch (error) {
    throw new ClientError('BAD_RESPONSE', (error as Error).message);
  }
  const start = snapshot ? snapshot.head.height : 0;
  const from = options.from ?? start + 1;
  const to = options.to ?? served.height;
  if (from < start + 1 || to < from) throw badInput(`--from ${from} --to ${to}: a range is ${start + 1} ≤ from ≤ to`);
  if (to > served.height) throw badInput(`the node is at height ${served.height}: --to ${to} is past its head`);
  if (snapshot) {
    const { head } = snapshot;
    if (head.chainId !== config.chainId || head.genesisHash !== genesisHashOf(config) || head.nodeDid !== served.nodeDid) {
      throw new ClientError(
        'SNAPSHOT_MISMATCH',
        `the snapshot is of chain "${head.chainId}" from another genesis or under other parameters than the node's chain`,
      );
    }
  }
  const replica = fromSnapshot ?? new ChainReplica(config, nodeChainParams(config, served.nodeDid));
  const report = (mismatch: VerifyMismatch | null, blocks: number, txs: number, ms: number): VerifyReport => ({
    chainId: config.chainId,
    from,
    to,
    blocks,
    txs,
    ms,
    blocksPerSec: ms > 0 ? Math.round((blocks / ms) * 1000 * 10) / 10 : blocks,
    stateRoot: mismatch ? null : toHex(replica.head.stateRoot),
    mismatch,
  });

  let blocks = 0;
  let txs = 0;
  let startedMs: number | null = from === start + 1 ? performance.now() : null;
  const elapsed = () => (startedMs === null ? 0 : performance.now() - startedMs);
  // From genesis, block 0 is checked against the genesis; from a snapshot, its block is where the replica starts.
  let expected = snapshot ? start + 1 : 0;
  let page: Promise<RawBlocks> | null = client.rawBlocks(expected, PAGE_BLOCKS);
  while (page !== null) {
    const current: RawBlocks = await page;
    const nextFrom: number | null = current.next !== null && current.next <= to ? current.next : null;
    // The next page travels while this one is replayed.
    page = nextFrom === null ? null : client.rawBlocks(nextFrom, PAGE_BLOCKS);
    for (const raw of current.blocks) {
      if (raw.height > to) break;
      if (raw.height !== expected) {
        const missing = {
          height: expected,
          code: 'BLOCK_MISSING' as const,
          message: `the node served block ${raw.height} where ${expected} was due`,
        };
        return report(missing, blocks, txs, elapsed());
      }
      expected += 1;
      if (raw.height === 0) {
        const wrong = replica.checkGenesis(fromHex(raw.header));
        if (wrong) return report(mismatchOf(0, wrong), blocks, txs, elapsed());
        continue;
      }
      const candidate = decodeBlock(raw);
      if (!('header' in candidate)) return report(candidate, blocks, txs, elapsed());
      if (raw.height === from) startedMs ??= performance.now();
      const built = replica.apply(candidate, now());
      if (built instanceof BlockInvalid) return report(mismatchOf(raw.height, built), blocks, txs, elapsed());
      if (raw.height >= from) {
        blocks += 1;
        txs += candidate.txs.length;
      }
    }
    options.onProgress?.({ height: replica.head.height, from, to, blocks, txs, elapsedMs: elapsed() });
  }
  if (replica.head.height < to) {
    const missing = {
      height: replica.head.height + 1,
      code: 'BLOCK_MISSING' as const,
      message: `the node served no block ${replica.head.height + 1}`,
    };
    return report(missing, blocks, txs, elapsed());
  }
  return report(null, blocks, txs, elapsed());
}
