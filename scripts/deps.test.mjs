import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { checkDependencies, importsOf } from './deps.mjs';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

const WORKSPACES = {
  '@arc/core': 'packages/core',
  '@arc/adapters': 'packages/adapters',
  '@arc/client': 'packages/client',
  '@arc/ui': 'packages/ui',
  '@arc/node': 'apps/node',
  '@arc/web': 'apps/web',
  '@arc/cli': 'apps/cli',
};

const made = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A checkout with our seven workspaces (package.json per `deps`) and the given source files. */
function fixture({ files = {}, deps = {}, extraWorkspaces = {} } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'arc-deps-'));
  made.push(root);
  const write = (path, text) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  write('package.json', JSON.stringify({ name: 'root', private: true, workspaces: ['apps/*', 'packages/*'] }));
  for (const [name, dir] of Object.entries({ ...WORKSPACES, ...extraWorkspaces })) {
    write(`${dir}/package.json`, JSON.stringify({ name, ...(deps[name] ?? {}) }));
  }
  for (const [path, text] of Object.entries(files)) write(path, text);
  return root;
}

describe('dependency direction (DESIGN.md)', () => {
  it('holds in this repository', () => {
    expect(checkDependencies(repoRoot)).toEqual([]);
  });

  it('accepts the allowed edges, type-only router imports and test-only node harnesses', () => {
    const root = fixture({
      deps: { '@arc/adapters': { dependencies: { '@arc/core': '*' } }, '@arc/node': { devDependencies: { '@arc/client': '*' } } },
      files: {
        'packages/adapters/src/a.ts': "import { OcapError } from '@arc/core';\n",
        'packages/client/src/c.ts':
          "import type { AppRouter } from '@arc/node/router';\nimport {\n  type A,\n  type B,\n} from '@arc/node/router';\n",
        'packages/client/src/c.integration.test.ts': "import { startTestNode } from '@arc/node/testing';\n",
        'packages/client/src/r.integration.test.ts': "import { startChildNode } from '../../../apps/node/test/helpers/child-node.ts';\n",
        'packages/ui/src/u.tsx': "import type { Tx } from '@arc/core';\nexport type { OcapTx } from '@arc/core';\n",
        'apps/node/test/n.test.ts': "import { ArcClient } from '@arc/client';\nimport { createNativeAdapter } from '@arc/adapters';\n",
        'apps/web/src/w.ts': "import { ArcClient } from '@arc/client';\nimport { Button } from '@arc/ui';\n",
        'apps/cli/src/cli.ts':
          "// import { startNode } from '@arc/node';\n/* import '@arc/adapters' */\nimport { ArcClient } from '@arc/client';\n",
      },
    });
    expect(checkDependencies(root)).toEqual([]);
  });

  it('fails on the adapters importing the client, in code, tests and package.json (the old native adapter)', () => {
    const root = fixture({
      deps: { '@arc/adapters': { dependencies: { '@arc/client': '*', '@arc/core': '*' } } },
      files: {
        'packages/adapters/src/native/adapter.ts':
          "import { OcapError } from '@arc/core';\nimport { ArcClient, buildTx } from '@arc/client';\n",
        'packages/adapters/src/native/records.ts': "import type { Block, TxRecord } from '@arc/client';\n",
        'packages/adapters/src/native/native.test.ts': "import { startTestNode } from '@arc/node/testing';\n",
      },
    });
    expect(checkDependencies(root)).toEqual([
      'packages/adapters/package.json: @arc/adapters lists @arc/client in dependencies, but @arc/adapters may depend on @arc/core (DESIGN.md, Dependency direction).',
      'packages/adapters/src/native/adapter.ts:2: @arc/adapters imports "@arc/client", but @arc/adapters may import @arc/core (DESIGN.md, Dependency direction).',
      'packages/adapters/src/native/native.test.ts:1: @arc/adapters imports "@arc/node/testing", but nothing imports an app (a type-only import of @arc/node/router is the one exception), in its tests too (DESIGN.md, Dependency direction).',
      'packages/adapters/src/native/records.ts:1: @arc/adapters imports types from "@arc/client", but @arc/adapters may import @arc/core (DESIGN.md, Dependency direction).',
    ]);
  });

  it('fails on an app imported for its code, core importing anything of ours, ui importing core at run time', () => {
    const root = fixture({
      files: {
        'packages/client/src/c.ts': "import { appRouter } from '@arc/node/router';\n",
        'packages/core/src/k.ts': "export const load = () => import('@arc/adapters');\n",
        'packages/ui/src/u.tsx': "import { formatAmount } from '@arc/core';\n",
        'apps/cli/src/x.ts': "import '@arc/web';\n",
        'apps/node/src/n.ts': "import { ArcClient } from '@arc/client';\n",
      },
    });
    const problems = checkDependencies(root);
    expect(problems).toHaveLength(5);
    expect(problems[0]).toMatch(/^apps\/cli\/src\/x\.ts:1: .*"@arc\/web".*nothing imports an app/);
    expect(problems[1]).toMatch(
      /^apps\/node\/src\/n\.ts:1: @arc\/node imports "@arc\/client", but @arc\/node may import @arc\/core, @arc\/adapters/,
    );
    expect(problems[2]).toMatch(/^packages\/client\/src\/c\.ts:1: .*"@arc\/node\/router".*nothing imports an app/);
    expect(problems[3]).toMatch(
      /^packages\/core\/src\/k\.ts:1: @arc\/core imports "@arc\/adapters", but @arc\/core may import no other package of ours/,
    );
    expect(problems[4]).toMatch(/^packages\/ui\/src\/u\.tsx:1: @arc\/ui imports "@arc\/core", but @arc\/ui may import types of @arc\/core/);
  });

  it('fails on a relative path into another workspace that the edges do not allow, and on an unknown workspace', () => {
    const root = fixture({
      extraWorkspaces: { '@arc/extra': 'packages/extra' },
      files: {
        'packages/adapters/src/native/blocks.ts': "import { BlockSchema } from '../../../client/src/schemas.ts';\n",
        'packages/adapters/test/n.test.ts': "import { startChildNode } from '../../../apps/node/test/helpers/child-node.ts';\n",
      },
    });
    const problems = checkDependencies(root);
    expect(problems).toEqual([
      expect.stringMatching(
        /^packages\/adapters\/src\/native\/blocks\.ts:1: .*relative path .* into @arc\/client\), but @arc\/adapters may import @arc\/core/,
      ),
      expect.stringMatching(/^packages\/adapters\/test\/n\.test\.ts:1: .*into @arc\/node\), but nothing imports an app/),
      expect.stringMatching(/^packages\/extra\/package\.json: workspace @arc\/extra has no place/),
    ]);
  });

  it('reads type-only imports as such', () => {
    const found = importsOf(
      "import type { A } from 'a';\nimport { type B, type C } from 'b';\nimport { type D, E } from 'c';\nexport type { F } from 'd';\ntype G = typeof import('e');\nimport H, { type I } from 'f';\n",
    );
    expect(found.map((f) => [f.specifier, f.typeOnly, f.line])).toEqual([
      ['a', true, 1],
      ['b', true, 2],
      ['c', false, 3],
      ['d', true, 4],
      ['f', false, 6],
      ['e', true, 5],
    ]);
  });
});
