import { createClient, type VerifyReport, verifyChain } from '@arc/client';
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
