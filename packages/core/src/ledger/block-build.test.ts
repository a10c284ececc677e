import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  alice,
  bob,
  CHAIN_ID,
  carol,
  dave,
  GENESIS_TIME_MS,
  genesisConfig,
  mustCheck,
  PARAMS,
  signedTx,
  transferItx,
  validator,
} from '../../test/ledger-kit.ts';
import { toHex } from '../bytes.ts';
import { CodecError } from '../encoding/codec.ts';
import { BLOCK_VERSION, blockHash, decodeHeader, decodeSeal, encodeHeader, encodeSeal, txMerkleRoot, ZERO_HASH } from './block.ts';
import {
  type BlockBase,
  type BlockCandidate,
  BlockInvalid,
  type BuiltBlock,
  type ParentBlock,
  proposeBlock,
  sealBlock,
  validateBlock,
} from './block-build.ts';
import type { CheckedTx } from './check.ts';
import { MemoryState } from './memory-state.ts';
import { txHash } from './tx-codec.ts';
import type { BlockHeader, ChainParams } from './types.ts';

const ALLOCATIONS = [
  { did: alice.did, amount: 10_000n },
  { did: bob.did, amount: 10_000n },
  { did: carol.did, amount: 10_000n },
];

/** A node in memory: its state, its trie and its head, from the test genesis. */
class MemoryNode {
  readonly state = MemoryState.fromGenesis(genesisConfig(ALLOCATIONS));
  readonly genesis: BlockHeader = {
    version: BLOCK_VERSION,
    chainId: CHAIN_ID,
    height: 0,
    prevHash: ZERO_HASH,
    timeMs: GENESIS_TIME_MS,
    proposer: validator.did,
    txRoot: ZERO_HASH,
    stateRoot: this.state.trie.root,
    txCount: 0,
  };
  head: ParentBlock = { height: 0, hash: blockHash(this.genesis), stateRoot: this.genesis.stateRoot, timeMs: GENESIS_TIME_MS };

  constructor(readonly params: ChainParams = PARAMS) {}

  base(): BlockBase {
    return { chainId: CHAIN_ID, params: this.params, parent: this.head, view: this.state, trie: this.state.trie };
  }

  /** Commits a built block: its writes into the state (and trie), its header as the head. */
  commit(built: BuiltBlock): void {
    const root = this.state.commit(built.writes);
    expect(root).toEqual(built.header.stateRoot);
    this.head = { height: built.header.height, hash: built.hash, stateRoot: root, timeMs: built.header.timeMs };
  }

  /** Proposes, seals and commits a block of `candidates`; returns it as it travels. */
  produce(candidates: CheckedTx[], nowMs = this.head.timeMs + 1_000): { candidate: BlockCandidate; built: BuiltBlock } {
    const built = proposeBlock(this.base(), candidates, nowMs, validator.did);
    const candidate = {
      header: built.header,
      seal: sealBlock(built.hash, validator.seed, validator.keys.publicKey),
      txs: built.applied.included.map((i) => i.checked.bytes),
    };
    this.commit(built);
    return { candidate, built };
  }
}

/** The validator's clock: a little after the block it is shown. */
const clockAfter = (candidate: BlockCandidate) => ({ nowMs: candidate.header.timeMs + 500 });

function transfer(from: typeof alice, to: typeof bob, amount: bigint, nonce: number): CheckedTx {
  return mustCheck(signedTx(from, transferItx(to, { amount }), { nonce }));
}

function mustBeValid(result: BuiltBlock | BlockInvalid): BuiltBlock {
  if (result instanceof BlockInvalid) throw new Error(`expected a valid block: ${result.code} ${result.message}`);
  return result;
}

function refusal(result: BuiltBlock | BlockInvalid): BlockInvalid {
  if (!(result instanceof BlockInvalid)) throw new Error('expected the block to be refused');
  return result;
}

/** The candidate with its header changed and sealed again by the proposer: a proposer that lies. */
function resealed(candidate: BlockCandidate, change: Partial<BlockHeader>, txs = candidate.txs): BlockCandidate {
  const header = { ...candidate.header, ...change };
  return { header, seal: sealBlock(blockHash(header), validator.seed, validator.keys.publicKey), txs };
}

describe('proposeBlock and validateBlock', () => {
  it('a chain proposed on one node validates on another to the same headers, hashes and state roots', () => {
    const a = new MemoryNode();
    const b = new MemoryNode();
    const heights = [
      [transfer(alice, bob, 10n, 1), transfer(bob, carol, 20n, 1)],
      [transfer(carol, dave, 30n, 1), transfer(alice, dave, 5n, 2)],
      [],
      [transfer(dave, alice, 1n, 1), transfer(bob, alice, 100_000n, 2)],
    ];
    for (const candidates of heights) {
      const { candidate, built } = a.produce(candidates);
      const imported = mustBeValid(validateBlock(b.base(), candidate, clockAfter(candidate)));
      expect(encodeHeader(imported.header)).toEqual(encodeHeader(built.header));
      expect(imported.hash).toEqual(built.hash);
      expect(imported.applied.included.map((i) => i.ok.failed?.code ?? null)).toEqual(
        built.applied.included.map((i) => i.ok.failed?.code ?? null),
      );
      b.commit(imported);
    }
    expect(b.head.height).toBe(4);
    expect(b.state.trie.root).toEqual(a.state.trie.root);
    // The overdraft went in failed, charged its fee: a valid block holds it.
    expect(a.state.account(bob.did)?.nonce).toBe(2);
  });

  it('leaves out what a proposer cannot apply; a block that holds it is invalid', () => {
    const a = new MemoryNode();
    const b = new MemoryNode();
    const gap = transfer(alice, bob, 1n, 2); // nonce 1 never sent
    const { built, candidate } = a.produce([transfer(bob, carol, 1n, 1), gap]);
    expect(built.applied.rejected.map((r) => r.error.code)).toEqual(['NONCE_GAP']);
    expect(candidate.txs).toHaveLength(1);
    const txs = [...candidate.txs, gap.bytes];
    const lying = resealed(
      candidate,
      { txCount: 2, txRoot: txMerkleRoot([...built.applied.included.map((i) => i.checked.hash), gap.hash]) },
      txs,
    );
    const bad = refusal(validateBlock(b.base(), lying, clockAfter(lying)));
    expect([bad.code, bad.txIndex, bad.txCode]).toEqual(['TX_REJECTED', 1, 'NONCE_GAP']);
  });

  it('refuses a block whose roots are not what its transactions give, though its proposer sealed it', () => {
    const a = new MemoryNode();
    const { candidate } = a.produce([transfer(alice, bob, 10n, 1)]);
    const b = new MemoryNode();
    const state = refusal(validateBlock(b.base(), resealed(candidate, { stateRoot: new Uint8Array(32).fill(7) }), clockAfter(candidate)));
    expect(state.code).toBe('STATE_ROOT_MISMATCH');
    const tx = refusal(validateBlock(b.base(), resealed(candidate, { txRoot: new Uint8Array(32).fill(7) }), clockAfter(candidate)));
    expect(tx.code).toBe('TX_ROOT_MISMATCH');
    const count = refusal(validateBlock(b.base(), resealed(candidate, { txCount: 2 }), clockAfter(candidate)));
    expect(count.code).toBe('TX_COUNT_MISMATCH');
  });

  it('refuses a block that does not follow the head, or keeps bad time', () => {
    const a = new MemoryNode();
    const first = a.produce([transfer(alice, bob, 10n, 1)]).candidate;
    const second = a.produce([transfer(alice, bob, 10n, 2)]).candidate;
    const b = new MemoryNode();
    // Block 2 shown to a node at height 0.
    expect(refusal(validateBlock(b.base(), second, clockAfter(second))).code).toBe('WRONG_HEIGHT');
    expect(refusal(validateBlock(b.base(), resealed(first, { prevHash: new Uint8Array(32).fill(1) }), clockAfter(first))).code).toBe(
      'WRONG_PARENT',
    );
    expect(refusal(validateBlock(b.base(), resealed(first, { chainId: 'another' }), clockAfter(first))).code).toBe('WRONG_CHAIN');
    expect(refusal(validateBlock(b.base(), resealed(first, { version: 2, seedProof: new Uint8Array(80) }), clockAfter(first))).code).toBe(
      'WRONG_VERSION',
    );
    expect(refusal(validateBlock(b.base(), resealed(first, { timeMs: GENESIS_TIME_MS }), clockAfter(first))).code).toBe(
      'TIME_NOT_AFTER_PARENT',
    );
    const future = refusal(validateBlock(b.base(), first, { nowMs: first.header.timeMs - 60_000 }));
    expect(future.code).toBe('TIME_IN_FUTURE');
    expect(mustBeValid(validateBlock(b.base(), first, { nowMs: first.header.timeMs - 60_000, clockDriftMaxMs: 120_000 })).hash).toEqual(
      blockHash(first.header),
    );
  });

  it('refuses a seal by another key, or by a proposer that may not propose', () => {
    const a = new MemoryNode();
    const { candidate } = a.produce([transfer(alice, bob, 10n, 1)]);
    const b = new MemoryNode();
    const hash = blockHash(candidate.header);
    const stranger = { ...candidate, seal: sealBlock(hash, alice.seed, alice.keys.publicKey) };
    expect(refusal(validateBlock(b.base(), stranger, clockAfter(candidate))).code).toBe('SEAL_INVALID');
    const otherMessage = { ...candidate, seal: sealBlock(new Uint8Array(32), validator.seed, validator.keys.publicKey) };
    expect(refusal(validateBlock(b.base(), otherMessage, clockAfter(candidate))).code).toBe('SEAL_INVALID');
    const notYou = refusal(validateBlock(b.base(), candidate, { ...clockAfter(candidate), mayPropose: (did) => did === alice.did }));
    expect(notYou.code).toBe('PROPOSER_NOT_ALLOWED');
    expect(validateBlock(b.base(), candidate, { ...clockAfter(candidate), mayPropose: (did) => did === validator.did })).not.toBeInstanceOf(
      BlockInvalid,
    );
  });

  it('refuses a transaction that fails its own checks, a repeated one, and a block past the chain bounds', () => {
    const a = new MemoryNode({ ...PARAMS, maxTxsPerBlock: 2 });
    const { candidate, built } = a.produce([transfer(alice, bob, 10n, 1)]);
    const b = new MemoryNode({ ...PARAMS, maxTxsPerBlock: 2 });
    const one = built.applied.included[0]?.checked as CheckedTx;
    const twice = resealed(candidate, { txCount: 2, txRoot: txMerkleRoot([one.hash, one.hash]) }, [one.bytes, one.bytes]);
    expect(refusal(validateBlock(b.base(), twice, clockAfter(twice))).code).toBe('DUPLICATE_TX');
    const three = [one.bytes, transfer(bob, carol, 1n, 1).bytes, transfer(carol, bob, 1n, 1).bytes];
    const big = resealed(candidate, { txCount: 3 }, three);
    expect(refusal(validateBlock(b.base(), big, clockAfter(big))).code).toBe('BLOCK_TOO_LARGE');
    const forged = one.bytes.slice();
    forged[forged.length - 1] = (forged[forged.length - 1] as number) ^ 1; // the sender's signature's last byte
    const withForged = resealed(candidate, {}, [forged]);
    const bad = refusal(validateBlock(b.base(), withForged, clockAfter(withForged)));
    expect([bad.code, bad.txIndex, bad.txCode]).toEqual(['TX_INVALID', 0, 'INVALID_SIGNATURE']);
    // A node whose signature threads already checked the transactions skips that check, and nothing else.
    const unchecked = refusal(validateBlock(b.base(), withForged, { ...clockAfter(withForged), checkSignatures: false }));
    expect(unchecked.code).toBe('TX_ROOT_MISMATCH');
    // Told which transactions still need the check (those its threads have not seen), it checks exactly those.
    const forgedHash = toHex(txHash(forged));
    const asked = refusal(validateBlock(b.base(), withForged, { ...clockAfter(withForged), checkSignatures: (h) => h === forgedHash }));
    expect([asked.code, asked.txCode]).toEqual(['TX_INVALID', 'INVALID_SIGNATURE']);
    const skipped = refusal(validateBlock(b.base(), withForged, { ...clockAfter(withForged), checkSignatures: (h) => h !== forgedHash }));
    expect(skipped.code).toBe('TX_ROOT_MISMATCH');
  });

  it('changes nothing it is handed, valid or not', () => {
    const a = new MemoryNode();
    const { candidate } = a.produce([transfer(alice, bob, 10n, 1)]);
    const b = new MemoryNode();
    const before = [...b.state.entries.keys()].map((k) => [k, b.state.entries.get(k)]);
    const nodesBefore = b.state.trie.nodes.size;
    validateBlock(b.base(), candidate, clockAfter(candidate));
    validateBlock(b.base(), resealed(candidate, { stateRoot: ZERO_HASH }), clockAfter(candidate));
    expect([...b.state.entries.keys()].map((k) => [k, b.state.entries.get(k)])).toEqual(before);
    expect(b.state.trie.nodes.size).toBe(nodesBefore);
    expect(b.head.height).toBe(0);
  });

  it('any single changed byte of the header, the seal or a transaction makes the block invalid, for the right reason', () => {
    const a = new MemoryNode();
    const { candidate } = a.produce([transfer(alice, bob, 10n, 1), transfer(bob, carol, 7n, 1), transfer(carol, alice, 3n, 1)]);
    const b = new MemoryNode();
    const parts = [encodeHeader(candidate.header), encodeSeal(candidate.seal), ...candidate.txs];
    const HEADER_REASONS = [
      'WRONG_VERSION',
      'WRONG_CHAIN',
      'WRONG_HEIGHT',
      'WRONG_PARENT',
      'TIME_NOT_AFTER_PARENT',
      'TIME_IN_FUTURE',
      'SEAL_INVALID',
    ];
    fc.assert(
      fc.property(fc.nat({ max: parts.length - 1 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (part, at, xor) => {
        const bytes = (parts[part] as Uint8Array).slice();
        const index = at % bytes.length;
        bytes[index] = (bytes[index] as number) ^ xor;
        let changed: BlockCandidate;
        try {
          if (part === 0) changed = { ...candidate, header: decodeHeader(bytes) };
          else if (part === 1) changed = { ...candidate, seal: decodeSeal(bytes) };
          else changed = { ...candidate, txs: candidate.txs.map((tx, i) => (i === part - 2 ? bytes : tx)) };
        } catch (error) {
          // Bytes that no longer decode are refused before validation.
          expect(error).toBeInstanceOf(CodecError);
          return;
        }
        const reason = refusal(validateBlock(b.base(), changed, clockAfter(candidate)));
        if (part === 0) expect(HEADER_REASONS).toContain(reason.code);
        else if (part === 1) expect(reason.code).toBe('SEAL_INVALID');
        else {
          expect(['TX_INVALID', 'TX_ROOT_MISMATCH']).toContain(reason.code);
          if (reason.code === 'TX_INVALID') expect(reason.txIndex).toBe(part - 2);
        }
      }),
      { numRuns: 400 },
    );
    // And the untouched block is valid.
    mustBeValid(validateBlock(b.base(), candidate, clockAfter(candidate)));
  });
});
