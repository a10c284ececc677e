import { closeSync, existsSync, fsyncSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import { common, peer } from '@hyperledger/fabric-protos';
import { blockHeaderHash } from './block.ts';
import { WorldState } from './world-state.ts';

/** Where a transaction landed and how it was judged. */
export interface TxRecord {
  blockNum: number;
  txNum: number;
  code: number;
}

/** Blocks a waiter can be woken for at once (CommitStatus calls, event streams, Deliver streams). */
export const BLOCK_WAITERS_MAX = 10_000;

/** Thrown when the peer has too many waiters: gRPC RESOURCE_EXHAUSTED for the caller. */
export class TooManyWaiters extends Error {
  override readonly name = 'TooManyWaiters';
}

/**
 * The channel's block store and its indexes (by number, by header hash, by transaction id), plus the world state the
 * committer keeps beside it. With a file, every block is appended (length-prefixed) before anyone is told of it, and
 * the chain is read back at start.
 */
export class Ledger {
  readonly state = new WorldState();
  readonly #blocks: common.Block[] = [];
  readonly #headerHashes: Buffer[] = [];
  readonly #byHash = new Map<string, number>();
  readonly #txs = new Map<string, TxRecord>();
  readonly #waiters = new Set<() => void>();
  #fd: number | undefined;

  constructor(private readonly file?: string) {}

  /** Reads the stored chain back (checking that it chains), handing each block to `replay`; returns how many. */
  load(replay: (block: common.Block) => void): number {
    if (!this.file || !existsSync(this.file)) return 0;
    const bytes = readFileSync(this.file);
    let offset = 0;
    while (offset + 4 <= bytes.length) {
      const length = bytes.readUInt32BE(offset);
      if (offset + 4 + length > bytes.length) break;
      let block: common.Block;
      try {
        block = common.Block.deserializeBinary(bytes.subarray(offset + 4, offset + 4 + length));
      } catch (error) {
        throw new Error(
          `${this.file}: the block stored at byte ${offset} does not decode (${(error as Error).message}); remove the file to start afresh`,
        );
      }
      const number = block.getHeader()?.getNumber();
      if (number !== this.height()) throw new Error(`${this.file}: block ${number} where block ${this.height()} was expected`);
      if (Buffer.compare(Buffer.from(block.getHeader()?.getPreviousHash_asU8() ?? []), this.lastHeaderHash()) !== 0) {
        throw new Error(`${this.file}: block ${number} does not chain to block ${number - 1}`);
      }
      replay(block);
      this.#index(block);
      offset += 4 + length;
    }
    // A record cut short by a crash mid-append: drop it, the transactions in it were never acknowledged as committed.
    if (offset < bytes.length) truncateSync(this.file, offset);
    return this.#blocks.length;
  }

  height(): number {
    return this.#blocks.length;
  }

  block(number: number): common.Block | undefined {
    return this.#blocks[number];
  }

  blockByHash(hash: Uint8Array): common.Block | undefined {
    const number = this.#byHash.get(Buffer.from(hash).toString('hex'));
    return number === undefined ? undefined : this.#blocks[number];
  }

  transaction(txId: string): TxRecord | undefined {
    return this.#txs.get(txId);
  }

  /** The header hash of the newest block (empty before the genesis block). */
  lastHeaderHash(): Buffer {
    return this.#headerHashes[this.#headerHashes.length - 1] ?? Buffer.alloc(0);
  }

  /** Stores a sealed block (persisted first), indexes it and wakes everyone waiting for blocks. */
  append(block: common.Block): void {
    const number = block.getHeader()?.getNumber();
    if (number !== this.height()) throw new Error(`block ${number} appended at height ${this.height()}`);
    if (this.file) {
      const bytes = block.serializeBinary();
      const prefix = Buffer.alloc(4);
      prefix.writeUInt32BE(bytes.length);
      this.#fd ??= openSync(this.file, 'a');
      writeSync(this.#fd, Buffer.concat([prefix, bytes]));
      fsyncSync(this.#fd);
    }
    this.#index(block);
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
  }

  /** Resolves once the height is above `number`, or when `signal` aborts. */
  async waitForBlock(number: number, signal: AbortSignal): Promise<void> {
    while (this.height() <= number && !signal.aborted) {
      if (this.#waiters.size >= BLOCK_WAITERS_MAX)
        throw new TooManyWaiters(`more than ${BLOCK_WAITERS_MAX} callers are waiting for blocks`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          signal.removeEventListener('abort', wake);
          this.#waiters.delete(wake);
          resolve();
        };
        this.#waiters.add(wake);
        signal.addEventListener('abort', wake, { once: true });
      });
    }
  }

  /** The blocks from `start` on, waiting for new ones, until `signal` aborts. */
  async *blocksFrom(start: number, signal: AbortSignal): AsyncGenerator<common.Block> {
    for (let number = start; !signal.aborted; number += 1) {
      await this.waitForBlock(number, signal);
      const block = this.#blocks[number];
      if (!block) return;
      yield block;
    }
  }

  /** Resolves with the transaction's record once it is committed, or undefined when `signal` aborts first. */
  async waitForTransaction(txId: string, signal: AbortSignal): Promise<TxRecord | undefined> {
    for (;;) {
      const record = this.#txs.get(txId);
      if (record || signal.aborted) return record;
      await this.waitForBlock(this.height(), signal);
    }
  }

  /** qscc's GetChainInfo. */
  blockchainInfo(): common.BlockchainInfo {
    const info = new common.BlockchainInfo();
    info.setHeight(this.height());
    info.setCurrentblockhash(this.lastHeaderHash());
    info.setPreviousblockhash(this.#blocks[this.#blocks.length - 1]?.getHeader()?.getPreviousHash_asU8() ?? new Uint8Array());
    return info;
  }

  /** qscc's GetTransactionByID: the envelope and its validation code. */
  processedTransaction(txId: string): peer.ProcessedTransaction | undefined {
    const record = this.#txs.get(txId);
    const envelopeBytes = record && this.#blocks[record.blockNum]?.getData()?.getDataList_asU8()[record.txNum];
    if (!record || !envelopeBytes) return undefined;
    const processed = new peer.ProcessedTransaction();
    processed.setTransactionenvelope(common.Envelope.deserializeBinary(envelopeBytes));
    processed.setValidationcode(record.code);
    return processed;
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  #index(block: common.Block): void {
    const header = block.getHeader() as common.BlockHeader;
    const number = header.getNumber();
    const hash = blockHeaderHash(header);
    this.#blocks.push(block);
    this.#headerHashes.push(hash);
    this.#byHash.set(hash.toString('hex'), number);
    const filter = block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.TRANSACTIONS_FILTER] ?? new Uint8Array();
    block
      .getData()
      ?.getDataList_asU8()
      .forEach((envelopeBytes, txNum) => {
        const txId = transactionIdOf(envelopeBytes);
        // The first occurrence of a transaction id is the one Fabric indexes; later ones are DUPLICATE_TXID.
        if (txId && !this.#txs.has(txId))
          this.#txs.set(txId, { blockNum: number, txNum, code: filter[txNum] ?? peer.TxValidationCode.NOT_VALIDATED });
      });
  }
}

/** The transaction id in an envelope's channel header, or '' when there is none to read. */
export function transactionIdOf(envelopeBytes: Uint8Array): string {
  try {
    const payload = common.Payload.deserializeBinary(common.Envelope.deserializeBinary(envelopeBytes).getPayload_asU8());
    const header = payload.getHeader();
    return header ? common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8()).getTxId() : '';
  } catch {
    // An undecodable envelope was committed as invalid and has no id to index.
    return '';
  }
}
