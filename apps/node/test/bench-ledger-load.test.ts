/**
 * bench:ledger's HTTP load process (bench/ledger-http-load.ts) against a real node: a refusal the node marks
 * retriable is sent again and counted rather than ending the bench, each account's nonces go in order over many
 * connections, and a refusal that no retry can help ends the process with the node's whole answer on stderr.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type LoadPlan, runLoad } from '../bench/ledger-http-load.ts';
import { useTestNode } from './helpers/node.ts';
import { ABT, fundedWallet, type SignedTx, signItx, transfer, waitCommitted } from './helpers/wallet.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const LOAD_FILE = fileURLToPath(new URL('../bench/ledger-http-load.ts', import.meta.url));

function runChild(plan: LoadPlan): Promise<{ code: number; stdout: string; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-load-test-'));
  const file = join(dir, 'plan.json');
  writeFileSync(file, JSON.stringify(plan));
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', LOAD_FILE, file], { cwd: ROOT, timeout: 60_000 }, (error, stdout, stderr) => {
      rmSync(dir, { recursive: true, force: true });
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('bench:ledger HTTP load process', () => {
  // One rejection empties a sender's budget, and it takes 2 s to earn back: RATE_LIMITED with a retryAfterMs.
  const ctx = useTestNode('pglite', { ledgerLimits: { rejections: { burstMax: 1, refillPerMinute: 30, keysMax: 1000 } } });
  const txSend = () => `${ctx.node.url}/trpc/tx.send`;

  it('sends a refusal marked retriable (RATE_LIMITED) again after the wait the node names, counts it, and every transaction commits', async () => {
    const { client, alice, node } = ctx;
    const bob = await fundedWallet(alice, 10n * ABT);
    // A transfer whose fee bob cannot pay is refused in the dry run and charged to him: his budget is empty now. (One
    // he can pay the fee of would go into a block and fail there, the fee charged.)
    const overdraw = signItx(node.chainId, bob.signer, 1, transfer(alice.did, 1n), { fee: 1000n * ABT });
    await expect(client.tx.send.mutate({ tx: overdraw.hex })).rejects.toThrow(/cannot pay the fee/);
    const run: SignedTx[] = [1, 2, 3, 4, 5].map((nonce) => signItx(node.chainId, bob.signer, nonce, transfer(alice.did, BigInt(nonce))));
    const result = await runLoad({ url: txSend(), concurrency: 4, lanes: [run.map((t) => t.hex)] });
    expect(result.sent).toBe(5);
    expect(result.retries.RATE_LIMITED).toBeGreaterThanOrEqual(1);
    await waitCommitted(client, (run[4] as SignedTx).hash);
    expect((await client.account.get.query({ did: bob.did })).nonce).toBe(5);
  });

  it("keeps each account's nonces in order over many connections: long runs of several accounts all commit, none refused", async () => {
    const { client, alice, node } = ctx;
    const wallets = [];
    for (let i = 0; i < 4; i++) wallets.push(await fundedWallet(alice, 10n * ABT));
    const lanes = wallets.map((w) =>
      Array.from({ length: 12 }, (_, k) => signItx(node.chainId, w.signer, k + 1, transfer(alice.did, BigInt(k + 1)))),
    );
    const result = await runLoad({ url: txSend(), concurrency: 16, lanes: lanes.map((lane) => lane.map((t) => t.hex)) });
    expect(result).toMatchObject({ sent: 48, retries: {} });
    for (const lane of lanes) await waitCommitted(client, (lane[11] as SignedTx).hash);
  });

  it("ends with exit code 1 and the node's whole answer on stderr when a refusal is not retriable", async () => {
    const { alice, node } = ctx;
    const carol = await fundedWallet(alice, 10n * ABT);
    // Nonce 3 while carol's next is 1: NONCE_GAP is retriable, so give up quickly on a nonce that is used instead.
    const first = signItx(node.chainId, carol.signer, 1, transfer(alice.did, 1n));
    const reused = signItx(node.chainId, carol.signer, 1, transfer(alice.did, 2n));
    const { code, stdout, stderr } = await runChild({ url: txSend(), concurrency: 2, lanes: [[first.hex, reused.hex]] });
    expect(code, stdout).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/refused \(not retriable\): NONCE_TOO_LOW: HTTP \d+ .*nonce 1 is (used|taken)/);
  });
});
