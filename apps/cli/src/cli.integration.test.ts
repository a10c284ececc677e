import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestNode, type TestNode } from '@arc/node/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runArc } from './testing.ts';

let node: TestNode;
let home: string;

beforeAll(async () => {
  node = await startTestNode({ blockIntervalMs: 250 });
  home = mkdtempSync(join(tmpdir(), 'arc-cli-it-'));
}, 60_000);

afterAll(async () => {
  await node?.stop();
});

/** Runs the real binary against the test node. */
function arc(...args: string[]) {
  return runArc({ HOME: home, ARC_NODE_URL: node.url }, args, 30_000);
}

async function arcJson<T>(...args: string[]): Promise<T> {
  const result = await arc(...args, '--json');
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout) as T;
}

describe('arc against a node', () => {
  it('walks a new user through keys, faucet, balance, transfer and tx get', async () => {
    const me = await arcJson<{ did: string }>('keys', 'new');
    const friend = await arcJson<{ did: string }>('keys', 'new', '--out', join(home, 'friend.json'));

    const claim = await arcJson<{ amount: string; height: number }>('faucet');
    expect(claim.height).toBeGreaterThan(0);

    const before = await arcJson<{ balance: string; balanceFormatted: string }>('balance');
    expect(before.balance).toBe(claim.amount);
    expect(before.balanceFormatted).toBe('100');

    const sent = await arcJson<{ hash: string; status: string; height: number }>(
      'transfer',
      '--to',
      friend.did,
      '--amount',
      '1.5',
      '--memo',
      'lunch',
    );
    expect(sent.status).toBe('committed');

    const friendBalance = await arc('balance', friend.did);
    expect(friendBalance.stdout).toMatch(/ABT\s+1\.5\n/);
    expect(friendBalance.stdout).toMatch(/verified against the state root of block \d+/);

    const shown = await arc('tx', 'get', sent.hash);
    expect(shown.status).toBe(0);
    expect(shown.stdout).toContain(`committed in block ${sent.height}`);
    expect(shown.stdout).toContain(`from    ${me.did}`);
    expect(shown.stdout).toMatch(/amount\s+1\.5 ABT/);
    expect(shown.stdout).toMatch(/memo\s+lunch/);
  });

  it('creates a token and an asset, and sends the token by symbol', async () => {
    const friend = await arcJson<{ did: string }>('keys', 'show', '--key', join(home, 'friend.json'));
    const token = await arcJson<{ address: string; status: string }>(
      'token',
      'create',
      '--symbol',
      'CLI',
      '--name',
      'CLI token',
      '--supply',
      '1000',
      '--decimals',
      '6',
    );
    expect(token.status).toBe('committed');
    await arcJson('transfer', '--to', friend.did, '--amount', '2.25', '--token', 'cli');
    const balance = await arc('balance', friend.did);
    expect(balance.stdout).toMatch(new RegExp(`CLI\\s+2\\.25  \\(${token.address}\\)`));
    const asset = await arcJson<{ address: string }>('asset', 'create', '--moniker', 'ticket', '--data', 'seat 12');
    expect(asset.address).toMatch(/^did:abt:z/);
  });

  it("prints the ledger's code when the node refuses", async () => {
    const poor = join(home, 'poor.json');
    await arcJson('keys', 'new', '--out', poor);
    const friend = await arcJson<{ did: string }>('keys', 'show', '--key', join(home, 'friend.json'));
    const result = await arc('transfer', '--key', poor, '--to', friend.did, '--amount', '1');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^error (INSUFFICIENT_FUNDS|UNKNOWN_ACCOUNT): /);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    const unknown = await arc('tx', 'get', 'ab'.repeat(32));
    expect(unknown.stderr).toMatch(/^error NOT_FOUND: /);
  });
});
