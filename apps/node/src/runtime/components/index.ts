import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the built-in components live, one folder each. */
export const COMPONENTS_DIR = fileURLToPath(new URL('./', import.meta.url));

/** The built-in components by folder name. */
export const COMPONENT_NAMES = ['identity', 'token', 'messaging', 'notification', 'oracle'] as const;

/** The manifest and the source files of a blocklet folder, as `arc blocklet deploy` reads them. */
export function readFolder(dir: string): { manifest: string; files: Record<string, string> } {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile() && /\.(m?[jt]s|json)$/.test(entry.name)) files[entry.name] = readFileSync(join(dir, entry.name), 'utf8');
  }
  return { manifest: readFileSync(join(dir, 'blocklet.yml'), 'utf8'), files };
}
