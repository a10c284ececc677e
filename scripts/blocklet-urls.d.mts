/** Types of blocklet-urls.mjs (plain JS, run by `npm start` without a build). */
export declare const BLOCKLET_URL_LIMITS: { routesTriedMax: number; requestTimeoutMs: number; blockletsMax: number };
export declare function samplePaths(manifest: unknown, owner: string, samples?: { token?: string | null }): string[];
export declare function blockletUrls(
  nodeUrl: string,
  fetchImpl?: typeof fetch,
): Promise<{ name: string; url: string | null; problem?: string }[]>;
