import { join } from 'node:path';
import { blockletTemplateFiles, canonicalJson, formatBytes } from '@arc/core';
import { COMPONENTS_DIR, readFolder } from '../runtime/components/index.ts';
import { ADAPTER_CONFORMANCE } from './conformance.ts';
import type { CatalogueEntry } from './market-catalogue.ts';

/** A blocklet's upload: the manifest text and the source files. */
export interface SourceFiles {
  manifest: string;
  files: Record<string, string>;
}

/** Page bound of a service component's list route. */
const SERVICE_PAGE_MAX = 100;

/** The manifest and sources of a catalogue entry that has a bundle, authored by `author` at `version`. */
export function entryFiles(entry: CatalogueEntry, author: string, version: string): SourceFiles | null {
  const source = entry.source;
  switch (source.type) {
    case 'adapter':
      return null;
    case 'builtin': {
      const { manifest, files } = readFolder(join(COMPONENTS_DIR, source.folder));
      return { manifest: withVersion(manifest.replace(/^author: .*$/m, `author: ${author}`), version), files };
    }
    case 'template': {
      const files = blockletTemplateFiles({ name: entry.name, author, template: source.template });
      return { manifest: withVersion(files['blocklet.yml'], version), files: { 'index.ts': files['index.ts'] } };
    }
    case 'service':
      return serviceFiles(entry, source.noun, source.fields, author, version);
  }
}

function withVersion(manifest: string, version: string): string {
  return manifest.replace(/^version: .*$/m, `version: ${version}`);
}

/**
 * A small HTTP service over one collection, kept in the blocklet's kv: `POST /<noun>` adds an entry (the listed
 * fields, strings up to 500 characters), `GET /<noun>?limit=` lists the newest, `GET /` says what it is;
 * `call({op:'add', entry})` and `call({op:'list'})` do the same from another blocklet. The code is the same for
 * every version (only the manifest differs), so the versions of a component share one bundle.
 */
function serviceFiles(entry: CatalogueEntry, noun: string, fields: string[], author: string, version: string): SourceFiles {
  const manifest = [
    `name: ${entry.name}`,
    `version: ${version}`,
    `title: ${entry.title}`,
    `description: ${JSON.stringify(entry.description)}`,
    `author: ${author}`,
    'entry: index.js',
    'interfaces:',
    '  http:',
    '    - path: /',
    '      methods: [GET]',
    `    - path: /${noun}`,
    '      methods: [GET, POST]',
    ...(entry.chains.includes('arc') ? ['permissions:', '  chains:', '    - chain: arc', '      level: 2'] : []),
    '',
  ].join('\n');
  const code = `const NOUN = ${JSON.stringify(noun)};
const FIELDS = ${JSON.stringify(fields)};
const PAGE_MAX = ${SERVICE_PAGE_MAX};
const FIELD_CHARS_MAX = 500;

function parseEntry(input) {
  if (input === null || typeof input !== 'object') throw new Error('an entry is a JSON object with ' + FIELDS.join(', '));
  const entry = {};
  for (const field of FIELDS) {
    const value = input[field];
    if (typeof value !== 'string' || value.length === 0 || value.length > FIELD_CHARS_MAX) {
      throw new Error(field + ' is a string of 1 to ' + FIELD_CHARS_MAX + ' characters');
    }
    entry[field] = value;
  }
  return entry;
}

async function add(input, ctx) {
  const entry = { ...parseEntry(input), atMs: Date.now() };
  const list = (await ctx.kv.get(NOUN)) ?? [];
  await ctx.kv.set(NOUN, [entry, ...list].slice(0, PAGE_MAX));
  return entry;
}

async function list(limit, ctx) {
  return ((await ctx.kv.get(NOUN)) ?? []).slice(0, Math.min(PAGE_MAX, Math.max(1, limit)));
}

export default {
  async fetch(request, ctx) {
    if (request.path === '/') return { body: { component: ${JSON.stringify(entry.name)}, routes: ['/' + NOUN] } };
    if (request.path !== '/' + NOUN) return { status: 404, body: { error: 'not found; try /' + NOUN } };
    if (request.method === 'POST') {
      try {
        return { status: 201, body: await add(JSON.parse(request.body ?? 'null'), ctx) };
      } catch (error) {
        return { status: 400, body: { error: error.message } };
      }
    }
    const limit = Number(request.query?.limit ?? 20) || 20;
    return { body: { items: await list(limit, ctx) } };
  },
  async call(input, ctx) {
    if (input?.op === 'add') return add(input.entry, ctx);
    if (input?.op === 'list') return list(Number(input.limit ?? 20) || 20, ctx);
    throw new Error("call with { op: 'add', entry } or { op: 'list', limit }");
  },
};
`;
  return { manifest, files: { 'index.js': code } };
}

/**
 * An adapter's manifest: what the package is, its capabilities and the conformance suite's results. Its sha-256
 * (of this canonical JSON) is the published manifestHash; the demo stores the JSON text by that hash too.
 */
export function adapterManifestJson(entry: CatalogueEntry, version: string): string {
  if (entry.source.type !== 'adapter') throw new Error(`${entry.name} is not an adapter`);
  const conformance = ADAPTER_CONFORMANCE[entry.source.adapter];
  return canonicalJson({
    kind: 'adapter',
    name: entry.name,
    version,
    package: '@arc/adapters',
    adapter: entry.source.adapter === 'arc' ? 'native' : entry.source.adapter,
    chain: conformance.chain,
    capabilities: conformance.capabilities,
    conformance: {
      chain: conformance.chain,
      passed: conformance.passed,
      failed: conformance.failed,
      skipped: conformance.skipped,
      capabilities: conformance.capabilities,
      checkedAtMs: conformance.checkedAtMs,
    },
  });
}

const table = (head: [string, string], rows: [string, string][]) =>
  [`| ${head[0]} | ${head[1]} |`, '| --- | --- |', ...rows.map(([a, b]) => `| ${a} | ${b.replaceAll('|', '\\|')} |`)].join('\n');

function priceWords(entry: CatalogueEntry): string {
  const abt = (amount: bigint) => `${Number(amount) / 1e18} ABT`;
  if (entry.price.model === 'free') return 'free';
  return entry.price.model === 'perCall' ? `${abt(entry.price.amount)} per call` : `${abt(entry.price.amount)} per month per application`;
}

/** The README of a catalogue entry: headings, what it does, an example, a table, versions. */
export function marketReadme(entry: CatalogueEntry, bundleBytes: number | null): string {
  const latest = entry.versions[entry.versions.length - 1]?.version ?? '1.0.0';
  const parts = [
    `# ${entry.title}`,
    '',
    entry.description,
    '',
    entry.intro,
    '',
    '## Usage',
    '',
    `\`\`\`${entry.example.lang}`,
    entry.example.code,
    '```',
    '',
  ];
  const source = entry.source;
  if (source.type === 'service') {
    parts.push(
      '## API',
      '',
      table(
        ['route', 'what it does'],
        [
          ['`GET /`', 'the component and its routes'],
          [`\`POST /${source.noun}\``, `adds an entry: ${source.fields.map((f) => `\`${f}\``).join(', ')} (strings, 1–500 characters)`],
          [`\`GET /${source.noun}?limit=20\``, `the newest entries, at most ${SERVICE_PAGE_MAX}`],
          ["`call({ op: 'add', entry })`", 'the same as POST, from another blocklet'],
          ["`call({ op: 'list', limit })`", 'the same as GET, from another blocklet'],
        ],
      ),
      '',
    );
  } else if (source.type === 'adapter') {
    const c = ADAPTER_CONFORMANCE[source.adapter];
    parts.push(
      '## Capabilities',
      '',
      table(
        ['capability', 'supported'],
        Object.entries(c.capabilities).map(([name, on]): [string, string] => [name, on ? 'yes' : 'no']),
      ),
      '',
      '## Conformance',
      '',
      `The OCAP conformance suite (packages/adapters/src/conformance): **${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped** of ${c.passed + c.failed + c.skipped} checks.`,
      '',
      'Skipped, because the capability they test is absent (or present, for the refusal checks):',
      '',
      ...c.skippedChecks.map((check) => `- ${check}`),
      '',
    );
  } else {
    parts.push(
      '## Details',
      '',
      table(
        ['', ''],
        [
          ['kind', entry.kind],
          ['source', source.type === 'builtin' ? `apps/node/src/runtime/components/${source.folder}` : `template ${source.template}`],
        ],
      ),
      '',
    );
  }
  parts.push(
    '## Facts',
    '',
    table(
      ['', ''],
      [
        ['latest version', latest],
        ['price', priceWords(entry)],
        ['chains', entry.chains.length === 0 ? 'none needed' : entry.chains.join(', ')],
        ['categories', entry.categories.join(', ')],
        ['bundle', bundleBytes === null ? 'none (a package of the node)' : formatBytes(bundleBytes)],
      ],
    ),
    '',
    '## Versions',
    '',
    table(
      ['version', 'what changed'],
      [...entry.versions].reverse().map((v): [string, string] => [v.version, v.notes]),
    ),
    '',
  );
  if (entry.deprecated) parts.push(`> **${entry.deprecated.version} is deprecated:** ${entry.deprecated.reason}`, '');
  return parts.join('\n');
}
