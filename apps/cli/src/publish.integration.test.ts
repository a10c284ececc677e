import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestNode, type TestNode } from '@arc/node/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runArc } from './testing.ts';

let node: TestNode;
let home: string;

beforeAll(async () => {
  node = await startTestNode({ blockIntervalMs: 250 });
  home = mkdtempSync(join(tmpdir(), 'arc-publish-it-'));
}, 60_000);

afterAll(async () => {
  await node?.stop();
});

/** Runs the real binary against the test node. */
function arc(...args: string[]) {
  return runArc({ HOME: home, ARC_NODE_URL: node.url, ARC_WEB_URL: 'http://web.test' }, args, 60_000);
}

async function ok(...args: string[]) {
  const result = await arc(...args);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return result.stdout;
}

describe('arc publish against a node', () => {
  it('publishes a blocklet folder: bundle, README by hash, a committed publishComponent, and the page URL', async () => {
    await ok('keys', 'new');
    await ok('faucet');
    const dir = join(home, 'oracle-feed');
    // A new name is backed by bonded stake (the dev chain's publish stake: 1 ABT a name).
    await ok('stake', '--amount', '1');
    await ok('blocklet', 'init', dir, '--template', 'oracle');
    writeFileSync(
      join(dir, 'market.json'),
      JSON.stringify({ kind: 'blocklet', categories: ['oracles'], chains: ['arc'], releaseNotes: 'First release.' }),
    );
    const out = await ok('publish', dir);
    const lines = out.trim().split('\n');
    expect(lines[0]).toBe(`reading ${dir}`);
    expect(lines[1]).toBe('uploading bundle…');
    expect(lines[2]).toMatch(/^stored \d+(\.\d)? (B|KB) \(bundle sha256 [0-9a-f]{16}…\)$/);
    expect(lines[3]).toMatch(/^README stored \(sha256 [0-9a-f]{16}…\)$/);
    expect(lines).toContainEqual(expect.stringMatching(/^publishing oracle-feed@1\.0\.0… committed at height \d+ \(tx [0-9a-f]{64}\)$/));
    expect(lines[lines.length - 1]).toBe('url  http://web.test/c/oracle-feed');

    // The README is served with the record, by the hash the ledger anchors.
    const component = await fetch(`${node.url}/trpc/market.component?input=${encodeURIComponent(JSON.stringify({ name: 'oracle-feed' }))}`);
    const body = (await component.json()) as { result?: { data?: { readme: string | null; latestVersion: string; categories: string[] } } };
    expect(body.result?.data?.latestVersion).toBe('1.0.0');
    expect(body.result?.data?.categories).toEqual(['oracles']);
    expect(body.result?.data?.readme).toBe(readFileSync(join(dir, 'README.md'), 'utf8'));
  });

  it('says a version exists and what to do, and --json carries the new version', async () => {
    const dir = join(home, 'oracle-feed');
    const again = await arc('publish', dir);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/^error VERSION_EXISTS: .*raise "version" in the manifest and publish again\)\n$/);
    const manifest = join(dir, 'blocklet.yml');
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('version: 1.0.0', 'version: 1.1.0'));
    const json = JSON.parse(await ok('publish', dir, '--json')) as { name: string; version: string; height: number; url: string };
    expect(json).toMatchObject({ name: 'oracle-feed', version: '1.1.0', url: 'http://web.test/c/oracle-feed' });
    expect(json.height).toBeGreaterThan(0);
  });

  it("refuses publishing under someone else's name, and a new name without the bonded stake", async () => {
    const other = join(home, 'other.json');
    await ok('keys', 'new', '--out', other);
    const dir = join(home, 'other-feed');
    await ok('blocklet', 'init', dir, '--name', 'oracle-feed', '--key', other);
    const poor = await arc('publish', dir, '--key', other);
    expect(poor.status).toBe(1);
    expect(poor.stderr).toMatch(/^error (INSUFFICIENT_FUNDS|UNKNOWN_ACCOUNT): .*arc faucet/);
    await ok('faucet', '--key', other);
    const unbonded = join(home, 'unbonded-feed');
    await ok('blocklet', 'init', unbonded, '--name', 'unbonded-feed', '--key', other);
    const refused = await arc('publish', unbonded, '--key', other);
    expect(refused.status).toBe(1);
    // It fails in its block (the fee is charged), and says how much to stake and how.
    expect(refused.stderr).toMatch(
      /^error STAKE_TOO_LOW: transaction [0-9a-f]{64} failed in block \d+ \(STAKE_TOO_LOW: publishing a new name needs 1 ABT bonded for 1 name; .*its fee was charged.*arc stake --amount N/,
    );
    // Its nonce is spent: sending it again cannot help, and the CLI does not say it might.
    expect(refused.stderr).not.toContain('retrying may help');
    const taken = await arc('publish', dir, '--key', other);
    expect(taken.status).toBe(1);
    expect(taken.stderr).toMatch(/^error COMPONENT_NAME_TAKEN: .*rename the blocklet in the manifest\)\n$/);
  });
});
