import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Response } from 'playwright-core';
import { z } from 'zod';
import { webDir } from './servers.ts';

/**
 * First-load JS per route: what a browser with an empty cache downloads as JavaScript to show the route, gzipped.
 * Each route is opened in a fresh browser context; every script response that arrives before the page's `load`
 * event counts (Next's own chunks, the route's, its layouts'), each once, at its gzip -9 size. Scripts fetched after
 * `load` (prefetches of linked routes, code split off with a dynamic import) are not first load.
 */

/** One page per route of the build; a route with a dynamic segment needs a sample value to be visited. */
export interface RouteLoad {
  route: string;
  /** The URL path opened, null when no sample value fills its dynamic segments. */
  path: string | null;
  /** null when not measured. */
  kbGz: number | null;
  scripts: number;
  /** Why it was not measured. */
  skipped?: string;
}

/** The build's app routes that are pages (`/explorer/blocks/[height]`), from its route manifest. */
export function builtRoutes(distDir: string): string[] {
  const manifest = z
    .record(z.string(), z.string())
    .parse(JSON.parse(readFileSync(join(webDir, distDir, 'app-path-routes-manifest.json'), 'utf8')));
  const routes = Object.entries(manifest)
    .filter(([entry, route]) => entry.endsWith('/page') && !route.startsWith('/_'))
    .map(([, route]) => route);
  return [...new Set(routes)].sort();
}

/** Values for dynamic segments, read from the node: a route's path with them filled in, or null. */
export type Samples = (route: string) => string | null;

const Page = <T extends z.ZodType>(item: T) => z.object({ result: z.object({ data: z.object({ items: z.array(item) }) }) });

/** Reads a real block, transaction, account, token, asset and blocklet from the node, so detail pages show data. */
export async function samplesFrom(nodeUrl: string): Promise<Samples> {
  const query = async <T extends z.ZodType>(procedure: string, input: unknown, schema: T): Promise<z.infer<T> | null> => {
    const response = await fetch(`${nodeUrl}/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`);
    if (!response.ok) return null;
    const parsed = schema.safeParse(await response.json());
    return parsed.success ? parsed.data : null;
  };
  const txs = await query(
    'tx.list',
    { limit: 100 },
    Page(z.object({ hash: z.string(), from: z.string(), height: z.number(), type: z.string() })),
  );
  const tokens = await query('token.list', { limit: 20 }, Page(z.object({ address: z.string(), native: z.boolean() })));
  const blocklets = await query(
    'blocklet.list',
    { limit: 1 },
    z.object({ result: z.object({ data: z.array(z.object({ name: z.string() })) }) }),
  );
  const tx = txs?.result.data.items[0];
  // An asset: one its creator still owns, if the chain holds any.
  const creator = txs?.result.data.items.find((t) => t.type === 'createAsset')?.from;
  const assets = creator ? await query('asset.listByOwner', { owner: creator, limit: 1 }, Page(z.object({ address: z.string() }))) : null;
  const asset = assets?.result.data.items[0];
  const token = tokens?.result.data.items.find((t) => !t.native) ?? tokens?.result.data.items[0];
  const values: Record<string, string | undefined> = {
    height: String(tx?.height ?? 1),
    hash: tx?.hash,
    did: tx?.from,
    name: blocklets?.result.data[0]?.name,
  };
  return (route) => {
    let missing = false;
    const path = route.replace(/\[([^\]]+)\]/g, (_, param: string) => {
      // `[address]` is a token's or an asset's.
      const value = param === 'address' ? (route.includes('/tokens/') ? token : asset)?.address : values[param];
      if (value === undefined) missing = true;
      return encodeURIComponent(value ?? '');
    });
    return missing ? null : path;
  };
}

/** Opens each route with an empty cache and sums its first-load scripts, gzipped. */
export async function measureFirstLoad(browser: Browser, webUrl: string, routes: string[], samples: Samples): Promise<RouteLoad[]> {
  const loads: RouteLoad[] = [];
  for (const route of routes) {
    const path = samples(route);
    if (path === null) {
      loads.push({ route, path, kbGz: null, scripts: 0, skipped: 'no sample value for its dynamic segment' });
      continue;
    }
    const { bytesGz, scripts } = await firstLoadScripts(browser, `${webUrl}${path}`);
    loads.push({ route, path, kbGz: bytesGz / 1024, scripts });
  }
  return loads;
}

async function firstLoadScripts(browser: Browser, url: string): Promise<{ bytesGz: number; scripts: number }> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const bodies = new Map<string, Promise<Buffer | null>>();
    let loaded = false;
    const onResponse = (response: Response) => {
      if (loaded || response.request().resourceType() !== 'script' || bodies.has(response.url())) return;
      // A script that fails to download is not loaded JS: it counts as nothing (and the page is likely broken).
      bodies.set(
        response.url(),
        response.body().catch(() => null),
      );
    };
    page.on('response', onResponse);
    await page.goto(url, { waitUntil: 'load' });
    loaded = true;
    page.off('response', onResponse);
    let bytesGz = 0;
    let scripts = 0;
    for (const body of await Promise.all(bodies.values())) {
      if (body === null) continue;
      bytesGz += gzipSync(body, { level: 9 }).length;
      scripts += 1;
    }
    return { bytesGz, scripts };
  } finally {
    await context.close();
  }
}
