import { OcapError } from '@arc/core';
import { decodeBlock, decodeChainInfo, decodeProcessedTransaction, type FabricBlock, type FabricTransaction } from './blocks.ts';
import { type ErrorContext, toOcapError } from './errors.ts';

/** Decoded blocks kept in memory: Fabric blocks never change once committed, so a cache never goes stale. */
export const BLOCK_CACHE_ENTRIES_MAX = 256;
/** Fabric transaction ids are SHA-256 hex; anything else cannot name one. */
export const TX_ID_HEX = /^[0-9a-fA-F]{64}$/;

/** Calls a function of the query system chaincode (qscc) through the gateway's Evaluate. */
export type QsccEvaluate = (fn: string, args: Array<string | Uint8Array>) => Promise<Uint8Array>;

/**
 * Reads the ledger through qscc (GetChainInfo, GetBlockByNumber, GetBlockByHash, GetTransactionByID,
 * GetBlockByTxID), decoding Fabric's protobuf answers and mapping "not found" onto NOT_FOUND.
 */
export class FabricLedger {
  readonly #blocks = new Map<number, FabricBlock>();

  constructor(
    readonly channel: string,
    readonly evaluate: QsccEvaluate,
    readonly chainId: () => string | undefined,
  ) {}

  async #call(fn: string, args: Array<string | Uint8Array>, what: string): Promise<Uint8Array> {
    const context: ErrorContext = { action: `qscc ${fn} ${what} on channel ${this.channel}`, chainId: this.chainId(), lookup: true };
    try {
      return await this.evaluate(fn, args);
    } catch (error) {
      throw toOcapError(error, context);
    }
  }

  #decode<T>(what: string, decode: () => T): T {
    try {
      return decode();
    } catch (error) {
      throw new OcapError('INTERNAL', `The peer's answer to ${what} does not decode: ${(error as Error).message}.`, {
        cause: error,
        chainId: this.chainId(),
      });
    }
  }

  #remember(block: FabricBlock): FabricBlock {
    this.#blocks.set(block.number, block);
    if (this.#blocks.size > BLOCK_CACHE_ENTRIES_MAX) {
      const oldest = this.#blocks.keys().next().value;
      if (oldest !== undefined) this.#blocks.delete(oldest);
    }
    return block;
  }

  /** Height = number of blocks; the head is block height - 1. */
  async chainInfo(): Promise<{ height: number; currentBlockHash: string; previousBlockHash: string }> {
    const bytes = await this.#call('GetChainInfo', [this.channel], '');
    return this.#decode('GetChainInfo', () => decodeChainInfo(bytes));
  }

  async headHeight(): Promise<number> {
    return (await this.chainInfo()).height - 1;
  }

  /** A block read before, without asking the peer. */
  cachedBlock(number: number): FabricBlock | undefined {
    return this.#blocks.get(number);
  }

  async blockByNumber(number: number): Promise<FabricBlock> {
    const cached = this.#blocks.get(number);
    if (cached) return cached;
    const bytes = await this.#call('GetBlockByNumber', [this.channel, String(number)], `block ${number}`);
    return this.#remember(this.#decode(`GetBlockByNumber ${number}`, () => decodeBlock(bytes)));
  }

  async blockByHash(hashHex: string): Promise<FabricBlock> {
    for (const block of this.#blocks.values()) if (block.hash === hashHex) return block;
    const bytes = await this.#call('GetBlockByHash', [Buffer.from(this.channel, 'utf8'), Buffer.from(hashHex, 'hex')], `block ${hashHex}`);
    return this.#remember(this.#decode(`GetBlockByHash ${hashHex}`, () => decodeBlock(bytes)));
  }

  async blockByTxId(txId: string): Promise<FabricBlock> {
    const bytes = await this.#call('GetBlockByTxID', [this.channel, txId], `transaction ${txId}`);
    return this.#remember(this.#decode(`GetBlockByTxID ${txId}`, () => decodeBlock(bytes)));
  }

  /** The transaction and the block holding it; a transaction the validators refused is found too (with its code). */
  async transaction(txId: string): Promise<{ tx: FabricTransaction; block: FabricBlock }> {
    const bytes = await this.#call('GetTransactionByID', [this.channel, txId], `transaction ${txId}`);
    const processed = this.#decode(`GetTransactionByID ${txId}`, () => decodeProcessedTransaction(bytes));
    const block = await this.blockByTxId(txId);
    // The block tells its position; with a duplicate id, the block's own validation code of the first one wins.
    const inBlock = block.transactions.find((t) => t.txId === txId);
    return { tx: inBlock ?? processed, block };
  }
}
