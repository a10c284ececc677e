import { decodeTx, fromHex, NodeApiError, type OcapErrorCode, type TransferTx } from '@arc/core';
import { describe, expect, it } from 'vitest';
import { expectOcapError } from '../conformance/index.ts';
import { ocapCodeOf, toOcapError } from './errors.ts';
import { nativeSigner, signedTxHex } from './signer.ts';

/**
 * The native adapter's pure parts. Against a real node (the conformance suite over the node's in-process API and
 * over HTTP through @arc/client) it is tested in apps/node/test/native-adapter.test.ts, since this package
 * imports neither the node nor the client (DESIGN.md, Dependency direction).
 */

describe('native adapter: error mapping', () => {
  it('maps ledger, node and client codes onto OCAP codes', () => {
    const cases: [string, OcapErrorCode][] = [
      ['INSUFFICIENT_FUNDS', 'INSUFFICIENT_FUNDS'],
      ['NONCE_TOO_LOW', 'NONCE_TOO_LOW'],
      ['INVALID_DID', 'INVALID_ADDRESS'],
      ['NOT_FOUND', 'NOT_FOUND'],
      ['UNKNOWN_TOKEN', 'NOT_FOUND'],
      ['UNKNOWN_ASSET', 'NOT_FOUND'],
      ['ASSET_NOT_OWNED', 'FORBIDDEN'],
      ['MEMPOOL_FULL', 'UNAVAILABLE'],
      ['NETWORK', 'UNAVAILABLE'],
      ['FEE_TOO_LOW', 'FEE_TOO_LOW'],
      ['WRONG_CHAIN', 'INVALID_ARGUMENT'],
      ['PROOF_INVALID', 'INTERNAL'],
      ['SOMETHING_NEW', 'INTERNAL'],
    ];
    for (const [code, expected] of cases) expect(ocapCodeOf(code), code).toBe(expected);
  });

  it('reads an unknown sender as one without funds when sending, as not found otherwise', () => {
    expect(ocapCodeOf('UNKNOWN_ACCOUNT', 'send')).toBe('INSUFFICIENT_FUNDS');
    expect(ocapCodeOf('UNKNOWN_ACCOUNT', 'read')).toBe('NOT_FOUND');
  });

  it('keeps the original error as the cause and its retry flag from the OCAP code', () => {
    const original = new NodeApiError('MEMPOOL_FULL', 'the mempool holds 10000 transactions; try again shortly', { retriable: true });
    const mapped = toOcapError(original, 'send', 'arc:arc-dev');
    expect(mapped).toMatchObject({ code: 'UNAVAILABLE', retriable: true, chainId: 'arc:arc-dev', cause: original });
    expect(mapped.message).toContain('mempool');
  });
});

describe('native adapter: signers', () => {
  const seed = new Uint8Array(32).fill(7);

  it('signs a transaction the ledger can decode, from the DID of the seed', () => {
    const signer = nativeSigner(seed);
    const itx: TransferTx = { type: 'transfer', to: signer.address, amount: 5n, tokens: [], assets: [], memo: '' };
    const tx = decodeTx(fromHex(signedTxHex(signer, { chainId: 'arc-dev', nonce: 3, fee: 10n, itx })));
    expect(tx).toMatchObject({ chainId: 'arc-dev', from: signer.address, nonce: 3, fee: 10n, itx: { type: 'transfer', amount: 5n } });
  });

  it('refuses a signer it did not make, a seed of the wrong size and a transaction no ledger accepts', async () => {
    const signer = nativeSigner(seed);
    const stranger = { adapter: 'native', address: signer.address };
    const itx: TransferTx = { type: 'transfer', to: signer.address, amount: 5n, tokens: [], assets: [], memo: '' };
    await expectOcapError(() => signedTxHex(stranger, { chainId: 'arc-dev', nonce: 1, fee: 1n, itx }), 'INVALID_ARGUMENT');
    await expectOcapError(() => nativeSigner(new Uint8Array(31)), 'INVALID_ARGUMENT');
    await expectOcapError(() => signedTxHex(signer, { chainId: 'arc-dev', nonce: 0, fee: 1n, itx }), 'INVALID_ARGUMENT');
    await expectOcapError(
      () => signedTxHex(signer, { chainId: 'arc-dev', nonce: 1, fee: 1n, itx: { ...itx, to: 'nobody' } }),
      'INVALID_ARGUMENT',
    );
  });
});
