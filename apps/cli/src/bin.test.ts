import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/arc.mjs', import.meta.url));
const exec = promisify(execFile);

/** Runs the real `arc` binary as a user would, in a fresh home directory. */
async function arc(args: string[]) {
  const env = { PATH: process.env.PATH, HOME: mkdtempSync(join(tmpdir(), 'arc-bin-')) };
  try {
    const { stdout, stderr } = await exec(process.execPath, [BIN, ...args], { env, timeout: 20_000 });
    return { status: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { status: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('the arc binary', () => {
  it('prints help and exits 0', async () => {
    const result = await arc(['help']);
    expect(result).toMatchObject({ status: 0, stderr: '' });
    expect(result.stdout).toMatch(/^arc: /);
    expect(result.stdout).toContain('transfer');
  });

  it('prints one error line and exits 1 on bad arguments', async () => {
    const result = await arc(['transfer', '--to', 'nobody', '--amount', '1']);
    expect(result).toMatchObject({ status: 1, stdout: '' });
    expect(result.stderr).toBe('error USAGE: --to: not a valid did:abt: DID (check for a missing or wrong character)\n');
  });

  it('says how to make a key when the key file is missing', async () => {
    const result = await arc(['keys', 'show']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^error KEY_FILE_MISSING: no key file at .*\.arc\/key\.json; run "arc keys new"/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
