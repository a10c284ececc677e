import { fileURLToPath } from 'node:url';
import { isOcapError, type OcapErrorCode, type OcapSigner, parseAccountId, type StreamCheckpoint } from '@arc/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StreamReader } from '../conformance/reader.ts';
import { createFabricAdapter, type FabricAdapter } from './adapter.ts';
import { fabricSecretKey } from './identity.ts';
import { testAuthority, testIdentity } from './test-fixtures.ts';
import { type DevPeer, startDevPeer } from './testing/index.ts';

/** The adapter end to end against the development peer running the real token chaincode in fabric-shim. */
const TOKEN = fileURLToPath(new URL('../../fabric-chaincode/token', import.meta.url));
const POLL_MS = 50;
const WAIT_MS = 30_000;

async function expectCode(promise: Promise<unknown> | (() => unknown), code: OcapErrorCode): Promise<Error> {
  let error: unknown;
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (caught) {
    error = caught;
  }
  if (!isOcapError(error)) throw new Error(`expected OcapError ${code}, got ${error === undefined ? 'success' : String(error)}`);
  expect(error.code, error.message).toBe(code);
  return error;
}

describe('fabric adapter against a development peer', () => {
  let peer: DevPeer;
  let adapter: FabricAdapter;
  let minter: OcapSigner;
  let names = 0;

  /** A new member of the peer's organization, as an adapter signer. */
  async function member(): Promise<OcapSigner> {
    names += 1;
    return adapter.signer(fabricSecretKey(await peer.newIdentity(`user${names}`)));
  }

  /** Makes one more block (a committed no-op transaction). */
  async function mine(): Promise<void> {
    await adapter.native.submit({ fn: 'ClientAccountID' });
  }

  async function confirmed(hash: string) {
    return adapter.waitForTransaction(hash, { timeoutMs: WAIT_MS });
  }

  beforeAll(async () => {
    peer = await startDevPeer({
      chaincodes: [
        { name: 'token', path: TOKEN },
        { name: 'gold', path: TOKEN },
      ],
      blockCutMs: 50,
    });
    adapter = createFabricAdapter({
      endpoint: peer.endpoint,
      channel: peer.channel,
      mspId: peer.mspId,
      identity: { mspDir: peer.identityDir },
      pollMs: POLL_MS,
    });
    minter = await adapter.native.identity();
    await adapter.native.submit({ fn: 'Initialize', args: ['Arc Fabric Coin', 'AFC', '6'] });
    await adapter.native.submit({ fn: 'Mint', args: ['1000000000'] });
  }, 120_000);

  afterAll(async () => {
    await adapter?.close();
    await peer?.stop();
  });

  it('describes the channel with a CAIP-2 id from its genesis block and the token as its coin', async () => {
    const info = await adapter.info();
    expect(info).toMatchObject({ adapter: 'fabric', nativeSymbol: 'AFC', nativeDecimals: 6 });
    expect(info.chainId).toMatch(/^fabric:[0-9a-f]{32}$/);
    expect(parseAccountId(adapter.accountId(minter.address))).toEqual({ chainId: info.chainId, address: minter.address });
  });

  it('reads blocks through qscc: by height and by hash alike, linked, with the hash the peer reports', async () => {
    await mine();
    const latest = await adapter.getLatestBlock();
    expect(latest.height).toBe(peer.height() - 1);
    expect(await adapter.getBlock({ height: latest.height })).toEqual(latest);
    expect(await adapter.getBlock({ hash: latest.hash })).toEqual(latest);
    expect((await adapter.native.chainInfo()).currentBlockHash).toBe(latest.hash);
    const parent = await adapter.getBlock({ height: latest.height - 1 });
    expect(latest.parentHash).toBe(parent.hash);
    expect(latest.timestampMs).toBeGreaterThanOrEqual(parent.timestampMs);
    const genesis = await adapter.getBlock({ height: 0 });
    expect(genesis.parentHash).toBe('');
    await expectCode(adapter.getBlock({ height: latest.height + 1_000 }), 'NOT_FOUND');
    await expectCode(adapter.getBlock({ hash: 'ab'.repeat(32) }), 'NOT_FOUND');
    await expectCode(adapter.getTransaction('cd'.repeat(32)), 'NOT_FOUND');
  });

  it('agrees with the chaincode on account ids', async () => {
    const alice = await member();
    const said = Buffer.from(await adapter.native.evaluate({ signer: alice, fn: 'ClientAccountID' })).toString('utf8');
    expect(said).toBe(alice.address);
  });

  it('transfers the coin, confirms it and moves balances exactly', async () => {
    const alice = await member();
    const before = await adapter.getBalance(minter.address);
    const sent = await adapter.transfer(minter, { to: alice.address, amount: 1_500n });
    expect(sent.from).toBe(minter.address);
    const tx = await confirmed(sent.hash);
    expect(tx).toMatchObject({ hash: sent.hash, status: 'success', from: minter.address, to: alice.address, value: 1_500n, fee: 0n });
    expect(await adapter.getBalance(alice.address)).toBe(1_500n);
    expect(await adapter.getBalance(minter.address)).toBe(before - 1_500n);
    const block = await adapter.getBlock({ height: tx.blockHeight as number });
    expect(block.hash).toBe(tx.blockHash);
    expect(block.txHashes).toContain(sent.hash);
    const native = await adapter.native.getBlock({ height: tx.blockHeight as number });
    const decoded = native.transactions.find((t) => t.txId === sent.hash);
    expect(decoded).toMatchObject({ chaincode: 'token', fn: 'Transfer', validation: 'VALID', event: { name: 'Transfer' } });
    expect(decoded?.endorsements.length).toBeGreaterThan(0);
    expect(decoded?.endorsements[0]?.mspId).toBe(peer.mspId);
  });

  it('refuses bad sends with their OCAP codes', async () => {
    const poor = await member();
    await expectCode(adapter.transfer(poor, { to: minter.address, amount: 1n }), 'INSUFFICIENT_FUNDS');
    await expectCode(adapter.transfer(minter, { to: 'garbage', amount: 1n }), 'INVALID_ADDRESS');
    await expectCode(adapter.transfer(minter, { to: poor.address, amount: -1n }), 'INVALID_ARGUMENT');
    await expectCode(adapter.native.evaluate({ fn: 'Transfer', args: ['x'] }), 'INVALID_ARGUMENT');
    await expectCode(adapter.native.submit({ fn: 'NoSuchFunction' }), 'INVALID_ARGUMENT');
    await expectCode(adapter.native.evaluate({ chaincode: 'missing', fn: 'Symbol' }), 'NOT_FOUND');
    await expectCode(adapter.native.submit({ signer: poor, fn: 'Mint', args: ['5'] }), 'FORBIDDEN');
  });

  it('returns the first transaction for a repeated idempotency key, also while it is in flight', async () => {
    const bob = await member();
    const request = { to: bob.address, amount: 7n, idempotencyKey: `fabric-${crypto.randomUUID()}` };
    const [first, concurrent] = await Promise.all([adapter.transfer(minter, request), adapter.transfer(minter, request)]);
    expect(concurrent.hash).toBe(first.hash);
    await confirmed(first.hash);
    expect((await adapter.transfer(minter, request)).hash).toBe(first.hash);
    await expectCode(adapter.transfer(minter, { ...request, amount: 8n }), 'IDEMPOTENCY_CONFLICT');
    await mine();
    expect(await adapter.getBalance(bob.address)).toBe(7n);
  });

  it('lands parallel sends of one signer, one after another', async () => {
    const carol = await member();
    const sends = await Promise.all(Array.from({ length: 8 }, () => adapter.transfer(minter, { to: carol.address, amount: 3n })));
    expect(new Set(sends.map((s) => s.hash)).size).toBe(8);
    const txs = await Promise.all(sends.map((s) => confirmed(s.hash)));
    expect(txs.every((tx) => tx.status === 'success')).toBe(true);
    expect(await adapter.getBalance(carol.address)).toBe(24n);
  });

  it('maps an MVCC read conflict to NONCE_TOO_LOW and reports the transaction failed', async () => {
    const dave = await member();
    // A second adapter with the same identity has its own send lane, so both endorse on the same balance version.
    const twin = createFabricAdapter({
      endpoint: peer.endpoint,
      channel: peer.channel,
      mspId: peer.mspId,
      identity: { mspDir: peer.identityDir },
    });
    try {
      const results = await Promise.allSettled([
        adapter.native.submit({ fn: 'Transfer', args: [dave.address, '1'] }),
        twin.native.submit({ fn: 'Transfer', args: [dave.address, '2'] }),
      ]);
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(failed).toHaveLength(1);
      const error = failed[0]?.reason;
      if (!isOcapError(error)) throw error;
      expect(error.code, error.message).toBe('NONCE_TOO_LOW');
      expect(error.message).toContain('MVCC_READ_CONFLICT');
      const txId = /Transaction ([0-9a-f]{64})/.exec(error.message)?.[1] as string;
      expect(await adapter.getTransaction(txId)).toMatchObject({ status: 'failed', error: 'MVCC_READ_CONFLICT', value: 0n });
    } finally {
      await twin.close();
    }
  });

  it('maps an identity the channel does not trust to FORBIDDEN', async () => {
    const stranger = testIdentity(testAuthority('evil.example.com'), 'mallory', peer.mspId);
    const outsider = adapter.signer(fabricSecretKey(stranger));
    await expectCode(adapter.native.evaluate({ signer: outsider, fn: 'ClientAccountID' }), 'FORBIDDEN');
    await expectCode(adapter.transfer(outsider, { to: minter.address, amount: 1n }), 'FORBIDDEN');
    const wrongMsp = adapter.signer(fabricSecretKey({ ...(await peer.newIdentity('erin')), mspId: 'Org2MSP' }));
    await expectCode(adapter.native.evaluate({ signer: wrongMsp, fn: 'ClientAccountID' }), 'FORBIDDEN');
  });

  it('streams transfer events in order and resumes from checkpoints with no gap and no duplicate', async () => {
    const frank = await member();
    const fromHeight = (await adapter.getLatestBlock()).height + 1;
    const hashes: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      const sent = await adapter.transfer(minter, { to: frank.address, amount: 10n + BigInt(i) });
      await confirmed(sent.hash);
      hashes.push(sent.hash);
    }
    const filter = { addresses: [frank.address], kinds: ['transfer' as const] };
    const full = new StreamReader(adapter.events({ fromHeight, pollMs: POLL_MS, filter }));
    const all = await full.take(4, WAIT_MS).finally(() => full.close());
    expect(all.map((e) => e.txHash)).toEqual(hashes);
    all.forEach((event, i) => {
      expect(event).toMatchObject({
        kind: 'transfer',
        from: minter.address,
        to: frank.address,
        amount: 10n + BigInt(i),
        token: null,
        removed: false,
      });
    });
    expect([...all.map((e) => e.position)].sort()).toEqual(all.map((e) => e.position));
    for (const cut of [1, 3]) {
      const first = new StreamReader(adapter.events({ fromHeight, pollMs: POLL_MS, filter }));
      await first.take(cut, WAIT_MS);
      const checkpoint = JSON.parse(JSON.stringify(first.stream.checkpoint())) as StreamCheckpoint;
      first.close();
      const second = new StreamReader(adapter.events({ checkpoint, pollMs: POLL_MS, filter }));
      try {
        const rest = await second.take(4 - cut, WAIT_MS);
        expect(await second.next(POLL_MS * 6)).toBeUndefined();
        expect(rest.map((e) => e.txHash)).toEqual(hashes.slice(cut));
      } finally {
        second.close();
      }
    }
  });

  it('refuses a checkpoint from another chain and holds blocks back for confirmations', async () => {
    const grace = await member();
    const fromHeight = (await adapter.getLatestBlock()).height + 1;
    const sent = await adapter.transfer(minter, { to: grace.address, amount: 5n });
    const tx = await confirmed(sent.hash);
    const first = new StreamReader(adapter.events({ fromHeight, pollMs: POLL_MS, filter: { addresses: [grace.address] } }));
    await first.take(1, WAIT_MS);
    const checkpoint = JSON.parse(JSON.stringify(first.stream.checkpoint())) as StreamCheckpoint;
    first.close();
    const foreign = { ...checkpoint, hash: 'ee'.repeat(32), recent: checkpoint.recent.map((r) => ({ ...r, hash: 'ee'.repeat(32) })) };
    const refused = new StreamReader(adapter.events({ checkpoint: foreign, pollMs: POLL_MS }));
    await expectCode(refused.next(WAIT_MS), 'CHECKPOINT_INVALID');
    refused.close();

    const held = new StreamReader(
      adapter.events({ fromHeight: tx.blockHeight as number, confirmations: 3, pollMs: POLL_MS, filter: { addresses: [grace.address] } }),
    );
    try {
      const head = (await adapter.getLatestBlock()).height;
      if (head - (tx.blockHeight as number) + 1 < 3) expect(await held.next(POLL_MS * 8)).toBeUndefined();
      await mine();
      await mine();
      const [event] = await held.take(1, WAIT_MS);
      expect(event?.txHash).toBe(sent.hash);
      expect((await adapter.getLatestBlock()).height - (event?.blockHeight as number) + 1).toBeGreaterThanOrEqual(3);
    } finally {
      held.close();
    }
  });

  it('serves a second token chaincode at level 2, with its own events', async () => {
    await adapter.native.submit({ chaincode: 'gold', fn: 'Initialize', args: ['Gold', 'GLD', '2'] });
    await adapter.native.submit({ chaincode: 'gold', fn: 'Mint', args: ['5000'] });
    expect(await adapter.getTokenInfo('gold')).toEqual({ address: 'gold', name: 'Gold', symbol: 'GLD', decimals: 2, totalSupply: 5000n });
    const heidi = await member();
    const fromHeight = (await adapter.getLatestBlock()).height + 1;
    const sent = await adapter.transferToken(minter, { token: 'gold', to: heidi.address, amount: 120n });
    expect(await confirmed(sent.hash)).toMatchObject({ status: 'success', value: 0n });
    expect(await adapter.getTokenBalance('gold', heidi.address)).toBe(120n);
    expect(await adapter.getBalance(heidi.address)).toBe(0n);
    const reader = new StreamReader(adapter.native.chaincodeEvents('gold', { fromHeight, pollMs: POLL_MS }));
    try {
      const [event] = await reader.take(1, WAIT_MS);
      expect(event).toMatchObject({
        kind: 'tokenTransfer',
        token: 'gold',
        from: minter.address,
        to: heidi.address,
        amount: 120n,
        txHash: sent.hash,
      });
    } finally {
      reader.close();
    }
    await expectCode(adapter.transferToken(heidi, { token: 'gold', to: minter.address, amount: 121n }), 'INSUFFICIENT_FUNDS');
  });

  it('broadcasts a prepared transaction once per idempotency key', async () => {
    const ivan = await member();
    const raw = await adapter.native.prepare({ fn: 'Transfer', args: [ivan.address, '9'] });
    const key = `fabric-${crypto.randomUUID()}`;
    const [first, again] = await Promise.all([
      adapter.broadcast(raw, { idempotencyKey: key }),
      adapter.broadcast(raw, { idempotencyKey: key }),
    ]);
    expect(again.hash).toBe(first.hash);
    expect(first.from).toBe(minter.address);
    expect(await confirmed(first.hash)).toMatchObject({ status: 'success', to: ivan.address, value: 9n });
    expect((await adapter.broadcast(raw, { idempotencyKey: key })).hash).toBe(first.hash);
    expect(await adapter.getBalance(ivan.address)).toBe(9n);
  });

  it('tells block subscribers about new blocks and times out waiting for an unknown transaction', async () => {
    const seen: number[] = [];
    const stop = adapter.subscribeBlocks((block) => seen.push(block.height), { pollMs: POLL_MS });
    try {
      const start = (await adapter.getLatestBlock()).height;
      await mine();
      const deadline = Date.now() + WAIT_MS;
      while (!seen.some((h) => h > start) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(seen.some((h) => h > start)).toBe(true);
      expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    } finally {
      stop();
    }
    await expectCode(adapter.waitForTransaction('ab'.repeat(32), { timeoutMs: 300 }), 'TIMEOUT');
  });
});
