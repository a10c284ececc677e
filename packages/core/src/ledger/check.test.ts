import { describe, expect, it } from 'vitest';
import { alice, bob, CHAIN_ID, carol, PARAMS, signedTx, transferItx, unsignedTx } from '../../test/ledger-kit.ts';
import { concatBytes, toHex } from '../bytes.ts';
import { didFromPublicKey } from '../did/did.ts';
import { tokenAddress } from './addresses.ts';
import { type CheckedTx, checkSignatures, checkTx, checkTxStatic } from './check.ts';
import { LedgerError } from './errors.ts';
import { TX_LIMITS } from './limits.ts';
import { signTx } from './sign.ts';
import { encodeTx, ITX_TAGS, txHash, txSigningBytes } from './tx-codec.ts';
import type { ChainParams, Itx, Tx } from './types.ts';

const GOLD = tokenAddress('GOLD');
const SILVER = tokenAddress('SILVER');
const BAD_DID = 'did:abt:z1e1gtMvLzDaoE31X2rYsMFZHDvc6mqZWYN'; // alice's DID with the last character changed

/** The code checkTx gives the transaction (or its bytes), or 'OK' when it passes. */
function codeOf(tx: Tx | Uint8Array, params: ChainParams = PARAMS): string {
  const result = checkTx(tx instanceof Uint8Array ? tx : encodeTx(tx), { chainId: CHAIN_ID, params });
  return result instanceof LedgerError ? result.code : 'OK';
}

function messageOf(tx: Tx): string {
  const result = checkTx(encodeTx(tx), { chainId: CHAIN_ID, params: PARAMS });
  return result instanceof LedgerError ? result.message : '';
}

const fromAlice = (itx: Itx, nonce = 1) => signedTx(alice, itx, { nonce });
const declare: Itx = { type: 'declareAccount', moniker: 'alice' };
const createToken = (fields: Partial<Extract<Itx, { type: 'createToken' }>>): Itx => ({
  type: 'createToken',
  symbol: 'GOLD',
  name: 'Gold',
  decimals: 6,
  totalSupply: 1_000n,
  ...fields,
});

describe('checkTx accepts a well-formed signed transaction', () => {
  it('returns the decoded transaction with its bytes, hash and signing bytes', () => {
    const tx = fromAlice(transferItx(bob, { amount: 5n }));
    const bytes = encodeTx(tx);
    const checked = checkTx(bytes, { chainId: CHAIN_ID, params: PARAMS }) as CheckedTx;
    expect(checked).not.toBeInstanceOf(LedgerError);
    expect(checked.tx).toEqual(tx);
    expect(toHex(checked.bytes)).toBe(toHex(bytes));
    expect(toHex(checked.hash)).toBe(toHex(txHash(bytes)));
    expect(checked.hashHex).toBe(toHex(checked.hash));
    expect(toHex(checked.signingBytes)).toBe(toHex(txSigningBytes(tx)));
  });

  it('accepts a transaction co-signed by its fee payer', () => {
    expect(codeOf(signedTx(bob, transferItx(carol, { amount: 1n }), { nonce: 1, feePayer: alice }))).toBe('OK');
  });

  it('accepts the boundaries: a fee of exactly minFee, a tx of exactly maxTxBytes, 18 decimals, 2- and 16-character symbols', () => {
    const tx = fromAlice(createToken({ symbol: 'AB', decimals: TX_LIMITS.tokenDecimalsMax }));
    expect(codeOf({ ...tx, fee: PARAMS.minFee })).toBe('OK');
    expect(codeOf(tx, { ...PARAMS, maxTxBytes: encodeTx(tx).length })).toBe('OK');
    expect(codeOf(fromAlice(createToken({ symbol: 'A123456789BCDEFG' })))).toBe('OK');
  });
});

describe('checkTx rejects garbage with MALFORMED_TX or UNKNOWN_TX_TYPE', () => {
  it('rejects empty input and a lone version byte as MALFORMED_TX', () => {
    expect(codeOf(new Uint8Array())).toBe('MALFORMED_TX');
    expect(codeOf(new Uint8Array([1]))).toBe('MALFORMED_TX');
  });

  it('rejects a valid transaction with one trailing byte as MALFORMED_TX', () => {
    expect(codeOf(concatBytes(encodeTx(fromAlice(declare)), new Uint8Array([0])))).toBe('MALFORMED_TX');
  });

  it('rejects fields over their TX_LIMITS bound as MALFORMED_TX, even when the chain would take the bytes', () => {
    const roomy = { ...PARAMS, maxTxBytes: TX_LIMITS.txBytesHardMax };
    const data = new Uint8Array(TX_LIMITS.assetDataBytes + 1);
    expect(codeOf(fromAlice({ type: 'createAsset', moniker: 'x', data, transferable: true, readonly: false }), roomy)).toBe('MALFORMED_TX');
    expect(codeOf(fromAlice({ type: 'declareAccount', moniker: 'm'.repeat(TX_LIMITS.monikerBytes + 1) }))).toBe('MALFORMED_TX');
    const tokens = Array.from({ length: TX_LIMITS.transferTokensMax + 1 }, (_, i) => ({ token: tokenAddress(`T${i}X`), amount: 1n }));
    expect(codeOf(fromAlice(transferItx(bob, { tokens })))).toBe('MALFORMED_TX');
  });

  it('rejects an unknown inner transaction tag as UNKNOWN_TX_TYPE', () => {
    const bytes = encodeTx(fromAlice({ type: 'declareAccount', moniker: '' }));
    const firstUnused = Math.max(...Object.values(ITX_TAGS)) + 1;
    for (const tag of [0, firstUnused, 255]) {
      const patched = bytes.slice();
      patched[bytes.length - 64 - 2] = tag; // the tag, then an empty moniker's length byte, then the signature
      expect(codeOf(patched)).toBe('UNKNOWN_TX_TYPE');
    }
  });

  it('rejects an unknown envelope version as UNKNOWN_TX_TYPE', () => {
    const bytes = encodeTx(fromAlice(declare));
    bytes[0] = 2;
    expect(codeOf(bytes)).toBe('UNKNOWN_TX_TYPE');
  });
});

describe('checkTx rejects envelope failures with their exact code', () => {
  it('rejects a transaction over maxTxBytes as TX_TOO_LARGE', () => {
    const tx = fromAlice({ type: 'createAsset', moniker: 'big', data: new Uint8Array(8000), transferable: true, readonly: false });
    expect(codeOf(tx)).toBe('OK');
    expect(codeOf(tx, { ...PARAMS, maxTxBytes: 4096 })).toBe('TX_TOO_LARGE');
    expect(codeOf(tx, { ...PARAMS, maxTxBytes: encodeTx(tx).length - 1 })).toBe('TX_TOO_LARGE');
  });

  it('rejects a transaction for another chain as WRONG_CHAIN', () => {
    expect(codeOf(signedTx(alice, declare, { nonce: 1, chainId: 'arc-main' }))).toBe('WRONG_CHAIN');
  });

  it('rejects a fee below minFee as FEE_TOO_LOW', () => {
    expect(codeOf(signedTx(alice, declare, { nonce: 1, fee: PARAMS.minFee - 1n }))).toBe('FEE_TOO_LOW');
    expect(codeOf(signedTx(alice, declare, { nonce: 1, fee: 0n }))).toBe('FEE_TOO_LOW');
  });

  it('rejects a nonce of 0 as INVALID_TX (nonces start at 1)', () => {
    expect(codeOf(fromAlice(declare, 0))).toBe('INVALID_TX');
  });

  it('rejects a bad sender signature as INVALID_SIGNATURE', () => {
    const tx = fromAlice(declare);
    const forged = tx.signature.slice();
    forged[0] = (forged[0] as number) ^ 1;
    expect(codeOf({ ...tx, signature: forged })).toBe('INVALID_SIGNATURE');
    const signedByBob = signTx(unsignedTx(alice, declare, { nonce: 1 }), bob.seed);
    expect(codeOf(signedByBob)).toBe('INVALID_SIGNATURE');
    expect(messageOf(signedByBob)).toMatch(/sender/);
  });

  it('rejects a bad fee-payer signature as INVALID_SIGNATURE', () => {
    const unsigned = unsignedTx(bob, transferItx(carol, { amount: 1n }), { nonce: 1, feePayer: alice });
    const wrongPayerKey = signTx(unsigned, bob.seed, carol.seed);
    expect(codeOf(wrongPayerKey)).toBe('INVALID_SIGNATURE');
    expect(messageOf(wrongPayerKey)).toMatch(/fee payer/);
  });

  it('rejects a fee payer signature made over different bytes as INVALID_SIGNATURE', () => {
    const paid = signedTx(bob, transferItx(carol, { amount: 1n }), { nonce: 1, feePayer: alice });
    const other = signedTx(bob, transferItx(carol, { amount: 2n }), { nonce: 1, feePayer: alice });
    const spliced = { ...paid, feePayer: other.feePayer };
    expect(codeOf(spliced)).toBe('INVALID_SIGNATURE');
  });

  it('rejects a from that is not the DID of the public key as INVALID_DID', () => {
    const unsigned = { ...unsignedTx(alice, declare, { nonce: 1 }), from: bob.did };
    expect(codeOf(signTx(unsigned, alice.seed))).toBe('INVALID_DID');
    const otherRole = { ...unsignedTx(alice, declare, { nonce: 1 }), from: didFromPublicKey(bob.keys.publicKey, 'application') };
    expect(codeOf(signTx(otherRole, alice.seed))).toBe('INVALID_DID');
  });

  it('answers DID checks the same however often they repeat (remembered answers are exact: per DID and per key)', () => {
    const forBob = (key: typeof alice) => signTx({ ...unsignedTx(key, declare, { nonce: 1 }), from: bob.did }, key.seed);
    for (let round = 0; round < 3; round++) {
      expect(codeOf(forBob(alice))).toBe('INVALID_DID');
      expect(codeOf(forBob(bob))).toBe('OK');
      expect(codeOf(signTx({ ...unsignedTx(alice, declare, { nonce: 1 }), from: BAD_DID }, alice.seed))).toBe('INVALID_DID');
      expect(codeOf(fromAlice(transferItx(bob, { amount: 1n })))).toBe('OK');
    }
  });

  it('rejects a from that is not a DID at all as INVALID_DID', () => {
    expect(codeOf(signTx({ ...unsignedTx(alice, declare, { nonce: 1 }), from: BAD_DID }, alice.seed))).toBe('INVALID_DID');
  });

  it('rejects a fee payer whose DID is invalid or not of its key as INVALID_DID', () => {
    const base = unsignedTx(bob, transferItx(carol, { amount: 1n }), { nonce: 1, feePayer: alice });
    const invalid = { ...base, feePayer: { did: BAD_DID, publicKey: alice.keys.publicKey } };
    expect(codeOf(signTx(invalid, bob.seed, alice.seed))).toBe('INVALID_DID');
    const mismatched = { ...base, feePayer: { did: carol.did, publicKey: alice.keys.publicKey } };
    expect(codeOf(signTx(mismatched, bob.seed, alice.seed))).toBe('INVALID_DID');
  });

  it('rejects a sender naming itself as fee payer as INVALID_TX', () => {
    expect(codeOf(signedTx(alice, transferItx(bob, { amount: 1n }), { nonce: 1, feePayer: alice }))).toBe('INVALID_TX');
  });
});

describe('checkTx rejects invalid DIDs inside inner transactions as INVALID_DID', () => {
  it.each<[string, Itx]>([
    ['transfer.to', transferItx(BAD_DID, { amount: 1n })],
    ['transfer token', transferItx(bob, { tokens: [{ token: BAD_DID, amount: 1n }] })],
    ['transfer asset', transferItx(bob, { assets: [BAD_DID] })],
    ['updateAsset.address', { type: 'updateAsset', address: BAD_DID, moniker: '', data: new Uint8Array() }],
    ['consumeAsset.address', { type: 'consumeAsset', address: 'not-a-did' }],
    ['delegate.grantee', { type: 'delegate', grantee: BAD_DID, allowance: 1n, expiresAtMs: 1 }],
    ['revokeDelegation.grantee', { type: 'revokeDelegation', grantee: '' }],
  ])('rejects an invalid %s', (_, itx) => {
    expect(codeOf(fromAlice(itx))).toBe('INVALID_DID');
  });
});

describe('checkTx rejects inner transactions that break a field rule as INVALID_TX', () => {
  it.each(['gold', 'G', '1GOLD', 'GO-LD', 'GOLD ', 'GÖLD', ''])('rejects the token symbol %j', (symbol) => {
    expect(codeOf(fromAlice(createToken({ symbol })))).toBe('INVALID_TX');
  });

  it('rejects a token with zero supply, an empty name or more than 18 decimals', () => {
    expect(codeOf(fromAlice(createToken({ totalSupply: 0n })))).toBe('INVALID_TX');
    expect(codeOf(fromAlice(createToken({ name: '   ' })))).toBe('INVALID_TX');
    expect(codeOf(fromAlice(createToken({ decimals: TX_LIMITS.tokenDecimalsMax + 1 })))).toBe('INVALID_TX');
  });

  it('rejects an empty transfer (no amount, no token, no asset)', () => {
    expect(codeOf(fromAlice(transferItx(bob, { memo: 'nothing' })))).toBe('INVALID_TX');
  });

  it('rejects a transfer with a zero token amount', () => {
    expect(codeOf(fromAlice(transferItx(bob, { amount: 1n, tokens: [{ token: GOLD, amount: 0n }] })))).toBe('INVALID_TX');
  });

  it('rejects a transfer naming the same token or asset twice', () => {
    const tokens = [
      { token: GOLD, amount: 1n },
      { token: SILVER, amount: 1n },
      { token: GOLD, amount: 2n },
    ];
    expect(codeOf(fromAlice(transferItx(bob, { tokens })))).toBe('INVALID_TX');
    expect(codeOf(fromAlice(transferItx(bob, { assets: [GOLD, GOLD] })))).toBe('INVALID_TX');
  });

  it('rejects a fee grant with zero allowance', () => {
    expect(codeOf(fromAlice({ type: 'delegate', grantee: bob.did, allowance: 0n, expiresAtMs: 1 }))).toBe('INVALID_TX');
  });
});

describe('checkTxStatic and checkSignatures split the work', () => {
  it('passes a forged signature through checkTxStatic and catches it in checkSignatures', () => {
    const tx = fromAlice(declare);
    const forged = { ...tx, signature: new Uint8Array(64).fill(7) };
    const checked = checkTxStatic(encodeTx(forged), { chainId: CHAIN_ID, params: PARAMS });
    expect(checked).not.toBeInstanceOf(LedgerError);
    expect(checkSignatures(checked as CheckedTx)?.code).toBe('INVALID_SIGNATURE');
    const genuine = checkTxStatic(encodeTx(tx), { chainId: CHAIN_ID, params: PARAMS }) as CheckedTx;
    expect(checkSignatures(genuine)).toBeNull();
  });

  it('marks stateless rejections as not retriable', () => {
    const result = checkTx(new Uint8Array([1, 2, 3]), { chainId: CHAIN_ID, params: PARAMS });
    expect(result instanceof LedgerError && result.retriable).toBe(false);
  });
});
