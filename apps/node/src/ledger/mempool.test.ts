import { type CheckedTx, checkTx, didFromPublicKey, encodeTx, keyPairFromSeed, sha3, signTx, utf8 } from '@arc/core';
import { describe, expect, it } from 'vitest';
import { NodeError } from '../errors.ts';
import { Mempool } from './mempool.ts';

const params = { minFee: 1n, maxTxBytes: 16384, maxTxsPerBlock: 1000, maxBlockBytes: 1 << 20 };
const accounts = ['a', 'b', 'c'].map((name) => {
  const key = keyPairFromSeed(sha3(utf8(`mempool-test:${name}`)));
  return { ...key, did: didFromPublicKey(key.publicKey) };
});
const [a, b, c] = accounts as [(typeof accounts)[0], (typeof accounts)[0], (typeof accounts)[0]];

function tx(sender: typeof a, nonce: number, fee: bigint, memo = ''): CheckedTx {
  const signed = signTx(
    {
      chainId: 'test',
      from: sender.did,
      publicKey: sender.publicKey,
      nonce,
      fee,
      feePayer: null,
      itx: { type: 'transfer', to: c.did, amount: 1n, tokens: [], assets: [], memo },
    },
    sender.secretKey,
  );
  const checked = checkTx(encodeTx(signed), { chainId: 'test', params });
  if (!('tx' in checked)) throw checked;
  return checked;
}

describe('mempool', () => {
  it('refuses past its bound with MEMPOOL_FULL, a retriable error', () => {
    const pool = new Mempool({ maxTxs: 2, ttlMs: 60_000 });
    pool.add(tx(a, 1, 1n), 0);
    pool.add(tx(a, 2, 1n), 0);
    const error = (() => {
      try {
        pool.add(tx(a, 3, 1n), 0);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(NodeError);
    expect((error as NodeError).code).toBe('MEMPOOL_FULL');
    expect((error as NodeError).retriable).toBe(true);
    expect(pool.size).toBe(2);
  });

  it('finds transactions by hash and by account nonce', () => {
    const pool = new Mempool({ maxTxs: 10, ttlMs: 60_000 });
    const first = tx(a, 1, 1n);
    const second = tx(a, 2, 1n);
    pool.add(first, 0);
    pool.add(second, 0);
    expect(pool.get(first.hashHex)?.checked).toBe(first);
    expect(pool.atNonce(a.did, 2)?.checked).toBe(second);
    expect(pool.atNonce(a.did, 3)).toBeUndefined();
    expect(pool.pendingCount(a.did)).toBe(2);
  });

  it('selects the highest fees first while keeping each account in nonce order', () => {
    const pool = new Mempool({ maxTxs: 10, ttlMs: 60_000 });
    pool.add(tx(a, 1, 1n), 0);
    pool.add(tx(a, 2, 100n), 0);
    pool.add(tx(b, 1, 50n), 0);
    pool.add(tx(b, 2, 10n), 0);
    const picked = pool.select(10, 1 << 20).map((t) => `${t.tx.from === a.did ? 'a' : 'b'}${t.tx.nonce}`);
    // b1 (50) beats a1 (1); a2's high fee cannot jump ahead of a1.
    expect(picked).toEqual(['b1', 'b2', 'a1', 'a2']);
  });

  it('stops at the block limits, leaving the rest for the next block', () => {
    const pool = new Mempool({ maxTxs: 10, ttlMs: 60_000 });
    const txs = [tx(a, 1, 5n), tx(a, 2, 5n), tx(b, 1, 1n)];
    for (const t of txs) pool.add(t, 0);
    expect(pool.select(2, 1 << 20)).toHaveLength(2);
    const oneTxBytes = (txs[0] as CheckedTx).bytes.length;
    expect(pool.select(10, oneTxBytes + 1)).toHaveLength(1);
  });

  it('drops a failed transaction together with the later nonces of its account', () => {
    const pool = new Mempool({ maxTxs: 10, ttlMs: 60_000 });
    const [a1, a2, a3, b1] = [tx(a, 1, 1n), tx(a, 2, 1n), tx(a, 3, 1n), tx(b, 1, 1n)];
    for (const t of [a1, a2, a3, b1]) pool.add(t as CheckedTx, 0);
    const followers = pool.remove([(a2 as CheckedTx).hashHex], true);
    expect(followers.map((f) => f.checked.tx.nonce)).toEqual([3]);
    expect(pool.size).toBe(2);
    expect(pool.pendingCount(a.did)).toBe(1);
    pool.remove([(a1 as CheckedTx).hashHex, (b1 as CheckedTx).hashHex], false);
    expect(pool.size).toBe(0);
  });

  it('evicts transactions that waited longer than the TTL, with the later nonces of their account', () => {
    const pool = new Mempool({ maxTxs: 10, ttlMs: 1000 });
    pool.add(tx(a, 1, 1n), 0);
    pool.add(tx(a, 2, 1n), 900);
    pool.add(tx(b, 1, 1n), 900);
    const stale = pool.evictStale(1500);
    expect(stale.map((e) => `${e.checked.tx.from === a.did ? 'a' : 'b'}${e.checked.tx.nonce}`)).toEqual(['a1', 'a2']);
    expect(pool.size).toBe(1);
    expect(pool.pendingCount(a.did)).toBe(0);
    expect(pool.select(10, 1 << 20)).toHaveLength(1);
  });
});
