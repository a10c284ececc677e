import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { nodeAppPath } from '../../paths.ts';

/** Where the built-in components live, one folder each. */
export const COMPONENTS_DIR = `${nodeAppPath('src/runtime/components')}/`;

/** The built-in components by folder name. */
export const COMPONENT_NAMES = ['identity', 'token', 'messaging', 'notification', 'oracle'] as const;

/**
 * The manifest and the source files of a blocklet folder, as `arc blocklet deploy` reads them: a symbolic link to
 * a file counts as that file (each component links to the shared `request.ts`, shared/request.ts).
 */
export function readFolder(dir: string): { manifest: string; files: Record<string, string> } {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!/\.(m?[jt]s|json)$/.test(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isFile() || (entry.isSymbolicLink() && statSync(path).isFile())) files[entry.name] = readFileSync(path, 'utf8');
  }
  return { manifest: readFileSync(join(dir, 'blocklet.yml'), 'utf8'), files };
}
