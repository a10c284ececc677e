import {
  type CheckedTx,
  checkTxStatic,
  didFromPublicKey,
  encodeTx,
  keyPairFromSeed,
  sha3,
  signTx,
  sponsorBatch,
  type Tx,
  utf8,
} from '@arc/core';
import { afterEach, describe, expect, it } from 'vitest';
import { ECONOMY_PARAMS_DEFAULT } from '../config/genesis.ts';
import { NodeError } from '../errors.ts';
import { installNodeCrypto } from './node-crypto.ts';
import { SignaturePool } from './verify-pool.ts';

installNodeCrypto();
const params = {
  minFee: 1n,
  maxTxBytes: 16384,
  maxTxsPerBlock: 1000,
  maxBlockBytes: 1 << 20,
  market: { moderators: [], usageReporters: [] },
  economy: ECONOMY_PARAMS_DEFAULT,
};
const key = keyPairFromSeed(sha3(utf8('verify-pool-test')));
const did = didFromPublicKey(key.publicKey);

/** A transfer, signed properly or with one signature byte flipped. */
function tx(nonce: number, valid: boolean): CheckedTx {
  const signed = signTx(
    { chainId: 'test', from: did, publicKey: key.publicKey, nonce, fee: 1n, feePayer: null, itx: transferItx() },
    key.secretKey,
  );
  if (!valid) signed.signature = signed.signature.map((b, i) => (i === 0 ? b ^ 1 : b));
  const checked = checkTxStatic(encodeTx(signed), { chainId: 'test', params });
  if (!('tx' in checked)) throw checked;
  return checked;
}

const payerKey = keyPairFromSeed(sha3(utf8('verify-pool-test payer')));

/** A transfer whose fee an application pays (co-signed), with the sender's or the payer's signature forged. */
function paidTx(nonce: number, forged: 'none' | 'sender' | 'payer' | 'both'): CheckedTx {
  const feePayer = { did: didFromPublicKey(payerKey.publicKey), publicKey: payerKey.publicKey };
  const signed = signTx(
    { chainId: 'test', from: did, publicKey: key.publicKey, nonce, fee: 1n, feePayer, itx: transferItx() },
    key.secretKey,
    payerKey.secretKey,
  );
  const flip = (signature: Uint8Array) => signature.map((b, i) => (i === 0 ? b ^ 1 : b));
  if (forged === 'sender' || forged === 'both') signed.signature = flip(signed.signature);
  if ((forged === 'payer' || forged === 'both') && signed.feePayer) signed.feePayer.signature = flip(signed.feePayer.signature);
  const checked = checkTxStatic(encodeTx(signed), { chainId: 'test', params });
  if (!('tx' in checked)) throw checked;
  return checked;
}

function transferItx() {
  return { type: 'transfer' as const, to: did, amount: 1n, tokens: [], assets: [], memo: '' };
}

/** Many checks at once, every fifth one forged; resolves with what each check said. */
function load(pool: SignaturePool, count: number, firstNonce = 1) {
  const txs = Array.from({ length: count }, (_, i) => ({ checked: tx(firstNonce + i, i % 5 !== 0), valid: i % 5 !== 0 }));
  return Promise.allSettled(txs.map(({ checked }) => pool.check(checked))).then((answers) => ({ txs, answers }));
}

let pool: SignaturePool | null = null;
afterEach(async () => {
  await pool?.close();
  pool = null;
});

describe('signature pool', () => {
  it('answers every check when a worker exits with batches in flight, and later checks work', async () => {
    pool = new SignaturePool(2);
    // Both workers exit on reaching the hook, so the batches posted after it die with them.
    pool.testHook(0, 'exit');
    pool.testHook(1, 'exit');
    const { txs, answers } = await load(pool, 300);
    for (const [i, answer] of answers.entries()) {
      if (answer.status === 'rejected') {
        expect(answer.reason).toBeInstanceOf(NodeError);
        expect((answer.reason as NodeError).retriable).toBe(true);
      } else expect(answer.value === null).toBe(txs[i]?.valid);
    }
    const later = await load(pool, 50, 1000);
    for (const [i, answer] of later.answers.entries()) {
      expect(answer.status).toBe('fulfilled');
      if (answer.status === 'fulfilled') expect(answer.value === null).toBe(later.txs[i]?.valid);
    }
  });

  it("checks a fee payer's co-signature with the sender's and says whose does not verify, on workers and inline", async () => {
    for (const threads of [2, 0]) {
      pool = new SignaturePool(threads);
      const cases = ['none', 'sender', 'payer', 'both', 'none'] as const;
      const answers = await Promise.all(cases.map((forged, i) => (pool as SignaturePool).check(paidTx(i + 1, forged))));
      expect(answers.map((a) => a?.message ?? null)).toEqual([
        null,
        "the sender's signature does not verify against its public key",
        "the fee payer's signature does not verify against its public key",
        "the sender's signature does not verify against its public key",
        null,
      ]);
      await pool.close();
      pool = null;
    }
  });

  it('checks batch-sponsored transactions on workers and inline, and says whose signature a forged one lacks', async () => {
    const feePayer = { did: didFromPublicKey(payerKey.publicKey), publicKey: payerKey.publicKey };
    const users = Array.from({ length: 40 }, (_, i) =>
      signTx(
        { chainId: 'test', from: did, publicKey: key.publicKey, nonce: i + 1, fee: 1n, feePayer, itx: transferItx() },
        key.secretKey,
        payerKey.secretKey,
      ),
    );
    const batch = sponsorBatch(users, payerKey.secretKey, payerKey.publicKey);
    const forged = (tx: Tx, what: 'proof' | 'sender'): Tx => {
      const flip = (bytes: Uint8Array) => bytes.map((b, i) => (i === 0 ? b ^ 1 : b));
      if (what === 'sender') return { ...tx, signature: flip(tx.signature) };
      const payer = tx.feePayer as NonNullable<Tx['feePayer']>;
      const proof = payer.batch?.proof ?? [];
      return {
        ...tx,
        feePayer: { ...payer, batch: { index: payer.batch?.index ?? 0, proof: [flip(proof[0] as Uint8Array), ...proof.slice(1)] } },
      };
    };
    const checked = (tx: Tx) => {
      const c = checkTxStatic(encodeTx(tx), { chainId: 'test', params });
      if (!('tx' in c)) throw c;
      return c;
    };
    for (const threads of [2, 0]) {
      pool = new SignaturePool(threads);
      const all = [...batch, forged(batch[3] as Tx, 'proof'), forged(batch[4] as Tx, 'sender')].map(checked);
      const answers = await Promise.all(all.map((c) => (pool as SignaturePool).check(c)));
      expect(answers.slice(0, 40).every((a) => a === null)).toBe(true);
      expect(answers.slice(40).map((a) => a?.message)).toEqual([
        "the fee payer's signature does not verify against its public key",
        "the sender's signature does not verify against its public key",
      ]);
      await pool.close();
      pool = null;
    }
  });

  it('answers a sponsored batch whose pinned worker hangs: its transactions go to another worker and verify', async () => {
    // Every transaction of one batch signature goes to one worker, which verifies that signature once. Both workers
    // hang on their next message, so whichever the batch is pinned to times out and is replaced.
    const feePayer = { did: didFromPublicKey(payerKey.publicKey), publicKey: payerKey.publicKey };
    const users = Array.from({ length: 20 }, (_, i) =>
      signTx(
        { chainId: 'test', from: did, publicKey: key.publicKey, nonce: i + 1, fee: 1n, feePayer, itx: transferItx() },
        key.secretKey,
        payerKey.secretKey,
      ),
    );
    const checked = sponsorBatch(users, payerKey.secretKey, payerKey.publicKey).map((t) => {
      const c = checkTxStatic(encodeTx(t), { chainId: 'test', params });
      if (!('tx' in c)) throw c;
      return c;
    });
    pool = new SignaturePool(2, { batchTimeoutMs: 200 });
    pool.testHook(0, 'hang');
    pool.testHook(1, 'hang');
    const answers = await Promise.allSettled(checked.map((c) => (pool as SignaturePool).check(c)));
    for (const answer of answers) {
      if (answer.status === 'fulfilled') expect(answer.value).toBeNull();
      else expect((answer.reason as NodeError).code).toBe('UNAVAILABLE');
    }
    const again = await Promise.all(checked.map((c) => (pool as SignaturePool).check(c)));
    expect(again.every((a) => a === null)).toBe(true);
  });

  it('replaces a worker that stops answering once a batch outlives its timeout', async () => {
    pool = new SignaturePool(1, { batchTimeoutMs: 200 });
    pool.testHook(0, 'hang');
    const { txs, answers } = await load(pool, 40);
    for (const [i, answer] of answers.entries()) {
      expect(answer.status).toBe('fulfilled');
      if (answer.status === 'fulfilled') expect(answer.value === null).toBe(txs[i]?.valid);
    }
    const later = await load(pool, 10, 100);
    expect(later.answers.every((a) => a.status === 'fulfilled')).toBe(true);
  });

  it("does not give up on a worker whose answer waits behind the ledger's thread (a stall longer than the timeout)", async () => {
    // At a large state one block holds the ledger's thread for seconds. A worker that answered meanwhile is healthy:
    // its answer is queued, and the event loop reaches the batch's timer before the worker's message.
    const lines: string[] = [];
    pool = new SignaturePool(1, { batchTimeoutMs: 200 }, (line) => lines.push(line));
    await load(pool, 5); // the worker is up
    const stalled = await new Promise<Awaited<ReturnType<typeof load>>>((resolve, reject) => {
      // In the check phase: after it the loop runs due timers before it polls for the worker's message.
      setImmediate(() => {
        // A full batch is dispatched at once, then the thread is held ten times the timeout: long enough that the
        // worker answers meanwhile even when other processes hold both cores (three times once was not).
        const checks = load(pool as SignaturePool, 256, 10);
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2000);
        checks.then(resolve, reject);
      });
    });
    for (const [i, answer] of stalled.answers.entries()) {
      expect(answer.status).toBe('fulfilled');
      if (answer.status === 'fulfilled') expect(answer.value === null).toBe(stalled.txs[i]?.valid);
    }
    expect(lines).toEqual([]);
  });

  it('fails what is still waiting with a retriable UNAVAILABLE when it closes', async () => {
    const closing = new SignaturePool(1);
    closing.testHook(0, 'hang');
    const pending = load(closing, 5);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await closing.close();
    const { answers } = await pending;
    for (const answer of answers) {
      expect(answer.status).toBe('rejected');
      if (answer.status === 'rejected') expect((answer.reason as NodeError).code).toBe('UNAVAILABLE');
    }
  });
});
