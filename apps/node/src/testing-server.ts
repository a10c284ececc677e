import { z } from 'zod';
import { startTestNode } from './testing.ts';

/**
 * A throwaway node for end-to-end tests: fresh database, seeded demo, PORT from the environment.
 * Prints `node listening on <url>` when ready; drops its database on SIGTERM/SIGINT.
 */
const env = z.object({ PORT: z.coerce.number().int().min(0).max(65535).default(0) }).parse(process.env);
const node = await startTestNode({ port: env.PORT, seedDemo: true, blockIntervalMs: 1000, log: (l) => console.log(l) });
console.log(`node listening on ${node.url}`);
const stop = () => node.stop().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
