import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * The SDK's source file, as @arc/core exports it. @arc/core is not published, so a project made by
 * `arc blocklet init` (outside this monorepo, nothing installed) cannot import it: the CLI writes the SDK's own
 * declarations into the project's types.d.ts instead, read from this file when the project is made.
 */
const SDK_SOURCE_PATH = createRequire(import.meta.url).resolve('@arc/core/blocklet/sdk.ts');

/**
 * The interfaces of an SDK source text, each with the doc comment above it, exactly as written: top-level
 * `export interface` blocks that end at a closing brace in the first column. Values (the error table) are left
 * out: a blocklet's types need none, and a declaration file cannot hold them.
 */
export function sdkInterfaces(source: string): string[] {
  const lines = source.split('\n');
  const blocks: string[] = [];
  for (let start = 0; start < lines.length; start += 1) {
    if (!/^export interface \w+/.test(lines[start] ?? '')) continue;
    let end = start;
    while (end < lines.length && lines[end] !== '}') end += 1;
    if (end === lines.length) throw new Error(`the SDK's interface at line ${start + 1} has no closing brace in the first column`);
    let first = start;
    if (lines[start - 1]?.trimEnd().endsWith('*/')) {
      first -= 1;
      while (first > 0 && !(lines[first] ?? '').startsWith('/**')) first -= 1;
    }
    blocks.push(lines.slice(first, end + 1).join('\n'));
    start = end;
  }
  return blocks;
}

/** The types.d.ts of a new project: the SDK's interfaces, taken from @arc/core's source when the project is made. */
export function sdkTypesFile(source = readFileSync(SDK_SOURCE_PATH, 'utf8')): string {
  const blocks = sdkInterfaces(source);
  if (blocks.length === 0) throw new Error(`no SDK interfaces found in ${SDK_SOURCE_PATH}`);
  const header = [
    '// The SDK a blocklet sees, written by `arc blocklet init` from the SDK of the Arc platform',
    '// (@arc/core, packages/core/src/blocklet/sdk.ts). Run `arc blocklet init` again elsewhere to get newer types.',
  ].join('\n');
  return `${header}\n\n${blocks.join('\n\n')}\n`;
}
