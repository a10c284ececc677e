/**
 * State of a sandbox worker shared by its parts (worker.mjs wires them): the pool's configuration, the isolates,
 * the running invocations, the host calls awaiting the pool, and the cache of blocklet sources by hash.
 */

const config = JSON.parse(process.argv[2] ?? '{}');
/** @type {typeof import('./limits.ts').SANDBOX_BOUNDS} */
export const bounds = config.bounds;
export const isolatesMax = config.isolatesPerWorkerMax;

/** Cached isolates by entryKey(deployment, hash, memoryMb), least recently used first. */
export const entries = new Map();
/** Invocations by the pool's id (also the token the SDK passes to the bridge). */
export const ops = new Map();
/** Host calls waiting for the pool's answer: the worker's callId → { op, shimCallId } (the shim's id in its isolate). */
export const hostCalls = new Map();

export const send = (message) => process.send?.(message);

/** Blocklet sources by hash, least recently used first. */
export const sources = new Map();
let sourceBytes = 0;

export function rememberSource(hash, source) {
  if (sources.has(hash)) {
    sources.delete(hash);
    sources.set(hash, source);
    return;
  }
  sources.set(hash, source);
  sourceBytes += source.length;
  for (const [oldHash, oldSource] of sources) {
    if (sourceBytes <= bounds.maxSourceCacheBytes || oldHash === hash) break;
    sources.delete(oldHash);
    sourceBytes -= oldSource.length;
  }
}

export function forgetSource(hash) {
  const source = sources.get(hash);
  if (source === undefined) return;
  sources.delete(hash);
  sourceBytes -= source.length;
}
