import type { ChainAdapter, OcapSigner, OcapTx } from '@arc/core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { ConformanceApi, ConformanceHarness, ConformanceOptions } from './harness.ts';
import { level1Checks } from './level1.ts';
import type { SuiteScope } from './scope.ts';
import { streamChecks } from './stream.ts';
import { writeChecks } from './writes.ts';

export { expectOcapError } from './expect-error.ts';

/**
 * Declares the OCAP conformance suite through `api`: level 1 is mandatory; level 2 follows capabilities(), where a
 * `false` capability must throw ADAPTER_UNSUPPORTED and the checks that need it skip, saying which capability is missing.
 */
export function defineConformance(
  api: ConformanceApi,
  name: string,
  createHarness: () => Promise<ConformanceHarness>,
  options: ConformanceOptions = {},
): void {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const waitMs = Math.min(60_000, timeoutMs / 2);
  let harness: ConformanceHarness | undefined;

  const h = (): ConformanceHarness => {
    if (!harness) throw new Error('the conformance harness is not ready (createHarness failed or has not run)');
    return harness;
  };
  const a = (): ChainAdapter => h().adapter;
  const fresh = (): OcapSigner => a().signer(h().newSecretKey?.() ?? crypto.getRandomValues(new Uint8Array(32)));
  async function confirm(hash: string): Promise<OcapTx> {
    await h().mine(1);
    return a().waitForTransaction(hash, { confirmations: 1, timeoutMs: waitMs });
  }
  async function funded(amount: bigint): Promise<OcapSigner> {
    const signer = fresh();
    await confirm((await a().transfer(h().funded, { to: signer.address, amount })).hash);
    return signer;
  }
  const scope: SuiteScope = {
    it: api.it,
    h,
    a,
    fresh,
    confirm,
    funded,
    pollMs: options.pollMs ?? 50,
    waitMs,
    parallelSends: options.parallelSends ?? 50,
  };

  api.describe(`OCAP conformance: ${name}`, () => {
    api.beforeAll(async () => {
      harness = await createHarness();
    });
    api.afterAll(async () => {
      await harness?.adapter.close();
      await harness?.close?.();
    });
    api.describe('level 1', () => level1Checks(scope));
    api.describe('level 2 and 3: accounts, tokens, assets, broadcast, native', () => writeChecks(scope));
    api.describe('level 2: event stream', () => streamChecks(scope));
  });
}

/**
 * The OCAP conformance suite, registered with vitest. Every adapter (ours and third parties') runs it from a vitest
 * file: `runConformance('mychain', async () => harness)`.
 */
export function runConformance(name: string, createHarness: () => Promise<ConformanceHarness>, options: ConformanceOptions = {}): void {
  const timeout = options.timeoutMs ?? 120_000;
  defineConformance(
    {
      describe: (title, body) => describe(title, { timeout }, body),
      it: (title, fn) => it(title, (ctx) => fn({ skip: (reason) => ctx.skip(reason) })),
      beforeAll: (fn) => beforeAll(fn, timeout),
      afterAll: (fn) => afterAll(fn, timeout),
    },
    name,
    createHarness,
    options,
  );
}
