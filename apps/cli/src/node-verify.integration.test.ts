import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, signVerifyReport, type VerifyReport, verifyChain, Wallet } from '@arc/client';
import { startTestNode, type TestNode } from '@arc/node/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runArc } from './testing.ts';

let node: TestNode;

beforeAll(async () => {
  // The seeded demo: transfers, tokens, assets, the marketplace, billing, stakes, a batch co-signature…
  node = await startTestNode({ blockIntervalMs: 250, seedDemo: true });
}, 120_000);

afterAll(async () => {
  await node?.stop();
});

/** Runs the real binary against the test node. */
function arc(...args: string[]) {
  return runArc({ HOME: '/nonexistent', ARC_NODE_URL: node.url }, args, 60_000);
}

async function stateRootAt(height: number): Promise<string> {
  const [row] = await node.db.query<{ state_root: Uint8Array }>('SELECT state_root FROM blocks WHERE height = $1', [height]);
  return Buffer.from(row?.state_root ?? []).toString('hex');
}

async function reportCount(): Promise<number> {
  const [row] = await node.db.query<{ n: number }>('SELECT count(*)::int AS n FROM verify_reports');
  return row?.n ?? 0;
}

// Before the tests below, which change a stored transaction: a report needs a chain that verifies.
describe('arc node verify --report', () => {
  const verifier = Wallet.generate();
  let keyDir: string;
  let keyFile: string;

  beforeAll(() => {
    keyDir = mkdtempSync(join(tmpdir(), 'arc-verify-report-'));
    keyFile = join(keyDir, 'verifier.json');
    writeFileSync(keyFile, JSON.stringify(verifier.toJSON()), { mode: 0o600 });
  });

  afterAll(() => {
    rmSync(keyDir, { recursive: true, force: true });
  });

  it('needs --key, and says so before replaying anything', async () => {
    const result = await arc('node', 'verify', '--report');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^error USAGE: --report signs the report with your key: pass --key FILE/);
    expect(result.stdout).toBe('');
    expect(await reportCount()).toBe(0);
  });

  it('sends the verified height and state root, which the node then answers as the last verified', async () => {
    const client = createClient({ url: node.url });
    expect(await client.lastVerified()).toBeNull();
    const result = await arc('node', 'verify', '--to', '5', '--report', '--key', keyFile);
    expect(result.stderr).not.toMatch(/error/);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`${await stateRootAt(5)} at 5: every block and state root matches`);
    expect(result.stdout).toContain(`The node recorded the report: verified to height 5 by ${verifier.did}.`);
    const last = await client.lastVerified();
    expect(last).toMatchObject({ height: 5, stateRoot: await stateRootAt(5), verifier: verifier.did });
    expect(Math.abs((last?.atMs ?? 0) - Date.now())).toBeLessThan(60_000);
  });

  it("refuses a report whose state root is not the node's own with STATE_ROOT_MISMATCH, and records nothing", async () => {
    const client = createClient({ url: node.url });
    const [lastBefore, countBefore] = [await client.lastVerified(), await reportCount()];
    const wrong = signVerifyReport(verifier, { chainId: node.chainId, height: 4, stateRoot: 'ab'.repeat(32) });
    await expect(client.reportVerified(wrong)).rejects.toMatchObject({ code: 'STATE_ROOT_MISMATCH', retriable: false });
    expect(await reportCount()).toBe(countBefore);
    expect(await client.lastVerified()).toEqual(lastBefore);
  });

  it('takes a signed report once: the same request sent again is REPLAYED', async () => {
    const client = createClient({ url: node.url });
    const signed = signVerifyReport(verifier, { chainId: node.chainId, height: 3, stateRoot: await stateRootAt(3) });
    expect(await client.reportVerified(signed)).toMatchObject({ height: 3, verifier: verifier.did });
    const count = await reportCount();
    await expect(client.reportVerified(signed)).rejects.toMatchObject({ code: 'REPLAYED' });
    expect(await reportCount()).toBe(count);
    // A lower report does not hide the highest one.
    expect((await client.lastVerified())?.height).toBe(5);
  });

  it('refuses a report about another chain, past the head, or naming a DID whose key did not sign it', async () => {
    const client = createClient({ url: node.url });
    const stateRoot = await stateRootAt(3);
    const count = await reportCount();
    const otherChain = signVerifyReport(verifier, { chainId: 'arc-elsewhere', height: 3, stateRoot });
    await expect(client.reportVerified(otherChain)).rejects.toMatchObject({ code: 'BAD_INPUT' });
    const ahead = signVerifyReport(verifier, { chainId: node.chainId, height: 999_999_999, stateRoot });
    await expect(client.reportVerified(ahead)).rejects.toMatchObject({ code: 'HEIGHT_AHEAD', retriable: true });
    const impostor = { ...signVerifyReport(Wallet.generate(), { chainId: node.chainId, height: 3, stateRoot }), verifier: verifier.did };
    await expect(client.reportVerified(impostor)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await reportCount()).toBe(count);
  });
});

describe('arc node verify', () => {
  it("replays the demo chain from its genesis to every block's state root", async () => {
    const result = await arc('node', 'verify', '--json');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as VerifyReport;
    expect(report.mismatch).toBeNull();
    expect(report.from).toBe(1);
    expect(report.to).toBeGreaterThan(5);
    expect(report.blocks).toBe(report.to);
    const [txs] = await node.db.query<{ n: number }>('SELECT count(*)::int AS n FROM txs WHERE height <= $1', [report.to]);
    expect(report.txs).toBe(txs?.n);
    expect(report.stateRoot).toBe(await stateRootAt(report.to));
  });

  it('reports a range, replaying what comes before it', async () => {
    const result = await arc('node', 'verify', '--from', '3', '--to', '5');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/blocks\s+3\.\.5: 3 verified/);
    expect(result.stdout).toContain(`${await stateRootAt(5)} at 5: every block and state root matches`);
    const past = await arc('node', 'verify', '--to', '999999999');
    expect(past.status).toBe(1);
    expect(past.stderr).toMatch(/past its head/);
    const backwards = await arc('node', 'verify', '--from', '5', '--to', '3');
    expect(backwards.status).toBe(1);
    expect(backwards.stderr).toMatch(/1 ≤ from ≤ to/);
  });

  it('names the first block that does not verify, and why, when a stored transaction was changed', async () => {
    const [target] = await node.db.query<{ height: number; idx: number; bytes: Uint8Array }>(
      'SELECT height::float8 AS height, idx, bytes FROM txs WHERE height > 2 ORDER BY height, idx LIMIT 1',
    );
    if (!target) throw new Error('the demo committed no transaction past block 2');
    const before = await verifyChain(createClient({ url: node.url }), { to: target.height });
    expect(before.mismatch).toBeNull();
    // One byte of the sender's signature (the transaction's last bytes are signatures) changed where it is stored.
    const changed = Uint8Array.from(target.bytes);
    changed[changed.length - 1] = (changed[changed.length - 1] as number) ^ 1;
    await node.db.query('UPDATE txs SET bytes = $1 WHERE height = $2 AND idx = $3', [changed, target.height, target.idx]);

    const result = await arc('node', 'verify', '--to', String(target.height));
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(
      new RegExp(`mismatch\\s+block ${target.height}: TX_INVALID \\(transaction ${target.idx}: INVALID_SIGNATURE\\)`),
    );
    expect(result.stderr).toMatch(/error CHAIN_MISMATCH: block \d+ does not verify \(TX_INVALID\)/);
  });
});
