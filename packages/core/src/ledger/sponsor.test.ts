import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  alice,
  bob,
  CHAIN_ID,
  carol,
  dave,
  MIN_FEE,
  openApplicationItx,
  PARAMS,
  shop,
  signedTx,
  TestChain,
  transferItx,
} from '../../test/ledger-kit.ts';
import { toHex } from '../bytes.ts';
import { checkTx } from './check.ts';
import { LedgerError } from './errors.ts';
import { TX_LIMITS } from './limits.ts';
import { SPONSOR_BATCH_MAX, sponsorBatch } from './sponsor.ts';
import { decodeTx, decodeTxWithSigningBytes, encodeTx, txSigningBytes } from './tx-codec.ts';
import type { Tx } from './types.ts';

const senders = [alice, bob, carol, dave];

/** `count` transfers by the four senders whose fees the shop pays, signed by their senders only. */
function userTxs(count: number, chainId = CHAIN_ID): Tx[] {
  return Array.from({ length: count }, (_, i) => {
    const from = senders[i % senders.length] as (typeof senders)[number];
    // Only the sender signs: the shop's signature field holds zeros until sponsorBatch signs the batch's root.
    const tx = signedTx(from, transferItx(shop, { amount: BigInt(i + 1) }), { nonce: 1 + Math.floor(i / 4), feePayer: shop, chainId });
    return { ...tx, feePayer: { did: shop.did, publicKey: shop.keys.publicKey, signature: new Uint8Array(64) } };
  });
}

const check = (tx: Tx) => checkTx(encodeTx(tx), { chainId: CHAIN_ID, params: PARAMS });
const code = (tx: Tx) => {
  const result = check(tx);
  return result instanceof LedgerError ? result.code : 'ok';
};
const sponsored = (count: number) => sponsorBatch(userTxs(count), shop.seed, shop.keys.publicKey);

describe('batch sponsorship: one fee payer signature over many transactions', () => {
  it('verifies every transaction of batches of any size, and keeps what the sender signed', () => {
    for (const count of [1, 2, 3, 5, 8, 17]) {
      const users = userTxs(count);
      const batch = sponsorBatch(users, shop.seed, shop.keys.publicKey);
      const signatures = new Set(batch.map((tx) => toHex(tx.feePayer?.signature ?? new Uint8Array())));
      expect(signatures.size, 'one signature for the whole batch').toBe(1);
      batch.forEach((tx, i) => {
        expect(code(tx), `transaction ${i} of ${count}`).toBe('ok');
        // The sender's signature and signing bytes are those of the transaction it signed.
        expect(tx.signature).toEqual(users[i]?.signature);
        const { signingBytes } = decodeTxWithSigningBytes(encodeTx(tx));
        expect(signingBytes).toEqual(txSigningBytes(users[i] as Tx));
        expect(decodeTx(encodeTx(tx))).toEqual(tx);
        expect(tx.feePayer?.batch?.proof.length).toBe(Math.max(1, Math.ceil(Math.log2(count))));
      });
    }
  });

  it('refuses a proof that was tampered with, moved to another transaction, or signed for another chain', () => {
    const batch = sponsored(5);
    const tx = batch[2] as Tx;
    const payer = tx.feePayer as NonNullable<Tx['feePayer']>;
    const batchOf = payer.batch as NonNullable<typeof payer.batch>;
    const flipped = batchOf.proof.map((p, level) => (level === 1 ? Uint8Array.from(p, (b, i) => (i === 0 ? b ^ 1 : b)) : p));
    expect(code({ ...tx, feePayer: { ...payer, batch: { ...batchOf, proof: flipped } } })).toBe('INVALID_SIGNATURE');
    expect(code({ ...tx, feePayer: { ...payer, batch: { ...batchOf, index: 3 } } })).toBe('INVALID_SIGNATURE');
    // The proof of one transaction on another (same payer, same root signature) does not lead to the root.
    expect(code({ ...(batch[0] as Tx), feePayer: payer })).toBe('INVALID_SIGNATURE');
    // A transaction outside the batch cannot borrow the batch's signature.
    const outsider = userTxs(6)[5] as Tx;
    expect(code({ ...outsider, feePayer: payer })).toBe('INVALID_SIGNATURE');
    // A singly co-signed form with the batch's signature does not verify either.
    expect(code({ ...tx, feePayer: { did: payer.did, publicKey: payer.publicKey, signature: payer.signature } })).toBe('INVALID_SIGNATURE');
    const elsewhere = sponsorBatch(userTxs(5, 'arc-other-1'), shop.seed, shop.keys.publicKey);
    expect(checkTx(encodeTx(elsewhere[2] as Tx), { chainId: 'arc-other-1', params: PARAMS })).not.toBeInstanceOf(LedgerError);
    expect(code({ ...tx, feePayer: elsewhere[2]?.feePayer ?? null })).toBe('INVALID_SIGNATURE');
  });

  it('says what is wrong with a proof of an impossible shape', () => {
    const tx = sponsored(4)[1] as Tx;
    const payer = tx.feePayer as NonNullable<Tx['feePayer']>;
    const withBatch = (index: number, levels: number) =>
      ({ ...tx, feePayer: { ...payer, batch: { index, proof: Array.from({ length: levels }, () => new Uint8Array(32)) } } }) as Tx;
    expect(code(withBatch(4, 2))).toBe('INVALID_TX');
    expect(code(withBatch(0, 0))).toBe('INVALID_TX');
    expect(code(withBatch(0, TX_LIMITS.sponsorDepthMax + 1))).toBe('MALFORMED_TX');
    const bytes = encodeTx(tx);
    const tagAt = bytes.indexOf(2, 1 + 1 + CHAIN_ID.length + 1 + alice.did.length + 32 + 1);
    const bad = Uint8Array.from(bytes);
    bad[tagAt] = 3;
    expect(checkTx(bad, { chainId: CHAIN_ID, params: PARAMS })).toMatchObject({ code: 'MALFORMED_TX' });
    expect(() => sponsorBatch(userTxs(1), bob.seed, bob.keys.publicKey)).toThrow(/not this key/);
    expect(SPONSOR_BATCH_MAX).toBe(65_536);
  });

  it('any change to a sponsored transaction fails its check, whatever the batch size and the byte', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.nat(), fc.nat(), fc.integer({ min: 1, max: 255 }), (count, which, at, xor) => {
        const batch = sponsored(count);
        const bytes = Uint8Array.from(encodeTx(batch[which % count] as Tx));
        const i = at % bytes.length;
        bytes[i] = (bytes[i] as number) ^ xor;
        const result = checkTx(bytes, { chainId: CHAIN_ID, params: PARAMS });
        expect(result).toBeInstanceOf(LedgerError);
      }),
      { numRuns: 150 },
    );
  });

  it('a sponsored transfer costs its sender nothing: the application it names accrues the fee', () => {
    const chain = TestChain.funded([
      [bob, 1_000_000n],
      [alice, 5n],
    ]);
    chain.ok(bob, openApplicationItx(bob, shop, 10_000n));
    const tx = signedTx(alice, transferItx(carol, { amount: 5n }), { nonce: 1, feePayer: shop, fee: 2n * MIN_FEE });
    const [one] = sponsorBatch([tx], shop.seed, shop.keys.publicKey);
    const checked = checkTx(encodeTx(one as Tx), { chainId: CHAIN_ID, params: PARAMS });
    if (checked instanceof LedgerError) throw checked;
    const { result } = chain.apply(checked);
    expect(result).not.toBeInstanceOf(LedgerError);
    expect(chain.balance(alice)).toBe(0n);
    expect(chain.balance(carol)).toBe(5n);
    expect([...(chain.state.application(shop.did)?.feesOwed.values() ?? [])]).toEqual([2n * MIN_FEE]);
  });
});
