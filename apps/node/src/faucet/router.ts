import { z } from 'zod';
import { did } from '../api/inputs.ts';
import { publicProcedure, router } from '../api/trpc.ts';

export const faucetRouter = router({
  claim: publicProcedure
    .input(z.object({ did, idempotencyKey: z.string().min(8).max(128).optional() }))
    .output(z.object({ hash: z.string(), amount: z.string() }))
    .mutation(({ ctx, input }) => ctx.services.faucet.claim(input.did, input.idempotencyKey)),
});
