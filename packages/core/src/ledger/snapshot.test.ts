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
import { type BlockCandidate, BlockInvalid, proposeBlock, sealBlock } from './block-build.ts';
import { ChainReplica } from './replica.ts';
import {
  genesisHashOf,
  SnapshotError,
  SnapshotLineSplitter,
  SnapshotReader,
  snapshotEndLine,
  snapshotEntryLine,
  snapshotHeadLine,
} from './snapshot.ts';
import type { StateEntry } from './state.ts';

const CONFIG = genesisConfig([
  { did: alice.did, amount: 10_000n },
  { did: bob.did, amount: 10_000n },
]);

/** A chain of `count` blocks of transfers, and the snapshot lines of its state after block `at`. */
function chain(count: number, at: number): { blocks: BlockCandidate[]; lines: string[]; producer: ChainReplica } {
  const producer = new ChainReplica(CONFIG, PARAMS);
  const blocks: BlockCandidate[] = [];
  let lines: string[] = [];
  for (let n = 1; n <= count; n += 1) {
    const txs = [mustCheck(signedTx(alice, transferItx(carol, { amount: BigInt(n) }), { nonce: n }))];
    const base = { chainId: CONFIG.chainId, params: PARAMS, parent: producer.head, view: producer.state, trie: producer.state.trie };
    const built = proposeBlock(base, txs, producer.head.timeMs + 1_000, validator.did);
    const seal = sealBlock(built.hash, validator.seed, validator.keys.publicKey);
    const candidate = { header: built.header, seal, txs: built.applied.included.map((i) => i.checked.bytes) };
    if (producer.apply(candidate, candidate.header.timeMs) instanceof BlockInvalid) throw new Error('the producer refused its block');
    blocks.push(candidate);
    if (n === at) {
      const entries = [...producer.state.entries.values()];
      lines = [
        snapshotHeadLine({
          chainId: CONFIG.chainId,
          height: n,
          header: built.header,
          seal,
          genesisHash: genesisHashOf(CONFIG),
          genesis: CONFIG,
          nodeDid: validator.did,
        }),
        ...entries.map(snapshotEntryLine),
        snapshotEndLine(entries.length),
      ];
    }
  }
  return { blocks, lines, producer };
}

function read(lines: string[]): { reader: SnapshotReader; entries: StateEntry[] } {
  const reader = new SnapshotReader();
  const entries: StateEntry[] = [];
  for (const line of lines) {
    const entry = reader.line(line);
    if (entry) entries.push(entry);
  }
  reader.finish();
  return { reader, entries };
}

function refusal(run: () => unknown): SnapshotError {
  try {
    run();
  } catch (error) {
    if (error instanceof SnapshotError) return error;
    throw error;
  }
  throw new Error('no SnapshotError');
}

describe('state snapshots', () => {
  it('a replica started from a snapshot at height 3 replays blocks 4 and 5 to the producer’s state roots', () => {
    const { blocks, lines, producer } = chain(5, 3);
    const { reader, entries } = read(lines);
    expect(reader.head.height).toBe(3);
    const replica = new ChainReplica(reader.head.genesis, PARAMS, { head: reader.head, entries });
    for (const block of blocks.slice(3)) {
      expect(replica.apply(block, GENESIS_TIME_MS + 60_000)).not.toBeInstanceOf(BlockInvalid);
      expect(toHex(replica.head.stateRoot)).toBe(toHex(block.header.stateRoot));
    }
    expect(replica.head.hash).toEqual(producer.head.hash);
    expect(replica.state.account(carol.did)?.balance).toBe(15n);
  });

  it('refuses a file cut short, a key twice, a wrong count, a forged seal, an unknown kind and bytes that are not canonical', () => {
    const { lines } = chain(3, 3);
    expect(refusal(() => read(lines.slice(0, -1))).message).toMatch(/cut short/);
    expect(refusal(() => read([...lines.slice(0, 2), lines[1] as string, ...lines.slice(2)])).message).toMatch(/appears twice/);
    expect(refusal(() => read([...lines.slice(0, -1), snapshotEndLine(99)])).message).toMatch(/counts 99 entries/);
    const head = JSON.parse(lines[0] as string);
    const forged = { ...head, seal: `${head.seal.slice(0, -2)}${head.seal.endsWith('00') ? '01' : '00'}` };
    expect(refusal(() => read([JSON.stringify(forged), ...lines.slice(1)]))).toMatchObject({ code: 'SNAPSHOT_MISMATCH', line: 1 });
    expect(refusal(() => read([lines[0] as string, JSON.stringify({ k: 'nope', v: '00' })]))).toMatchObject({
      code: 'SNAPSHOT_INVALID',
      line: 2,
    });
    const entry = JSON.parse(lines[1] as string);
    expect(refusal(() => read([lines[0] as string, JSON.stringify({ ...entry, v: `${entry.v}00` })])).line).toBe(2);
    expect(refusal(() => read(['{"format":"something else"}'])).message).toMatch(/format/);
  });

  it('refuses entries that do not give the state root the block names', () => {
    const { lines } = chain(3, 3);
    const { reader, entries } = read(lines);
    const [first, ...rest] = entries as [StateEntry, ...StateEntry[]];
    const changed = first.kind === 'account' ? { ...first, value: { ...first.value, balance: first.value.balance + 1n } } : first;
    expect(() => new ChainReplica(reader.head.genesis, PARAMS, { head: reader.head, entries: [changed, ...rest] })).toThrow(/state root/);
  });

  it('splits text in any chunking into its lines and refuses a line longer than the limit as soon as it shows', () => {
    const text = '{"a":1}\r\n\n{"b":2}\n{"c":3}';
    for (const size of [1, 2, 3, 5, 8, text.length]) {
      const splitter = new SnapshotLineSplitter(16);
      const lines: string[] = [];
      for (let at = 0; at < text.length; at += size) lines.push(...splitter.push(text.slice(at, at + size)));
      lines.push(...splitter.end());
      expect(lines, `chunks of ${size}`).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
    }
    const splitter = new SnapshotLineSplitter(16);
    expect(splitter.push('{"a":1}\n')).toEqual(['{"a":1}']);
    // The second line passes the limit while still unfinished: refused without waiting for its end.
    expect(() => splitter.push('x'.repeat(17))).toThrow(/line 2: a line is longer than 16 characters/);
    expect(() => new SnapshotLineSplitter(4).push('12345\n')).toThrow(SnapshotError);
  });
});
