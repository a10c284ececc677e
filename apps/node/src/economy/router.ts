import { z } from 'zod';
import { publicProcedure, router } from '../api/trpc.ts';
import { NodeError } from '../errors.ts';
import {
  BillingOut,
  DidIn,
  EvidenceIn,
  EvidenceOut,
  InvoiceIn,
  InvoiceOut,
  InvoicesIn,
  InvoicesOut,
  StakeOut,
  SupplyOut,
} from './api-schemas.ts';
import { BridgeStatusIn, BridgeStatusOut } from './bridge/api-schemas.ts';
import type { EconomyService } from './service.ts';

function economy(services: { economy?: EconomyService }): EconomyService {
  if (!services.economy) throw new NodeError('UNAVAILABLE', 'The economy service is starting; try again in a moment.');
  return services.economy;
}

/** The token economy's reads (writes are ledger transactions, sent with tx.send). */
export const economyRouter = router({
  billing: publicProcedure
    .input(DidIn)
    .output(BillingOut)
    .query(({ ctx, input }) => economy(ctx.services).billing(input.did)),
  invoices: publicProcedure
    .input(InvoicesIn)
    .output(InvoicesOut)
    .query(({ ctx, input }) => economy(ctx.services).invoices(input.did, input.beforePeriod, input.limit)),
  invoice: publicProcedure
    .input(InvoiceIn)
    .output(InvoiceOut)
    .query(({ ctx, input }) => economy(ctx.services).invoice(input.did, input.period)),
  invoiceCsv: publicProcedure
    .input(InvoiceIn)
    .output(z.object({ filename: z.string(), csv: z.string() }))
    .query(async ({ ctx, input }) => ({
      filename: `invoice-${input.did.replace(/^did:abt:/, '').slice(0, 12)}-${input.period}.csv`,
      csv: await economy(ctx.services).invoiceCsv(input.did, input.period),
    })),
  /** A slash's evidence document, stored by its hash (market.putText with purpose 'evidence'); null when not stored here. */
  evidence: publicProcedure
    .input(EvidenceIn)
    .output(EvidenceOut)
    .query(async ({ ctx, input }) => ({ hash: input.hash, text: (await ctx.services.market?.texts.get(input.hash)) ?? null })),
  supply: publicProcedure.output(SupplyOut).query(({ ctx }) => economy(ctx.services).supply()),
  stake: publicProcedure
    .input(DidIn)
    .output(StakeOut)
    .query(({ ctx, input }) => economy(ctx.services).stake(input.did)),
  /** The ABT ↔ ERC-20 bridge: contract, signers, what is locked and minted, what moves, recent transfers. */
  bridge: publicProcedure
    .input(BridgeStatusIn)
    .output(BridgeStatusOut)
    .query(({ ctx, input }) => {
      if (!ctx.services.bridge) throw new NodeError('NOT_FOUND', 'This node runs no bridge (start it with a bridge configured).');
      return ctx.services.bridge.status(input);
    }),
});
