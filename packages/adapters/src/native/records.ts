import {
  assetAddress,
  type NodeApiBlock as Block,
  eventPosition,
  fromHex,
  type OcapBlock,
  OcapError,
  type OcapEvent,
  type NodeApiTxRecord as TxRecord,
  toHex,
  tokenAddress,
  utf8,
} from '@arc/core';
import { z } from 'zod';

/**
 * Pure translations of the node's records (apps/node/API.md) into OCAP's shapes: blocks, the native value
 * of a transaction, and the events of a block.
 */

const amount = z
  .string()
  .regex(/^\d{1,78}$/)
  .transform((s) => BigInt(s));

/** The parts of a transfer's inner transaction the adapter reads (the NodeApi leaves `itx` in the node's JSON form). */
const TransferItx = z.object({
  type: z.literal('transfer'),
  to: z.string(),
  amount,
  tokens: z.array(z.object({ token: z.string(), amount })),
  assets: z.array(z.string()),
});
type TransferItx = z.infer<typeof TransferItx>;

/** The inner transaction if it is a transfer, checked; null for every other type. */
export function transferOf(tx: TxRecord): TransferItx | null {
  if (tx.type !== 'transfer') return null;
  const parsed = TransferItx.safeParse(tx.itx);
  if (!parsed.success) {
    throw new OcapError('INTERNAL', `the Arc node described transfer ${tx.hash} in a shape the adapter cannot read`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

/** A node block as an OCAP block. */
export function toOcapBlock(block: Block): OcapBlock {
  return { height: block.height, hash: block.hash, parentHash: block.prevHash, timestampMs: block.timeMs, txHashes: [...block.txHashes] };
}

/** The account, token or asset a non-transfer transaction is about (what a log is "from" on other chains). */
function subjectOf(tx: TxRecord): string {
  const itx = tx.itx as Record<string, unknown>;
  switch (tx.type) {
    case 'createAsset':
      return assetAddress(fromHex(tx.hash));
    case 'createToken':
      return typeof itx.symbol === 'string' ? tokenAddress(itx.symbol) : tx.from;
    case 'updateAsset':
    case 'consumeAsset':
      return typeof itx.address === 'string' ? itx.address : tx.from;
    case 'delegate':
    case 'revokeDelegation':
      return typeof itx.grantee === 'string' ? itx.grantee : tx.from;
    default:
      return tx.from;
  }
}

/**
 * A block's events in chain order: per transfer one `transfer` for its ABT (when it moves any, or moves nothing
 * else), one `tokenTransfer` per token and one `assetTransfer` per asset; every other transaction type is one
 * `log` whose first topic is the type and whose data is the inner transaction as UTF-8 JSON, hex.
 */
export function eventsOfBlock(block: { height: number; hash: string }, txs: TxRecord[]): OcapEvent[] {
  const events: OcapEvent[] = [];
  const base = (tx: TxRecord) => ({ blockHeight: block.height, blockHash: block.hash, txHash: tx.hash, removed: false });
  const push = (event: Omit<OcapEvent, 'position'>) => events.push({ ...event, position: eventPosition(block.height, events.length) });
  for (const tx of txs) {
    const transfer = transferOf(tx);
    if (transfer) {
      const movesOthers = transfer.tokens.length > 0 || transfer.assets.length > 0;
      if (transfer.amount > 0n || !movesOthers) {
        push({ ...base(tx), kind: 'transfer', from: tx.from, to: transfer.to, amount: transfer.amount, token: null });
      }
      for (const token of transfer.tokens) {
        push({ ...base(tx), kind: 'tokenTransfer', from: tx.from, to: transfer.to, amount: token.amount, token: token.token });
      }
      for (const asset of transfer.assets) {
        push({ ...base(tx), kind: 'assetTransfer', from: tx.from, to: transfer.to, amount: 1n, token: asset });
      }
      continue;
    }
    push({
      ...base(tx),
      kind: 'log',
      from: tx.from,
      to: null,
      amount: 0n,
      token: null,
      address: subjectOf(tx),
      topics: [tx.type],
      data: toHex(utf8(JSON.stringify(tx.itx))),
    });
  }
  return events;
}
