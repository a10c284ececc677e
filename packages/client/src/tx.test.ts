import {
  assetAddress,
  type ChainParams,
  checkTx,
  decodeTx,
  encodeTx,
  fromHex,
  type Itx,
  LedgerError,
  tokenAddress,
  txHash,
} from '@arc/core';
import { describe, expect, it } from 'vitest';
import * as build from './builders.ts';
import { ClientError } from './errors.ts';
import { buildTx, cosign, cosignBatch, createdAssetAddress, encodeTxHex, txHashHex } from './tx.ts';
import { Wallet } from './wallet.ts';

const chainId = 'arc-test';
const params: ChainParams = {
  minFee: 0n,
  maxTxBytes: 16384,
  maxTxsPerBlock: 1000,
  maxBlockBytes: 1 << 20,
  market: { moderators: [], usageReporters: [] },
  get economy() {
    return {
      treasury: bob.did,
      treasuryBps: 0,
      settlers: [],
      billingPeriodMs: 60_000,
      graceMs: 60_000,
      unbondingMs: 60_000,
      validators: [],
      slashThreshold: 1,
      bridgeEscrow: app.did,
      bridgeSigners: [],
      bridgeThreshold: 1,
      publishStake: 0n,
    };
  },
};
const alice = Wallet.generate();
const bob = Wallet.generate();
const app = Wallet.generate();

const everyItx: Itx[] = [
  build.declareAccount({ moniker: 'alice' }),
  build.transfer({ to: bob.did, amount: 5n }),
  build.transfer({ to: bob.did, tokens: [{ token: tokenAddress('XYZ'), amount: 3n }], memo: 'hi' }),
  build.createToken({ symbol: 'XYZ', name: 'Example', decimals: 6, totalSupply: 1_000_000n }),
  build.createAsset({ moniker: 'ticket', data: 'seat 12', transferable: false }),
  build.updateAsset({ address: bob.did, moniker: 'ticket 2', data: new Uint8Array([1, 2, 3]) }),
  build.consumeAsset({ address: bob.did }),
  build.delegate({ grantee: bob.did, allowance: 100n, expiresAtMs: 1_900_000_000_000 }),
  build.revokeDelegation({ grantee: bob.did }),
];

function checked(hex: string) {
  const result = checkTx(fromHex(hex), { chainId, params });
  if (result instanceof LedgerError) throw result;
  return result;
}

describe('builders', () => {
  it('fill in the defaults', () => {
    expect(build.transfer({ to: bob.did })).toEqual({ type: 'transfer', to: bob.did, amount: 0n, tokens: [], assets: [], memo: '' });
    expect(build.createAsset({ moniker: 'm' })).toEqual({
      type: 'createAsset',
      moniker: 'm',
      data: new Uint8Array(),
      transferable: true,
      readonly: false,
    });
    expect(build.createToken({ symbol: 'ABC', name: 'a', totalSupply: 1n }).decimals).toBe(18);
    expect(build.createAsset({ moniker: 'm', data: 'é' }).data).toEqual(new Uint8Array([0xc3, 0xa9]));
  });
});

describe('building and signing', () => {
  it.each(everyItx.map((itx) => [itx.type, itx] as const))('a signed %s round-trips the codec and passes checkTx', (_, itx) => {
    const tx = alice.signTx(buildTx({ chainId, wallet: alice, nonce: 1, fee: 0n, itx }));
    expect(decodeTx(encodeTx(tx))).toEqual(tx);
    const result = checked(encodeTxHex(tx));
    expect(result.hashHex).toBe(txHashHex(tx));
    expect(result.tx.from).toBe(alice.did);
  });

  it('refuses to sign for another account', () => {
    const unsigned = buildTx({ chainId, wallet: alice, nonce: 1, fee: 0n, itx: build.declareAccount({ moniker: 'a' }) });
    expect(() => bob.signTx(unsigned)).toThrow(/not this wallet/);
  });

  it('rejects bad nonces and fees before anything is signed', () => {
    const itx = build.declareAccount({ moniker: 'a' });
    expect(() => buildTx({ chainId, wallet: alice, nonce: 0, fee: 0n, itx })).toThrow(/nonce/);
    expect(() => buildTx({ chainId, wallet: alice, nonce: 1.5, fee: 0n, itx })).toThrow(/nonce/);
    expect(() => buildTx({ chainId, wallet: alice, nonce: 1, fee: -1n, itx })).toThrow(/fee/);
  });

  it("reports the ledger's own code for an inner transaction the ledger would refuse", () => {
    const bad = (itx: Itx) => {
      try {
        buildTx({ chainId, wallet: alice, nonce: 1, fee: 0n, itx });
      } catch (error) {
        return error instanceof ClientError ? error.code : 'not a ClientError';
      }
      return 'accepted';
    };
    expect(bad(build.transfer({ to: 'did:abt:nope', amount: 1n }))).toBe('INVALID_DID');
    expect(bad(build.transfer({ to: bob.did }))).toBe('INVALID_TX');
    expect(bad(build.createToken({ symbol: 'x', name: 'x', totalSupply: 1n }))).toBe('INVALID_TX');
  });

  it('gives the address of the asset a createAsset transaction creates', () => {
    const tx = alice.signTx(buildTx({ chainId, wallet: alice, nonce: 3, fee: 1n, itx: build.createAsset({ moniker: 'm' }) }));
    expect(createdAssetAddress(tx)).toBe(assetAddress(txHash(encodeTx(tx))));
  });
});

describe('fee payer co-signing', () => {
  const unsigned = buildTx({ chainId, wallet: alice, nonce: 1, fee: 10n, itx: build.transfer({ to: bob.did, amount: 1n }), feePayer: app });

  it('verifies when the payer co-signs the same bytes', () => {
    const tx = alice.signTx(unsigned, cosign(unsigned, app));
    expect(tx.feePayer?.did).toBe(app.did);
    expect(decodeTx(encodeTx(tx))).toEqual(tx);
    expect(checked(encodeTxHex(tx)).tx.feePayer?.did).toBe(app.did);
  });

  it('gives INVALID_SIGNATURE when the payer signature is tampered with', () => {
    const signature = cosign(unsigned, app);
    signature[0] = (signature[0] as number) ^ 1;
    const result = checkTx(encodeTx(alice.signTx(unsigned, signature)), { chainId, params });
    expect(result).toBeInstanceOf(LedgerError);
    expect((result as LedgerError).code).toBe('INVALID_SIGNATURE');
  });

  it('gives INVALID_SIGNATURE when someone else signs for the payer', () => {
    const wrong = bob.sign(encodeTx(alice.signTx(unsigned, new Uint8Array(64))));
    const result = checkTx(encodeTx(alice.signTx(unsigned, wrong)), { chainId, params });
    expect((result as LedgerError).code).toBe('INVALID_SIGNATURE');
  });

  it('co-signs a batch with one signature that the ledger checks for each transaction, and refuses what is not its own', () => {
    const unsignedOf = (nonce: number) =>
      buildTx({ chainId, wallet: alice, nonce, fee: 10n, itx: build.transfer({ to: bob.did, amount: BigInt(nonce) }), feePayer: app });
    const signed = [1, 2, 3].map((nonce) => alice.signForSponsor(unsignedOf(nonce)));
    const batch = cosignBatch(signed, app);
    for (const tx of batch) expect(checked(encodeTxHex(tx)).tx.feePayer?.batch?.proof).toHaveLength(2);
    expect(batch[0]?.feePayer?.signature).toEqual(batch[2]?.feePayer?.signature);
    expect(() => cosignBatch(signed, bob)).toThrow(/names fee payer/);
    expect(() =>
      alice.signForSponsor(buildTx({ chainId, wallet: alice, nonce: 1, fee: 10n, itx: build.transfer({ to: bob.did, amount: 1n }) })),
    ).toThrow(/names no fee payer/);
    // A transaction outside the batch cannot borrow a member's co-signature and place.
    const outsider = alice.signForSponsor(unsignedOf(4));
    const borrowed = { ...outsider, feePayer: batch[1]?.feePayer ?? null };
    expect((checkTx(encodeTx(borrowed), { chainId, params }) as LedgerError).code).toBe('INVALID_SIGNATURE');
  });

  it('insists on the payer signature and on the named payer', () => {
    expect(() => alice.signTx(unsigned)).toThrow(/cosign/);
    expect(() => cosign(unsigned, bob)).toThrow(/names fee payer/);
  });
});
