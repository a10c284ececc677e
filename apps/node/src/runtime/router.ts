import { join } from 'node:path';
import { publicProcedure, router } from '../api/trpc.ts';
import { NodeError } from '../errors.ts';
import {
  AliasOut,
  BlockletOut,
  BuiltinIn,
  BuiltinOut,
  DeployIn,
  DeployOut,
  EnvOut,
  GetIn,
  GetOut,
  InvokeIn,
  InvokeOut,
  ListEnvIn,
  ListIn,
  LogsIn,
  LogsOut,
  MetricsIn,
  MetricsOut,
  SetAliasIn,
  SetEnvIn,
  UploadIn,
  UploadOut,
  UsageIn,
  UsageOut,
} from './api-schemas.ts';
import { COMPONENTS_DIR, readFolder } from './components/index.ts';
import { readLogs, readMetrics, readUsage } from './observe.ts';

/** Drops the fields that are not the signed parameters of an admin call. */
function paramsOf<T extends { name: string; auth: unknown }>(input: T): Omit<T, 'name' | 'auth'> {
  const { name: _name, auth: _auth, ...params } = input;
  return params;
}

/** Blocklets over tRPC: upload and deploy, aliases (rollback), environment, logs, metrics, usage, direct calls. */
export const blockletRouter = router({
  upload: publicProcedure
    .input(UploadIn)
    .output(UploadOut)
    .mutation(({ ctx, input }) => ctx.services.runtime.upload(input)),

  deploy: publicProcedure
    .input(DeployIn)
    .output(DeployOut)
    .mutation(({ ctx, input }) => ctx.services.runtime.deploy(input)),

  list: publicProcedure
    .input(ListIn)
    .output(BlockletOut.array())
    .query(async ({ ctx, input }) => {
      const rows = await ctx.services.runtime.registry.list(input.cursor, input.limit);
      return Promise.all(rows.map((row) => ctx.services.runtime.summary(row.name)));
    }),

  /** A built-in component's manifest and sources, to deploy under the caller's own name and DID. */
  builtin: publicProcedure
    .input(BuiltinIn)
    .output(BuiltinOut)
    .query(({ input }) => readFolder(join(COMPONENTS_DIR, input.component))),

  get: publicProcedure
    .input(GetIn)
    .output(GetOut)
    .query(({ ctx, input }) => ctx.services.runtime.summary(input.name)),

  setAlias: publicProcedure
    .input(SetAliasIn)
    .output(AliasOut.array())
    .mutation(async ({ ctx, input }) => {
      await ctx.services.runtime.authorize(input.name, 'setAlias', paramsOf(input), input.auth);
      return ctx.services.runtime.setAlias(input.name, input.alias, input.version, input.shareBps);
    }),

  setEnv: publicProcedure.input(SetEnvIn).mutation(async ({ ctx, input }) => {
    await ctx.services.runtime.authorize(input.name, 'setEnv', paramsOf(input), input.auth);
    await ctx.services.runtime.setEnv(input.name, input.key, input.value, input.secure);
    return { ok: true };
  }),

  listEnv: publicProcedure
    .input(ListEnvIn)
    .output(EnvOut)
    .query(async ({ ctx, input }) => {
      await ctx.services.runtime.authorize(input.name, 'listEnv', paramsOf(input), input.auth);
      return ctx.services.runtime.listEnv(input.name);
    }),

  logs: publicProcedure
    .input(LogsIn)
    .output(LogsOut)
    .query(async ({ ctx, input }) => {
      await ctx.services.runtime.authorize(input.name, 'logs', paramsOf(input), input.auth);
      return readLogs(ctx.services.runtime.deps.db, input.name, input.cursor, input.limit);
    }),

  metrics: publicProcedure
    .input(MetricsIn)
    .output(MetricsOut)
    .query(({ ctx, input }) => readMetrics(ctx.services.runtime.deps.db, input.name, input.sinceMs ?? 0)),

  usage: publicProcedure
    .input(UsageIn)
    .output(UsageOut)
    .query(({ ctx, input }) => readUsage(ctx.services.runtime.deps.db, input.name, input.periodStartMs ?? 0)),

  invoke: publicProcedure
    .input(InvokeIn)
    .output(InvokeOut)
    .mutation(async ({ ctx, input }) => {
      const outcome = await ctx.services.runtime.invoke(input.name, {
        handler: input.handler,
        input: input.input,
        target: input.target,
        trigger: 'call',
      });
      if (!outcome.ok)
        throw new NodeError((outcome.error?.code ?? 'BLOCKLET_ERROR') as never, outcome.error?.message ?? 'The blocklet failed.');
      return {
        invocationId: outcome.invocationId,
        version: outcome.version,
        output: (outcome.output ?? null) as never,
        usage: outcome.usage,
      };
    }),
});
