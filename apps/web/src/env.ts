import { z } from 'zod';

/**
 * The web server's environment, parsed once; nothing else reads `process.env`.
 * Read at request time (by the proxy and dynamic pages), so one build serves any node.
 */
const httpUrl = (name: string) =>
  z
    .url({ protocol: /^https?$/, error: `${name} must be an http(s) URL such as http://127.0.0.1:8080` })
    .transform((url) => url.replace(/\/+$/, ''));

const schema = z.object({
  /** Where the node's HTTP server listens, for this server: `/trpc` is forwarded there (src/proxy.ts). */
  NODE_URL: httpUrl('NODE_URL').default('http://127.0.0.1:8080'),
  /**
   * The node's URL as the BROWSER reaches it, for its Socket.io gateway (a rewrite cannot carry websockets):
   * e.g. https://node.example.com behind TLS, or the LAN address. Defaults to NODE_URL.
   */
  NODE_PUBLIC_URL: httpUrl('NODE_PUBLIC_URL').optional(),
});

function parseEnv() {
  const parsed = schema.safeParse({
    NODE_URL: process.env.NODE_URL || undefined,
    NODE_PUBLIC_URL: process.env.NODE_PUBLIC_URL || undefined,
  });
  if (!parsed.success) throw new Error(`Invalid environment for @arc/web:\n${z.prettifyError(parsed.error)}`);
  return { NODE_URL: parsed.data.NODE_URL, NODE_PUBLIC_URL: parsed.data.NODE_PUBLIC_URL ?? parsed.data.NODE_URL };
}

export const env = parseEnv();
