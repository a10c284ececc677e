import { isOcapError, type OcapBlock, type OcapEvent, type OcapSigner } from '@arc/core';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StreamReader } from '../conformance/reader.ts';
import { expectOcapError, runConformance } from '../conformance/suite.ts';
import { createMockAdapter, type MockAdapter, type MockAdapterOptions } from './index.ts';

const TRANSFER_AMOUNT = 1_000n;
const GENESIS_BALANCE = 10n ** 24n;
const TOKEN_SUPPLY = 1_000_000n;

const randomKey = () => crypto.getRandomValues(new Uint8Array(32));

/** A mock chain with one funded signer holding coin and a token. */
function setup(options: MockAdapterOptions = {}) {
  const probe = createMockAdapter();
  const funded = probe.signer(randomKey());
  const adapter = createMockAdapter({
    accounts: { [funded.address]: GENESIS_BALANCE },
    tokens: [{ symbol: 'USDM', name: 'Mock dollar', decimals: 6, supply: TOKEN_SUPPLY, owner: funded.address }],
    ...options,
  });
  const funded2 = adapter.signer(randomKey());
  return { adapter, funded, fresh: () => adapter.signer(randomKey()), other: funded2 };
}

runConformance('mock', async () => {
  const { adapter, funded } = setup();
  const token = adapter.native.tokens()[0];
  if (!token) throw new Error('the token preset is missing');
  return {
    adapter,
    funded,
    transferAmount: TRANSFER_AMOUNT,
    unknownTxHash: `0x${'ab'.repeat(32)}`,
    mine: async (n) => void adapter.native.mine(n),
    reorg: async (depth) => void adapter.native.reorg(depth),
    token: { address: token.address, holder: funded, amount: TOKEN_SUPPLY },
    mintAsset: async (owner) => adapter.native.mintAsset(owner).id,
    signTransfer: async (signer, request) => adapter.native.buildTransfer(signer, request),
  };
});

async function sendAndMine(adapter: MockAdapter, from: OcapSigner, to: string, amount: bigint) {
  const sent = await adapter.transfer(from, { to, amount });
  adapter.native.mine(1);
  return adapter.waitForTransaction(sent.hash);
}

describe('the mock adapter', () => {
  it('mines a block every blockTimeMs on its own', async () => {
    const { adapter, funded, fresh } = setup({ blockTimeMs: 20 });
    try {
      const start = (await adapter.getLatestBlock()).height;
      const sent = await adapter.transfer(funded, { to: fresh().address, amount: TRANSFER_AMOUNT });
      const tx = await adapter.waitForTransaction(sent.hash, { confirmations: 2, timeoutMs: 10_000 });
      expect(tx.status).toBe('success');
      expect((await adapter.getLatestBlock()).height).toBeGreaterThanOrEqual(start + 2);
      expect((await adapter.info()).blockTimeMs).toBe(20);
    } finally {
      await adapter.close();
    }
  });

  it('with automine, mines each send into its own block at once', async () => {
    const { adapter, funded, fresh } = setup({ automine: true });
    const start = (await adapter.getLatestBlock()).height;
    const receiver = fresh();
    const sends = await Promise.all([1n, 2n, 3n].map((amount) => adapter.transfer(funded, { to: receiver.address, amount })));
    const txs = await Promise.all(sends.map((s) => adapter.getTransaction(s.hash)));
    expect(txs.map((tx) => tx.status)).toEqual(['success', 'success', 'success']);
    expect(new Set(txs.map((tx) => tx.blockHeight)).size).toBe(3);
    expect((await adapter.getLatestBlock()).height).toBe(start + 3);
    expect(await adapter.getBalance(receiver.address)).toBe(6n);
  });

  it('throws an injected fault once, for the chosen calls only, before doing anything', async () => {
    const { adapter, funded, fresh } = setup();
    const receiver = fresh();
    adapter.native.failNext('UNAVAILABLE', { methods: ['transfer'] });
    expect(await adapter.getBalance(funded.address)).toBe(GENESIS_BALANCE);
    const error = await adapter.transfer(funded, { to: receiver.address, amount: 5n, idempotencyKey: 'k1' }).catch((e: unknown) => e);
    expect(isOcapError(error, 'UNAVAILABLE') && error.retriable).toBe(true);
    // The retry with the same key goes through: the failed call used nothing up.
    const sent = await adapter.transfer(funded, { to: receiver.address, amount: 5n, idempotencyKey: 'k1' });
    expect(sent.nonce).toBe(0);
    adapter.native.failNext('TIMEOUT', { times: 2 });
    await expectOcapError(adapter.getLatestBlock(), 'TIMEOUT');
    await expectOcapError(adapter.getTransaction(sent.hash), 'TIMEOUT');
    expect((await adapter.getTransaction(sent.hash)).status).toBe('pending');
    expect(() => adapter.native.failNext('NOPE' as never)).toThrow(/error code/);
  });

  it('delivers custom log events in transaction order', async () => {
    const { adapter, funded, fresh } = setup();
    const contract = fresh().address;
    const receiver = fresh();
    const fromHeight = (await adapter.getLatestBlock()).height + 1;
    const first = adapter.native.emit({ address: contract, topics: ['OrderFilled', '0x01'], data: '0xBEEF' });
    const sent = await adapter.transfer(funded, { to: receiver.address, amount: 7n });
    const second = adapter.native.emit({ address: contract, topics: ['OrderCancelled'] });
    adapter.native.mine(1);
    const reader = new StreamReader(adapter.events({ fromHeight, pollMs: 5 }));
    try {
      const events = await reader.take(3, 5_000);
      expect(events.map((e) => [e.kind, e.txHash])).toEqual([
        ['log', first.hash],
        ['transfer', sent.hash],
        ['log', second.hash],
      ]);
      expect(events[0]).toMatchObject({
        address: contract,
        from: contract,
        to: null,
        topics: ['OrderFilled', '0x01'],
        data: '0xbeef',
        amount: 0n,
      });
      expect(await adapter.getTransaction(first.hash)).toMatchObject({ status: 'success', from: contract, fee: 0n });
    } finally {
      reader.close();
    }
    await expectOcapError(async () => adapter.native.emit({ address: 'garbage' }), 'INVALID_ADDRESS');
  });

  it('relays a raw transaction built elsewhere and refuses a tampered one', async () => {
    const { adapter, funded, fresh } = setup({ name: 'relay' });
    // Another adapter of the same chain (a wallet, say) builds and signs; it never talks to this one.
    const wallet = createMockAdapter({ name: 'relay' });
    const signer = wallet.signer(randomKey());
    adapter.native.fund(signer.address, 10_000n);
    const receiver = fresh().address;
    const raw = wallet.native.buildTransfer(signer, { to: receiver, amount: 1_234n, nonce: 0 });

    const tampered = JSON.parse(new TextDecoder().decode(hexToBytes(raw))) as Record<string, unknown>;
    tampered.amount = '9999';
    await expectOcapError(adapter.broadcast(bytesToHex(utf8ToBytes(JSON.stringify(tampered)))), 'INVALID_ARGUMENT');
    await expectOcapError(adapter.broadcast('0xzz'), 'INVALID_ARGUMENT');
    const elsewhere = createMockAdapter({ name: 'other' });
    await expectOcapError(elsewhere.broadcast(raw), 'INVALID_ARGUMENT');

    const sent = await adapter.broadcast(raw);
    expect(sent).toMatchObject({ from: signer.address, nonce: 0, hash: adapter.native.decodeTransaction(raw).hash });
    await expectOcapError(adapter.broadcast(raw), 'KNOWN_TRANSACTION');
    await expectOcapError(adapter.broadcast(wallet.native.buildTransfer(signer, { to: receiver, amount: 1n, nonce: 0 })), 'NONCE_TOO_LOW');
    await expectOcapError(
      adapter.broadcast(wallet.native.buildTransfer(signer, { to: receiver, amount: 1n, nonce: 5 })),
      'INVALID_ARGUMENT',
    );
    adapter.native.mine(1);
    expect(await adapter.waitForTransaction(sent.hash)).toMatchObject({ status: 'success', value: 1_234n, fee: 1_000n });
    expect(await adapter.getBalance(receiver)).toBe(1_234n);
    // The adapter's own sends carry on from the relayed nonce.
    expect((await adapter.transfer(signer, { to: receiver, amount: 1n })).nonce).toBe(1);
    void funded;
  });

  it('replays state from the fork point after a reorg that drops transactions', async () => {
    const { adapter, funded, fresh } = setup();
    const alice = fresh();
    const bob = fresh();
    await sendAndMine(adapter, funded, alice.address, 50_000n);
    const forkPoint = await adapter.getLatestBlock();
    const toBob = await sendAndMine(adapter, alice, bob.address, 10_000n);
    adapter.native.fund(bob.address, 5n);
    const pendingToBob = await adapter.transfer(alice, { to: bob.address, amount: 1n });
    expect(await adapter.getBalance(bob.address)).toBe(10_005n);

    const { orphaned, blocks, dropped } = adapter.native.reorg(1, { dropTxs: true });
    expect(orphaned.map((b) => b.hash)).toEqual([toBob.blockHash]);
    expect(blocks[0]?.hash).not.toBe(toBob.blockHash);
    expect(blocks[0]?.parentHash).toBe(forkPoint.hash);
    expect(dropped).toEqual([toBob.hash, pendingToBob.hash]);
    // The transfer is gone, the funding (a developer operation) stays, the pending one lost its predecessor.
    expect(await adapter.getBalance(bob.address)).toBe(5n);
    expect(await adapter.getBalance(alice.address)).toBe(50_000n);
    await expectOcapError(adapter.getTransaction(toBob.hash), 'NOT_FOUND');
    await expectOcapError(adapter.getTransaction(pendingToBob.hash), 'NOT_FOUND');
    // The signer's next send takes the nonce the chain now expects.
    expect((await adapter.transfer(alice, { to: bob.address, amount: 2n })).nonce).toBe(0);
    adapter.native.mine(1);
    expect(await adapter.getBalance(bob.address)).toBe(7n);
  });

  it('returns orphaned transactions to the mempool by default and mines them again', async () => {
    const { adapter, funded, fresh } = setup();
    const receiver = fresh();
    adapter.native.mine(2);
    const tx = await sendAndMine(adapter, funded, receiver.address, 3n);
    const seen: OcapBlock[] = [];
    const stop = adapter.subscribeBlocks((block) => seen.push(block));
    adapter.native.reorg(2);
    expect((await adapter.getTransaction(tx.hash)).status).toBe('pending');
    expect(await adapter.getBalance(receiver.address)).toBe(0n);
    adapter.native.mine(1);
    const again = await adapter.getTransaction(tx.hash);
    const height = tx.blockHeight as number;
    expect(again).toMatchObject({ status: 'success', blockHeight: height + 1 });
    expect(await adapter.getBalance(receiver.address)).toBe(3n);
    await new Promise((resolve) => setTimeout(resolve, 10));
    stop();
    // Subscribers hear the new branch from the fork point on, in order.
    expect(seen.map((b) => b.height)).toEqual([height - 1, height, height + 1]);
    expect(seen[1]?.hash).not.toBe(tx.blockHash);
  });

  it('checks funds at the door, counting what the sender has pending', async () => {
    const { adapter, fresh } = setup({ feePerTx: 10n });
    const sender = fresh();
    adapter.native.setBalance(sender.address, 100n);
    await adapter.transfer(sender, { to: fresh().address, amount: 50n });
    await expectOcapError(adapter.transfer(sender, { to: fresh().address, amount: 41n }), 'INSUFFICIENT_FUNDS');
    await adapter.transfer(sender, { to: fresh().address, amount: 30n });
    expect(adapter.native.mempool()).toHaveLength(2);
    // A balance lowered behind the mempool's back makes the second transaction fail at inclusion.
    adapter.native.setBalance(sender.address, 75n);
    adapter.native.mine(1);
    expect(adapter.native.mempool()).toHaveLength(0);
    const head = await adapter.getLatestBlock();
    const txs = await Promise.all(head.txHashes.map((hash) => adapter.getTransaction(hash)));
    expect(txs.map((t) => t.status)).toEqual(['success', 'failed']);
    expect(txs[1]?.error).toMatch(/insufficient funds/);
    expect(txs.map((t) => t.fee)).toEqual([10n, 10n]);
    expect(await adapter.getBalance(sender.address)).toBe(75n - 60n - 10n);
  });

  it('refuses unknown tokens and assets, and asset transfers by a non-owner', async () => {
    const { adapter, funded, fresh } = setup();
    const stranger = fresh().address;
    await expectOcapError(adapter.getTokenInfo(stranger), 'NOT_FOUND');
    await expectOcapError(adapter.transferToken(funded, { token: stranger, to: stranger, amount: 1n }), 'NOT_FOUND');
    await expectOcapError(adapter.getAsset(stranger), 'NOT_FOUND');
    const asset = adapter.native.mintAsset(fresh(), 'ipfs://x');
    expect(await adapter.getAsset(asset.id)).toEqual(asset);
    await expectOcapError(adapter.transferAsset(funded, { asset: asset.id, to: stranger }), 'FORBIDDEN');
  });

  it('restores a snapshot and reports the blocks made since as removed', async () => {
    const { adapter, funded, fresh } = setup();
    const receiver = fresh();
    const id = adapter.native.snapshot();
    const fromHeight = (await adapter.getLatestBlock()).height + 1;
    const tx = await sendAndMine(adapter, funded, receiver.address, 9n);
    const reader = new StreamReader(adapter.events({ fromHeight, pollMs: 5, filter: { addresses: [receiver.address] } }));
    try {
      const [added] = await reader.take(1, 5_000);
      adapter.native.revert(id);
      expect(await adapter.getBalance(receiver.address)).toBe(0n);
      await expectOcapError(adapter.getTransaction(tx.hash), 'NOT_FOUND');
      const removal = (await reader.take(1, 5_000))[0] as OcapEvent;
      expect(removal).toMatchObject({ txHash: added?.txHash, position: added?.position, removed: true });
    } finally {
      reader.close();
    }
  });

  it('prunes blocks beyond blocksKeptMax and keeps the state they made', async () => {
    const { adapter, funded, fresh } = setup({ limits: { blocksKeptMax: 5 } });
    const receiver = fresh();
    const early = await sendAndMine(adapter, funded, receiver.address, 11n);
    adapter.native.mine(6);
    await expectOcapError(adapter.getBlock({ height: early.blockHeight as number }), 'NOT_FOUND');
    await expectOcapError(adapter.getTransaction(early.hash), 'NOT_FOUND');
    await sendAndMine(adapter, funded, receiver.address, 1n);
    // A reorg replays from the oldest kept block, so what pruned blocks did stays.
    adapter.native.reorg(4, { dropTxs: true });
    expect(await adapter.getBalance(receiver.address)).toBe(11n);
    expect(() => adapter.native.reorg(5)).toThrow(/reorg replaces 1 to 4/);
  });

  it('refuses sends beyond the mempool bound until a block is mined', async () => {
    const { adapter, funded, fresh } = setup({ limits: { mempoolTxsMax: 2 } });
    const to = fresh().address;
    await adapter.transfer(funded, { to, amount: 1n });
    await adapter.transfer(funded, { to, amount: 1n });
    await expectOcapError(adapter.transfer(funded, { to, amount: 1n }), 'UNAVAILABLE');
    adapter.native.mine(1);
    await adapter.transfer(funded, { to, amount: 1n });
  });

  it('stamps blocks with the injected clock, never going backwards', async () => {
    let clockMs = 5_000;
    const { adapter } = setup({ now: () => clockMs });
    expect((await adapter.getLatestBlock()).timestampMs).toBe(5_000);
    clockMs = 9_000;
    const [later] = adapter.native.mine(1);
    clockMs = 1_000;
    const [skewed] = adapter.native.mine(1);
    expect([later?.timestampMs, skewed?.timestampMs]).toEqual([9_000, 9_000]);
  });

  it('conserves supply, links blocks and counts nonces through random sends, funding, mines and reorgs (property)', async () => {
    const step = fc.oneof(
      fc.record({ op: fc.constant('send' as const), from: fc.nat(3), to: fc.nat(3), amount: fc.bigInt({ min: 1n, max: 4_000n }) }),
      fc.record({ op: fc.constant('mine' as const), blocks: fc.integer({ min: 1, max: 3 }) }),
      fc.record({ op: fc.constant('reorg' as const), depth: fc.integer({ min: 1, max: 4 }), dropTxs: fc.boolean() }),
      // fund, not setBalance: an absolute balance set before a reorg absorbs whatever the reorg undid.
      fc.record({ op: fc.constant('fund' as const), who: fc.nat(3), amount: fc.bigInt({ min: 0n, max: 5_000n }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 40 }), async (steps) => {
        const signers = Array.from({ length: 4 }, () => createMockAdapter().signer(randomKey()));
        const adapter = createMockAdapter({ feePerTx: 10n, accounts: Object.fromEntries(signers.map((s) => [s.address, 10_000n])) });
        let supply = 40_000n;
        for (const s of steps) {
          if (s.op === 'send') {
            const from = signers[s.from] as OcapSigner;
            await adapter.transfer(from, { to: (signers[s.to] as OcapSigner).address, amount: s.amount }).catch((error: unknown) => {
              if (!isOcapError(error, 'INSUFFICIENT_FUNDS')) throw error;
            });
          } else if (s.op === 'mine') adapter.native.mine(s.blocks);
          else if (s.op === 'reorg') {
            if (s.depth <= (await adapter.getLatestBlock()).height) adapter.native.reorg(s.depth, { dropTxs: s.dropTxs });
          } else {
            supply += s.amount;
            adapter.native.fund((signers[s.who] as OcapSigner).address, s.amount);
          }
        }
        adapter.native.mine(1);
        const head = await adapter.getLatestBlock();
        let fees = 0n;
        const sent = new Map<string, number>();
        let parent = await adapter.getBlock({ height: 0 });
        for (let height = 1; height <= head.height; height += 1) {
          const block = await adapter.getBlock({ height });
          expect(block.parentHash).toBe(parent.hash);
          for (const hash of block.txHashes) {
            const tx = await adapter.getTransaction(hash);
            fees += tx.fee ?? 0n;
            sent.set(tx.from as string, (sent.get(tx.from as string) ?? 0) + 1);
          }
          parent = block;
        }
        const balances = await Promise.all(signers.map((s) => adapter.getBalance(s.address)));
        expect(balances.reduce((a, b) => a + b, 0n) + fees).toBe(supply);
        for (const s of signers) expect(adapter.native.nonceOf(s.address)).toBe(sent.get(s.address) ?? 0);
      }),
      { numRuns: 60 },
    );
  }, 60_000);

  it('rejects bad options and bad dev calls with typed errors', () => {
    expect(() => createMockAdapter({ name: 'not a name!' })).toThrow(/CAIP-2/);
    expect(() => createMockAdapter({ accounts: { garbage: 1n } })).toThrow(/not a mock address/);
    const { adapter } = setup();
    for (const call of [() => adapter.native.mine(0), () => adapter.native.reorg(5), () => adapter.native.revert('nope')]) {
      let error: unknown;
      try {
        call();
      } catch (caught) {
        error = caught;
      }
      expect(isOcapError(error)).toBe(true);
    }
  });
});
