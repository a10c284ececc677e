// What `npm start` prints for each blocklet the node serves: one URL of it that answers 200, found from the
// blocklet's own manifest (its GET routes; `:did`/`:owner` filled with the blocklet's owner, `:address`/`:token` with
// an application token of the chain when it has one, other parameters with a sample word), so a newcomer has
// something to open for every built-in component.

/** Requests per blocklet at most, and how long each may take. */
export const BLOCKLET_URL_LIMITS = { routesTriedMax: 6, requestTimeoutMs: 5_000, blockletsMax: 100 };

/** GET of a tRPC query of the node, answering its data. */
async function trpcQuery(nodeUrl, path, input, fetchImpl) {
  const response = await fetchImpl(`${nodeUrl}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`, {
    signal: AbortSignal.timeout(BLOCKLET_URL_LIMITS.requestTimeoutMs),
  });
  if (!response.ok) throw new Error(`${path} answered HTTP ${response.status}`);
  const body = await response.json();
  return body.result.data;
}

/** The GET paths of a manifest's HTTP triggers, parameters filled in, simplest first. */
export function samplePaths(manifest, owner, samples = {}) {
  const routes = manifest?.interfaces?.http ?? [];
  const paths = [];
  for (const route of Array.isArray(routes) ? routes : []) {
    if (typeof route?.path !== 'string') continue;
    const methods = Array.isArray(route.methods) ? route.methods : ['GET'];
    if (!methods.includes('GET')) continue;
    const filled = route.path.replace(/:([A-Za-z_]\w*)/g, (_, name) => {
      if (/^(did|owner|author|user)$/i.test(name)) return owner;
      if (/^(address|token)$/i.test(name) && typeof samples.token === 'string') return samples.token;
      return 'lobby';
    });
    paths.push({ params: (route.path.match(/:/g) ?? []).length, path: filled });
  }
  return paths.sort((a, b) => a.params - b.params).map((entry) => entry.path);
}

/** The address of the chain's first application token (the native one has no address), or null. */
async function sampleToken(nodeUrl, fetchImpl) {
  try {
    const page = await trpcQuery(nodeUrl, 'token.list', { limit: 5 }, fetchImpl);
    return page.items.find((token) => token.native !== true && typeof token.address === 'string')?.address ?? null;
  } catch {
    return null;
  }
}

/**
 * Each blocklet of the node with the first URL of it that answered 200, or null and what the last try answered.
 * Never throws for one blocklet: a newcomer's start must not fail because a sample route did not answer.
 */
export async function blockletUrls(nodeUrl, fetchImpl = fetch) {
  const list = await trpcQuery(nodeUrl, 'blocklet.list', { limit: BLOCKLET_URL_LIMITS.blockletsMax }, fetchImpl);
  const samples = { token: await sampleToken(nodeUrl, fetchImpl) };
  const found = [];
  for (const summary of list) {
    let url = null;
    let last = 'no GET route';
    try {
      const blocklet = await trpcQuery(nodeUrl, 'blocklet.get', { name: summary.name }, fetchImpl);
      for (const path of samplePaths(blocklet.manifest, blocklet.owner, samples).slice(0, BLOCKLET_URL_LIMITS.routesTriedMax)) {
        const candidate = `${nodeUrl}/b/${summary.name}${path}`;
        const response = await fetchImpl(candidate, { signal: AbortSignal.timeout(BLOCKLET_URL_LIMITS.requestTimeoutMs) });
        await response.arrayBuffer();
        if (response.status === 200) {
          url = candidate;
          break;
        }
        last = `HTTP ${response.status} at ${path}`;
      }
    } catch (error) {
      last = error.message;
    }
    found.push({ name: summary.name, url, ...(url === null ? { problem: last } : {}) });
  }
  return found;
}
