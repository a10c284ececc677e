import { fromHex, nativeSupply, toHex } from '@arc/core';
import { z } from 'zod';
import { cursor, did, hash, hexBytes, limit, positionCursor } from '../api/inputs.ts';
import { publicProcedure, router } from '../api/trpc.ts';
import { ProcessesOut, processesOut } from '../cloud/status.ts';
import { NodeError } from '../errors.ts';
import {
  AccountOut,
  AssetOut,
  BlockOut,
  ChainInfoOut,
  pageOf,
  STATE_ENTRY_KINDS,
  StateEntryOut,
  SubmitOut,
  TokenOut,
  TxOut,
  TxStatusOut,
} from './api-schemas.ts';
import { blockSeal, EventsOut, SealOut, TokenHoldersIn, TokenHoldersOut, tokenHolders, txEvents } from './explorer-reads.ts';
import { GenesisOut, genesisOut, RawBlocksIn, RawBlocksOut, rawBlocks } from './raw-blocks.ts';
import { SearchIn, SearchOut, search } from './search.ts';
import { STATE_ENTRY_ID_MAX, StateProofIn, StateProofOut, stateProofAt } from './state-proofs.ts';
import { txStatus, WAIT_MAX_MS, waitForTx } from './status.ts';
import { LastVerifiedOut, lastVerified, ReportVerifiedIn, reportVerified, VerifiedReportOut } from './verify-reports.ts';

function found<T>(value: T | null, what: string): T {
  if (value === null) throw new NodeError('NOT_FOUND', `${what} was not found`);
  return value;
}

export const chainRouter = router({
  info: publicProcedure.output(ChainInfoOut).query(({ ctx }) => {
    const { ledger, faucet } = ctx.services;
    const g = ledger.options.genesis;
    return {
      chainId: ledger.chainId,
      height: ledger.head.height,
      headHash: toHex(ledger.head.hash),
      stateRoot: toHex(ledger.head.stateRoot),
      timeMs: ledger.head.timeMs,
      nativeToken: { ...g.nativeToken, totalSupply: nativeSupply(g).toString() },
      params: {
        ...ledger.params,
        minFee: ledger.params.minFee.toString(),
        economy: { ...ledger.params.economy, publishStake: ledger.params.economy.publishStake.toString() },
      },
      mempool: { size: ledger.mempool.size, capacity: ledger.mempool.capacity },
      faucet: { enabled: faucet.enabled, amount: faucet.amount.toString() },
      nodeDid: ledger.nodeDid,
    };
  }),
  /** A state entry's hash at a recent height with its Merkle proof against that block's state root (HEIGHT_PRUNED when older). */
  stateProof: publicProcedure
    .input(StateProofIn)
    .output(StateProofOut)
    .query(({ ctx, input }) => stateProofAt(ctx.services.ledger, input)),
  /** The node's processes (one, or those of a cloud node), which one produces blocks, and its take-overs. */
  processes: publicProcedure.output(ProcessesOut).query(({ ctx }) => processesOut(ctx.services)),
  /** The genesis this chain started from and this node's DID: with `block.raw`, what a replay of the chain needs. */
  genesis: publicProcedure.output(GenesisOut).query(({ ctx }) => genesisOut(ctx.services.ledger)),
  /** Records a signed report that a replay from the genesis reached the node's own state root at a height. */
  reportVerified: publicProcedure
    .input(ReportVerifiedIn)
    .output(VerifiedReportOut)
    .mutation(({ ctx, input }) => reportVerified(ctx.services.ledger, input)),
  /** The verification report with the greatest height, or null: what the explorer shows as verified. */
  lastVerified: publicProcedure.output(LastVerifiedOut).query(({ ctx }) => lastVerified(ctx.services.ledger.db)),
  /** Any state entry (a marketplace component, version, review, report or usage entry…) with its Merkle proof. */
  stateEntry: publicProcedure
    .input(z.object({ kind: z.enum(STATE_ENTRY_KINDS), id: z.string().min(1).max(STATE_ENTRY_ID_MAX) }))
    .output(StateEntryOut)
    .query(({ ctx, input }) => ctx.services.queries.stateEntry(input.kind, input.id)),
});

export const blockRouter = router({
  byHeight: publicProcedure
    .input(z.object({ height: z.number().int().min(0) }))
    .output(BlockOut)
    .query(async ({ ctx, input }) => found(await ctx.services.queries.blockByHeight(input.height), `block ${input.height}`)),
  byHash: publicProcedure
    .input(z.object({ hash }))
    .output(BlockOut)
    .query(async ({ ctx, input }) => found(await ctx.services.queries.blockByHash(input.hash), `block ${input.hash}`)),
  seal: publicProcedure
    .input(z.object({ height: z.number().int().min(0) }))
    .output(SealOut)
    .query(async ({ ctx, input }) => found(await blockSeal(ctx.services.ledger.db, input.height), `block ${input.height}`)),
  /** Blocks as they travel (header, seal, transactions' bytes), from a height up: `arc node verify` replays them. */
  raw: publicProcedure
    .input(RawBlocksIn)
    .output(RawBlocksOut)
    .query(({ ctx, input }) => rawBlocks(ctx.services.ledger, input)),
  list: publicProcedure
    .input(z.object({ cursor: z.number().int().min(0).optional(), limit }))
    .output(pageOf(BlockOut, z.number()))
    .query(({ ctx, input }) => ctx.services.queries.listBlocks(input.cursor, input.limit)),
});

export const txRouter = router({
  send: publicProcedure
    .input(z.object({ tx: hexBytes(65_536) }))
    .output(SubmitOut)
    .mutation(({ ctx, input }) => ctx.services.admission.submit(fromHex(input.tx), { ip: ctx.ip })),
  byHash: publicProcedure
    .input(z.object({ hash }))
    .output(TxStatusOut)
    .query(({ ctx, input }) => txStatus(ctx.services.ledger, ctx.services.queries, input.hash)),
  wait: publicProcedure
    .input(z.object({ hash, timeoutMs: z.number().int().min(0).max(WAIT_MAX_MS).default(10_000) }))
    .output(TxStatusOut)
    .query(({ ctx, input, signal }) =>
      waitForTx(ctx.services.ledger, ctx.services.queries, input.hash, input.timeoutMs, { caller: ctx.ip, signal }),
    ),
  events: publicProcedure
    .input(z.object({ hash }))
    .output(EventsOut)
    .query(async ({ ctx, input }) => found(await txEvents(ctx.services.ledger.db, input.hash), `transaction ${input.hash}`)),
  list: publicProcedure
    .input(z.object({ cursor: positionCursor, limit }).default({ limit: 20 }))
    .output(pageOf(TxOut, z.string()))
    .query(({ ctx, input }) => ctx.services.queries.listTxs(input.cursor, input.limit)),
  listByAccount: publicProcedure
    .input(z.object({ did, cursor: positionCursor, limit }))
    .output(pageOf(TxOut, z.string()))
    .query(({ ctx, input }) => ctx.services.queries.listTxsByAccount(input.did, input.cursor, input.limit)),
});

export const accountRouter = router({
  get: publicProcedure
    .input(z.object({ did }))
    .output(AccountOut)
    .query(({ ctx, input }) => ctx.services.queries.account(input.did)),
});

export const tokenRouter = router({
  list: publicProcedure
    .input(z.object({ cursor, limit }).default({ limit: 20 }))
    .output(pageOf(TokenOut, z.string()))
    .query(async ({ ctx, input }) => {
      const page = await ctx.services.queries.listTokens(input.cursor, input.limit);
      if (input.cursor) return page;
      const g = ctx.services.ledger.options.genesis;
      const native = {
        address: g.nativeToken.symbol,
        ...g.nativeToken,
        totalSupply: nativeSupply(g).toString(),
        owner: null,
        createdAtHeight: 0,
        native: true,
        // ABT: allocated at genesis; nothing mints it (the bridge locks and releases, it never creates).
        policy: 'fixed' as const,
        cap: '0',
      };
      return { ...page, items: [native, ...page.items] };
    }),
  get: publicProcedure
    .input(z.union([z.object({ address: did }), z.object({ symbol: z.string().min(1).max(16) })]))
    .output(TokenOut)
    .query(async ({ ctx, input }) => found(await ctx.services.queries.token(input), 'the token')),
  /** Who holds an application token, largest balance first, paged; NOT_FOUND for an address that is no token. */
  holders: publicProcedure
    .input(TokenHoldersIn)
    .output(TokenHoldersOut)
    .query(({ ctx, input }) => tokenHolders(ctx.services.ledger.db, input)),
});

export const assetRouter = router({
  get: publicProcedure
    .input(z.object({ address: did }))
    .output(AssetOut)
    .query(async ({ ctx, input }) => found(await ctx.services.queries.asset(input.address), `asset ${input.address}`)),
  listByOwner: publicProcedure
    .input(z.object({ owner: did, cursor, limit }))
    .output(pageOf(AssetOut, z.string()))
    .query(({ ctx, input }) => ctx.services.queries.listAssetsByOwner(input.owner, input.cursor, input.limit)),
});

/** The explorer's one search box: typed suggestions for a height, hash, DID, token symbol or blocklet name. */
export const searchRouter = router({
  query: publicProcedure
    .input(SearchIn)
    .output(SearchOut)
    .query(({ ctx, input }) => search(ctx.services.ledger.db, input.q)),
});
