import { encodeTx, type Itx, signTx, toHex } from '@arc/core';
import { createTRPCClient, httpLink } from '@trpc/client';
import { describe, expect, it, vi } from 'vitest';
import type { AppRouter } from '../src/api/router.ts';
import { devKey } from '../src/config/dev-keys.ts';
import type { BlockCommitted } from '../src/ledger/ledger.ts';
import type { CommitBlock } from '../src/ledger/store.ts';
import { type TestNode, testDrivers } from '../src/testing.ts';
import { appError, type NodeClient } from './helpers/client.ts';
import { holdBlockCommits, useTestNode } from './helpers/node.ts';
import { ABT, fundedWallet, MIN_FEE, randomSigner, type Signer, signItx, transfer, Wallet, waitCommitted } from './helpers/wallet.ts';

const WAIT_FOR = { timeout: 30_000, interval: 20 };
/** Rejections per sender before RATE_LIMITED, in the hostile-load node. */
const BURST_MAX = 5;

/** A transaction whose sender signature is one bit off: it can never verify. */
function forged(chainId: string, signer: Signer, nonce: number, itx: Itx): Uint8Array {
  const signed = signTx(
    { chainId, from: signer.did, publicKey: signer.publicKey, nonce, fee: MIN_FEE, feePayer: null, itx },
    signer.secretKey,
  );
  signed.signature = signed.signature.map((b, i) => (i === 0 ? b ^ 1 : b));
  return encodeTx(signed);
}

async function rejectedRows(n: TestNode): Promise<number> {
  return Number((await n.db.query<{ n: string }>('SELECT count(*) AS n FROM rejected_txs'))[0]?.n);
}

async function nonceOf(client: NodeClient, did: string): Promise<number> {
  return (await client.account.get.query({ did })).nonce;
}

describe.each(testDrivers())('ledger write paths on %s', (driver) => {
  describe('when a commit fails', () => {
    const ttlMs = 60_000;
    let skewMs = 0;
    // Blocks only when there is work, and a clock the test moves past the mempool TTL.
    const ctx = useTestNode(driver, { blockIntervalMs: 3_600_000, mempool: { maxTxs: 1000, ttlMs }, now: () => Date.now() + skewMs });

    it('loses no expired transaction when the block that would drop them fails to commit: it records them with the block that commits', async () => {
      const { node, client, alice } = ctx;
      const { ledger } = node.services;
      const first = await alice.sign(transfer(randomSigner().did, 1n));
      const second = await alice.sign(transfer(randomSigner().did, 1n));
      const commitBlock = ledger.store.commitBlock.bind(ledger.store);
      let failures = 0;
      ledger.store.commitBlock = async (block: CommitBlock) => {
        // The block with the first transfer fails; meanwhile both transfers outlive the TTL, and the
        // retry, which now drops them as expired, fails once more before the disk comes back.
        if (failures === 0 && block.txs.some((t) => t.checked.hashHex === first.hash)) {
          failures++;
          skewMs += ttlMs + 1;
          throw new Error('injected: the disk hiccuped');
        }
        if (failures === 1) {
          failures++;
          expect(ledger.mempool.get(first.hash)).toBeDefined();
          throw new Error('injected: the disk hiccuped again');
        }
        return commitBlock(block);
      };
      await client.tx.send.mutate({ tx: first.hex });
      await client.tx.send.mutate({ tx: second.hex });
      for (const tx of [first, second]) {
        const status = await client.tx.wait.query({ hash: tx.hash, timeoutMs: 20_000 });
        expect(status).toMatchObject({ status: 'rejected', error: { code: 'EXPIRED' } });
      }
      expect(failures).toBe(2);
      expect(ledger.mempool.size).toBe(0);
      expect(await rejectedRows(node)).toBe(2);
    });
    it('never answers "unknown" for a transaction whose block commits between the status reads', async () => {
      const { node, client } = ctx;
      const { ledger, queries } = node.services;
      // A wallet of its own: the test before this one leaves alice's nonces on transactions that expired.
      const alice = new Wallet(client, node.chainId, devKey('alice'));
      const release = holdBlockCommits(node);
      const sent = await alice.send(transfer(randomSigner().did, 1n));
      const txByHash = queries.txByHash.bind(queries);
      let raced = false;
      queries.txByHash = async (hash) => {
        const found = await txByHash(hash);
        if (hash === sent.hash && !raced && ledger.mempool.get(hash)) {
          // The block holding it commits (and leaves the mempool) right after this read saw nothing.
          raced = true;
          const committed = new Promise<void>((resolve) => {
            const holding = (block: BlockCommitted) => {
              if (!block.txHashes.includes(sent.hash)) return;
              ledger.events.off('block', holding);
              resolve();
            };
            ledger.events.on('block', holding);
          });
          release();
          await committed;
        }
        return found;
      };
      try {
        const status = await client.tx.byHash.query({ hash: sent.hash });
        expect(status.status).not.toBe('unknown');
        release();
        const settled = await client.tx.wait.query({ hash: sent.hash, timeoutMs: 20_000 });
        expect(settled).toMatchObject({ status: 'committed' });
      } finally {
        queries.txByHash = txByHash;
        release();
      }
    });
  });

  describe('under hostile load', () => {
    const ctx = useTestNode(driver, {
      blockIntervalMs: 500,
      verifyThreads: 2,
      ledgerLimits: { rejections: { burstMax: BURST_MAX, refillPerMinute: 0.01, keysMax: 1000 }, txWaiters: { max: 3, perCallerMax: 3 } },
    });

    it('announces every committed block to every subscriber even when a step after the commit throws, and goes on', async () => {
      const { node, client, alice } = ctx;
      const { ledger } = node.services;
      const heights: number[] = [];
      let thrown = false;
      const failing = (b: BlockCommitted) => {
        if (b.txHashes.length > 0 && !thrown) {
          thrown = true;
          throw new Error('injected: a subscriber failed');
        }
      };
      const recording = (b: BlockCommitted) => heights.push(b.header.height);
      ledger.events.on('block', failing);
      ledger.events.on('block', recording);
      const apply = ledger.cache.apply.bind(ledger.cache);
      let applyFailed = false;
      ledger.cache.apply = (writes) => {
        if (!applyFailed && [...writes].length > 1) {
          applyFailed = true;
          throw new Error('injected: the cache could not follow');
        }
        apply(writes);
      };
      try {
        const bob = randomSigner();
        const { height } = await alice.commit(transfer(bob.did, 5n * ABT));
        expect(applyFailed).toBe(true);
        expect(thrown).toBe(true);
        // The chain goes on from the database's state, not a stale memory of it.
        const again = await alice.commit(transfer(bob.did, 2n * ABT));
        expect(again.height).toBeGreaterThan(height);
        expect(BigInt((await client.account.get.query({ did: bob.did })).balance)).toBe(7n * ABT);
        const [row] = await node.db.query<{ h: string }>('SELECT max(height) AS h FROM blocks');
        const top = Number(row?.h);
        await vi.waitFor(() => expect(heights.at(-1)).toBeGreaterThanOrEqual(top), WAIT_FOR);
        const from = heights[0] as number;
        expect(heights.filter((h) => h <= top)).toEqual(Array.from({ length: top - from + 1 }, (_, i) => from + i));
        expect(heights).toContain(height);
        expect(toHex(ledger.trie.root)).toBe(toHex(ledger.head.stateRoot));
      } finally {
        ledger.cache.apply = apply;
        ledger.events.off('block', failing);
        ledger.events.off('block', recording);
      }
    });

    it('answers every transfer while signature workers die under load, and later transfers commit', async () => {
      const { node, client, alice } = ctx;
      const { ledger } = node.services;
      const wallets = Array.from({ length: 12 }, () => new Wallet(client, node.chainId, randomSigner()));
      for (const w of wallets) await alice.send(transfer(w.did, ABT));
      await waitCommitted(client, (await alice.send(transfer(randomSigner().did, 1n))).hash);
      for (const round of [0, 1]) {
        ledger.signatures.testHook(round, 'exit');
        const txs = await Promise.all(wallets.flatMap((w) => [w.sign(transfer(randomSigner().did, 1n))]));
        const answers = await Promise.allSettled(txs.map((tx) => client.tx.send.mutate({ tx: tx.hex })));
        for (const [i, answer] of answers.entries()) {
          if (answer.status === 'rejected') {
            const refused = await appError(Promise.reject(answer.reason));
            expect(refused.retriable, refused.message).toBe(true);
            // The wallet sends that nonce again.
            await client.tx.send.mutate({ tx: (txs[i] as { hex: string }).hex });
          }
        }
        for (const tx of txs) await waitCommitted(client, tx.hash);
      }
      await vi.waitFor(() => expect(ledger.signatures.liveWorkers).toBe(2), WAIT_FOR);
      for (const w of wallets) expect(await nonceOf(client, w.did)).toBe(2);
    });

    it('stops a flood of transactions that fail in blocks at the sender’s bound: RATE_LIMITED, rejected_txs stops growing, others unaffected', async () => {
      const burstMax = BURST_MAX;
      const { node, client, alice } = ctx;
      const flooder = await fundedWallet(alice, ABT);
      const rowsBefore = await rejectedRows(node);
      const release = holdBlockCommits(node);
      const flood = [await flooder.send(transfer(alice.did, 1n))];
      // Admitted behind a pending transaction, these are only found out in the block: each one a rejection (a fee
      // nobody can pay; a transaction that can pay its fee fails in its block instead, paying it).
      for (let i = 0; i < 12; i++) flood.push(await flooder.send(transfer(alice.did, 1n), { fee: 1000n * ABT }));
      release();
      const last = await client.tx.wait.query({ hash: (flood.at(-1) as { hash: string }).hash, timeoutMs: 20_000 });
      expect(last.status).not.toBe('pending');
      expect(await rejectedRows(node)).toBe(rowsBefore + burstMax);
      const nonce = (await nonceOf(client, flooder.did)) + 1;
      const limited = await appError(
        client.tx.send.mutate({ tx: signItx(node.chainId, flooder.signer, nonce, transfer(alice.did, 1n), { fee: 1000n * ABT }).hex }),
      );
      expect(limited).toMatchObject({ appCode: 'RATE_LIMITED', retriable: true, trpcCode: 'TOO_MANY_REQUESTS' });
      expect(limited.message).toMatch(/retry in \d+ s/);
      expect(await rejectedRows(node)).toBe(rowsBefore + burstMax);
      // Another account is not held back, and its own mistakes are answered as such.
      await alice.commit(transfer(flooder.did, 1n));
      const stale = await appError(client.tx.send.mutate({ tx: signItx(node.chainId, alice.signer, 1, transfer(flooder.did, 1n)).hex }));
      expect(stale.appCode).toBe('NONCE_TOO_LOW');
    });

    it('charges signatures that do not verify to the caller’s address, not to the account they claim', async () => {
      const burstMax = BURST_MAX;
      const { node, client, alice } = ctx;
      const { admission } = node.services;
      const nonce = (await nonceOf(client, alice.did)) + 1;
      const codes: string[] = [];
      for (let i = 0; i < burstMax + 3; i++) {
        const bytes = forged(node.chainId, alice.signer, nonce, transfer(randomSigner().did, 1n));
        codes.push(
          await admission.submit(bytes, { ip: '203.0.113.9' }).then(
            () => 'admitted',
            (error: { code: string }) => error.code,
          ),
        );
      }
      expect(codes.slice(0, burstMax)).toEqual(Array(burstMax).fill('INVALID_SIGNATURE'));
      expect(codes.slice(burstMax)).toEqual(Array(3).fill('RATE_LIMITED'));
      // The account whose DID the forger claimed still sends from its own address.
      await alice.commit(transfer(randomSigner().did, 1n));
    });

    it('caps open tx.wait calls with a typed error, and no wait leaves a listener behind', async () => {
      const { node, client, alice } = ctx;
      const { ledger } = node.services;
      const baseline = ledger.events.listenerCount('block');
      const release = holdBlockCommits(node);
      try {
        const tx = await alice.send(transfer(randomSigner().did, 1n));
        const waits = [client.tx.wait.query({ hash: tx.hash, timeoutMs: 5000 }), client.tx.wait.query({ hash: tx.hash, timeoutMs: 5000 })];
        await vi.waitFor(() => expect(ledger.waiters.size).toBe(2), WAIT_FOR);
        // A wait whose caller hangs up ends then (its own request, so the abort reaches the node).
        const aborted = new AbortController();
        const unbatched = createTRPCClient<AppRouter>({ links: [httpLink({ url: `${node.url}/trpc` })] });
        const abortedWait = unbatched.tx.wait.query({ hash: tx.hash, timeoutMs: 20_000 }, { signal: aborted.signal }).then(
          () => 'answered',
          () => 'aborted',
        );
        await vi.waitFor(() => expect(ledger.waiters.size).toBe(3), WAIT_FOR);
        expect(ledger.events.listenerCount('block')).toBe(baseline);
        const refused = await appError(client.tx.wait.query({ hash: tx.hash, timeoutMs: 5000 }));
        expect(refused).toMatchObject({ appCode: 'UNAVAILABLE', retriable: true });
        expect(refused.message).toMatch(/retry/);
        aborted.abort();
        expect(await abortedWait).toBe('aborted');
        await vi.waitFor(() => expect(ledger.waiters.size).toBe(2), WAIT_FOR);
        for (const wait of waits) expect(await wait).toMatchObject({ status: 'pending' });
        await vi.waitFor(() => expect(ledger.waiters.size).toBe(0), WAIT_FOR);
        expect(ledger.events.listenerCount('block')).toBe(baseline);
      } finally {
        release();
      }
    });
  });

  describe('with a small mempool', () => {
    const ctx = useTestNode(driver, { mempool: { maxTxs: 4, maxPerAccount: 3, ttlMs: 60_000 } });

    it('refuses an account past MEMPOOL_MAX_PER_ACCOUNT and a full mempool before verifying any signature', async () => {
      const { node, client, alice } = ctx;
      const release = holdBlockCommits(node);
      try {
        for (let i = 0; i < 3; i++) await alice.send(transfer(randomSigner().did, 1n));
        const next = (await nonceOf(client, alice.did)) + 4;
        // A forged signature is not even checked: the account's share is full.
        const overShare = await appError(
          client.tx.send.mutate({ tx: toHex(forged(node.chainId, alice.signer, next, transfer(alice.did, 1n))) }),
        );
        expect(overShare).toMatchObject({ appCode: 'MEMPOOL_ACCOUNT_FULL', retriable: true, trpcCode: 'TOO_MANY_REQUESTS' });
        expect(overShare.message).toMatch(/MEMPOOL_MAX_PER_ACCOUNT/);
        const valid = await appError(alice.send(transfer(randomSigner().did, 1n)));
        expect(valid.appCode).toBe('MEMPOOL_ACCOUNT_FULL');
        // Another account still gets in, up to the mempool's own bound.
        const bob = new Wallet(client, node.chainId, devKey('bob'));
        await bob.send(transfer(randomSigner().did, 1n));
        const carol = devKey('carol');
        const full = await appError(client.tx.send.mutate({ tx: toHex(forged(node.chainId, carol, 1, transfer(alice.did, 1n))) }));
        expect(full).toMatchObject({ appCode: 'MEMPOOL_FULL', retriable: true });
      } finally {
        release();
      }
    });
  });
});
