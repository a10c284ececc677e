import { z } from 'zod';

/**
 * Which web pages may call the node from a browser (HTTP: tRPC, blocklet routes; Socket.io: the gateway):
 * `*` for any, or a list of origins. Requests without an Origin header (servers, the CLI, Node clients) and
 * pages the node serves itself (same origin) are always let through: CORS only guards what browsers send.
 */
export type CorsOrigins = '*' | readonly string[];

/** The web app's origins as `npm start` runs it (WEB_PORT 3000): its two loopback names. */
export const CORS_ORIGINS_DEFAULT: readonly string[] = ['http://127.0.0.1:3000', 'http://localhost:3000'];

/** Origins in one list, each at most this long (a URL's scheme, host and port). */
export const CORS_LIMITS = { originsMax: 64, originChars: 300 } as const;

/** An origin as browsers send it: scheme://host[:port], lower case, no path. */
function normalizeOrigin(entry: string): string | null {
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '') return null;
  return url.origin;
}

/** CORS_ORIGINS: `*`, or a comma-separated list of origins such as `https://app.example.com,http://localhost:3000`. */
export const CorsOriginsSchema = z
  .string()
  .max(CORS_LIMITS.originsMax * CORS_LIMITS.originChars)
  .default(CORS_ORIGINS_DEFAULT.join(','))
  .transform((value, ctx): CorsOrigins => {
    const entries = value
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '');
    if (entries.includes('*')) {
      if (entries.length > 1) ctx.addIssue({ code: 'custom', message: '`*` allows every origin: give it alone or list origins' });
      return '*';
    }
    if (entries.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'give `*` or at least one origin such as http://localhost:3000' });
      return [];
    }
    if (entries.length > CORS_LIMITS.originsMax) ctx.addIssue({ code: 'custom', message: `at most ${CORS_LIMITS.originsMax} origins` });
    const origins: string[] = [];
    for (const entry of entries) {
      const origin = normalizeOrigin(entry);
      if (origin === null) {
        ctx.addIssue({
          code: 'custom',
          message: `"${entry.slice(0, 100)}" is not an origin: scheme, host and port only, such as https://app.example.com`,
        });
      } else origins.push(origin);
    }
    return origins;
  });

/**
 * Whether a browser request from `origin` may read the node's answer. `host` is the request's Host header:
 * a page the node serves itself (a blocklet's page) is same-origin, whatever the list says.
 */
export function originAllowed(origin: string | undefined, allowed: CorsOrigins, host: string | undefined): boolean {
  if (origin === undefined || allowed === '*') return true;
  const normalized = origin.toLowerCase();
  if (allowed.includes(normalized)) return true;
  try {
    return host !== undefined && new URL(normalized).host === host.toLowerCase();
  } catch {
    return false;
  }
}

/** The sentence a refused origin gets. */
export function originRefusal(origin: string): string {
  return `The node does not accept browser requests from ${origin.slice(0, CORS_LIMITS.originChars)}; add it to the node's CORS_ORIGINS.`;
}
