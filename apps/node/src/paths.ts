import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The node app's folder (apps/node): one level up from here, which is the same folder from the sources
 * (src/paths.ts, run through tsx) and from the bundle (dist/main.mjs, what `npm start` runs). Files the node reads or
 * starts beside its code (migrations, the dev genesis, worker scripts, built-in components) are named from it.
 */
export const NODE_APP_DIR = fileURLToPath(new URL('../', import.meta.url));

export function nodeAppPath(...parts: string[]): string {
  return join(NODE_APP_DIR, ...parts);
}
