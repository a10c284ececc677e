/**
 * One apply path for a block, whoever made it. `proposeBlock` builds a block from candidate transactions (those
 * refused before their fee are left out, as a producer must); `validateBlock` checks a block someone else made and
 * refuses it whole if anything is off (a transaction that does not apply makes the block invalid). Both apply the
 * transactions with `applyTxs` and fold the writes into the state trie the same way, so a block proposed here
 * validates anywhere, byte for byte. Pure: the state, the trie, the clock and the keys are handed in.
 */
import { bytesEqual } from '../bytes.ts';
import { seedAlpha } from '../consensus/sortition.ts';
import { vrfVerify } from '../crypto/ecvrf.ts';
import { signMessage } from '../crypto/keys.ts';
import { verifySignature } from '../crypto/provider.ts';
import { didMatchesPublicKey } from '../did/did.ts';
import type { TrieNodeReader, TrieUpdateResult } from '../merkle/trie.ts';
import { BLOCK_VERSION, BLOCK_VERSION_CONSENSUS, blockHash, txMerkleRoot } from './block.ts';
import { applyTxs, type BlockApplyResult } from './block-apply.ts';
import { type CheckedTx, checkSignatures, checkTxStatic } from './check.ts';
import { LedgerError } from './errors.ts';
import type { StateView, StateWrite } from './state.ts';
import { applyWritesToTrie } from './state-root.ts';
import type { BlockContext, BlockHeader, BlockSeal, ChainParams } from './types.ts';

/** How far ahead of a validator's clock a block's time may be, unless the validator says otherwise. */
export const BLOCK_CLOCK_DRIFT_MAX_MS = 15_000;

/** The block a new one follows, as a node keeps its head: height, hash (blockHash of its header), state root, time. */
export interface ParentBlock {
  height: number;
  hash: Uint8Array;
  stateRoot: Uint8Array;
  timeMs: number;
}

/** The chain a block is built on: its id and parameters, the parent, the state and trie at the parent. */
export interface BlockBase {
  chainId: string;
  params: ChainParams;
  parent: ParentBlock;
  /** The state after the parent, holding every entry the block's transactions read. */
  view: StateView;
  /** The state trie's nodes, reaching the parent's state root. */
  trie: TrieNodeReader;
}

/** A block whose transactions were applied: what to commit and what to tell. */
export interface BuiltBlock {
  header: BlockHeader;
  hash: Uint8Array;
  applied: BlockApplyResult;
  /** Every state entry the block wrote, in the order they were written. */
  writes: StateWrite[];
  /** The trie nodes the new state root needs; the root is `header.stateRoot`. */
  trieUpdate: TrieUpdateResult;
}

/** Applies `txs` on the parent's state and folds their writes into the trie: the header a block of them has. */
function build(base: BlockBase, txs: CheckedTx[], timeMs: number, proposer: string, seedProof?: Uint8Array): BuiltBlock {
  const height = base.parent.height + 1;
  const ctx: BlockContext = { chainId: base.chainId, height, timeMs, proposer, params: base.params };
  const applied = applyTxs(base.view, txs, ctx);
  const writes = [...applied.overlay.writes.values()];
  const trieUpdate = applyWritesToTrie(base.trie, base.parent.stateRoot, writes);
  const header: BlockHeader = {
    version: seedProof ? BLOCK_VERSION_CONSENSUS : BLOCK_VERSION,
    chainId: base.chainId,
    height,
    prevHash: base.parent.hash,
    timeMs,
    proposer,
    txRoot: txMerkleRoot(applied.included.map((i) => i.checked.hash)),
    stateRoot: trieUpdate.root,
    txCount: applied.included.length,
    ...(seedProof ? { seedProof } : {}),
  };
  return { header, hash: blockHash(header), applied, writes, trieUpdate };
}

/**
 * A producer's block: the candidates in order, those refused before their fee left out (`applied.rejected`), up to
 * the chain's count and byte bounds. Its time is at least one millisecond after the parent's.
 */
export function proposeBlock(
  base: BlockBase,
  candidates: CheckedTx[],
  nowMs: number,
  proposer: string,
  seedProof?: Uint8Array,
): BuiltBlock {
  return build(base, candidates, Math.max(nowMs, base.parent.timeMs + 1), proposer, seedProof);
}

/** The proposer's seal: its signature over the block hash. */
export function sealBlock(hash: Uint8Array, proposerSecretKey: Uint8Array, proposerPublicKey: Uint8Array): BlockSeal {
  return { publicKey: proposerPublicKey, signature: signMessage(proposerSecretKey, hash) };
}

/** A block as it travels between nodes: its header, its seal and its transactions' canonical bytes, in order. */
export interface BlockCandidate {
  header: BlockHeader;
  seal: BlockSeal;
  txs: Uint8Array[];
}

export type BlockInvalidCode =
  | 'WRONG_VERSION'
  | 'WRONG_CHAIN'
  | 'WRONG_HEIGHT'
  | 'WRONG_PARENT'
  | 'TIME_NOT_AFTER_PARENT'
  | 'TIME_IN_FUTURE'
  | 'TX_COUNT_MISMATCH'
  | 'BLOCK_TOO_LARGE'
  | 'DUPLICATE_TX'
  | 'TX_INVALID'
  | 'TX_REJECTED'
  | 'TX_ROOT_MISMATCH'
  | 'STATE_ROOT_MISMATCH'
  | 'SEAL_INVALID'
  | 'SEED_INVALID'
  | 'PROPOSER_NOT_ALLOWED';

/** Why a block is invalid; `txIndex` and `txCode` name the transaction and its own refusal when one is to blame. */
export class BlockInvalid extends Error {
  constructor(
    readonly code: BlockInvalidCode,
    message: string,
    readonly txIndex?: number,
    readonly txCode?: string,
  ) {
    super(message);
    this.name = 'BlockInvalid';
  }
}

export interface ValidateOptions {
  /** The validator's clock: a block may be at most `clockDriftMaxMs` ahead of it. */
  nowMs: number;
  clockDriftMaxMs?: number;
  /** Who may propose at this height (the consensus issue narrows it); any key-holder of a valid seal when absent. */
  mayPropose?: (did: string, height: number) => boolean;
  /**
   * False when the transactions' signatures were already checked (a node's signature threads did it on the way in),
   * or which ones still need it (by transaction hash, hex): the rest is checked either way.
   */
  checkSignatures?: boolean | ((hashHex: string) => boolean);
  /**
   * A chain run by consensus: the parent's seed. The header must be version 2 and its seed proof the proposer's VRF
   * proof over (parent seed, height); without it, version 1.
   */
  consensus?: { parentSeed: Uint8Array };
}

function invalid(code: BlockInvalidCode, message: string, txIndex?: number, txCode?: string): BlockInvalid {
  return new BlockInvalid(code, message, txIndex, txCode);
}

/** Checks what a header says without the state: version, chain, height, parent link and time. */
function headerProblem(base: BlockBase, header: BlockHeader, options: ValidateOptions): BlockInvalid | null {
  const { parent } = base;
  const version = options.consensus ? BLOCK_VERSION_CONSENSUS : BLOCK_VERSION;
  if (header.version !== version)
    return invalid('WRONG_VERSION', `block version ${header.version}; this chain's blocks are version ${version}`);
  if (header.chainId !== base.chainId)
    return invalid('WRONG_CHAIN', `the block is for chain "${header.chainId}", this is "${base.chainId}"`);
  if (header.height !== parent.height + 1) {
    return invalid('WRONG_HEIGHT', `the block is at height ${header.height}; the next height is ${parent.height + 1}`);
  }
  if (!bytesEqual(header.prevHash, parent.hash)) {
    return invalid('WRONG_PARENT', `the block does not follow block ${parent.height} of this chain (its previous hash differs)`);
  }
  if (header.timeMs <= parent.timeMs) {
    return invalid('TIME_NOT_AFTER_PARENT', `the block's time ${header.timeMs} is not after its parent's (${parent.timeMs})`);
  }
  const drift = options.clockDriftMaxMs ?? BLOCK_CLOCK_DRIFT_MAX_MS;
  if (header.timeMs > options.nowMs + drift) {
    return invalid(
      'TIME_IN_FUTURE',
      `the block's time is ${header.timeMs - options.nowMs} ms ahead of this node's clock (at most ${drift})`,
    );
  }
  return null;
}

/** The transactions' stateless checks (and signatures unless told they were checked), in block order. */
function checkedTxs(base: BlockBase, block: BlockCandidate, options: ValidateOptions): CheckedTx[] | BlockInvalid {
  const { header, txs } = block;
  if (txs.length !== header.txCount)
    return invalid('TX_COUNT_MISMATCH', `the header counts ${header.txCount} transactions; the block has ${txs.length}`);
  const bytes = txs.reduce((sum, tx) => sum + tx.length, 0);
  if (txs.length > base.params.maxTxsPerBlock || bytes > base.params.maxBlockBytes) {
    return invalid(
      'BLOCK_TOO_LARGE',
      `the block has ${txs.length} transactions in ${bytes} bytes; this chain takes at most ${base.params.maxTxsPerBlock} in ${base.params.maxBlockBytes}`,
    );
  }
  const seen = new Set<string>();
  const checked: CheckedTx[] = [];
  for (const [index, tx] of txs.entries()) {
    const one = checkTxStatic(tx, { chainId: base.chainId, params: base.params });
    if (one instanceof LedgerError) return invalid('TX_INVALID', `transaction ${index}: ${one.message}`, index, one.code);
    if (seen.has(one.hashHex)) return invalid('DUPLICATE_TX', `transaction ${index} appears twice in the block`, index);
    seen.add(one.hashHex);
    const check = options.checkSignatures ?? true;
    if (check === true || (check !== false && check(one.hashHex))) {
      const bad = checkSignatures(one);
      if (bad) return invalid('TX_INVALID', `transaction ${index}: ${bad.message}`, index, bad.code);
    }
    checked.push(one);
  }
  return checked;
}

/** The seal is the named proposer's signature over the block hash, and the proposer may propose. */
function sealProblem(header: BlockHeader, hash: Uint8Array, seal: BlockSeal, options: ValidateOptions): BlockInvalid | null {
  if (!didMatchesPublicKey(header.proposer, seal.publicKey))
    return invalid('SEAL_INVALID', `the seal's public key is not the key of the proposer ${header.proposer}`);
  if (!verifySignature(seal.publicKey, hash, seal.signature))
    return invalid('SEAL_INVALID', "the seal's signature does not verify against the block hash");
  if (options.consensus) {
    const alpha = seedAlpha(options.consensus.parentSeed, header.height);
    if (!header.seedProof || !vrfVerify(seal.publicKey, header.seedProof, alpha)) {
      return invalid('SEED_INVALID', "the header's seed proof is not the proposer's VRF proof over the parent's seed and the height");
    }
  }
  if (options.mayPropose && !options.mayPropose(header.proposer, header.height)) {
    return invalid('PROPOSER_NOT_ALLOWED', `${header.proposer} may not propose block ${header.height}`);
  }
  return null;
}

/** Null when the seal is the named proposer's signature over the block hash; otherwise why not (SEAL_INVALID). */
export function checkSeal(header: BlockHeader, hash: Uint8Array, seal: BlockSeal): BlockInvalid | null {
  return sealProblem(header, hash, seal, { nowMs: 0 });
}

/**
 * Checks a block made elsewhere against the parent it names and the state after that parent: the header links to the
 * parent and keeps time, the seal is the proposer's, every transaction passes its checks and applies (one refused
 * makes the block invalid, unlike proposing), and the transaction root and state root are what applying gives.
 * Answers what to commit (as `proposeBlock` does), or why the block is invalid; changes nothing either way.
 */
export function validateBlock(base: BlockBase, block: BlockCandidate, options: ValidateOptions): BuiltBlock | BlockInvalid {
  const { header, seal } = block;
  const headerBad = headerProblem(base, header, options);
  if (headerBad) return headerBad;
  const hash = blockHash(header);
  const sealBad = sealProblem(header, hash, seal, options);
  if (sealBad) return sealBad;
  const txs = checkedTxs(base, block, options);
  if (txs instanceof BlockInvalid) return txs;
  if (!bytesEqual(txMerkleRoot(txs.map((t) => t.hash)), header.txRoot)) {
    return invalid('TX_ROOT_MISMATCH', "the header's transaction root is not the root of the block's transactions");
  }
  const built = build(base, txs, header.timeMs, header.proposer, header.seedProof);
  const refused = built.applied.rejected[0];
  if (refused) {
    const index = txs.indexOf(refused.checked);
    return invalid('TX_REJECTED', `transaction ${index} does not apply: ${refused.error.message}`, index, refused.error.code);
  }
  if (!bytesEqual(built.header.stateRoot, header.stateRoot)) {
    return invalid('STATE_ROOT_MISMATCH', "the header's state root is not the root the block's transactions lead to");
  }
  return built;
}
