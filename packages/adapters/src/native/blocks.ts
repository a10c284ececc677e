import { type NodeApiBlock as Block, isOcapError, type NodeApi, OcapError, type NodeApiTxRecord as TxRecord } from '@arc/core';
import type { StreamSource } from '../shared/event-stream.ts';
import { toOcapError } from './errors.ts';
import { eventsOfBlock } from './records.ts';

/** Bounds of reading blocks. */
export const BLOCK_READ_LIMITS = {
  /** Blocks kept in memory by height (finality is instant, so a block never changes). */
  cacheMax: 1_024,
  /** tx.list page size while reading a block's transactions (the node's maximum). */
  txPageSize: 100,
  /** Pages read per block before giving up (100 × 100 = 10 000 transactions). */
  txPagesPerBlockMax: 100,
} as const;

/** Runs a NodeApi call, turning every failure into an OcapError. */
export async function mapped<T>(run: () => Promise<T>, context: 'read' | 'send' = 'read', chainId?: string): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toOcapError(error, context, chainId);
  }
}

/** The node's blocks and their transactions, cached by height (a committed block never changes on our chain). */
export class BlockReader {
  readonly #blocks = new Map<number, Block>();

  constructor(readonly api: NodeApi) {}

  async headHeight(): Promise<number> {
    return (await mapped(() => this.api.chainInfo())).height;
  }

  /** A block by height (NOT_FOUND above the head). */
  async at(height: number): Promise<Block> {
    if (!Number.isSafeInteger(height) || height < 0) {
      throw new OcapError('INVALID_ARGUMENT', `A block height is a whole number from 0, not ${height}.`);
    }
    const cached = this.#blocks.get(height);
    if (cached) return cached;
    return this.#remember(await mapped(() => this.api.getBlock(height)));
  }

  async latest(): Promise<Block> {
    const page = await mapped(() => this.api.listBlocks({ limit: 1 }));
    const head = page.items[0];
    if (!head) throw new OcapError('INTERNAL', 'The Arc node listed no blocks at all (not even genesis).');
    return this.#remember(head);
  }

  /** A block by its lower-case hex hash. */
  async byHash(hash: string): Promise<Block> {
    return this.#remember(await mapped(() => this.api.getBlockByHash(hash)));
  }

  #remember(block: Block): Block {
    this.#blocks.set(block.height, block);
    if (this.#blocks.size > BLOCK_READ_LIMITS.cacheMax) {
      const oldest = this.#blocks.keys().next().value;
      if (oldest !== undefined) this.#blocks.delete(oldest);
    }
    return block;
  }

  /** The block's transactions in block order, read newest first from tx.list starting just above the block. */
  async txsOf(block: Block): Promise<TxRecord[]> {
    if (block.txCount === 0) return [];
    const found: TxRecord[] = [];
    let cursor: string | null = `${block.height + 1}:0`;
    for (let page = 0; cursor !== null && page < BLOCK_READ_LIMITS.txPagesPerBlockMax; page += 1) {
      const pageCursor: string = cursor;
      const result = await mapped(() => this.api.listTxs({ cursor: pageCursor, limit: BLOCK_READ_LIMITS.txPageSize }));
      const ours = result.items.filter((tx) => tx.height === block.height);
      found.push(...ours);
      cursor = ours.length === result.items.length ? result.nextCursor : null;
    }
    found.reverse();
    const hashes = found.map((tx) => tx.hash);
    if (hashes.length !== block.txHashes.length || hashes.some((hash, i) => hash !== block.txHashes[i])) {
      throw new OcapError(
        'INTERNAL',
        `The Arc node listed ${hashes.length} transactions for block ${block.height}, whose header names ${block.txCount}.`,
      );
    }
    return found;
  }

  /** What the shared event stream reads: the head, canonical headers, and each block's events. */
  streamSource(): StreamSource {
    return {
      headHeight: () => this.headHeight(),
      headerAt: async (height) => {
        try {
          const block = await this.at(height);
          return { height, hash: block.hash, parentHash: block.prevHash };
        } catch (error) {
          if (isOcapError(error, 'NOT_FOUND')) return null;
          throw error;
        }
      },
      eventsOf: async (header) => eventsOfBlock(header, await this.txsOf(await this.at(header.height))),
    };
  }
}
