import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { decodeEntry, encodeEntry, fromHex, toHex } from '@arc/core';
import { startTestNode, type TestNode } from '@arc/node/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runArc } from './testing.ts';

/**
 * `arc node snapshot` saves a node's state at its head (checked as it is saved), and `arc node verify --snapshot`
 * replays the node's blocks after it from that state; a snapshot that does not hold together is refused.
 */

let node: TestNode;
let folder: string;

beforeAll(async () => {
  // The seeded demo: every kind of state entry (accounts, tokens, assets, components, reviews, stakes, billing…).
  node = await startTestNode({ blockIntervalMs: 250, seedDemo: true });
  folder = mkdtempSync(join(tmpdir(), 'arc-cli-snapshot-'));
}, 120_000);

afterAll(async () => {
  await node?.stop();
  rmSync(folder, { recursive: true, force: true });
});

function arc(...args: string[]) {
  return runArc({ HOME: '/nonexistent', ARC_NODE_URL: node.url }, args, 60_000);
}

describe('arc node snapshot and verify --snapshot', () => {
  const file = () => join(folder, 'demo.snapshot.gz');

  it('saves the head’s state with its height, state root and entry count', async () => {
    const result = await arc('node', 'snapshot', '--out', file(), '--json');
    expect(result.stderr).not.toMatch(/error/);
    expect(result.status).toBe(0);
    const saved = JSON.parse(result.stdout);
    const [row] = await node.db.query<{ state_root: Uint8Array }>('SELECT state_root FROM blocks WHERE height = $1', [saved.height]);
    expect(saved).toMatchObject({ file: file(), chainId: node.chainId, stateRoot: Buffer.from(row?.state_root ?? []).toString('hex') });
    const lines = gunzipSync(readFileSync(file())).toString('utf8').trim().split('\n');
    expect(saved.entries).toBe(lines.length - 2);
    expect(new Set(lines.slice(1, -1).map((line) => JSON.parse(line).k)).size).toBeGreaterThanOrEqual(8);
  });

  it('replays the blocks after the snapshot to the node’s state roots', async () => {
    const saved = JSON.parse((await arc('node', 'snapshot', '--out', file(), '--json')).stdout);
    // The chain moves on (empty blocks every 250 ms at least) so there are blocks after the snapshot to replay.
    while (node.services.ledger.head.height < saved.height + 3) await new Promise((r) => setTimeout(r, 100));
    const result = await arc('node', 'verify', '--snapshot', file(), '--json');
    expect(result.stderr).not.toMatch(/error/);
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ from: saved.height + 1, mismatch: null });
    expect(report.blocks).toBeGreaterThanOrEqual(3);
  });

  it('refuses --report with --snapshot, and a snapshot whose entries were changed or cut', async () => {
    expect((await arc('node', 'verify', '--snapshot', file(), '--report', '--key', '/nonexistent/key.json')).stderr).toMatch(
      /^error USAGE: --report is for a replay from genesis/,
    );
    const lines = gunzipSync(readFileSync(file())).toString('utf8').trim().split('\n');
    // One account's balance raised by 1, canonically encoded: every line checks, the state root does not.
    const at = lines.findIndex((line) => line.startsWith('{"k":"account"'));
    const entry = decodeEntry('account', fromHex(JSON.parse(lines[at] as string).v));
    if (entry.kind !== 'account') throw new Error('not an account');
    const richer = { kind: 'account' as const, value: { ...entry.value, balance: entry.value.balance + 1n } };
    const changed = lines.map((line, i) => (i === at ? JSON.stringify({ k: 'account', v: toHex(encodeEntry(richer)) }) : line));
    const raised = join(folder, 'raised.snapshot.gz');
    writeFileSync(raised, gzipSync(`${changed.join('\n')}\n`));
    const wrong = await arc('node', 'verify', '--snapshot', raised);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/^error SNAPSHOT_MISMATCH: .*state root/);
    const cut = join(folder, 'cut.snapshot.gz');
    writeFileSync(cut, gzipSync(`${lines.slice(0, -1).join('\n')}\n`));
    const short = await arc('node', 'verify', '--snapshot', cut);
    expect(short.status).toBe(1);
    expect(short.stderr).toMatch(/^error SNAPSHOT_INVALID: .*cut short/);
    const forged = join(folder, 'forged.snapshot.gz');
    const first = JSON.parse(lines[1] as string);
    const flipped = `${first.v.slice(0, -2)}${first.v.endsWith('00') ? '01' : '00'}`;
    writeFileSync(forged, gzipSync(`${[lines[0], JSON.stringify({ ...first, v: flipped }), ...lines.slice(2)].join('\n')}\n`));
    const bad = await arc('node', 'verify', '--snapshot', forged);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^error SNAPSHOT_(INVALID|MISMATCH): /);
  });
});
