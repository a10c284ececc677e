import {
  fromHex,
  type NodeApi,
  type NodeApiAccount,
  type NodeApiChainInfo,
  NodeApiError,
  type NodeApiTxRecord,
  type NodeApiTxStatus,
} from '@arc/core';
import { NodeError } from '../errors.ts';
import type { Admission } from '../ledger/admission.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { LedgerQueries, TxOut } from '../ledger/queries.ts';
import { txStatus } from '../ledger/status.ts';

/** The services the in-process API reads and writes through (what tx.send, block.* and account.get use). */
export interface NodeApiServices {
  ledger: Ledger;
  admission: Admission;
  queries: LedgerQueries;
}

/** A refusal with a code (the node's NodeError, the ledger's LedgerError); anything else is a bug and stays one. */
function isCoded(error: unknown): error is Error & { code: string; retriable?: unknown } {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'string';
}

/** Runs one service call, turning the node's and the ledger's refusals into the NodeApi's error. */
async function crossing<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isCoded(error)) throw new NodeApiError(error.code, error.message, { retriable: error.retriable === true, cause: error });
    throw error;
  }
}

function found<T>(value: T | null, what: string): T {
  if (value === null) throw new NodeError('NOT_FOUND', `${what} was not found`);
  return value;
}

function txRecord(tx: TxOut): NodeApiTxRecord {
  return { ...tx, fee: BigInt(tx.fee), itx: tx.itx as Record<string, unknown> };
}

/**
 * The node's API in process, for its own native OCAP adapter: the same services the tRPC procedures call,
 * without a round trip over HTTP to itself (nor a listener of its own under TLS).
 */
export function inProcessNodeApi({ ledger, admission, queries }: NodeApiServices): NodeApi {
  const account = async (did: string): Promise<NodeApiAccount> => {
    const read = await queries.account(did);
    return {
      did,
      nonce: read.nonce,
      balance: BigInt(read.balance),
      tokens: read.tokens.map((t) => ({ address: t.address, amount: BigInt(t.amount) })),
    };
  };
  return {
    chainInfo: async (): Promise<NodeApiChainInfo> => {
      const { nativeToken, params } = ledger.options.genesis;
      return {
        chainId: ledger.chainId,
        height: ledger.head.height,
        nativeToken: { symbol: nativeToken.symbol, name: nativeToken.name, decimals: nativeToken.decimals },
        params: { minFee: params.minFee },
      };
    },
    getBlock: (height) => crossing(async () => found(await queries.blockByHeight(height), `block ${height}`)),
    getBlockByHash: (hash) => crossing(async () => found(await queries.blockByHash(hash), `block ${hash}`)),
    listBlocks: (page) => crossing(() => queries.listBlocks(page.cursor, page.limit)),
    listTxs: (page) =>
      crossing(async () => {
        const read = await queries.listTxs(page.cursor, page.limit);
        return { items: read.items.map(txRecord), nextCursor: read.nextCursor };
      }),
    getTx: (hash) =>
      crossing(async (): Promise<NodeApiTxStatus> => {
        const status = await txStatus(ledger, queries, hash);
        return { ...status, tx: status.tx ? txRecord(status.tx) : null };
      }),
    getAccount: (did) => crossing(() => account(did)),
    nextNonce: (did) => crossing(() => ledger.nextNonce(did)),
    sendRaw: (txHex) => crossing(() => admission.submit(fromHex(txHex))),
    getToken: (address) =>
      crossing(async () => {
        const token = found(await queries.token({ address }), `token ${address}`);
        return { ...token, totalSupply: BigInt(token.totalSupply) };
      }),
    getAsset: (address) => crossing(async () => found(await queries.asset(address), `asset ${address}`)),
  };
}
