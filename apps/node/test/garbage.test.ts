import { toHex } from '@arc/core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { REJECTION_LIMITS_DEFAULT } from '../src/ledger/rejection-limiter.ts';
import { testDrivers } from '../src/testing.ts';
import { GARBAGE_CODES, itxTagOffset, refusedWithoutWrites, withByteChanged, writtenState } from './helpers/garbage.ts';
import { useTestNode } from './helpers/node.ts';
import { ABT, fundedWallet, MIN_FEE, randomSigner, signItx, transfer, type Wallet, waitCommitted } from './helpers/wallet.ts';

describe.each(testDrivers())('a node on %s refuses garbage with a typed error and writes nothing', (driver) => {
  // This file sends hundreds of refused transactions from one address on purpose: the bound on what refusals may
  // cost a sender (RATE_LIMITED) has its own tests in ledger-writes.test.ts and would only mask the codes here.
  const ctx = useTestNode(driver, { ledgerLimits: { rejections: { ...REJECTION_LIMITS_DEFAULT, burstMax: 100_000 } } });
  /** An account with 1 ABT that has committed one transaction (nonce 1) and has nothing pending. */
  let sender: Wallet;
  let valid: () => ReturnType<typeof signItx>;

  beforeAll(async () => {
    sender = await fundedWallet(ctx.alice, ABT);
    await sender.commit(transfer(randomSigner().did, 1n));
    valid = () => signItx(ctx.node.chainId, sender.signer, 2, transfer(randomSigner().did, 1n));
  });

  const send = (tx: string) => () => ctx.client.tx.send.mutate({ tx });

  it('refuses text that is not hex of whole bytes with BAD_INPUT', async () => {
    for (const tx of ['abc', 'zz', '0xzz', 'hello world']) {
      const error = await refusedWithoutWrites(ctx.node, send(tx));
      expect(error).toMatchObject({ appCode: 'BAD_INPUT', retriable: false, trpcCode: 'BAD_REQUEST' });
      expect(error.message).toMatch(/^Bad input: tx: /);
    }
  });

  it('refuses bytes that are not a canonical transaction with MALFORMED_TX', async () => {
    const { bytes } = valid();
    const cases = ['', toHex(bytes.subarray(0, bytes.length - 1)), `${toHex(bytes)}00`, toHex(bytes.subarray(0, 40))];
    for (const tx of cases) expect((await refusedWithoutWrites(ctx.node, send(tx))).appCode).toBe('MALFORMED_TX');
  });

  it('refuses random bytes with a ledger error code, never a crash or an admission', async () => {
    const random = fc.oneof(
      fc.uint8Array({ maxLength: 600 }),
      fc.uint8Array({ maxLength: 600 }).map((b) => Uint8Array.from([1, ...b])),
      fc.uint8Array({ minLength: 16_385, maxLength: 17_000 }),
    );
    await fc.assert(
      fc.asyncProperty(random, async (bytes) => {
        const error = await refusedWithoutWrites(ctx.node, send(toHex(bytes)));
        expect(GARBAGE_CODES).toContain(error.appCode);
      }),
      { numRuns: 50 },
    );
  });

  it('refuses a valid transaction with any one byte changed', async () => {
    const { bytes } = valid();
    const change = fc.record({ at: fc.nat({ max: bytes.length - 1 }), mask: fc.integer({ min: 1, max: 255 }) });
    await fc.assert(
      fc.asyncProperty(change, async ({ at, mask }) => {
        const error = await refusedWithoutWrites(ctx.node, send(withByteChanged(bytes, at, mask)));
        expect(GARBAGE_CODES).toContain(error.appCode);
      }),
      { numRuns: 50 },
    );
  });

  it("refuses a flipped bit in the sender's signature with INVALID_SIGNATURE", async () => {
    const { bytes } = valid();
    const error = await refusedWithoutWrites(ctx.node, send(withByteChanged(bytes, bytes.length - 1)));
    expect(error).toMatchObject({ appCode: 'INVALID_SIGNATURE', retriable: false, trpcCode: 'UNAUTHORIZED' });
  });

  it("refuses a fee payer's signature made with another key with INVALID_SIGNATURE", async () => {
    const payer = randomSigner();
    const forged = { ...payer, secretKey: randomSigner().secretKey };
    const tx = signItx(ctx.node.chainId, sender.signer, 2, transfer(randomSigner().did, 1n), { payer: forged });
    const error = await refusedWithoutWrites(ctx.node, send(tx.hex));
    expect(error.appCode).toBe('INVALID_SIGNATURE');
    expect(error.message).toMatch(/fee payer/);
  });

  it('refuses a transaction signed for another chain with WRONG_CHAIN', async () => {
    const tx = signItx(ctx.node.chainId, sender.signer, 2, transfer(randomSigner().did, 1n), { chainId: 'arc-elsewhere' });
    expect(await refusedWithoutWrites(ctx.node, send(tx.hex))).toMatchObject({ appCode: 'WRONG_CHAIN', retriable: false });
  });

  it('refuses a new transaction with a used nonce with NONCE_TOO_LOW', async () => {
    const replay = signItx(ctx.node.chainId, sender.signer, 1, transfer(randomSigner().did, 2n));
    const error = await refusedWithoutWrites(ctx.node, send(replay.hex));
    expect(error).toMatchObject({ appCode: 'NONCE_TOO_LOW', retriable: false });
    expect(error.message).toMatch(/the next is 2/);
  });

  it('refuses a nonce that skips ahead with NONCE_GAP, which a retry can cure', async () => {
    const gapped = signItx(ctx.node.chainId, sender.signer, 3, transfer(randomSigner().did, 1n));
    const error = await refusedWithoutWrites(ctx.node, send(gapped.hex));
    expect(error).toMatchObject({ appCode: 'NONCE_GAP', retriable: true });
    expect(error.message).toMatch(/the next is 2/);
  });

  it('refuses a fee the account cannot pay at once with INSUFFICIENT_FUNDS when it has nothing pending', async () => {
    // An overdrawn amount is no longer refused here: it fails in its block and pays its fee (failed-tx.test.ts).
    const overdraft = signItx(ctx.node.chainId, sender.signer, 2, transfer(randomSigner().did, 1n), { fee: 2n * ABT });
    expect(await refusedWithoutWrites(ctx.node, send(overdraft.hex))).toMatchObject({ appCode: 'INSUFFICIENT_FUNDS', retriable: true });
  });

  it('refuses a transaction above maxTxBytes (16384) with TX_TOO_LARGE', async () => {
    const { params } = await ctx.client.chain.info.query();
    const data = new Uint8Array(params.maxTxBytes);
    const huge = signItx(ctx.node.chainId, sender.signer, 2, {
      type: 'createAsset',
      moniker: 'huge',
      data,
      transferable: true,
      readonly: false,
    });
    expect(huge.bytes.length).toBeGreaterThan(params.maxTxBytes);
    expect(await refusedWithoutWrites(ctx.node, send(huge.hex))).toMatchObject({ appCode: 'TX_TOO_LARGE', retriable: false });
  });

  it('refuses asset data above 8 KiB in a transaction under maxTxBytes with MALFORMED_TX', async () => {
    const data = new Uint8Array(8 * 1024 + 1);
    const tx = signItx(ctx.node.chainId, sender.signer, 2, {
      type: 'createAsset',
      moniker: 'big',
      data,
      transferable: true,
      readonly: false,
    });
    expect((await refusedWithoutWrites(ctx.node, send(tx.hex))).appCode).toBe('MALFORMED_TX');
  });

  it('refuses an inner transaction type the ledger does not know with UNKNOWN_TX_TYPE', async () => {
    const tx = valid();
    const at = itxTagOffset(tx);
    expect(tx.bytes[at]).toBe(2); // the transfer tag
    const patched = withByteChanged(tx.bytes, at, 2 ^ 200);
    expect(await refusedWithoutWrites(ctx.node, send(patched))).toMatchObject({ appCode: 'UNKNOWN_TX_TYPE', retriable: false });
  });

  it('refuses a fee payer that granted nothing with GRANT_NOT_FOUND', async () => {
    const payer = randomSigner();
    const tx = signItx(ctx.node.chainId, sender.signer, 2, transfer(randomSigner().did, 1n), { payer });
    expect(await refusedWithoutWrites(ctx.node, send(tx.hex))).toMatchObject({ appCode: 'GRANT_NOT_FOUND', retriable: false });
  });

  it('refuses a fee below the chain minimum with FEE_TOO_LOW', async () => {
    const cheap = signItx(ctx.node.chainId, sender.signer, 2, transfer(randomSigner().did, 1n), { fee: MIN_FEE - 1n });
    expect(await refusedWithoutWrites(ctx.node, send(cheap.hex))).toMatchObject({ appCode: 'FEE_TOO_LOW', retriable: false });
  });

  it('refuses inputs of the wrong shape with BAD_INPUT and a sentence naming the field', async () => {
    const { client, node } = ctx;
    const calls: [() => Promise<unknown>, RegExp][] = [
      [() => client.tx.send.mutate({} as never), /tx/],
      [() => client.tx.send.mutate({ tx: 42 } as never), /tx/],
      [() => client.block.list.query({ limit: 1000 }), /limit/],
      [() => client.block.byHeight.query({ height: -1 }), /height/],
      [() => client.tx.byHash.query({ hash: 'xyz' }), /hash/],
      [() => client.tx.list.query({ cursor: 'not-a-cursor' }), /cursor/],
      [() => client.account.get.query({ did: 'did:abt:nope' }), /did/],
      [() => client.faucet.claim.mutate({ did: randomSigner().did, idempotencyKey: 'short' }), /idempotencyKey/],
    ];
    for (const [call, field] of calls) {
      const error = await refusedWithoutWrites(node, call);
      expect(error).toMatchObject({ appCode: 'BAD_INPUT', retriable: false });
      expect(error.message).toMatch(/^Bad input: /);
      expect(error.message).toMatch(field);
    }
  });

  it('refuses a request body that is not JSON with a 400 and writes nothing', async () => {
    const before = await writtenState(ctx.node);
    const init = { method: 'POST', body: '{"tx": ', headers: { 'content-type': 'application/json' } };
    const response = await fetch(`${ctx.node.url}/trpc/tx.send`, init);
    const body = (await response.json()) as { error: { data: { appCode: string } } };
    expect(response.status).toBe(400);
    expect(['BAD_INPUT', 'BAD_REQUEST']).toContain(body.error.data.appCode);
    expect(await writtenState(ctx.node)).toEqual(before);
  });

  it('still answers /health ok and commits a valid transaction after all of that', async () => {
    const health = await fetch(`${ctx.node.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, chainId: ctx.node.chainId });
    const tx = valid();
    await ctx.client.tx.send.mutate({ tx: tx.hex });
    await waitCommitted(ctx.client, tx.hash);
    expect((await ctx.client.account.get.query({ did: sender.did })).nonce).toBe(2);
  });
});
