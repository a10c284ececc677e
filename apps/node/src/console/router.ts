import { router, sessionProcedure } from '../api/trpc.ts';
import type { Services } from '../services.ts';
import { ApplicationDetailOut, ApplicationIn, ApplicationOut, OverviewOut, RegisterApplicationIn } from './api-schemas.ts';
import { ConsoleService } from './service.ts';

/** One console service per node, over the node's database (created on first use). */
const services = new WeakMap<Services, ConsoleService>();
function consoleOf(s: Services): ConsoleService {
  let found = services.get(s);
  if (!found) {
    found = new ConsoleService(s.ledger.db);
    services.set(s, found);
  }
  return found;
}

/** The developer console: every procedure needs a signed-in DID (authorization: Bearer <token from gateway.login>). */
export const consoleRouter = router({
  /** Who is signed in, and the counts the console's overview shows. */
  overview: sessionProcedure.output(OverviewOut).query(({ ctx }) => consoleOf(ctx.services).overview(ctx.session.did)),
  /** Records an application the signed-in developer owns (their signature and the application key's countersignature). */
  registerApplication: sessionProcedure
    .input(RegisterApplicationIn)
    .output(ApplicationOut)
    .mutation(({ ctx, input }) => consoleOf(ctx.services).register(ctx.session.did, input)),
  applications: sessionProcedure.output(ApplicationOut.array()).query(({ ctx }) => consoleOf(ctx.services).list(ctx.session.did)),
  application: sessionProcedure
    .input(ApplicationIn)
    .output(ApplicationDetailOut)
    .query(({ ctx, input }) => consoleOf(ctx.services).get(ctx.session.did, input.appDid)),
});
