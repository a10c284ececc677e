import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from '@arc/client';
import { describe, expect, it } from 'vitest';
import { parseArgv } from './args.ts';
import { run } from './cli.ts';
import { captureIo } from './testing.ts';

const home = () => mkdtempSync(join(tmpdir(), 'arc-cli-'));

async function arc(argv: string[], env: Record<string, string> = { HOME: home() }) {
  const cap = captureIo(env);
  const status = await run(argv, cap.io);
  return { status, stdout: cap.stdout(), stderr: cap.stderr() };
}

describe('argument parsing', () => {
  it('takes global options before or after the command', () => {
    expect(parseArgv(['--node', 'http://x', 'balance', '--json'])).toEqual({
      positionals: ['balance'],
      values: { node: 'http://x', json: true },
    });
    expect(parseArgv(['transfer', '--to=did', '--amount', '1.5']).values).toEqual({ to: 'did', amount: '1.5' });
  });

  it('refuses unknown options and missing values as USAGE', async () => {
    expect((await arc(['transfer', '--bogus'])).stderr).toMatch(/^error USAGE: Unknown option '--bogus'/);
    expect((await arc(['transfer', '--amount'])).stderr).toMatch(/^error USAGE: .*--amount/);
  });

  it('refuses an option the command does not take instead of ignoring it', async () => {
    const result = await arc(['balance', '--memo', 'hi']);
    expect(result).toMatchObject({ status: 1, stderr: 'error USAGE: --memo is not an option of "arc balance"; run "arc help balance"' });
  });

  it('names the bad field when an input does not parse', async () => {
    const env = { HOME: home() };
    expect((await arc(['transfer', '--to', 'alice', '--amount', '1'], env)).stderr).toMatch(/^error USAGE: --to: not a valid did:abt: DID/);
    const to = Wallet.generate().did;
    expect((await arc(['transfer', '--to', to, '--amount', '1,5'], env)).stderr).toMatch(/^error USAGE: --amount: an amount is digits/);
    expect((await arc(['token', 'create', '--symbol', 'x', '--name', 'n', '--supply', '1'], env)).stderr).toMatch(/--symbol/);
    expect((await arc(['token', 'create', '--symbol', 'XY', '--name', 'n', '--supply', '1', '--decimals', '40'], env)).stderr).toMatch(
      /--decimals: decimals is at most 18/,
    );
    expect((await arc(['tx', 'get', 'abc'], env)).stderr).toBe('error USAGE: a transaction hash is 64 hex characters');
    expect((await arc(['balance', 'a', 'b'], env)).stderr).toMatch(/unexpected argument "b"/);
    expect((await arc(['--node', 'ftp://x', 'balance'], env)).stderr).toMatch(/^error USAGE: --node: .*http/);
  });

  it('explains unknown commands and incomplete groups', async () => {
    expect((await arc(['fly'])).stderr).toBe('error USAGE: unknown command "fly"; run "arc help"');
    expect((await arc(['token'])).stderr).toBe('error USAGE: "arc token" needs one of: create');
  });

  it('prints help for everything and for one command', async () => {
    const all = await arc(['help']);
    expect(all.status).toBe(0);
    for (const name of ['keys new', 'keys show', 'balance', 'transfer', 'faucet', 'token create', 'asset create', 'tx get']) {
      expect(all.stdout).toContain(name);
    }
    expect((await arc([])).stdout).toBe(all.stdout);
    expect((await arc(['help', 'transfer'])).stdout).toMatch(/^Usage: arc transfer --to DID --amount N/);
    expect((await arc(['transfer', '-h'])).stdout).toMatch(/^Usage: arc transfer/);
  });
});

describe('keys', () => {
  it('creates a key file readable only by its owner and shows it without the secret', async () => {
    const env = { HOME: home() };
    const created = await arc(['keys', 'new', '--json'], env);
    expect(created.status).toBe(0);
    const { did, file } = JSON.parse(created.stdout) as { did: string; file: string };
    expect(file).toBe(join(env.HOME, '.arc', 'key.json'));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(Wallet.fromJSON(JSON.parse(readFileSync(file, 'utf8'))).did).toBe(did);
    const shown = await arc(['keys', 'show'], env);
    expect(shown.stdout).toContain(did);
    expect(shown.stdout).not.toContain(Wallet.fromJSON(JSON.parse(readFileSync(file, 'utf8'))).secretKeyHex);
  });

  it('refuses to overwrite a key file unless forced', async () => {
    const env = { HOME: home() };
    const out = join(env.HOME, 'k.json');
    expect((await arc(['keys', 'new', '--out', out], env)).status).toBe(0);
    const before = readFileSync(out, 'utf8');
    expect((await arc(['keys', 'new', '--out', out], env)).stderr).toMatch(/^error KEY_FILE_EXISTS: .*--force/);
    expect(readFileSync(out, 'utf8')).toBe(before);
    expect((await arc(['keys', 'new', '--out', out, '--force'], env)).status).toBe(0);
    expect(readFileSync(out, 'utf8')).not.toBe(before);
  });

  it('reads --key, then ARC_KEY_FILE, and says what is wrong with a bad file', async () => {
    const dir = home();
    const file = join(dir, 'mine.json');
    const wallet = Wallet.generate();
    writeFileSync(file, JSON.stringify(wallet));
    expect((await arc(['keys', 'show', '--key', file], { HOME: dir })).stdout).toContain(wallet.did);
    expect((await arc(['keys', 'show'], { HOME: dir, ARC_KEY_FILE: file })).stdout).toContain(wallet.did);
    writeFileSync(file, '{ not json');
    expect((await arc(['keys', 'show', '--key', file], { HOME: dir })).stderr).toMatch(/^error KEY_FILE_INVALID: /);
    writeFileSync(file, JSON.stringify({ ...wallet.toJSON(), did: Wallet.generate().did }));
    expect((await arc(['keys', 'show', '--key', file], { HOME: dir })).stderr).toMatch(/^error KEY_FILE_INVALID: .*does not belong/);
  });
});

describe('talking to a node', () => {
  it('reports an unreachable node as NETWORK with the URL it tried', async () => {
    const result = await arc(['--node', 'http://127.0.0.1:9', 'balance', Wallet.generate().did]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^error NETWORK: .*http:\/\/127\.0\.0\.1:9/);
    expect(result.stderr).not.toContain('    at ');
  });
});
