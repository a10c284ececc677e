import { publicProcedure, router } from '../api/trpc.ts';
import { NodeError } from '../errors.ts';
import {
  ComponentIn,
  ComponentOut,
  DeveloperIn,
  DeveloperOut,
  FacetsOut,
  InstallIn,
  InstallOut,
  InstallPlanIn,
  InstallPlanOut,
  InstallsIn,
  InstallsOut,
  PutTextIn,
  PutTextOut,
  ReviewsIn,
  ReviewsOut,
  SearchIn,
  SearchOut,
  SuggestIn,
  SuggestOut,
  UseIn,
  UseOut,
} from './api-schemas.ts';
import type { MarketService } from './service.ts';

function market(services: { market?: MarketService }): MarketService {
  if (!services.market) throw new NodeError('UNAVAILABLE', 'The marketplace is starting; try again in a moment.');
  return services.market;
}

/** The marketplace's procedures (issue 19): inputs and outputs are the contract in api-schemas.ts. */
export const marketRouter = router({
  search: publicProcedure
    .input(SearchIn)
    .output(SearchOut)
    .query(({ ctx, input }) => market(ctx.services).search.search(input)),
  suggest: publicProcedure
    .input(SuggestIn)
    .output(SuggestOut)
    .query(({ ctx, input }) => market(ctx.services).search.suggest(input.q)),
  facets: publicProcedure.output(FacetsOut).query(({ ctx }) => market(ctx.services).search.facets()),
  component: publicProcedure
    .input(ComponentIn)
    .output(ComponentOut)
    .query(({ ctx, input }) => market(ctx.services).component(input.name)),
  reviews: publicProcedure
    .input(ReviewsIn)
    .output(ReviewsOut)
    .query(({ ctx, input }) => market(ctx.services).reviews(input)),
  developer: publicProcedure
    .input(DeveloperIn)
    .output(DeveloperOut)
    .query(({ ctx, input }) => market(ctx.services).developer(input.did)),
  putText: publicProcedure
    .input(PutTextIn)
    .output(PutTextOut)
    .mutation(({ ctx, input }) => market(ctx.services).texts.put(input.text, input.purpose)),
  use: publicProcedure
    .input(UseIn)
    .output(UseOut)
    .query(({ ctx, input }) => market(ctx.services).use(input.name, input.account)),
  install: publicProcedure
    .input(InstallIn)
    .output(InstallOut)
    .mutation(({ ctx, input }) => market(ctx.services).installer.install(input)),
  installPlan: publicProcedure
    .input(InstallPlanIn)
    .output(InstallPlanOut)
    .query(async ({ ctx, input }) => {
      const { manifest: _manifest, ...plan } = await market(ctx.services).installer.plan(input.name, input.version, input.application);
      return plan;
    }),
  installs: publicProcedure
    .input(InstallsIn)
    .output(InstallsOut)
    .query(({ ctx, input }) => market(ctx.services).installer.installs(input.application)),
});
