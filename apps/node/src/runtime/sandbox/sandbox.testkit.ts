import { createHash } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';
import { createSandboxPool } from './pool.ts';
import type { InvokeRequest, InvokeResult, SandboxCode, SandboxLimits, SandboxPool } from './types.ts';

/** Shared by the sandbox's test files: a pool per file, code builders and result checks. */

export const limits: SandboxLimits = { cpuMs: 300, memoryMb: 32, timeoutMs: 3000 };
export const noHost = async (): Promise<unknown> => null;

/** A deployment of `source`; each distinct source is its own deployment unless `deployment` is given. */
export function code(source: string, deployment?: string): SandboxCode {
  const hash = createHash('sha256').update(source).digest('hex');
  return { deployment: deployment ?? `test@${hash.slice(0, 16)}`, hash, source };
}

/** A blocklet whose `call` handler runs `body` with (input, ctx) in scope. */
export function blocklet(body: string): SandboxCode {
  return code(`export default { async call(input, ctx) { ${body} } };`);
}

export const echo = blocklet('return { echo: input };');

/** A pool of two workers for the test file that calls this at its top level. */
export function useSandboxPool() {
  const kit = {
    pool: undefined as unknown as SandboxPool,
    invoke(c: SandboxCode, overrides: Partial<InvokeRequest> = {}): Promise<InvokeResult> {
      return kit.pool.invoke({ code: c, handler: 'call', input: null, env: {}, limits, host: noHost, ...overrides });
    },
    /** After every attack the pool must keep serving other code. */
    async expectPoolServes(): Promise<void> {
      const result = await kit.invoke(echo, { input: 'still here' });
      expect(result).toMatchObject({ ok: true, output: { echo: 'still here' } });
    },
  };
  beforeAll(async () => {
    kit.pool = await createSandboxPool({ workers: 2, log: () => {} });
  });
  afterAll(async () => {
    await kit.pool?.close();
  });
  return kit;
}

export function expectError(result: InvokeResult, code: string): string {
  expect(result.ok, JSON.stringify(result)).toBe(false);
  if (result.ok) throw new Error('unreachable');
  expect(result.error.code).toBe(code);
  return result.error.message;
}
