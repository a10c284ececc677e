import { eventPosition, isOcapError, type OcapEvent } from '@arc/core';
import { id as keccakId, ZeroAddress } from 'ethers';
import type { StreamHeader, StreamSource } from '../shared/event-stream.ts';
import {
  checksumAddress,
  formatAssetId,
  fromHex,
  fromHexBig,
  type RpcBlock,
  type RpcLog,
  type RpcReceipt,
  type RpcTransaction,
  toHex,
} from './convert.ts';
import type { EthereumRpc } from './rpc.ts';

/** topic0 of `Transfer(address,address,uint256)`, shared by ERC-20 (value in data) and ERC-721 (id indexed). */
export const TRANSFER_TOPIC = keccakId('Transfer(address,address,uint256)');

/**
 * The event source of the shared stream engine over JSON-RPC. A block's events, in transaction order: the
 * transaction's native value as a `transfer` (when above 0 and the transaction succeeded), then its logs:
 * ERC-20 Transfer → `tokenTransfer`, ERC-721 Transfer → `assetTransfer`, anything else → `log`.
 * Value moved by contracts internally (no log) is not visible here: that would need tracing. `onHeader` sees
 * every header read (the adapter watches them for reorgs).
 */
export function createEthereumEventSource(rpc: EthereumRpc, onHeader?: (header: StreamHeader) => void): StreamSource {
  let receiptsSupported = true;

  /** Receipts of every transaction in the block (status + logs); falls back to eth_getLogs on nodes without eth_getBlockReceipts. */
  async function receiptsOf(hash: string): Promise<Map<number, { ok: boolean; logs: RpcLog[] }> | null> {
    if (receiptsSupported) {
      try {
        const receipts = await rpc.call<RpcReceipt[] | null>('eth_getBlockReceipts', [hash]);
        if (!receipts) return null;
        return new Map(
          receipts.map((r) => [fromHex(r.transactionIndex), { ok: r.status === undefined || fromHex(r.status) === 1, logs: r.logs }]),
        );
      } catch (error) {
        if (!isOcapError(error) || !/method not found|not supported|does not exist|unsupported/i.test(error.message)) throw error;
        receiptsSupported = false;
      }
    }
    // Without receipts, failed transactions cannot be told apart: their value is reported as moved.
    const logs = await rpc.call<RpcLog[]>('eth_getLogs', [{ blockHash: hash }]);
    const byTx = new Map<number, { ok: boolean; logs: RpcLog[] }>();
    for (const log of logs) {
      const index = fromHex(log.transactionIndex);
      const entry = byTx.get(index) ?? { ok: true, logs: [] };
      entry.logs.push(log);
      byTx.set(index, entry);
    }
    return byTx;
  }

  return {
    async headHeight() {
      return fromHex(await rpc.call<string>('eth_blockNumber', []));
    },

    async headerAt(height: number): Promise<StreamHeader | null> {
      const block = await rpc.call<RpcBlock | null>('eth_getBlockByNumber', [toHex(height), false]);
      if (!block) return null;
      const header = { height: fromHex(block.number), hash: block.hash, parentHash: block.parentHash };
      onHeader?.(header);
      return header;
    },

    async eventsOf(header: StreamHeader): Promise<OcapEvent[]> {
      // By hash, so the block and its receipts are the same block even if the chain reorganises meanwhile.
      const [block, receipts] = await Promise.all([
        rpc.call<RpcBlock<RpcTransaction> | null>('eth_getBlockByHash', [header.hash, true]),
        receiptsOf(header.hash).catch((error: unknown) => {
          // A block that left the chain has no logs to give; the stream sees the reorg at the next header.
          if (isOcapError(error) && !error.retriable && /unknown block/i.test(error.message)) return null;
          throw error;
        }),
      ]);
      if (!block || !receipts) return [];
      return blockEvents(header, block.transactions, receipts);
    },
  };
}

/** A block's events in order, given its transactions and each transaction's outcome and logs by index. */
export function blockEvents(
  header: StreamHeader,
  txs: RpcTransaction[],
  outcomes: Map<number, { ok: boolean; logs: RpcLog[] }>,
): OcapEvent[] {
  const events: OcapEvent[] = [];
  const base = (txHash: string) => ({
    position: eventPosition(header.height, events.length),
    blockHeight: header.height,
    blockHash: header.hash,
    txHash,
    removed: false,
  });
  txs.forEach((tx, index) => {
    const outcome = outcomes.get(fromHex(tx.transactionIndex ?? toHex(index))) ?? { ok: true, logs: [] };
    const value = fromHexBig(tx.value);
    if (value > 0n && outcome.ok) {
      events.push({
        ...base(tx.hash),
        kind: 'transfer',
        from: checksumAddress(tx.from),
        to: tx.to ? checksumAddress(tx.to) : null,
        amount: value,
        token: null,
      });
    }
    const logs = [...outcome.logs].sort((x, y) => fromHex(x.logIndex) - fromHex(y.logIndex));
    for (const log of logs) events.push({ ...base(log.transactionHash), ...decodeLog(log) });
  });
  return events;
}

type LogFields = Pick<OcapEvent, 'kind' | 'from' | 'to' | 'amount' | 'token' | 'address' | 'topics' | 'data'>;

/** Decodes ERC-20 and ERC-721 Transfer logs; any other log is passed on raw. Mint/burn counterparts (address 0) are null. */
export function decodeLog(log: RpcLog): LogFields {
  const address = checksumAddress(log.address);
  const raw = { address, topics: log.topics, data: log.data };
  const [topic0, topic1, topic2, topic3] = log.topics;
  if (topic0 === TRANSFER_TOPIC && topic1 !== undefined && topic2 !== undefined) {
    const from = topicAddress(topic1);
    const to = topicAddress(topic2);
    if (log.topics.length === 3 && /^0x[0-9a-fA-F]{64}$/.test(log.data)) {
      return { ...raw, kind: 'tokenTransfer', from, to, amount: BigInt(log.data), token: address };
    }
    if (log.topics.length === 4 && topic3 !== undefined) {
      return { ...raw, kind: 'assetTransfer', from, to, amount: 1n, token: formatAssetId(address, BigInt(topic3)) };
    }
  }
  return { ...raw, kind: 'log', from: null, to: null, amount: 0n, token: null };
}

function topicAddress(topic: string): string | null {
  const address = checksumAddress(`0x${topic.slice(-40)}`);
  return address === ZeroAddress ? null : address;
}
