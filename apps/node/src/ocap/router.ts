import { type ChainAdapter, type OcapEvent, type StreamCheckpoint, serializeEvent } from '@arc/core';
import { publicProcedure, router } from '../api/trpc.ts';
import { ChainOut, EventPageOut, EventsIn, QueryIn, type QueryInput, QueryOut, SendIn, SendOut } from './api-schemas.ts';
import { toJson } from './json.ts';

/** Runs one level-1/level-2 read on an adapter. */
function runQuery(adapter: ChainAdapter, input: QueryInput): Promise<unknown> | unknown {
  switch (input.method) {
    case 'getLatestBlock':
      return adapter.getLatestBlock();
    case 'getBlock':
      return adapter.getBlock(input.height === undefined ? { hash: input.hash as string } : { height: input.height });
    case 'getTransaction':
      return adapter.getTransaction(input.hash);
    case 'getBalance':
      return adapter.getBalance(input.address).then((balance) => ({ balance }));
    case 'estimateFee':
      return adapter.estimateFee({ from: input.from, to: input.to, amount: input.amount });
    case 'accountId':
      return { accountId: adapter.accountId(input.address) };
    case 'getTokenInfo':
      return adapter.getTokenInfo(input.token);
    case 'getTokenBalance':
      return adapter.getTokenBalance(input.token, input.owner).then((balance) => ({ balance }));
    case 'getAsset':
      return adapter.getAsset(input.asset);
  }
}

/** OCAP over tRPC: the chains this node reaches, reads, relayed sends and resumable event pages. */
export const ocapRouter = router({
  chains: publicProcedure.output(ChainOut.array()).query(({ ctx }) => ctx.services.ocap.list()),

  query: publicProcedure
    .input(QueryIn)
    .output(QueryOut)
    .query(async ({ ctx, input }) => {
      const result = await runQuery(ctx.services.ocap.adapter(input.chain), input);
      return { chain: input.chain, method: input.method, result: toJson(result) };
    }),

  send: publicProcedure
    .input(SendIn)
    .output(SendOut)
    .mutation(({ ctx, input }) =>
      ctx.services.ocap
        .adapter(input.chain)
        .broadcast(input.rawTx, input.idempotencyKey === undefined ? {} : { idempotencyKey: input.idempotencyKey }),
    ),

  events: publicProcedure
    .input(EventsIn)
    .output(EventPageOut)
    .query(async ({ ctx, input }) => {
      const page = await ctx.services.ocap.events(input.chain, {
        ...(input.checkpoint ? { checkpoint: input.checkpoint as StreamCheckpoint } : {}),
        ...(input.fromHeight === undefined ? {} : { fromHeight: input.fromHeight }),
        ...(input.filter ? { filter: input.filter } : {}),
        confirmations: input.confirmations,
        limit: input.limit,
        waitMs: input.waitMs,
      });
      return { events: page.events.map((event: OcapEvent) => serializeEvent(event)), checkpoint: toJson(page.checkpoint) };
    }),
});
