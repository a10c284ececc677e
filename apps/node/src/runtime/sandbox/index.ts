export { DeferredSandboxPool } from './deferred.ts';
export { SANDBOX_BOUNDS } from './limits.ts';
export { createSandboxPool } from './pool.ts';
export * from './types.ts';
