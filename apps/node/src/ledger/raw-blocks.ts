import { genesisFileJson, toHex } from '@arc/core';
import { z } from 'zod';
import { NodeError } from '../errors.ts';
import type { Ledger } from './ledger.ts';

/**
 * Blocks as they travel (canonical header and seal, each transaction's canonical bytes) and the genesis they start
 * from: what anyone needs to replay this node's chain and check every state root (`arc node verify`).
 */

/** Transactions one page of raw blocks carries at most (a page always holds at least one block, whatever its size). */
export const RAW_PAGE_TXS_MAX = 20_000;
/** Blocks one page carries at most. */
export const RAW_PAGE_BLOCKS_MAX = 100;

export const RawBlocksIn = z.object({
  from: z.number().int().min(0),
  limit: z.number().int().min(1).max(RAW_PAGE_BLOCKS_MAX).default(20),
});

export const RawBlockOut = z.object({
  height: z.number(),
  /** encodeHeader bytes, hex. */
  header: z.string(),
  /** encodeSeal bytes, hex. */
  seal: z.string(),
  /** Each transaction's canonical bytes, hex, in block order. */
  txs: z.array(z.string()),
  /** On a chain run by consensus: the block's certificate (core's encodeMessage of it, hex), checked before import. */
  certificate: z.string().optional(),
});

export const RawBlocksOut = z.object({
  blocks: z.array(RawBlockOut),
  /** The height to ask for next; null when the page reached the head. */
  next: z.number().nullable(),
});

export const GenesisOut = z.object({
  /** The genesis file this chain started from (genesisFileJson): amounts as decimal strings. */
  genesis: z.record(z.string(), z.unknown()),
  /** This node's DID: on a development chain it holds roles in the parameters blocks apply under (nodeChainParams). */
  nodeDid: z.string(),
  /** The head when asked. */
  height: z.number(),
  /** The lowest height served whole by block.raw: above 0 on a node started from a snapshot (replay from one). */
  firstHeight: z.number(),
});

export function genesisOut(ledger: Ledger): z.infer<typeof GenesisOut> {
  return {
    genesis: genesisFileJson(ledger.options.genesis),
    nodeDid: ledger.paramsDid,
    height: ledger.head.height,
    firstHeight: ledger.firstHeight,
  };
}

/** Blocks from `from` up, in height order, at most `limit` of them and RAW_PAGE_TXS_MAX transactions past the first. */
export async function rawBlocks(ledger: Ledger, input: z.infer<typeof RawBlocksIn>): Promise<z.infer<typeof RawBlocksOut>> {
  const { db, firstHeight } = ledger;
  const head = ledger.head.height;
  if (input.from < firstHeight) {
    throw new NodeError(
      'HEIGHT_NOT_KEPT',
      `this node started from a snapshot at height ${firstHeight - 1} and holds whole blocks from ${firstHeight}; replay from a snapshot (arc node verify --snapshot FILE) or ask a node that holds them`,
    );
  }
  const rows = await db.query<{ height: number; header: Uint8Array; seal: Uint8Array; tx_count: number; certificate: Uint8Array | null }>(
    `SELECT b.height::float8 AS height, b.header, b.seal, b.tx_count, c.certificate
       FROM blocks b LEFT JOIN block_certificates c ON c.height = b.height
      WHERE b.height >= $1 AND b.height <= $2 ORDER BY b.height LIMIT $3`,
    [input.from, head, input.limit],
  );
  let txCount = 0;
  const taken = rows.filter((row, i) => {
    txCount += row.tx_count;
    return i === 0 || txCount <= RAW_PAGE_TXS_MAX;
  });
  const last = taken[taken.length - 1];
  if (!last) return { blocks: [], next: null };
  const txRows = await db.query<{ height: number; bytes: Uint8Array }>(
    'SELECT height::float8 AS height, bytes FROM txs WHERE height >= $1 AND height <= $2 ORDER BY height, idx',
    [input.from, last.height],
  );
  const byHeight = new Map<number, string[]>();
  for (const tx of txRows) {
    const list = byHeight.get(tx.height);
    if (list) list.push(toHex(tx.bytes));
    else byHeight.set(tx.height, [toHex(tx.bytes)]);
  }
  return {
    blocks: taken.map((row) => ({
      height: row.height,
      header: toHex(row.header),
      seal: toHex(row.seal),
      txs: byHeight.get(row.height) ?? [],
      ...(row.certificate ? { certificate: toHex(row.certificate) } : {}),
    })),
    next: last.height >= head ? null : last.height + 1,
  };
}
