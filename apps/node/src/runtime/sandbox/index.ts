export { DeferredSandboxPool, SANDBOX_STARTS, type SandboxStart } from './deferred.ts';
export { SANDBOX_BOUNDS } from './limits.ts';
export { createSandboxPool } from './pool.ts';
export * from './types.ts';
