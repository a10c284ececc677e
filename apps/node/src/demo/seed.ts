import {
  assetAddress,
  encodeTx,
  fromHex,
  type Itx,
  signMessage,
  signTx,
  sponsorBatch,
  type Tx,
  tokenAddress,
  txSigningBytes,
  utf8,
} from '@arc/core';
import { type DevAccountName, devKey } from '../config/dev-keys.ts';
import type { Admission } from '../ledger/admission.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { LedgerQueries } from '../ledger/queries.ts';
import { waitForTx } from '../ledger/status.ts';

const ABT = 10n ** 18n;
const SEED_WAIT_MS = 15_000;

/**
 * A small history on a fresh dev chain so the explorer has something to show: accounts declare
 * themselves, Alice issues a token and two assets and moves them, Alice pays Carol's fees: once co-signing a
 * transfer alone, then two at once with one batch signature.
 */
export async function seedDemo(ledger: Ledger, admission: Admission, queries: LedgerQueries): Promise<number> {
  const nonces = new Map<DevAccountName, number>();
  const fee = ledger.params.minFee;
  const send = async (name: DevAccountName, itx: Itx, payer?: DevAccountName) => {
    const key = devKey(name);
    const nonce = (nonces.get(name) ?? 0) + 1;
    nonces.set(name, nonce);
    const payerKey = payer ? devKey(payer) : undefined;
    const feePayer = payerKey ? { did: payerKey.did, publicKey: payerKey.publicKey } : null;
    const unsigned = { chainId: ledger.chainId, from: key.did, publicKey: key.publicKey, nonce, fee, feePayer, itx };
    const tx = signTx(unsigned, key.secretKey, payerKey?.secretKey);
    return (await admission.submit(encodeTx(tx))).hash;
  };
  /** `name`'s transactions with `payer` co-signing them all with one signature (batch sponsorship). */
  const sendBatch = async (name: DevAccountName, itxs: Itx[], payer: DevAccountName) => {
    const key = devKey(name);
    const payerKey = devKey(payer);
    const unsigned = itxs.map((itx): Tx => {
      const nonce = (nonces.get(name) ?? 0) + 1;
      nonces.set(name, nonce);
      const unsigned = { chainId: ledger.chainId, from: key.did, publicKey: key.publicKey, nonce, fee, itx };
      const feePayer = { did: payerKey.did, publicKey: payerKey.publicKey };
      const signature = signMessage(key.secretKey, txSigningBytes({ ...unsigned, feePayer }));
      // The payer's signature is sponsorBatch's to fill in.
      return { ...unsigned, signature, feePayer: { ...feePayer, signature: new Uint8Array(64) } };
    });
    const hashes: string[] = [];
    for (const tx of sponsorBatch(unsigned, payerKey.secretKey, payerKey.publicKey)) {
      hashes.push((await admission.submit(encodeTx(tx))).hash);
    }
    return hashes;
  };
  const bob = devKey('bob').did;
  const carol = devKey('carol').did;
  const demo = tokenAddress('DEMO');
  const hashes = [
    await send('alice', { type: 'declareAccount', moniker: 'alice' }),
    await send('bob', { type: 'declareAccount', moniker: 'bob' }),
    await send('carol', { type: 'declareAccount', moniker: 'carol' }),
    await send('alice', { type: 'createToken', symbol: 'DEMO', name: 'Demo Token', decimals: 6, totalSupply: 1_000_000_000_000n }),
  ];
  await waitAll(ledger, queries, hashes);
  const asset = await send('alice', {
    type: 'createAsset',
    moniker: 'Concert ticket #1',
    data: utf8('{"seat":"A1"}'),
    transferable: true,
    readonly: false,
  });
  const more = [
    asset,
    await send('alice', {
      type: 'createAsset',
      moniker: 'Membership badge',
      data: utf8('{"tier":"gold"}'),
      transferable: false,
      readonly: true,
    }),
    await send('alice', { type: 'transfer', to: bob, amount: 1_250n * ABT, tokens: [], assets: [], memo: 'rent' }),
    await send('alice', {
      type: 'transfer',
      to: carol,
      amount: 0n,
      tokens: [{ token: demo, amount: 25_000_000n }],
      assets: [],
      memo: 'DEMO airdrop',
    }),
    await send('alice', {
      type: 'delegate',
      grantee: carol,
      allowance: 10n * ABT,
      expiresAtMs: ledger.head.timeMs + 365 * 24 * 3600 * 1000,
    }),
    await send('bob', { type: 'transfer', to: carol, amount: 75n * ABT, tokens: [], assets: [], memo: 'dinner' }),
  ];
  await waitAll(ledger, queries, more);
  const last = [
    await send('alice', {
      type: 'transfer',
      to: bob,
      amount: 0n,
      tokens: [],
      assets: [assetAddress(fromHex(asset))],
      memo: 'enjoy the show',
    }),
    await send(
      'carol',
      { type: 'transfer', to: bob, amount: 0n, tokens: [{ token: demo, amount: 5_000_000n }], assets: [], memo: 'fees paid by alice' },
      'alice',
    ),
    ...(await sendBatch(
      'carol',
      ['coffee', 'lunch'].map(
        (memo): Itx => ({ type: 'transfer', to: bob, amount: 0n, tokens: [{ token: demo, amount: 1_000_000n }], assets: [], memo }),
      ),
      'alice',
    )),
  ];
  await waitAll(ledger, queries, last);
  return hashes.length + more.length + last.length;
}

async function waitAll(ledger: Ledger, queries: LedgerQueries, hashes: string[]): Promise<void> {
  for (const hash of hashes) {
    const status = await waitForTx(ledger, queries, hash, SEED_WAIT_MS);
    if (status.status !== 'committed') {
      throw new Error(`demo seed transaction ${hash} ended ${status.status}: ${status.error?.code} ${status.error?.message}`);
    }
  }
}
