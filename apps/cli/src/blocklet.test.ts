import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from '@arc/client';
import { parseManifest } from '@arc/core';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { sdkInterfaces } from './blocklet/sdk-types.ts';
import { readBlockletSource, withVersion } from './blocklet/source.ts';
import { run } from './cli.ts';
import { percentBps } from './commands/blocklet.ts';
import { devVersion } from './commands/blocklet-dev.ts';
import { captureIo } from './testing.ts';

/** A fresh home with a key file, so commands that sign have a DID. */
function home() {
  const dir = mkdtempSync(join(tmpdir(), 'arc-blocklet-'));
  const wallet = Wallet.generate();
  mkdirSync(join(dir, '.arc'));
  writeFileSync(join(dir, '.arc', 'key.json'), JSON.stringify(wallet.toJSON()));
  return { dir, did: wallet.did };
}

async function arc(argv: string[], env: Record<string, string> = { HOME: home().dir }) {
  const cap = captureIo(env);
  const status = await run(argv, cap.io);
  return { status, stdout: cap.stdout(), stderr: cap.stderr() };
}

describe('arc blocklet init', () => {
  it.each(['http', 'cron', 'oracle', 'chain-event'])(
    'scaffolds a %s project whose manifest parses and names the key as author',
    async (template) => {
      const { dir, did } = home();
      const project = join(dir, `my-${template}`);
      const result = await arc(['blocklet', 'init', project, '--template', template], { HOME: dir });
      expect(result).toMatchObject({ status: 0, stderr: '' });
      expect(result.stdout).toContain(`my-${template} (${template} template)`);
      const manifest = parseManifest(readFileSync(join(project, 'blocklet.yml'), 'utf8'));
      expect(manifest).toMatchObject({ name: `my-${template}`, version: '1.0.0', author: did, entry: 'index.ts' });
      expect(readFileSync(join(project, 'index.ts'), 'utf8')).toContain("from './types'");
      expect(readFileSync(join(project, 'types.d.ts'), 'utf8')).toContain('export interface BlockletContext');
      expect(readFileSync(join(project, 'README.md'), 'utf8')).toContain(`# my-${template}`);
      // What deploy would upload: the entry and the types, not the README.
      const source = await readBlockletSource(project);
      expect(Object.keys(source.files).sort()).toEqual(['index.ts', 'types.d.ts']);
    },
  );

  it('writes the SDK interfaces of @arc/core into types.d.ts, and keeps no copy of its own', async () => {
    const sdk = readFileSync(createRequire(import.meta.url).resolve('@arc/core/blocklet/sdk.ts'), 'utf8');
    const interfaces = sdkInterfaces(sdk);
    expect(interfaces.map((block) => /^export interface (\w+)/m.exec(block)?.[1])).toEqual(
      expect.arrayContaining(['BlockletHttpRequest', 'BlockletContext', 'BlockletHandlers']),
    );
    const { dir } = home();
    const project = join(dir, 'typed');
    expect((await arc(['blocklet', 'init', project], { HOME: dir })).status).toBe(0);
    const written = readFileSync(join(project, 'types.d.ts'), 'utf8');
    for (const block of interfaces) expect(written).toContain(block);
    // A second, pasted copy of the SDK in the CLI drifts from it: the templates hold no interface of the SDK.
    const templates = readFileSync(new URL('./blocklet/templates.ts', import.meta.url), 'utf8');
    expect(templates).not.toMatch(/interface Blocklet\w+/);
  });

  it.each(['http', 'cron', 'oracle', 'chain-event'])('scaffolds a %s project that type-checks against its types.d.ts', async (template) => {
    const { dir } = home();
    const project = join(dir, `checked-${template}`);
    expect((await arc(['blocklet', 'init', project, '--template', template], { HOME: dir })).status).toBe(0);
    const program = ts.createProgram([join(project, 'index.ts'), join(project, 'types.d.ts')], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ['lib.es2022.d.ts'],
      types: [],
    });
    const problems = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(problems).toEqual([]);
  });

  it('takes --name and answers JSON', async () => {
    const { dir } = home();
    const result = await arc(['blocklet', 'init', join(dir, 'Some Folder'), '--name', 'price-feed', '--json'], { HOME: dir });
    expect(JSON.parse(result.stdout)).toMatchObject({
      name: 'price-feed',
      template: 'http',
      files: ['blocklet.yml', 'index.ts', 'types.d.ts', 'README.md'],
    });
  });

  it('refuses a non-empty folder, a folder name that is no blocklet name, and an unknown template', async () => {
    const { dir } = home();
    const env = { HOME: dir };
    mkdirSync(join(dir, 'taken'));
    writeFileSync(join(dir, 'taken', 'notes.txt'), 'mine');
    expect((await arc(['blocklet', 'init', join(dir, 'taken')], env)).stderr).toMatch(/^error DIR_NOT_EMPTY: .*taken is not empty/);
    expect(readFileSync(join(dir, 'taken', 'notes.txt'), 'utf8')).toBe('mine');
    expect((await arc(['blocklet', 'init', join(dir, 'Bad_Name')], env)).stderr).toMatch(
      /^error USAGE: "Bad_Name" cannot be a blocklet name.*pass --name/,
    );
    expect((await arc(['blocklet', 'init', join(dir, 'x1'), '--template', 'grpc'], env)).stderr).toBe(
      'error USAGE: --template: a template is one of: http, cron, oracle, chain-event',
    );
    expect((await arc(['blocklet', 'init'], env)).stderr).toBe('error USAGE: give the folder to create: arc blocklet init DIR');
  });

  it('needs a key for the author', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arc-blocklet-nokey-'));
    expect((await arc(['blocklet', 'init', join(dir, 'proj')], { HOME: dir })).stderr).toMatch(/^error KEY_FILE_MISSING: /);
  });
});

describe('arc blocklet argument errors', () => {
  it('lists the subcommands of a group', async () => {
    expect((await arc(['blocklet'])).stderr).toBe(
      'error USAGE: "arc blocklet" needs one of: init, deploy, dev, list, logs, rollback, invoke, env',
    );
    expect((await arc(['blocklet', 'env'])).stderr).toBe('error USAGE: "arc blocklet env" needs one of: set, unset, list');
  });

  it('says what is wrong before reaching the node', async () => {
    const node = ['--node', 'http://127.0.0.1:9'];
    expect((await arc(['blocklet', 'logs', ...node])).stderr).toBe("error USAGE: give the blocklet's name: arc blocklet logs NAME");
    expect((await arc(['blocklet', 'logs', 'Bad', ...node])).stderr).toMatch(/^error USAGE: a blocklet name is 2–64/);
    expect((await arc(['blocklet', 'logs', 'feed', '--limit', '900', ...node])).stderr).toBe(
      'error USAGE: --limit: --limit is 1 to 500 lines',
    );
    expect((await arc(['blocklet', 'invoke', 'feed', '--input', '{oops', ...node])).stderr).toMatch(/^error USAGE: --input: not JSON/);
    expect((await arc(['blocklet', 'deploy', '--canary-share', '10%', ...node])).stderr).toBe(
      'error USAGE: --canary-share: a share applies to --alias canary only',
    );
    expect((await arc(['blocklet', 'deploy', '--alias', 'beta', ...node])).stderr).toBe('error USAGE: --alias: an alias is live or canary');
    expect((await arc(['blocklet', 'env', 'set', 'feed', 'lower', 'v', ...node])).stderr).toBe(
      'error USAGE: an environment name is UPPER_SNAKE_CASE',
    );
    expect((await arc(['blocklet', 'rollback', 'feed', 'x', ...node])).stderr).toMatch(/unexpected argument "x"/);
    expect((await arc(['blocklet', 'list', '--follow', ...node])).stderr).toMatch(/--follow is not an option of "arc blocklet list"/);
  });

  it('refuses a folder without a manifest, and lists every problem of a bad one with line and column', async () => {
    const { dir } = home();
    const env = { HOME: dir };
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    expect((await arc(['blocklet', 'deploy', empty, '--node', 'http://127.0.0.1:9'], env)).stderr).toMatch(
      /^error MANIFEST_MISSING: no blocklet\.yml .*arc blocklet init/,
    );
    const bad = join(dir, 'bad');
    mkdirSync(bad);
    writeFileSync(join(bad, 'blocklet.yml'), 'name: ok-name\nversion: one\ntitle: T\nauthor: did:abt:nope\n');
    const result = await arc(['blocklet', 'deploy', bad, '--node', 'http://127.0.0.1:9'], env);
    expect(result.status).toBe(1);
    const lines = result.stderr.split('\n');
    expect(lines[0]).toMatch(/^error MANIFEST_INVALID: .*blocklet\.yml is not a valid blocklet manifest:$/);
    expect(lines).toContainEqual(expect.stringMatching(/blocklet\.yml:2:10 version: a version is semver/));
    expect(lines).toContainEqual(expect.stringMatching(/blocklet\.yml:4:9 author: not a valid did:abt: DID/));
  });

  it('refuses a manifest whose entry is not among the sources', async () => {
    const { dir, did } = home();
    writeFileSync(join(dir, 'blocklet.yml'), `name: ok-name\nversion: 1.0.0\ntitle: T\nauthor: ${did}\nentry: main.ts\n`);
    expect((await arc(['blocklet', 'deploy', dir, '--node', 'http://127.0.0.1:9'], { HOME: dir })).stderr).toMatch(
      /^error MANIFEST_INVALID: the manifest's entry "main\.ts" is not a source file/,
    );
  });
});

describe('blocklet sources', () => {
  it('uploads a file a symbolic link points at (a module shared by blocklets), and skips dangling links', async () => {
    const { dir, did } = home();
    mkdirSync(join(dir, 'shared'));
    writeFileSync(join(dir, 'shared', 'request.ts'), 'export const shared = 1;\n');
    const project = join(dir, 'app');
    mkdirSync(project);
    writeFileSync(join(project, 'blocklet.yml'), `name: app\nversion: 1.0.0\ntitle: T\nauthor: ${did}\nentry: index.ts\n`);
    writeFileSync(join(project, 'index.ts'), "export { shared } from './request.ts';\n");
    symlinkSync(join('..', 'shared', 'request.ts'), join(project, 'request.ts'));
    symlinkSync(join('..', 'shared', 'gone.ts'), join(project, 'gone.ts'));
    const source = await readBlockletSource(project);
    expect(source.files).toEqual({ 'index.ts': "export { shared } from './request.ts';\n", 'request.ts': 'export const shared = 1;\n' });
  });

  it('refuses a link to a file outside the folder holding the project, naming it, and uploads nothing', async () => {
    const { dir, did } = home();
    const elsewhere = mkdtempSync(join(tmpdir(), 'arc-elsewhere-'));
    writeFileSync(join(elsewhere, 'secret.json'), '{"key":"do not upload"}\n');
    const project = join(dir, 'workspace', 'app');
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, 'blocklet.yml'), `name: app\nversion: 1.0.0\ntitle: T\nauthor: ${did}\nentry: index.ts\n`);
    writeFileSync(join(project, 'index.ts'), 'export default {};\n');
    symlinkSync(join(elsewhere, 'secret.json'), join(project, 'config.json'));
    await expect(readBlockletSource(project)).rejects.toMatchObject({
      code: 'SOURCE_LINK_OUTSIDE',
      message: /config\.json links to .*secret\.json/,
    });
  });
});

describe('blocklet helpers', () => {
  it('makes dev versions unique semver prereleases of the manifest version', () => {
    expect(devVersion('1.2.0', 1_700_000_000_000)).toBe('1.2.0-dev.1700000000000');
    expect(devVersion('1.2.0-beta.1+sha', 5)).toBe('1.2.0-dev.5');
  });

  it('rewrites the version of a YAML or JSON manifest and nothing else', () => {
    const yaml = 'name: a1\n# the version\nversion: 1.0.0 # bump me\ntitle: version: 2\n';
    expect(withVersion('blocklet.yml', yaml, '1.0.0-dev.7')).toBe(
      'name: a1\n# the version\nversion: 1.0.0-dev.7 # bump me\ntitle: version: 2\n',
    );
    expect(JSON.parse(withVersion('blocklet.json', '{"name":"a1","version":"1.0.0"}', '2.0.0'))).toEqual({ name: 'a1', version: '2.0.0' });
  });

  it('reads canary shares as basis points', () => {
    expect(percentBps.parse('10%')).toBe(1000);
    expect(percentBps.parse('2.5')).toBe(250);
    expect(percentBps.safeParse('101%').success).toBe(false);
    expect(percentBps.safeParse('ten').success).toBe(false);
  });
});
