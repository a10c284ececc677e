import { type ArcClient, createClient } from '@arc/client/client';

let client: ArcClient | null = null;

/** The @arc/client of the node behind this web server (same origin: /trpc is forwarded to the node). */
export function nodeClient(): ArcClient {
  client ??= createClient({ url: window.location.origin });
  return client;
}
