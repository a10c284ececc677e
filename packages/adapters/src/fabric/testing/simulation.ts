import { randomUUID } from 'node:crypto';
import { ledger, peer } from '@hyperledger/fabric-protos';
import { newTimestamp } from './timestamp.ts';
import { compareKeys, type Version, type VersionedValue, type WorldState } from './world-state.ts';

const rwset = ledger.rwset;
const kvrwset = ledger.rwset.kvrwset;

/** Results sent to the chaincode per GET_STATE_BY_RANGE / QUERY_STATE_NEXT answer (Fabric's handler batch). */
export const QUERY_BATCH_RESULTS_MAX = 100;
/** Results a range query can return in all (Fabric's `ledger.state.totalQueryLimit`). */
export const RANGE_QUERY_RESULTS_MAX = 100_000;
/** Iterators a transaction may hold open at once. */
export const OPEN_ITERATORS_PER_TX_MAX = 100;

interface RangeQueryRecord {
  startKey: string;
  endKey: string;
  reads: Array<{ key: string; version: Version }>;
  exhausted: boolean;
}

interface OpenIterator {
  results: peer.QueryResultBytes[];
  cursor: number;
  /** Present for a plain range query: what phantom-read validation re-checks at commit. */
  record?: RangeQueryRecord;
  /** The key and version behind each result of a range query, in result order. */
  reads?: Array<{ key: string; version: Version }>;
}

/**
 * One transaction's simulation against the committed state, recording what Fabric's TxSimulator records: the version
 * of every key read, every write (last one wins, an empty value is a delete), every range query's results, so that
 * validation can redo the MVCC and phantom checks. As in Fabric, reads see committed state only, never the
 * transaction's own writes, and a paginated query is allowed only in a transaction that writes nothing.
 */
export class TxSimulation {
  readonly #reads = new Map<string, Map<string, Version | undefined>>();
  readonly #writes = new Map<string, Map<string, Uint8Array>>();
  readonly #ranges = new Map<string, RangeQueryRecord[]>();
  readonly #iterators = new Map<string, OpenIterator>();
  #wrote = false;
  #paginated = false;

  constructor(
    readonly state: WorldState,
    readonly txId: string,
  ) {}

  getState(namespace: string, key: string): Uint8Array {
    const current = this.state.get(namespace, key);
    const reads = this.#reads.get(namespace) ?? new Map<string, Version | undefined>();
    if (!reads.has(key)) reads.set(key, current?.version);
    this.#reads.set(namespace, reads);
    return current?.value ?? new Uint8Array();
  }

  putState(namespace: string, key: string, value: Uint8Array): void {
    if (this.#paginated)
      throw new Error(`txid [${this.txId}]: Transaction has already performed a paginated query. Writes are not allowed`);
    this.#wrote = true;
    const writes = this.#writes.get(namespace) ?? new Map<string, Uint8Array>();
    writes.set(key, value);
    this.#writes.set(namespace, writes);
  }

  deleteState(namespace: string, key: string): void {
    this.putState(namespace, key, new Uint8Array());
  }

  /** Opens a range query and answers its first batch (or, paginated, its whole page with metadata). */
  openRange(namespace: string, startKey: string, endKey: string, metadata: Uint8Array): peer.QueryResponse {
    this.#checkIteratorRoom();
    if (metadata.length === 0) {
      const entries = this.state.range(namespace, startKey, endKey, RANGE_QUERY_RESULTS_MAX);
      const record: RangeQueryRecord = { startKey, endKey, reads: [], exhausted: false };
      const ranges = this.#ranges.get(namespace) ?? [];
      ranges.push(record);
      this.#ranges.set(namespace, ranges);
      const iterator: OpenIterator = {
        results: entries.map(([key, value]) => kvResult(namespace, key, value)),
        reads: entries.map(([key, value]) => ({ key, version: value.version })),
        cursor: 0,
        record,
      };
      return this.#batch(randomUUID(), iterator);
    }
    if (this.#wrote) throw new Error(`txid [${this.txId}]: Paginated queries are supported only in a read-only transaction`);
    this.#paginated = true;
    const page = peer.QueryMetadata.deserializeBinary(metadata);
    const pageSize = Math.max(0, Math.min(page.getPagesize(), RANGE_QUERY_RESULTS_MAX));
    const from = page.getBookmark() !== '' && compareKeys(page.getBookmark(), startKey) > 0 ? page.getBookmark() : startKey;
    const entries = this.state.range(namespace, from, endKey, pageSize + 1);
    const next = entries.length > pageSize ? (entries.pop() as [string, VersionedValue]) : undefined;
    const response = new peer.QueryResponse();
    response.setResultsList(entries.map(([key, value]) => kvResult(namespace, key, value)));
    response.setHasMore(false);
    response.setId(randomUUID());
    const responseMetadata = new peer.QueryResponseMetadata();
    responseMetadata.setFetchedRecordsCount(entries.length);
    responseMetadata.setBookmark(next ? next[0] : '');
    response.setMetadata(responseMetadata.serializeBinary());
    return response;
  }

  /** Opens a GetHistoryForKey iterator; history reads are not validated at commit, as in Fabric. */
  openHistory(namespace: string, key: string): peer.QueryResponse {
    this.#checkIteratorRoom();
    const results = this.state.history(namespace, key).map((change) => {
      const modification = new ledger.queryresult.KeyModification();
      modification.setTxId(change.txId);
      modification.setValue(change.value);
      modification.setIsDelete(change.isDelete);
      modification.setTimestamp(newTimestamp(change.timestamp.seconds, change.timestamp.nanos));
      const bytes = new peer.QueryResultBytes();
      bytes.setResultbytes(modification.serializeBinary());
      return bytes;
    });
    return this.#batch(randomUUID(), { results, cursor: 0 });
  }

  next(id: string): peer.QueryResponse {
    const iterator = this.#iterators.get(id);
    if (!iterator) throw new Error(`query iterator not found: ${id}`);
    return this.#batch(id, iterator);
  }

  close(id: string): peer.QueryResponse {
    this.#iterators.delete(id);
    const response = new peer.QueryResponse();
    response.setHasMore(false);
    response.setId(id);
    return response;
  }

  /** The simulation's `rwset.TxReadWriteSet` bytes: namespaces and keys sorted, as Fabric's RWSetBuilder writes them. */
  readWriteSet(): Uint8Array {
    const namespaces = [...new Set([...this.#reads.keys(), ...this.#writes.keys(), ...this.#ranges.keys()])].sort(compareKeys);
    const txRwSet = new rwset.TxReadWriteSet();
    txRwSet.setDataModel(rwset.TxReadWriteSet.DataModel.KV);
    txRwSet.setNsRwsetList(
      namespaces.map((namespace) => {
        const kv = new kvrwset.KVRWSet();
        const reads = this.#reads.get(namespace) ?? new Map<string, Version | undefined>();
        kv.setReadsList([...reads.keys()].sort(compareKeys).map((key) => kvRead(key, reads.get(key))));
        kv.setRangeQueriesInfoList((this.#ranges.get(namespace) ?? []).map(rangeQueryInfo));
        const writes = this.#writes.get(namespace) ?? new Map<string, Uint8Array>();
        kv.setWritesList(
          [...writes.keys()].sort(compareKeys).map((key) => {
            const value = writes.get(key) as Uint8Array;
            const write = new kvrwset.KVWrite();
            write.setKey(key);
            write.setIsDelete(value.length === 0);
            write.setValue(value);
            return write;
          }),
        );
        const ns = new rwset.NsReadWriteSet();
        ns.setNamespace(namespace);
        ns.setRwset(kv.serializeBinary());
        return ns;
      }),
    );
    return txRwSet.serializeBinary();
  }

  #checkIteratorRoom(): void {
    if (this.#iterators.size >= OPEN_ITERATORS_PER_TX_MAX) {
      throw new Error(`txid [${this.txId}]: more than ${OPEN_ITERATORS_PER_TX_MAX} query iterators open at once`);
    }
  }

  /** The next batch of an iterator; records the range reads it hands out and forgets a drained iterator. */
  #batch(id: string, iterator: OpenIterator): peer.QueryResponse {
    const start = iterator.cursor;
    const end = Math.min(iterator.results.length, start + QUERY_BATCH_RESULTS_MAX);
    iterator.cursor = end;
    if (iterator.record && iterator.reads) iterator.record.reads.push(...iterator.reads.slice(start, end));
    const hasMore = end < iterator.results.length;
    if (hasMore) this.#iterators.set(id, iterator);
    else {
      this.#iterators.delete(id);
      if (iterator.record) iterator.record.exhausted = true;
    }
    const response = new peer.QueryResponse();
    response.setResultsList(iterator.results.slice(start, end));
    response.setHasMore(hasMore);
    response.setId(id);
    return response;
  }
}

function kvResult(namespace: string, key: string, value: VersionedValue): peer.QueryResultBytes {
  const kv = new ledger.queryresult.KV();
  kv.setNamespace(namespace);
  kv.setKey(key);
  kv.setValue(value.value);
  const bytes = new peer.QueryResultBytes();
  bytes.setResultbytes(kv.serializeBinary());
  return bytes;
}

export function kvRead(key: string, version: Version | undefined): ledger.rwset.kvrwset.KVRead {
  const read = new kvrwset.KVRead();
  read.setKey(key);
  if (version) {
    const protoVersion = new kvrwset.Version();
    protoVersion.setBlockNum(version.blockNum);
    protoVersion.setTxNum(version.txNum);
    read.setVersion(protoVersion);
  }
  return read;
}

function rangeQueryInfo(record: RangeQueryRecord): ledger.rwset.kvrwset.RangeQueryInfo {
  const info = new kvrwset.RangeQueryInfo();
  info.setStartKey(record.startKey);
  info.setEndKey(record.endKey);
  info.setItrExhausted(record.exhausted);
  const reads = new kvrwset.QueryReads();
  reads.setKvReadsList(record.reads.map((read) => kvRead(read.key, read.version)));
  info.setRawReads(reads);
  return info;
}
