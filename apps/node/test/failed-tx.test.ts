import { ArcClient, TxFailedError } from '@arc/client';
import { describe, expect, it } from 'vitest';
import { testDrivers } from '../src/testing.ts';
import { useTestNode } from './helpers/node.ts';
import { replayFromGenesis } from './helpers/replay.ts';
import { ABT, balanceOf, fundedWallet, MIN_FEE, randomSigner, transfer, waitCommitted } from './helpers/wallet.ts';

describe.each(testDrivers())('a node on %s includes a transaction that fails after its fee as failed', (driver) => {
  const ctx = useTestNode(driver);

  it('answers an overdrawing transfer failed (code, block), charges exactly the fee, advances the nonce; the next nonce commits', async () => {
    const { client, node } = ctx;
    const sender = await fundedWallet(ctx.alice, ABT);
    const recipient = randomSigner().did;
    const before = await balanceOf(client, sender.did);

    const overdraft = await sender.send(transfer(recipient, 2n * ABT));
    const status = await client.tx.wait.query({ hash: overdraft.hash, timeoutMs: 20_000 });
    expect(status).toMatchObject({ status: 'failed', error: { code: 'INSUFFICIENT_FUNDS' } });
    expect(status.error?.message).toMatch(/cannot send/);
    expect(status.height).toBeGreaterThan(0);
    expect(status.tx).toMatchObject({ hash: overdraft.hash, height: status.height, failed: status.error });
    expect(await client.tx.byHash.query({ hash: overdraft.hash })).toMatchObject({ status: 'failed', height: status.height });

    // The fee and the nonce, nothing else: the recipient got nothing.
    expect(await balanceOf(client, sender.did)).toBe(before - MIN_FEE);
    expect(await balanceOf(client, recipient)).toBe(0n);
    expect((await client.account.get.query({ did: sender.did })).nonce).toBe(1);
    const { events } = await client.tx.events.query({ hash: overdraft.hash });
    expect(events.map((e) => e.type)).toEqual(['feePaid', 'txFailed']);
    expect(events[1]).toMatchObject({ code: 'INSUFFICIENT_FUNDS' });

    // Stored like any committed transaction: in the block, in the sender's history, out of the mempool.
    const block = await client.block.byHeight.query({ height: status.height as number });
    expect(block.txHashes).toContain(overdraft.hash);
    const history = await client.tx.listByAccount.query({ did: sender.did, limit: 10 });
    expect(history.items.find((t) => t.hash === overdraft.hash)?.failed).toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
    expect(node.services.ledger.mempool.get(overdraft.hash)).toBeUndefined();
    // Sending the same bytes again answers where it ended.
    expect(await client.tx.send.mutate({ tx: overdraft.hex })).toMatchObject({ status: 'failed', height: status.height });

    // The client library never reports it as a success: a typed error with the code that says the fee was charged.
    const arc = new ArcClient({ url: node.url });
    const error = await arc.waitForTx(overdraft.hash, 5_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TxFailedError);
    expect(error).toMatchObject({ code: 'INSUFFICIENT_FUNDS', height: status.height, retriable: false });
    expect((error as Error).message).toMatch(/fee was charged/);

    const next = await sender.send(transfer(recipient, 1n));
    expect((await client.tx.wait.query({ hash: next.hash, timeoutMs: 20_000 })).status).toBe('committed');
    await waitCommitted(client, next.hash);
    expect(await balanceOf(client, recipient)).toBe(1n);
    expect(await balanceOf(client, sender.did)).toBe(before - 2n * MIN_FEE - 1n);

    // What is stored replays from genesis with core alone: the same roots, the failure failing again with its code.
    const replay = await replayFromGenesis(node.db, node.services.ledger.options.genesis);
    expect(replay.height).toBeGreaterThanOrEqual(status.height as number);
  });
});
