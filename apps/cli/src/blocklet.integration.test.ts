import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startTestNode, type TestNode } from '@arc/node/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './cli.ts';
import { captureIo } from './testing.ts';

const BIN = fileURLToPath(new URL('../bin/arc.mjs', import.meta.url));
const exec = promisify(execFile);

let node: TestNode;
let home: string;

beforeAll(async () => {
  node = await startTestNode({ blockIntervalMs: 250 });
  home = mkdtempSync(join(tmpdir(), 'arc-blocklet-it-'));
}, 60_000);

afterAll(async () => {
  await node?.stop();
});

const env = () => ({ PATH: process.env.PATH, HOME: home, ARC_NODE_URL: node.url });

/** Runs the real binary against the test node, as a user whose home is `home`. */
async function arc(...args: string[]) {
  try {
    const { stdout, stderr } = await exec(process.execPath, [BIN, ...args], { env: env(), timeout: 60_000 });
    return { status: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { status: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function ok(...args: string[]) {
  const result = await arc(...args);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return result.stdout;
}

async function hello(name: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${node.url}/b/${name}/hello`);
  return { status: response.status, body: await response.json() };
}

/** Waits until test() holds (30 s at most), saying what it waited for and what it saw. */
async function until(test: () => boolean, what: string, seen: () => string = () => '') {
  const deadline = Date.now() + 30_000;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${seen()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Sets the manifest's version and the greeting of the http template. */
function edit(dir: string, version: string, greeting: string) {
  const manifest = join(dir, 'blocklet.yml');
  writeFileSync(manifest, readFileSync(manifest, 'utf8').replace(/^version: .*$/m, `version: ${version}`));
  const entry = join(dir, 'index.ts');
  writeFileSync(entry, readFileSync(entry, 'utf8').replace(/message: '[^']*'/, `message: '${greeting}'`));
}

describe('arc blocklet against a node', () => {
  it('takes a new blocklet from init to live, a second version, a rollback and its logs', async () => {
    await ok('keys', 'new');
    await ok('faucet');
    const dir = join(home, 'greeter');
    await ok('blocklet', 'init', dir);

    const first = await ok('blocklet', 'deploy', dir);
    const steps = first.trim().split('\n');
    expect(steps[0]).toBe(`reading ${dir}`);
    expect(steps[1]).toMatch(/^uploading 2 files \/ \d+\.\d KB$/);
    expect(steps[2]).toMatch(/^bundled .* sha256 [0-9a-f]{16}…$/);
    expect(steps[3]).toMatch(/^signed deployBlocklet greeter@1\.0\.0 as did:abt:/);
    expect(first).toMatch(/committed at height \d+\n/);
    expect(first).toContain('live → 1.0.0\n');
    expect(first).toContain(`url  ${node.url}/b/greeter/`);
    expect(await hello('greeter')).toEqual({ status: 200, body: { message: 'hello from greeter' } });

    edit(dir, '1.1.0', 'hello again');
    expect(await ok('blocklet', 'deploy', dir)).toContain('live → 1.1.0');
    expect((await hello('greeter')).body).toEqual({ message: 'hello again' });

    const again = await arc('blocklet', 'deploy', dir);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/^error BLOCKLET_VERSION_EXISTS: .*raise "version" in the manifest/);

    expect(await ok('blocklet', 'rollback', 'greeter')).toBe('live → 1.0.0 (was 1.1.0)\n');
    expect((await hello('greeter')).body).toEqual({ message: 'hello from greeter' });
    expect(await ok('blocklet', 'rollback', 'greeter', '--to', '1.1.0')).toBe('live → 1.1.0 (was 1.0.0)\n');

    const logs = await ok('blocklet', 'logs', 'greeter');
    const lines = logs.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z info {2}1\.0\.0 {2}hello from /);
    expect(lines[2]).toMatch(/ info {2}1\.0\.0 {2}hello from /);

    // --follow prints what comes after the last page until Ctrl-C (here: an aborted signal, in-process).
    const interrupted = new AbortController();
    const cap = captureIo({ HOME: home, ARC_NODE_URL: node.url });
    const following = run(['blocklet', 'logs', 'greeter', '--follow', '--limit', '1'], { ...cap.io, signal: interrupted.signal });
    await until(() => cap.out.length === 1, 'the last log line');
    await hello('greeter');
    await until(() => cap.out.length === 2, 'the followed log line');
    interrupted.abort();
    expect(await following).toBe(0);
    expect(cap.out[1]).toMatch(/ info {2}1\.1\.0 {2}hello from /);

    const list = JSON.parse(await ok('blocklet', 'list', '--json')) as { name: string; aliases: { alias: string; version: string }[] }[];
    expect(list.find((b) => b.name === 'greeter')?.aliases).toContainEqual(expect.objectContaining({ alias: 'live', version: '1.1.0' }));
  });

  it('keeps a name for its first deployer', async () => {
    const other = join(home, 'other.json');
    await ok('keys', 'new', '--out', other);
    await ok('faucet', '--key', other);
    const dir = join(home, 'greeter-copy');
    await ok('blocklet', 'init', dir, '--name', 'greeter', '--key', other);
    const result = await arc('blocklet', 'deploy', dir, '--key', other);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^error BLOCKLET_NAME_TAKEN: .*pick another name/);
  });

  it('sets environment variables, invokes a handler, and lets only the owner read logs', async () => {
    const dir = join(home, 'echo');
    await ok('blocklet', 'init', dir);
    writeFileSync(
      join(dir, 'index.ts'),
      'export default { call(input: unknown, ctx: { env: Record<string, string> }) { return { input, greeting: ctx.env.GREETING ?? null }; } };\n',
    );
    // Only variables the manifest declares reach ctx.env.
    const manifest = join(dir, 'blocklet.yml');
    writeFileSync(manifest, `${readFileSync(manifest, 'utf8')}environment:\n  - name: GREETING\n  - name: TOKEN\n    secure: true\n`);
    await ok('blocklet', 'deploy', dir);
    expect(await ok('blocklet', 'env', 'set', 'echo', 'UNDECLARED', 'x')).toMatch(/note\s+UNDECLARED is not declared/);
    await ok('blocklet', 'env', 'set', 'echo', 'GREETING', 'hi');
    await ok('blocklet', 'env', 'set', 'echo', 'TOKEN', 's3cret', '--secure');
    const listed = await ok('blocklet', 'env', 'list', 'echo');
    expect(listed).toMatch(/GREETING\s+hi/);
    expect(listed).toMatch(/TOKEN\s+\(secure\)/);
    expect(listed).not.toContain('s3cret');
    const invoked = JSON.parse(await ok('blocklet', 'invoke', 'echo', '--input', '{"n":1}', '--json')) as {
      output: unknown;
      version: string;
    };
    expect(invoked).toMatchObject({ version: '1.0.0', output: { input: { n: 1 }, greeting: 'hi' } });

    const stranger = await arc('blocklet', 'logs', 'echo', '--key', join(home, 'other.json'));
    expect(stranger.status).toBe(1);
    expect(stranger.stderr).toMatch(/^error [A-Z_]+: /);
  });

  it('redeploys on every save with blocklet dev and stops on Ctrl-C', async () => {
    const dir = join(home, 'devloop');
    await ok('blocklet', 'init', dir);
    const child = spawn(process.execPath, [BIN, 'blocklet', 'dev', dir], { env: env() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const until = async (test: () => boolean, what: string) => {
      const deadline = Date.now() + 30_000;
      while (!test()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; stdout:\n${stdout}\nstderr:\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    try {
      await until(() => (stdout.match(/^ready: /gm) ?? []).length === 1, 'the first dev deploy');
      expect(stdout).toMatch(/live → 1\.0\.0-dev\.\d+/);
      expect((await hello('devloop')).body).toEqual({ message: 'hello from devloop' });
      await until(() => /^.* info {2}1\.0\.0-dev\.\d+ {2}hello from /m.test(stdout), 'the log line of the request');

      edit(dir, '1.0.0', 'edited');
      await until(() => (stdout.match(/^ready: /gm) ?? []).length === 2, 'the redeploy after a save');
      expect((await hello('devloop')).body).toEqual({ message: 'edited' });
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(stdout.trimEnd().split('\n').at(-1)).toBe('stopped');
    expect(stderr).toBe('');
  });
});
