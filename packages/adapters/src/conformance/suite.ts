import {
  type ChainAdapter,
  isOcapError,
  type OcapErrorCode,
  type OcapEvent,
  type OcapSigner,
  type OcapTx,
  parseAccountId,
  parseChainId,
  type StreamCheckpoint,
} from '@arc/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConformanceHarness, ConformanceOptions } from './harness.ts';
import { StreamReader } from './reader.ts';

const GARBAGE_ADDRESSES = ['garbage', '', '0x1234', 'did:abt:zzzz', 'bcrt1qqqqqqqqqqqqq', ' '.repeat(3)];

/** Expects the promise to reject with an OcapError of `code`. */
export async function expectOcapError(promise: Promise<unknown> | (() => unknown), code: OcapErrorCode): Promise<void> {
  let error: unknown;
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (caught) {
    error = caught;
  }
  if (!isOcapError(error)) throw new Error(`expected OcapError ${code}, got ${error === undefined ? 'success' : String(error)}`);
  expect(error.code, error.message).toBe(code);
  expect(error.message.length).toBeGreaterThan(10);
}

/**
 * The OCAP conformance suite. Every adapter (ours and third parties') runs it from a vitest file:
 * `runConformance('mychain', async () => harness)`. Level 1 is mandatory; level 2 follows capabilities(),
 * where a `false` capability must throw ADAPTER_UNSUPPORTED.
 */
export function runConformance(name: string, createHarness: () => Promise<ConformanceHarness>, options: ConformanceOptions = {}): void {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const pollMs = options.pollMs ?? 50;
  const parallelSends = options.parallelSends ?? 50;
  const waitMs = Math.min(60_000, timeoutMs / 2);

  describe(`OCAP conformance: ${name}`, { timeout: timeoutMs }, () => {
    let h: ConformanceHarness;
    let a: ChainAdapter;

    beforeAll(async () => {
      h = await createHarness();
      a = h.adapter;
    }, timeoutMs);

    afterAll(async () => {
      await a?.close();
      await h?.close?.();
    }, timeoutMs);

    const fresh = (): OcapSigner => a.signer(h.newSecretKey?.() ?? crypto.getRandomValues(new Uint8Array(32)));

    async function confirm(hash: string): Promise<OcapTx> {
      await h.mine(1);
      return a.waitForTransaction(hash, { confirmations: 1, timeoutMs: waitMs });
    }

    async function funded(amount: bigint): Promise<OcapSigner> {
      const signer = fresh();
      await confirm((await a.transfer(h.funded, { to: signer.address, amount })).hash);
      return signer;
    }

    describe('level 1', () => {
      it('describes its chain with a CAIP-2 id', async () => {
        const info = await a.info();
        expect(() => parseChainId(info.chainId)).not.toThrow();
        expect(info.adapter).toBe(a.name);
        expect(Number.isInteger(info.nativeDecimals)).toBe(true);
        expect(info.nativeSymbol.length).toBeGreaterThan(0);
        expect(info.blockTimeMs).toBeGreaterThanOrEqual(0);
      });

      it('returns the same block by height and by hash, linked to its parent', async () => {
        await h.mine(1);
        const latest = await a.getLatestBlock();
        expect(latest.height).toBeGreaterThan(0);
        const byHeight = await a.getBlock({ height: latest.height });
        const byHash = await a.getBlock({ hash: latest.hash });
        expect(byHeight).toEqual(latest);
        expect(byHash).toEqual(latest);
        const parent = await a.getBlock({ height: latest.height - 1 });
        expect(latest.parentHash).toBe(parent.hash);
        expect(latest.timestampMs).toBeGreaterThanOrEqual(parent.timestampMs);
      });

      it('answers NOT_FOUND for a block beyond the head and an unknown hash', async () => {
        const latest = await a.getLatestBlock();
        await expectOcapError(a.getBlock({ height: latest.height + 1_000_000 }), 'NOT_FOUND');
        await expectOcapError(a.getBlock({ hash: h.unknownTxHash }), 'NOT_FOUND');
      });

      it('sends a native transfer and reports it confirmed', async () => {
        const receiver = fresh();
        const sent = await a.transfer(h.funded, { to: receiver.address, amount: h.transferAmount });
        expect(sent.from).toBe(h.funded.address);
        expect(typeof sent.hash).toBe('string');
        const tx = await confirm(sent.hash);
        expect(tx).toMatchObject({
          hash: sent.hash,
          status: 'success',
          from: h.funded.address,
          to: receiver.address,
          value: h.transferAmount,
        });
        expect(tx.blockHeight).not.toBeNull();
        expect(tx.blockHash).not.toBeNull();
        expect(tx.confirmations).toBeGreaterThanOrEqual(1);
        expect(tx.fee).not.toBeNull();
        const block = await a.getBlock({ height: tx.blockHeight as number });
        expect(block.hash).toBe(tx.blockHash);
        expect(block.txHashes).toContain(sent.hash);
        expect(await a.getTransaction(sent.hash)).toMatchObject({ hash: sent.hash, status: 'success' });
      });

      it('moves balances by exactly the amount and the fee', async () => {
        const sender = await funded(h.transferAmount * 10n);
        const receiver = fresh();
        const before = await a.getBalance(sender.address);
        expect(before).toBe(h.transferAmount * 10n);
        expect(await a.getBalance(receiver.address)).toBe(0n);
        const tx = await confirm((await a.transfer(sender, { to: receiver.address, amount: h.transferAmount })).hash);
        expect(await a.getBalance(receiver.address)).toBe(h.transferAmount);
        expect(await a.getBalance(sender.address)).toBe(before - h.transferAmount - (tx.fee ?? 0n));
      });

      it('estimates a fee for a transfer', async () => {
        const estimate = await a.estimateFee({ from: h.funded.address, to: fresh().address, amount: h.transferAmount });
        expect(estimate.fee).toBeGreaterThanOrEqual(0n);
        expect(estimate.rate).toBeGreaterThanOrEqual(0n);
        expect(['wei/gas', 'sat/vB', 'flat']).toContain(estimate.unit);
      });

      it('tells subscribers about new blocks', async () => {
        const start = (await a.getLatestBlock()).height;
        const seen: number[] = [];
        const stop = a.subscribeBlocks((block) => seen.push(block.height), { pollMs });
        try {
          await waitUntil(() => seen.length > 0, waitMs, 'the first block notification');
          await h.mine(1);
          await waitUntil(() => seen.some((height) => height > start), waitMs, 'a notification for a new block');
          const sorted = [...seen].sort((x, y) => x - y);
          expect(seen).toEqual(sorted);
        } finally {
          stop();
        }
      });

      it('validates addresses', () => {
        expect(a.isAddress(h.funded.address)).toBe(true);
        for (const garbage of GARBAGE_ADDRESSES) expect(a.isAddress(garbage)).toBe(false);
      });

      it('maps errors: unknown transaction, bad address, unfunded sender, bad amount', async () => {
        await expectOcapError(a.getTransaction(h.unknownTxHash), 'NOT_FOUND');
        for (const garbage of GARBAGE_ADDRESSES) {
          await expectOcapError(a.getBalance(garbage), 'INVALID_ADDRESS');
          await expectOcapError(a.transfer(h.funded, { to: garbage, amount: h.transferAmount }), 'INVALID_ADDRESS');
        }
        await expectOcapError(a.transfer(fresh(), { to: h.funded.address, amount: h.transferAmount }), 'INSUFFICIENT_FUNDS');
        await expectOcapError(a.transfer(h.funded, { to: fresh().address, amount: -1n }), 'INVALID_ARGUMENT');
        await expectOcapError(a.transfer(h.funded, { to: fresh().address, amount: 0n }), 'INVALID_ARGUMENT');
      });

      it('returns the first result for a repeated idempotency key and refuses it for another payload', async () => {
        const receiver = fresh();
        const key = `conformance-${crypto.randomUUID()}`;
        const request = { to: receiver.address, amount: h.transferAmount, idempotencyKey: key };
        const [first, concurrent] = await Promise.all([a.transfer(h.funded, request), a.transfer(h.funded, request)]);
        expect(concurrent.hash).toBe(first.hash);
        await confirm(first.hash);
        expect((await a.transfer(h.funded, request)).hash).toBe(first.hash);
        await expectOcapError(a.transfer(h.funded, { ...request, amount: h.transferAmount + 1n }), 'IDEMPOTENCY_CONFLICT');
        await h.mine(1);
        expect(await a.getBalance(receiver.address)).toBe(h.transferAmount);
      });

      it(`lands ${parallelSends} parallel sends from one signer`, async () => {
        const receiver = fresh();
        const sends = await Promise.all(
          Array.from({ length: parallelSends }, () => a.transfer(h.funded, { to: receiver.address, amount: h.transferAmount })),
        );
        expect(new Set(sends.map((s) => s.hash)).size).toBe(parallelSends);
        await h.mine(1);
        const txs = await Promise.all(sends.map((s) => a.waitForTransaction(s.hash, { confirmations: 1, timeoutMs: waitMs })));
        expect(txs.every((tx) => tx.status === 'success')).toBe(true);
        expect(await a.getBalance(receiver.address)).toBe(h.transferAmount * BigInt(parallelSends));
      });
    });

    describe('level 2: accounts', () => {
      it('gives CAIP-10 account ids, or refuses as unsupported', async () => {
        if (a.capabilities().accounts === false) {
          await expectOcapError(() => a.accountId(h.funded.address), 'ADAPTER_UNSUPPORTED');
          return;
        }
        const info = await a.info();
        const id = a.accountId(h.funded.address);
        expect(parseAccountId(id).chainId).toBe(info.chainId);
        await expectOcapError(() => a.accountId('garbage'), 'INVALID_ADDRESS');
      });
    });

    describe('level 2: tokens', () => {
      it('reads and moves token balances, or refuses as unsupported', async () => {
        if (a.capabilities().tokens === false) {
          await expectOcapError(a.getTokenInfo('x'), 'ADAPTER_UNSUPPORTED');
          await expectOcapError(a.getTokenBalance('x', h.funded.address), 'ADAPTER_UNSUPPORTED');
          await expectOcapError(a.transferToken(h.funded, { token: 'x', to: h.funded.address, amount: 1n }), 'ADAPTER_UNSUPPORTED');
          return;
        }
        const token = h.token;
        if (!token) throw new Error('the harness must provide `token` when capabilities().tokens is not false');
        const info = await a.getTokenInfo(token.address);
        expect(info.symbol.length).toBeGreaterThan(0);
        expect(info.totalSupply).toBeGreaterThanOrEqual(token.amount);
        const holderBefore = await a.getTokenBalance(token.address, token.holder.address);
        expect(holderBefore).toBeGreaterThanOrEqual(token.amount);
        const receiver = fresh();
        const amount = token.amount / 4n > 0n ? token.amount / 4n : 1n;
        const tx = await confirm((await a.transferToken(token.holder, { token: token.address, to: receiver.address, amount })).hash);
        expect(tx.status).toBe('success');
        expect(await a.getTokenBalance(token.address, receiver.address)).toBe(amount);
        expect(await a.getTokenBalance(token.address, token.holder.address)).toBe(holderBefore - amount);
        await expectOcapError(a.getTokenBalance(token.address, 'garbage'), 'INVALID_ADDRESS');
      });
    });

    describe('level 2: assets', () => {
      it('reads and moves assets, refusing a non-owner, or refuses as unsupported', async () => {
        if (a.capabilities().assets === false) {
          await expectOcapError(a.getAsset('x'), 'ADAPTER_UNSUPPORTED');
          await expectOcapError(a.transferAsset(h.funded, { asset: 'x', to: h.funded.address }), 'ADAPTER_UNSUPPORTED');
          return;
        }
        if (!h.mintAsset) throw new Error('the harness must provide `mintAsset` when capabilities().assets is not false');
        const owner = await funded(h.transferAmount * 10n);
        const receiver = await funded(h.transferAmount * 10n);
        const asset = await h.mintAsset(owner);
        expect((await a.getAsset(asset)).owner).toBe(owner.address);
        const tx = await confirm((await a.transferAsset(owner, { asset, to: receiver.address })).hash);
        expect(tx.status).toBe('success');
        expect((await a.getAsset(asset)).owner).toBe(receiver.address);
        await expectOcapError(a.transferAsset(owner, { asset, to: owner.address }), 'FORBIDDEN');
      });
    });

    describe('level 2: event stream', () => {
      const unsupported = () => a.capabilities().events === false;

      it('refuses as unsupported when the adapter has no events', async () => {
        if (!unsupported()) return;
        await expectOcapError(() => a.events({ pollMs }), 'ADAPTER_UNSUPPORTED');
      });

      /** Sends `count` transfers to a fresh receiver, each in its own block; returns the receiver, start height and hashes. */
      async function transfersInto(count: number) {
        const receiver = fresh();
        const fromHeight = (await a.getLatestBlock()).height + 1;
        const hashes: string[] = [];
        for (let i = 0; i < count; i += 1) {
          const sent = await a.transfer(h.funded, { to: receiver.address, amount: h.transferAmount + BigInt(i) });
          await confirm(sent.hash);
          hashes.push(sent.hash);
        }
        return { receiver, fromHeight, hashes };
      }

      it('delivers transfer events in chain order with sortable positions', async () => {
        if (unsupported()) return;
        const { receiver, fromHeight, hashes } = await transfersInto(4);
        const reader = new StreamReader(a.events({ fromHeight, pollMs, filter: { addresses: [receiver.address], kinds: ['transfer'] } }));
        try {
          const events = await reader.take(4, waitMs);
          expect(events.map((e) => e.txHash)).toEqual(hashes);
          events.forEach((event, i) => {
            expect(event).toMatchObject({
              kind: 'transfer',
              to: receiver.address,
              from: h.funded.address,
              amount: h.transferAmount + BigInt(i),
            });
            expect(event.removed).toBe(false);
            expect(event.token).toBeNull();
            expect(event.blockHeight).toBeGreaterThanOrEqual(fromHeight);
          });
          const positions = events.map((e) => e.position);
          expect([...positions].sort()).toEqual(positions);
          expect(new Set(positions).size).toBe(positions.length);
        } finally {
          reader.close();
        }
      });

      it('resumes from a checkpoint with no gap and no duplicate', async () => {
        if (unsupported()) return;
        const { receiver, fromHeight, hashes } = await transfersInto(5);
        const filter = { addresses: [receiver.address], kinds: ['transfer' as const] };
        const full = new StreamReader(a.events({ fromHeight, pollMs, filter }));
        const all = await full.take(5, waitMs).finally(() => full.close());
        expect(all.map((e) => e.txHash)).toEqual(hashes);

        for (const cut of [1, 2, 4]) {
          const first = new StreamReader(a.events({ fromHeight, pollMs, filter }));
          const head = await first.take(cut, waitMs);
          const checkpoint = JSON.parse(JSON.stringify(first.stream.checkpoint())) as StreamCheckpoint;
          first.close();
          const second = new StreamReader(a.events({ checkpoint, pollMs, filter }));
          const rest = await second.take(5 - cut, waitMs);
          expect(await second.next(pollMs * 6)).toBeUndefined();
          second.close();
          expect([...head, ...rest].map(key)).toEqual(all.map(key));
        }
      });

      it('holds a block back until it has the requested confirmations', async () => {
        if (unsupported()) return;
        const confirmations = 3;
        const receiver = fresh();
        const fromHeight = (await a.getLatestBlock()).height + 1;
        const reader = new StreamReader(a.events({ fromHeight, confirmations, pollMs, filter: { addresses: [receiver.address] } }));
        try {
          const sent = await a.transfer(h.funded, { to: receiver.address, amount: h.transferAmount });
          const tx = await confirm(sent.hash);
          const headBefore = (await a.getLatestBlock()).height;
          const early = await reader.next(pollMs * 8);
          const headAfter = (await a.getLatestBlock()).height;
          if (headBefore === headAfter && headAfter - (tx.blockHeight as number) + 1 < confirmations) expect(early).toBeUndefined();
          const event =
            early ??
            (await (async () => {
              await h.mine(confirmations);
              return reader.take(1, waitMs).then((events) => events[0]);
            })());
          expect(event?.txHash).toBe(sent.hash);
          const head = (await a.getLatestBlock()).height;
          expect(head - (event?.blockHeight as number) + 1).toBeGreaterThanOrEqual(confirmations);
        } finally {
          reader.close();
        }
      });

      it('reports events of orphaned blocks as removals after a reorg', async () => {
        if (unsupported() || a.capabilities().reorgs === false) return;
        if (!h.reorg) throw new Error('the harness must provide `reorg` when capabilities().reorgs is not false');
        const receiver = fresh();
        const fromHeight = (await a.getLatestBlock()).height + 1;
        const reader = new StreamReader(a.events({ fromHeight, pollMs, filter: { addresses: [receiver.address], kinds: ['transfer'] } }));
        try {
          const sent = await a.transfer(h.funded, { to: receiver.address, amount: h.transferAmount });
          await confirm(sent.hash);
          const [added] = await reader.take(1, waitMs);
          expect(added).toMatchObject({ txHash: sent.hash, removed: false });
          await h.reorg(2);
          await h.mine(1);
          const removal = await reader.take(1, waitMs).then((events) => events[0]);
          expect(removal).toMatchObject({ txHash: sent.hash, position: added?.position, removed: true, blockHash: added?.blockHash });
        } finally {
          reader.close();
        }
      });

      it('refuses a checkpoint it did not make', async () => {
        if (unsupported()) return;
        await expectOcapError(() => a.events({ checkpoint: { v: 2 } as unknown as StreamCheckpoint }), 'CHECKPOINT_INVALID');
      });
    });
  });
}

function key(event: OcapEvent): string {
  return `${event.position}/${event.txHash}/${event.removed}`;
}

async function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
