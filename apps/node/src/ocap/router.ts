import { type OcapEvent, type StreamCheckpoint, serializeEvent } from '@arc/core';
import { publicProcedure, router } from '../api/trpc.ts';
import { ChainOut, EventPageOut, EventsIn, QueryIn, QueryOut, SendIn, SendOut } from './api-schemas.ts';
import { toJson } from './json.ts';
import { runQuery } from './query.ts';

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
