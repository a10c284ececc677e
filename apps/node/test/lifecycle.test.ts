import { assetAddress, decodeAccount, decodeProof, fromHex, sha3, stateKeyHash, toHex, tokenAddress, utf8, verifyProof } from '@arc/core';
import { describe, expect, it } from 'vitest';
import { testDrivers } from '../src/testing.ts';
import { appError } from './helpers/client.ts';
import { holdBlockCommits, useTestNode } from './helpers/node.ts';
import { walkPages } from './helpers/pages.ts';
import { ABT, balanceOf, fundedWallet, MIN_FEE, randomSigner, transfer, Wallet, waitCommitted } from './helpers/wallet.ts';

describe.each(testDrivers())('a node on %s: the life of a transaction', (driver) => {
  const ctx = useTestNode(driver);

  it("commits a transfer, moving amount + fee out of the sender and the fee into the node's account", async () => {
    const { client, alice } = ctx;
    const sender = await fundedWallet(alice, 10n * ABT);
    const recipient = randomSigner();
    const { nodeDid } = await client.chain.info.query();
    const nodeBefore = await balanceOf(client, nodeDid);

    const { tx, height } = await sender.commit(transfer(recipient.did, 3n * ABT));

    expect(await balanceOf(client, sender.did)).toBe(10n * ABT - 3n * ABT - MIN_FEE);
    expect(await balanceOf(client, recipient.did)).toBe(3n * ABT);
    expect((await balanceOf(client, nodeDid)) - nodeBefore).toBe(MIN_FEE);
    expect((await client.block.byHeight.query({ height })).txHashes).toContain(tx.hash);
  });

  it('answers the same tx.send twice with the same hash, never with an error', async () => {
    const { client, alice } = ctx;
    const sender = await fundedWallet(alice, ABT);
    const tx = await sender.sign(transfer(randomSigner().did, 1n));

    const first = await client.tx.send.mutate({ tx: tx.hex });
    const second = await client.tx.send.mutate({ tx: tx.hex });
    expect(first.hash).toBe(tx.hash);
    expect(second.hash).toBe(tx.hash);
    expect(['pending', 'committed']).toContain(second.status);

    const height = await waitCommitted(client, tx.hash);
    expect(await client.tx.send.mutate({ tx: tx.hex })).toEqual({ hash: tx.hash, status: 'committed', height });
  });

  it('reports a transaction pending until its block is committed, then committed', async () => {
    const { node, client, alice } = ctx;
    const sender = await fundedWallet(alice, ABT);
    const release = holdBlockCommits(node);
    try {
      const tx = await sender.send(transfer(randomSigner().did, 5n, 'held at the gate'));
      expect(await client.tx.byHash.query({ hash: tx.hash })).toEqual({
        hash: tx.hash,
        status: 'pending',
        height: null,
        error: null,
        tx: null,
      });
      release();
      const height = await waitCommitted(client, tx.hash);
      const status = await client.tx.byHash.query({ hash: tx.hash });
      expect(status).toMatchObject({ status: 'committed', height, error: null });
      expect(status.tx).toMatchObject({
        hash: tx.hash,
        from: sender.did,
        nonce: 1,
        fee: MIN_FEE.toString(),
        type: 'transfer',
        feePayer: null,
      });
      expect(status.tx?.itx).toMatchObject({ amount: '5', memo: 'held at the gate' });
    } finally {
      release();
    }
  });

  it('lists every block exactly once, newest first, and finds each one by height and by hash', async () => {
    const { client, alice } = ctx;
    while ((await client.chain.info.query()).height < 7) await alice.commit(transfer(randomSigner().did, 1n));

    const { items, pages } = await walkPages((cursor: number | undefined) => client.block.list.query({ cursor, limit: 3 }));

    const top = items[0]?.height ?? -1;
    expect(items.map((b) => b.height)).toEqual(Array.from({ length: top + 1 }, (_, i) => top - i));
    expect(pages).toBe(Math.ceil((top + 1) / 3));
    for (let i = 0; i + 1 < items.length; i++) expect(items[i]?.prevHash).toBe(items[i + 1]?.hash);
    for (const block of [items[0], items[Math.floor(items.length / 2)], items[items.length - 1]]) {
      if (!block) throw new Error('the chain has no blocks');
      expect(await client.block.byHeight.query({ height: block.height })).toEqual(block);
      expect(await client.block.byHash.query({ hash: block.hash })).toEqual(block);
    }
    expect((await appError(client.block.byHeight.query({ height: top + 1000 }))).appCode).toBe('NOT_FOUND');
  });

  it('pages tx.list and tx.listByAccount by cursor without duplicates or gaps', async () => {
    const { node, client, alice } = ctx;
    const sender = await fundedWallet(alice, ABT);
    const [funding] = (await client.tx.listByAccount.query({ did: sender.did })).items;
    const sent = [];
    for (let i = 0; i < 25; i++) sent.push(await sender.sign(transfer(randomSigner().did, 1n)));
    const release = holdBlockCommits(node); // so that the 25 land in one or two blocks, and pages split blocks
    await Promise.all(sent.map((tx) => client.tx.send.mutate({ tx: tx.hex }))).finally(release);
    await Promise.all(sent.map((tx) => waitCommitted(client, tx.hash)));

    const mine = await walkPages((cursor: string | undefined) => client.tx.listByAccount.query({ did: sender.did, cursor, limit: 10 }));
    expect(mine.pages).toBe(3);
    expect(mine.items.map((t) => t.hash)).toEqual([...sent.map((t) => t.hash).reverse(), funding?.hash]);

    const all = await walkPages((cursor: string | undefined) => client.tx.list.query({ cursor, limit: 10 }));
    const positions = all.items.map((t) => t.height * 1e6 + t.index);
    expect(positions).toEqual([...positions].sort((a, b) => b - a));
    expect(new Set(positions).size).toBe(positions.length);
    const [{ count }] = (await node.db.query<{ count: string | number }>('SELECT count(*) AS count FROM txs')) as [{ count: string }];
    expect(all.items.length).toBe(Number(count));
    expect(all.items.map((t) => t.hash)).toEqual(expect.arrayContaining(sent.map((t) => t.hash)));
  });

  it("returns an account's committed nonce and balance with a proof that verifies against the block's state root", async () => {
    const { client, alice } = ctx;
    const owner = await fundedWallet(alice, ABT);
    await owner.commit(transfer(randomSigner().did, 7n));
    await owner.commit(transfer(randomSigner().did, 11n));

    const account = await client.account.get.query({ did: owner.did });
    expect(account).toMatchObject({ did: owner.did, exists: true, nonce: 2, publicKey: toHex(owner.signer.publicKey) });
    expect(BigInt(account.balance)).toBe(ABT - 18n - 2n * MIN_FEE);

    const { proof } = account;
    expect(proof.key).toBe(`account:${owner.did}`);
    expect((await client.block.byHeight.query({ height: proof.height })).stateRoot).toBe(proof.stateRoot);
    const value = fromHex(proof.value ?? '');
    expect(decodeAccount(value)).toMatchObject({ did: owner.did, nonce: 2, balance: BigInt(account.balance) });
    const root = fromHex(proof.stateRoot);
    const key = stateKeyHash(proof.key);
    expect(verifyProof(root, key, sha3(value), decodeProof(proof))).toBe(true);

    const tampered = value.slice();
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) ^ 1;
    expect(verifyProof(root, key, sha3(tampered), decodeProof(proof))).toBe(false);
  });

  it('answers an unknown DID with exists: false and a proof that it is absent', async () => {
    const { client } = ctx;
    const stranger = randomSigner().did;

    const account = await client.account.get.query({ did: stranger });

    expect(account).toMatchObject({ did: stranger, exists: false, nonce: 0, balance: '0', publicKey: null, tokens: [] });
    expect(account.proof.value).toBeNull();
    const root = fromHex(account.proof.stateRoot);
    const key = stateKeyHash(`account:${stranger}`);
    expect(verifyProof(root, key, null, decodeProof(account.proof))).toBe(true);
    expect(verifyProof(root, key, sha3(utf8('a value it does not have')), decodeProof(account.proof))).toBe(false);
  });

  it('commits 50 transactions of one account sent back to back without waiting (nonces 1..50)', async () => {
    const { client, alice } = ctx;
    const sender = await fundedWallet(alice, ABT);
    const txs = [];
    for (let i = 0; i < 50; i++) txs.push(await sender.sign(transfer(randomSigner().did, 1n)));

    const answers = await Promise.all(txs.map((tx) => client.tx.send.mutate({ tx: tx.hex })));

    expect(answers.map((a) => a.hash)).toEqual(txs.map((t) => t.hash));
    for (const answer of answers) expect(['pending', 'committed']).toContain(answer.status);
    await Promise.all(txs.map((tx) => waitCommitted(client, tx.hash)));
    const account = await client.account.get.query({ did: sender.did });
    expect(account.nonce).toBe(50);
    expect(BigInt(account.balance)).toBe(ABT - 50n * (1n + MIN_FEE));
  });

  it('charges the fee to the fee payer, not the sender, once the payer has granted an allowance', async () => {
    const { node, client, alice } = ctx;
    const payer = await fundedWallet(alice, 10n * ABT);
    const grantee = await fundedWallet(alice, ABT);
    const newcomer = new Wallet(client, node.chainId, randomSigner());
    const expiresAtMs = Date.now() + 3_600_000;
    await payer.commit({ type: 'delegate', grantee: grantee.did, allowance: 10n * MIN_FEE, expiresAtMs });
    await payer.commit({ type: 'delegate', grantee: newcomer.did, allowance: MIN_FEE, expiresAtMs });
    const payerBefore = await balanceOf(client, payer.did);

    const { tx } = await grantee.commit(transfer(randomSigner().did, 1000n), { payer: payer.signer });
    await newcomer.commit({ type: 'declareAccount', moniker: 'newcomer' }, { payer: payer.signer });

    expect(await balanceOf(client, grantee.did)).toBe(ABT - 1000n);
    expect(await balanceOf(client, payer.did)).toBe(payerBefore - 2n * MIN_FEE);
    expect((await client.tx.byHash.query({ hash: tx.hash })).tx?.feePayer).toBe(payer.did);
    expect(await client.account.get.query({ did: newcomer.did })).toMatchObject({
      exists: true,
      moniker: 'newcomer',
      balance: '0',
      nonce: 1,
    });
  });

  it('pays out of the faucet on a dev chain, once per idempotency key', async () => {
    const { client } = ctx;
    const { faucet } = await client.chain.info.query();
    expect(faucet.enabled).toBe(true);
    const did = randomSigner().did;
    const idempotencyKey = `lifecycle-${did.slice(-12)}`;

    const first = await client.faucet.claim.mutate({ did, idempotencyKey });
    const again = await client.faucet.claim.mutate({ did, idempotencyKey });
    expect(again).toEqual(first);
    expect(first.amount).toBe(faucet.amount);
    await waitCommitted(client, first.hash);
    expect(await client.faucet.claim.mutate({ did, idempotencyKey })).toEqual(first);

    expect(await balanceOf(client, did)).toBe(BigInt(faucet.amount));
    const conflict = await appError(client.faucet.claim.mutate({ did: randomSigner().did, idempotencyKey }));
    expect(conflict).toMatchObject({ appCode: 'CONFLICT', retriable: false });
  });
});

describe.each(testDrivers())('a node on %s: tokens and assets', (driver) => {
  const ctx = useTestNode(driver);

  it('creates a token and finds it by symbol, by address and in the token list', async () => {
    const { client, alice } = ctx;
    const owner = await fundedWallet(alice, ABT);
    const { height } = await owner.commit({
      type: 'createToken',
      symbol: 'LIFE',
      name: 'Lifecycle Token',
      decimals: 6,
      totalSupply: 1_000_000n,
    });

    const token = await client.token.get.query({ symbol: 'LIFE' });
    expect(token).toEqual({
      address: tokenAddress('LIFE'),
      symbol: 'LIFE',
      name: 'Lifecycle Token',
      decimals: 6,
      totalSupply: '1000000',
      owner: owner.did,
      createdAtHeight: height,
      native: false,
      policy: 'fixed',
      cap: '0',
    });
    expect(await client.token.get.query({ address: tokenAddress('LIFE') })).toEqual(token);
    const { items } = await walkPages((cursor: string | undefined) => client.token.list.query({ cursor, limit: 1 }));
    expect(items[0]).toMatchObject({ symbol: 'ABT', native: true, decimals: 18 });
    expect(items).toContainEqual(token);
    expect((await client.account.get.query({ did: owner.did })).tokens).toEqual([
      { address: tokenAddress('LIFE'), symbol: 'LIFE', decimals: 6, amount: '1000000' },
    ]);
  });

  it('creates an asset and finds it by address and by owner', async () => {
    const { client, alice } = ctx;
    const owner = await fundedWallet(alice, ABT);
    const data = utf8('{"seat":"A1"}');
    const { tx, height } = await owner.commit({
      type: 'createAsset',
      moniker: 'Concert ticket',
      data,
      transferable: true,
      readonly: false,
    });

    const address = assetAddress(fromHex(tx.hash));
    const asset = await client.asset.get.query({ address });
    expect(asset).toEqual({
      address,
      owner: owner.did,
      issuer: owner.did,
      moniker: 'Concert ticket',
      data: toHex(data),
      transferable: true,
      readonly: false,
      consumed: false,
      createdAtHeight: height,
      updatedAtHeight: height,
    });
    expect(await client.asset.listByOwner.query({ owner: owner.did })).toEqual({ items: [asset], nextCursor: null });
    expect((await appError(client.asset.get.query({ address: randomSigner().did }))).appCode).toBe('NOT_FOUND');
  });
});
