// The dependency direction of DESIGN.md ("Dependency direction"), checked over a checkout: every workspace's
// package.json and every import in its sources. `checkDependencies(root)` returns one sentence per broken rule;
// scripts/deps.test.mjs runs it in `npm test`, and `node scripts/deps.mjs [root]` prints the sentences.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Which of our packages each package may import (DESIGN.md). `types` lists packages it may import types from only.
 * Nothing imports an app: the one exception is a type-only import of the node's router (ROUTER_TYPE).
 */
export const ALLOWED = {
  '@arc/core': { imports: [], types: [] },
  '@arc/adapters': { imports: ['@arc/core'], types: [] },
  '@arc/node': { imports: ['@arc/core', '@arc/adapters'], types: [] },
  '@arc/client': { imports: ['@arc/core'], types: [] },
  '@arc/ui': { imports: [], types: ['@arc/core'] },
  '@arc/web': { imports: ['@arc/client', '@arc/ui', '@arc/core'], types: [] },
  '@arc/cli': { imports: ['@arc/client', '@arc/core'], types: [] },
};

/** The node's router: any package may import its type (the typed tRPC client), never its code. */
export const ROUTER_TYPE = '@arc/node/router';

/**
 * What tests (and test helpers) may import besides. `testing`: packages whose testing surface they may use (the
 * `<package>/testing` entry, or that package's own test helpers): the packages that talk to the node over HTTP
 * start the real node they talk to. `imports`: packages they may import: the node's tests drive it through the
 * client its users hold (the HTTP NodeApi). The adapters never learn that a node exists: their tests import no
 * app and no client.
 */
export const TEST_ALLOWED = {
  '@arc/client': { testing: ['@arc/node'], imports: [] },
  '@arc/cli': { testing: ['@arc/node'], imports: [] },
  '@arc/web': { testing: ['@arc/node'], imports: [] },
  '@arc/node': { testing: [], imports: ['@arc/client'] },
};

const SOURCE_DIRS = ['src', 'bench', 'test', 'scripts', 'bin', 'e2e'];
const SOURCE_FILE = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;
const SKIP_DIRS = new Set(['node_modules', '.next', 'dist', '.turbo', 'coverage']);
const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'];

/** A test or a test helper: `*.test.*`, or anything under a `test`, `tests` or `testing` folder, or `testing.ts`. */
export function isTestFile(path) {
  const parts = path.split(/[\\/]/);
  const base = parts[parts.length - 1] ?? '';
  return (
    /\.test\.[a-z]+$/.test(base) || /^testing\.[a-z]+$/.test(base) || parts.some((p) => p === 'test' || p === 'tests' || p === 'testing')
  );
}

function workspaceDirs(root) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const dirs = [];
  for (const pattern of pkg.workspaces ?? []) {
    if (!pattern.endsWith('/*')) {
      dirs.push(join(root, pattern));
      continue;
    }
    const parent = join(root, pattern.slice(0, -2));
    for (const name of readdirSync(parent).sort()) {
      if (statSync(join(parent, name)).isDirectory()) dirs.push(join(parent, name));
    }
  }
  return dirs.filter((dir) => {
    try {
      return statSync(join(dir, 'package.json')).isFile();
    } catch {
      return false;
    }
  });
}

function sourceFiles(dir) {
  const files = [];
  const walk = (at) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      if (SKIP_DIRS.has(entry.name)) continue;
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (SOURCE_FILE.test(entry.name) && !entry.name.endsWith('.d.ts')) files.push(path);
    }
  };
  for (const sub of SOURCE_DIRS) {
    try {
      if (statSync(join(dir, sub)).isDirectory()) walk(join(dir, sub));
    } catch {
      // no such folder
    }
  }
  return files.sort();
}

/** Blanks comments (keeping line breaks) so an import inside a comment or doc example is not read as one. */
function stripComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\/|(^|[^:\\'"`])\/\/[^\n]*/g, (match, lead = '') =>
    match.startsWith('/*') ? match.replace(/[^\n]/g, ' ') : lead,
  );
}

const STATIC = /(^|[;\n}])\s*(import|export)\s+(type\s+)?([\s\S]*?)\s+from\s+['"]([^'"]+)['"]/g;
const BARE = /(^|[;\n}])\s*import\s+['"]([^'"]+)['"]/g;
const DYNAMIC = /(typeof\s+)?\b(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every module specifier of a source text, with whether only types cross (`import type`, all-`type` braces, `typeof import`). */
export function importsOf(text) {
  const code = stripComments(text);
  const found = [];
  const lineOf = (index) => code.slice(0, index).split('\n').length;
  for (const m of code.matchAll(STATIC)) {
    const clause = m[4].trim();
    const braces = /^\{([\s\S]*)\}$/.exec(clause);
    const names = braces
      ? braces[1]
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : null;
    const allTypes = names !== null && names.length > 0 && names.every((n) => n.startsWith('type '));
    found.push({ specifier: m[5], typeOnly: Boolean(m[3]) || allTypes, line: lineOf(m.index + m[0].indexOf(m[2], m[1].length)) });
  }
  for (const m of code.matchAll(BARE))
    found.push({ specifier: m[2], typeOnly: false, line: lineOf(m.index + m[0].indexOf('import', m[1].length)) });
  for (const m of code.matchAll(DYNAMIC)) found.push({ specifier: m[2], typeOnly: Boolean(m[1]), line: lineOf(m.index) });
  return found;
}

/** The package a specifier names (`@arc/node/testing` → `@arc/node`), or null for anything else. */
function packageOf(specifier) {
  const m = /^(@arc\/[^/]+)(\/.*)?$/.exec(specifier);
  return m ? m[1] : null;
}

function describeAllowed(name) {
  const rule = ALLOWED[name];
  const parts = [];
  if (rule.imports.length > 0) parts.push(rule.imports.join(', '));
  if (rule.types.length > 0) parts.push(`types of ${rule.types.join(', ')}`);
  return parts.length > 0 ? parts.join(' and ') : 'no other package of ours';
}

/**
 * Every broken rule of the dependency direction under `root`, as sentences naming the file (or package.json) and
 * the rule. An empty list means the checkout follows DESIGN.md.
 */
export function checkDependencies(root) {
  const problems = [];
  const workspaces = workspaceDirs(root).map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }));
  const byDir = workspaces.map((w) => ({ dir: resolve(w.dir) + sep, name: w.pkg.name }));
  const rel = (path) => relative(root, path).split(sep).join('/');

  for (const { dir, pkg } of workspaces) {
    const name = pkg.name;
    const rule = ALLOWED[name];
    if (!rule) {
      problems.push(
        `${rel(join(dir, 'package.json'))}: workspace ${name} has no place in DESIGN.md's dependency direction; add it to scripts/deps.mjs ALLOWED.`,
      );
      continue;
    }
    for (const field of DEPENDENCY_FIELDS) {
      for (const dep of Object.keys(pkg[field] ?? {})) {
        if (!dep.startsWith('@arc/') || dep === name) continue;
        const ok =
          rule.imports.includes(dep) ||
          rule.types.includes(dep) ||
          (field === 'devDependencies' && [...(TEST_ALLOWED[name]?.testing ?? []), ...(TEST_ALLOWED[name]?.imports ?? [])].includes(dep));
        if (!ok) {
          problems.push(
            `${rel(join(dir, 'package.json'))}: ${name} lists ${dep} in ${field}, but ${name} may depend on ${describeAllowed(name)} (DESIGN.md, Dependency direction).`,
          );
        }
      }
    }
    for (const file of sourceFiles(dir)) {
      const test = isTestFile(rel(file));
      for (const { specifier, typeOnly, line } of importsOf(readFileSync(file, 'utf8'))) {
        let target;
        let testing;
        if (specifier.startsWith('.')) {
          // A relative path that leaves the package is an import of whichever workspace it lands in.
          const path = resolve(dirname(file), specifier);
          const into = byDir.find((w) => (path + sep).startsWith(w.dir));
          if (!into || into.name === name) continue;
          target = into.name;
          testing = isTestFile(rel(path));
        } else {
          target = packageOf(specifier);
          if (target === null || target === name) continue;
          if (specifier === ROUTER_TYPE && typeOnly) continue;
          testing = specifier === `${target}/testing`;
        }
        if (rule.imports.includes(target)) continue;
        if (rule.types.includes(target) && typeOnly) continue;
        if (test && testing && TEST_ALLOWED[name]?.testing.includes(target)) continue;
        if (test && TEST_ALLOWED[name]?.imports.includes(target)) continue;
        const isApp = workspaces.some((w) => w.pkg.name === target && rel(w.dir).startsWith('apps/'));
        const why = isApp
          ? `nothing imports an app (a type-only import of ${ROUTER_TYPE} is the one exception)`
          : `${name} may import ${describeAllowed(name)}`;
        const testNote = test && TEST_ALLOWED[name] ? '' : test ? ', in its tests too' : '';
        const kind = typeOnly ? 'types from ' : '';
        const how = specifier.startsWith('.') ? ` (through the relative path "${specifier}", into ${target})` : '';
        problems.push(
          `${rel(file)}:${line}: ${name} imports ${kind}"${specifier}"${how}, but ${why}${testNote} (DESIGN.md, Dependency direction).`,
        );
      }
    }
  }
  return problems;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
  const problems = checkDependencies(root);
  for (const problem of problems) console.log(problem);
  console.log(problems.length === 0 ? 'dependency direction: ok' : `dependency direction: ${problems.length} problem(s)`);
  process.exitCode = problems.length === 0 ? 0 : 1;
}
