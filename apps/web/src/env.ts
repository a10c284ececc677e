import { z } from 'zod';

/**
 * The web server's environment, parsed once; nothing else reads `process.env`.
 * Read at request time (by the proxy and dynamic pages), so one build serves any node.
 */
const schema = z.object({
  /** Where the node's HTTP server listens; the browser reaches it only through this server's `/trpc`. */
  NODE_URL: z
    .url({ protocol: /^https?$/, error: 'NODE_URL must be an http(s) URL such as http://127.0.0.1:8080' })
    .default('http://127.0.0.1:8080')
    .transform((url) => url.replace(/\/+$/, '')),
});

function parseEnv() {
  const parsed = schema.safeParse({ NODE_URL: process.env.NODE_URL || undefined });
  if (!parsed.success) throw new Error(`Invalid environment for @arc/web:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export const env = parseEnv();
