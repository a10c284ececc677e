import { z } from 'zod';
import type { ChainConfig } from './ocap/config.ts';
import { startTestNode } from './testing.ts';

/**
 * A throwaway node for end-to-end tests: fresh database, seeded demo, PORT from the environment.
 * Prints `node listening on <url>` when ready; drops its database on SIGTERM/SIGINT.
 */
const env = z.object({ PORT: z.coerce.number().int().min(0).max(65535).default(0) }).parse(process.env);
// The chains a node reaches by default (its own ledger and a mock), and one whose RPC endpoint is down (port 9,
// discard, nothing listens) so the explorer shows an unavailable chain too.
const ocapChains: ChainConfig[] = [
  { name: 'arc', adapter: 'native' },
  { name: 'mock', adapter: 'mock', blockTimeMs: 1000, balances: {} },
  { name: 'ethereum', adapter: 'ethereum', rpcUrl: 'http://127.0.0.1:9' },
];
const node = await startTestNode({ port: env.PORT, seedDemo: true, blockIntervalMs: 1000, ocapChains, log: (l) => console.log(l) });
console.log(`node listening on ${node.url}`);
const stop = () => node.stop().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
