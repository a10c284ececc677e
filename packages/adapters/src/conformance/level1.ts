import { parseChainId } from '@arc/core';
import { expect } from 'vitest';
import { expectOcapError } from './expect-error.ts';
import { type SuiteScope, waitUntil } from './scope.ts';

export const GARBAGE_ADDRESSES = ['garbage', '', '0x1234', 'did:abt:zzzz', 'bcrt1qqqqqqqqqqqqq', ' '.repeat(3)];

/** How long the suite lets `waitForTransaction` look for a hash no one sent: short, the answer is known at once or never. */
const UNKNOWN_WAIT_MS = 1_000;

/** Level 1: what every adapter offers. */
export function level1Checks({ it, h, a, fresh, confirm, funded, pollMs, waitMs, parallelSends }: SuiteScope): void {
  it('describes its chain with a CAIP-2 id', async () => {
    const info = await a().info();
    expect(() => parseChainId(info.chainId)).not.toThrow();
    expect(info.adapter).toBe(a().name);
    expect(Number.isInteger(info.nativeDecimals)).toBe(true);
    expect(info.nativeSymbol.length).toBeGreaterThan(0);
    expect(info.blockTimeMs).toBeGreaterThanOrEqual(0);
  });

  it('returns the same block by height and by hash, linked to its parent', async () => {
    await h().mine(1);
    const latest = await a().getLatestBlock();
    expect(latest.height).toBeGreaterThan(0);
    const byHeight = await a().getBlock({ height: latest.height });
    const byHash = await a().getBlock({ hash: latest.hash });
    expect(byHeight).toEqual(latest);
    expect(byHash).toEqual(latest);
    const parent = await a().getBlock({ height: latest.height - 1 });
    expect(latest.parentHash).toBe(parent.hash);
    expect(latest.timestampMs).toBeGreaterThanOrEqual(parent.timestampMs);
  });

  it('answers NOT_FOUND for a block beyond the head and an unknown hash', async () => {
    const latest = await a().getLatestBlock();
    await expectOcapError(a().getBlock({ height: latest.height + 1_000_000 }), 'NOT_FOUND');
    await expectOcapError(a().getBlock({ hash: h().unknownTxHash }), 'NOT_FOUND');
  });

  it('sends a native transfer and reports it confirmed', async () => {
    const receiver = fresh();
    const sent = await a().transfer(h().funded, { to: receiver.address, amount: h().transferAmount });
    expect(sent.from).toBe(h().funded.address);
    expect(typeof sent.hash).toBe('string');
    const tx = await confirm(sent.hash);
    expect(tx).toMatchObject({
      hash: sent.hash,
      status: 'success',
      from: h().funded.address,
      to: receiver.address,
      value: h().transferAmount,
    });
    expect(tx.blockHeight).not.toBeNull();
    expect(tx.blockHash).not.toBeNull();
    expect(tx.confirmations).toBeGreaterThanOrEqual(1);
    // Amounts are bigint everywhere: a number loses precision above 2^53 wei.
    expect(typeof tx.fee).toBe('bigint');
    const block = await a().getBlock({ height: tx.blockHeight as number });
    expect(block.hash).toBe(tx.blockHash);
    expect(block.txHashes).toContain(sent.hash);
    expect(await a().getTransaction(sent.hash)).toMatchObject({ hash: sent.hash, status: 'success' });
  });

  it('moves balances by exactly the amount and the fee', async () => {
    const sender = await funded(h().transferAmount * 10n);
    const receiver = fresh();
    const before = await a().getBalance(sender.address);
    expect(before).toBe(h().transferAmount * 10n);
    expect(await a().getBalance(receiver.address)).toBe(0n);
    const tx = await confirm((await a().transfer(sender, { to: receiver.address, amount: h().transferAmount })).hash);
    expect(await a().getBalance(receiver.address)).toBe(h().transferAmount);
    expect(await a().getBalance(sender.address)).toBe(before - h().transferAmount - (tx.fee ?? 0n));
  });

  it('estimates a fee for a transfer, in bigint', async () => {
    const estimate = await a().estimateFee({ from: h().funded.address, to: fresh().address, amount: h().transferAmount });
    // toBeGreaterThanOrEqual(0n) also accepts a number, so the type is checked on its own.
    expect(typeof estimate.fee).toBe('bigint');
    expect(typeof estimate.rate).toBe('bigint');
    expect(estimate.fee).toBeGreaterThanOrEqual(0n);
    expect(estimate.rate).toBeGreaterThanOrEqual(0n);
    expect(['wei/gas', 'sat/vB', 'flat']).toContain(estimate.unit);
  });

  it('does not invent a result when waiting for a transaction no one sent', async () => {
    // An unknown hash may still arrive (TIMEOUT) or be known never to (NOT_FOUND); any result is made up.
    await expectOcapError(a().waitForTransaction(h().unknownTxHash, { confirmations: 1, timeoutMs: UNKNOWN_WAIT_MS }), [
      'NOT_FOUND',
      'TIMEOUT',
    ]);
  });

  it('tells subscribers about new blocks', async () => {
    const start = (await a().getLatestBlock()).height;
    const seen: number[] = [];
    const stop = a().subscribeBlocks((block) => seen.push(block.height), { pollMs });
    try {
      await waitUntil(() => seen.length > 0, waitMs, 'the first block notification');
      await h().mine(1);
      await waitUntil(() => seen.some((height) => height > start), waitMs, 'a notification for a new block');
      const sorted = [...seen].sort((x, y) => x - y);
      expect(seen).toEqual(sorted);
    } finally {
      stop();
    }
  });

  it('validates addresses', () => {
    expect(a().isAddress(h().funded.address)).toBe(true);
    for (const garbage of GARBAGE_ADDRESSES) expect(a().isAddress(garbage)).toBe(false);
  });

  it('maps errors: unknown transaction, bad address, unfunded sender, bad amount', async () => {
    await expectOcapError(a().getTransaction(h().unknownTxHash), 'NOT_FOUND');
    for (const garbage of GARBAGE_ADDRESSES) {
      await expectOcapError(a().getBalance(garbage), 'INVALID_ADDRESS');
      await expectOcapError(a().transfer(h().funded, { to: garbage, amount: h().transferAmount }), 'INVALID_ADDRESS');
    }
    await expectOcapError(a().transfer(fresh(), { to: h().funded.address, amount: h().transferAmount }), 'INSUFFICIENT_FUNDS');
    await expectOcapError(a().transfer(h().funded, { to: fresh().address, amount: -1n }), 'INVALID_ARGUMENT');
    await expectOcapError(a().transfer(h().funded, { to: fresh().address, amount: 0n }), 'INVALID_ARGUMENT');
  });

  it('returns the first result for a repeated idempotency key and refuses it for another payload', async () => {
    const receiver = fresh();
    const key = `conformance-${crypto.randomUUID()}`;
    const request = { to: receiver.address, amount: h().transferAmount, idempotencyKey: key };
    const [first, concurrent] = await Promise.all([a().transfer(h().funded, request), a().transfer(h().funded, request)]);
    expect(concurrent.hash).toBe(first.hash);
    await confirm(first.hash);
    expect((await a().transfer(h().funded, request)).hash).toBe(first.hash);
    await expectOcapError(a().transfer(h().funded, { ...request, amount: h().transferAmount + 1n }), 'IDEMPOTENCY_CONFLICT');
    await h().mine(1);
    expect(await a().getBalance(receiver.address)).toBe(h().transferAmount);
  });

  it(`lands ${parallelSends} parallel sends from one signer`, async () => {
    const receiver = fresh();
    const sends = await Promise.all(
      Array.from({ length: parallelSends }, () => a().transfer(h().funded, { to: receiver.address, amount: h().transferAmount })),
    );
    expect(new Set(sends.map((s) => s.hash)).size).toBe(parallelSends);
    await h().mine(1);
    const txs = await Promise.all(sends.map((s) => a().waitForTransaction(s.hash, { confirmations: 1, timeoutMs: waitMs })));
    expect(txs.every((tx) => tx.status === 'success')).toBe(true);
    expect(await a().getBalance(receiver.address)).toBe(h().transferAmount * BigInt(parallelSends));
  });
}
