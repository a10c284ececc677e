import { ledger, peer } from '@hyperledger/fabric-protos';
import { describe, expect, it } from 'vitest';
import { QUERY_BATCH_RESULTS_MAX, TxSimulation } from './simulation.ts';
import { WorldState } from './world-state.ts';

const bytes = (text: string) => Buffer.from(text);
const keysOf = (response: peer.QueryResponse) =>
  response.getResultsList().map((result) => ledger.queryresult.KV.deserializeBinary(result.getResultbytes_asU8()).getKey());

function stateWith(count: number): WorldState {
  const state = new WorldState();
  for (let index = 0; index < count; index += 1) {
    state.put('cc', `k${String(index).padStart(4, '0')}`, bytes(String(index)), { blockNum: 1, txNum: index });
  }
  return state;
}

describe('a transaction simulation', () => {
  it('records first reads with their versions, last writes, and empty values as deletes, sorted', () => {
    const state = stateWith(2);
    const simulation = new TxSimulation(state, 'tx');
    expect(Buffer.from(simulation.getState('cc', 'k0001')).toString()).toBe('1');
    expect(simulation.getState('cc', 'missing')).toHaveLength(0);
    simulation.putState('cc', 'z', bytes('1'));
    simulation.putState('cc', 'a', bytes('1'));
    simulation.putState('cc', 'z', bytes('2'));
    simulation.deleteState('cc', 'k0000');
    // Reads see the committed state, not the transaction's own writes.
    expect(simulation.getState('cc', 'z')).toHaveLength(0);
    const [ns] = ledger.rwset.TxReadWriteSet.deserializeBinary(simulation.readWriteSet()).getNsRwsetList();
    const kv = ledger.rwset.kvrwset.KVRWSet.deserializeBinary(ns?.getRwset_asU8() as Uint8Array);
    expect(kv.getReadsList().map((read) => [read.getKey(), read.getVersion()?.getTxNum()])).toEqual([
      ['k0001', 1],
      ['missing', undefined],
      ['z', undefined],
    ]);
    expect(kv.getWritesList().map((write) => [write.getKey(), write.getIsDelete(), Buffer.from(write.getValue_asU8()).toString()])).toEqual(
      [
        ['a', false, '1'],
        ['k0000', true, ''],
        ['z', false, '2'],
      ],
    );
  });

  it('pages a range in batches and records every result it handed out, and whether the range was drained', () => {
    const simulation = new TxSimulation(stateWith(250), 'tx');
    const first = simulation.openRange('cc', 'k', 'l', new Uint8Array());
    expect(keysOf(first)).toHaveLength(QUERY_BATCH_RESULTS_MAX);
    expect(first.getHasMore()).toBe(true);
    const second = simulation.next(first.getId());
    expect(keysOf(second)[0]).toBe('k0100');
    simulation.close(first.getId());
    expect(() => simulation.next(first.getId())).toThrow(/iterator not found/);
    const drained = simulation.openRange('cc', 'k0240', '', new Uint8Array());
    expect(drained.getHasMore()).toBe(false);
    const [ns] = ledger.rwset.TxReadWriteSet.deserializeBinary(simulation.readWriteSet()).getNsRwsetList();
    const ranges = ledger.rwset.kvrwset.KVRWSet.deserializeBinary(ns?.getRwset_asU8() as Uint8Array).getRangeQueriesInfoList();
    expect(ranges.map((range) => [range.getStartKey(), range.getItrExhausted(), range.getRawReads()?.getKvReadsList().length])).toEqual([
      ['k', false, 200],
      ['k0240', true, 10],
    ]);
  });

  it('answers a paginated range with its page and bookmark, and refuses writes after it, as Fabric does', () => {
    const simulation = new TxSimulation(stateWith(30), 'tx');
    const metadata = new peer.QueryMetadata();
    metadata.setPagesize(12);
    metadata.setBookmark('k0005');
    const page = simulation.openRange('cc', 'k', '', metadata.serializeBinary());
    expect(keysOf(page)).toHaveLength(12);
    expect(keysOf(page)[0]).toBe('k0005');
    const pageMetadata = peer.QueryResponseMetadata.deserializeBinary(page.getMetadata_asU8());
    expect(pageMetadata.getFetchedRecordsCount()).toBe(12);
    expect(pageMetadata.getBookmark()).toBe('k0017');
    expect(() => simulation.putState('cc', 'x', bytes('1'))).toThrow(/paginated query\. Writes are not allowed/);
  });
});
