import { describe, expect, it } from 'vitest';
import {
  alice,
  bob,
  carol,
  GENESIS_TIME_MS,
  genesisConfig,
  mustCheck,
  PARAMS,
  signedTx,
  transferItx,
  validator,
} from '../../test/ledger-kit.ts';
import { toHex } from '../bytes.ts';
import { encodeHeader } from './block.ts';
import { type BlockCandidate, BlockInvalid, proposeBlock, sealBlock } from './block-build.ts';
import { genesisFileJson, parseGenesisJson } from './genesis-file.ts';
import { ChainReplica } from './replica.ts';

const CONFIG = genesisConfig([
  { did: alice.did, amount: 10_000n },
  { did: bob.did, amount: 10_000n },
]);

/** Blocks of transfers proposed and sealed on one replica (a producer), as they travel. */
function produce(count: number): { producer: ChainReplica; blocks: BlockCandidate[] } {
  const producer = new ChainReplica(CONFIG, PARAMS);
  const blocks: BlockCandidate[] = [];
  for (let n = 1; n <= count; n += 1) {
    const txs = [
      mustCheck(signedTx(alice, transferItx(carol, { amount: BigInt(n) }), { nonce: n })),
      mustCheck(signedTx(bob, transferItx(alice, { amount: 2n }), { nonce: n })),
    ];
    const base = { chainId: CONFIG.chainId, params: PARAMS, parent: producer.head, view: producer.state, trie: producer.state.trie };
    const built = proposeBlock(base, txs, producer.head.timeMs + 1_000, validator.did);
    const candidate = {
      header: built.header,
      seal: sealBlock(built.hash, validator.seed, validator.keys.publicKey),
      txs: built.applied.included.map((i) => i.checked.bytes),
    };
    const applied = producer.apply(candidate, candidate.header.timeMs);
    if (applied instanceof BlockInvalid) throw applied;
    blocks.push(candidate);
  }
  return { producer, blocks };
}

describe('ChainReplica', () => {
  it('replays a chain from its genesis to the same state root at every height', () => {
    const { producer, blocks } = produce(5);
    const replica = new ChainReplica(parseGenesisJson(JSON.parse(JSON.stringify(genesisFileJson(CONFIG))), 'served'), PARAMS);
    expect(replica.checkGenesis(encodeHeader(producer.genesis.header))).toBeNull();
    for (const block of blocks) {
      const built = replica.apply(block, GENESIS_TIME_MS + 60_000);
      expect(built).not.toBeInstanceOf(BlockInvalid);
      expect(toHex(replica.head.stateRoot)).toBe(toHex(block.header.stateRoot));
    }
    expect(replica.head.hash).toEqual(producer.head.hash);
    expect(replica.state.account(carol.did)?.balance).toBe(15n);
  });

  it('refuses a block that does not follow, changing nothing, then takes the right one', () => {
    const { blocks } = produce(2);
    const replica = new ChainReplica(CONFIG, PARAMS);
    const skipped = replica.apply(blocks[1] as BlockCandidate, GENESIS_TIME_MS + 60_000);
    expect(skipped).toBeInstanceOf(BlockInvalid);
    expect((skipped as BlockInvalid).code).toBe('WRONG_HEIGHT');
    const tampered = {
      ...(blocks[0] as BlockCandidate),
      header: { ...(blocks[0] as BlockCandidate).header, stateRoot: new Uint8Array(32) },
    };
    expect((replica.apply(tampered, GENESIS_TIME_MS + 60_000) as BlockInvalid).code).toBe('SEAL_INVALID');
    expect(replica.head.height).toBe(0);
    expect(replica.state.account(carol.did)).toBeUndefined();
    expect(replica.apply(blocks[0] as BlockCandidate, GENESIS_TIME_MS + 60_000)).not.toBeInstanceOf(BlockInvalid);
  });

  it("says how block 0 differs from the one a genesis makes: another allocation's root, another time's header", () => {
    const other = new ChainReplica(genesisConfig([{ did: alice.did, amount: 1n }]), PARAMS);
    const replica = new ChainReplica(CONFIG, PARAMS);
    expect(other.checkGenesis(encodeHeader(replica.genesis.header))?.code).toBe('STATE_ROOT_MISMATCH');
    const later = { ...replica.genesis.header, timeMs: replica.genesis.header.timeMs + 1 };
    expect(replica.checkGenesis(encodeHeader(later))?.code).toBe('WRONG_PARENT');
  });

  it('keeps only the trie nodes its root reaches after a sweep, and the next block still applies', () => {
    const { producer } = produce(3);
    const before = producer.state.trie.nodes.size;
    producer.state.trie.sweep();
    expect(producer.state.trie.nodes.size).toBeLessThan(before);
    const base = { chainId: CONFIG.chainId, params: PARAMS, parent: producer.head, view: producer.state, trie: producer.state.trie };
    const tx = mustCheck(signedTx(alice, transferItx(bob, { amount: 1n }), { nonce: 4 }));
    const built = proposeBlock(base, [tx], producer.head.timeMs + 1_000, validator.did);
    expect(built.applied.included).toHaveLength(1);
  });
});
