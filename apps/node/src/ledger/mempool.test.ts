import { type CheckedTx, checkTx, didFromPublicKey, encodeTx, keyPairFromSeed, sha3, signTx, utf8 } from '@arc/core';
import { describe, expect, it } from 'vitest';
import { ECONOMY_PARAMS_DEFAULT } from '../config/genesis.ts';
import { NodeError } from '../errors.ts';
import { Mempool } from './mempool.ts';

const params = {
  minFee: 1n,
  maxTxBytes: 16384,
  maxTxsPerBlock: 1000,
  maxBlockBytes: 1 << 20,
  market: { moderators: [], usageReporters: [] },
  economy: ECONOMY_PARAMS_DEFAULT,
};
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
  it("offers a block built on one still committing only what comes after that block's transactions, stopping at one it drops", () => {
    const pool = new Mempool({ maxTxs: 10, ttlMs: 60_000 });
    const [a1, a2, a3, b1, b2, b3] = [tx(a, 1, 1n), tx(a, 2, 1n), tx(a, 3, 1n), tx(b, 1, 1n), tx(b, 2, 1n), tx(b, 3, 1n)];
    for (const t of [a1, a2, a3, b1, b2, b3]) pool.add(t, 0);
    // The block in flight holds a1 and b1 and drops b2 (b3 after it would gap).
    const held = new Set([a1.hashHex, b1.hashHex]);
    const inFlight = { held, txs: new Set([...held, b2.hashHex]) };
    expect(pool.select(10, 1 << 20, 0, inFlight).map((t) => t.hashHex)).toEqual([a2.hashHex, a3.hashHex]);
    // All of it held: nothing.
    const all = new Set([a1, a2, a3, b1, b2, b3].map((t) => t.hashHex));
    expect(pool.select(10, 1 << 20, 0, { held: all, txs: all })).toEqual([]);
    // Without a block in flight, everything, in nonce order per account.
    expect(pool.select(10, 1 << 20, 0)).toHaveLength(6);
  });

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
    const picked = pool.select(10, 1 << 20, 0).map((t) => `${t.tx.from === a.did ? 'a' : 'b'}${t.tx.nonce}`);
    // b1 (50) beats a1 (1); a2's high fee cannot jump ahead of a1.
    expect(picked).toEqual(['b1', 'b2', 'a1', 'a2']);
  });

  it('stops at the block limits, leaving the rest for the next block', () => {
    const pool = new Mempool({ maxTxs: 10, ttlMs: 60_000 });
    const txs = [tx(a, 1, 5n), tx(a, 2, 5n), tx(b, 1, 1n)];
    for (const t of txs) pool.add(t, 0);
    expect(pool.select(2, 1 << 20, 0)).toHaveLength(2);
    const oneTxBytes = (txs[0] as CheckedTx).bytes.length;
    expect(pool.select(10, oneTxBytes + 1, 0)).toHaveLength(1);
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

  it('reports transactions that outlived the TTL, with the later nonces of their account, and keeps them until removed', () => {
    const pool = new Mempool({ maxTxs: 10, ttlMs: 1000 });
    pool.add(tx(a, 1, 1n), 0);
    pool.add(tx(a, 2, 1n), 900);
    pool.add(tx(b, 1, 1n), 900);
    const stale = pool.staleAt(1500);
    expect(stale.map((e) => `${e.checked.tx.from === a.did ? 'a' : 'b'}${e.checked.tx.nonce}`)).toEqual(['a1', 'a2']);
    // Nothing leaves before the block that records them commits.
    expect(pool.size).toBe(3);
    expect(pool.select(10, 1 << 20, 1500).map((t) => t.tx.from)).toEqual([b.did]);
    pool.remove(
      stale.map((e) => e.checked.hashHex),
      false,
    );
    expect(pool.size).toBe(1);
    expect(pool.pendingCount(a.did)).toBe(0);
  });

  it('names the followers a failed transaction would drop without dropping them', () => {
    const pool = new Mempool({ maxTxs: 10, ttlMs: 60_000 });
    const [a1, a2, a3] = [tx(a, 1, 1n), tx(a, 2, 1n), tx(a, 3, 1n)] as CheckedTx[];
    for (const t of [a1, a2, a3]) pool.add(t as CheckedTx, 0);
    expect(pool.followersOf([(a1 as CheckedTx).hashHex, (a2 as CheckedTx).hashHex]).map((e) => e.checked.tx.nonce)).toEqual([2, 3]);
    expect(pool.size).toBe(3);
  });

  it('refuses more than maxPerAccount waiting transactions of one account with MEMPOOL_ACCOUNT_FULL, others still get in', () => {
    const pool = new Mempool({ maxTxs: 10, maxPerAccount: 2, ttlMs: 60_000 });
    pool.add(tx(a, 1, 1n), 0);
    pool.add(tx(a, 2, 1n), 0);
    const error = refusal(() => pool.add(tx(a, 3, 1n), 0));
    expect(error.code).toBe('MEMPOOL_ACCOUNT_FULL');
    expect(error.retriable).toBe(true);
    pool.add(tx(b, 1, 1n), 0);
    expect(pool.size).toBe(3);
    // The cheap check before signatures counts the account's submissions still on their way in.
    expect(refusal(() => pool.assertRoom(b.did, 1)).code).toBe('MEMPOOL_ACCOUNT_FULL');
    expect(() => pool.assertRoom(c.did, 1)).not.toThrow();
  });
});

function refusal(call: () => void): NodeError {
  try {
    call();
  } catch (error) {
    if (error instanceof NodeError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}
