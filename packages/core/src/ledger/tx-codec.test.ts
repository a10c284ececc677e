import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import fixture from '../../test/fixtures/tx-vectors.json' with { type: 'json' };
import { goldenHeader, goldenTxs } from '../../test/golden-vectors.ts';
import { alice, CHAIN_ID, PARAMS } from '../../test/ledger-kit.ts';
import { garbageHeaderBytesArb, headerArb, txArb } from '../../test/tx-arbitraries.ts';
import { concatBytes, fromHex, toHex, utf8 } from '../bytes.ts';
import { sha3, verifySignature } from '../crypto/provider.ts';
import { CodecError, Writer } from '../encoding/codec.ts';
import { blockHash, decodeHeader, encodeHeader, txMerkleRoot } from './block.ts';
import { checkTx } from './check.ts';
import { approvalDigest, openApplicationDigest } from './economy-codec.ts';
import { LedgerError, type LedgerErrorCode } from './errors.ts';
import { decodeTx, decodeTxWithSigningBytes, encodeTx, ITX_TAGS, txHash, txSigningBytes, UnknownItxTypeError } from './tx-codec.ts';

/** The codes a transaction can earn before any state is read. */
const STATELESS_CODES: LedgerErrorCode[] = [
  'MALFORMED_TX',
  'TX_TOO_LARGE',
  'UNKNOWN_TX_TYPE',
  'WRONG_CHAIN',
  'INVALID_DID',
  'INVALID_SIGNATURE',
  'INVALID_TX',
  'FEE_TOO_LOW',
];
const golden = goldenTxs();
const goldenHashes = golden.map(({ tx }) => txHash(encodeTx(tx)));
const vectorOf = (name: string) => fixture.txs.find((v) => v.name === name);

function expectStatelessRejection(bytes: Uint8Array, params = PARAMS): void {
  const result = checkTx(bytes, { chainId: CHAIN_ID, params });
  expect(result).toBeInstanceOf(LedgerError);
  expect(STATELESS_CODES).toContain((result as LedgerError).code);
}

describe('golden transaction vectors', () => {
  it('has a vector for every inner transaction type and one with a fee payer', () => {
    const types = new Set(golden.map(({ tx }) => tx.itx.type));
    expect([...types].sort()).toEqual(Object.keys(ITX_TAGS).sort());
    expect(golden.some(({ tx }) => tx.feePayer !== null)).toBe(true);
    expect(fixture.txs.map((v) => v.name)).toEqual(golden.map((g) => g.name));
  });

  it.each(golden.map((g) => [g.name, g.tx] as const))(
    'encodes the %s vector byte for byte, with its hash and signing bytes',
    (name, tx) => {
      const vector = vectorOf(name);
      const bytes = encodeTx(tx);
      expect(toHex(bytes)).toBe(vector?.hex);
      expect(toHex(txHash(bytes))).toBe(vector?.hash);
      expect(toHex(txSigningBytes(tx))).toBe(vector?.signingBytes);
    },
  );

  it.each(fixture.txs.map((v) => [v.name, v] as const))(
    'decodes the %s fixture into the golden transaction, which passes checkTx',
    (name, v) => {
      const tx = golden.find((g) => g.name === name)?.tx;
      expect(decodeTx(fromHex(v.hex))).toEqual(tx);
      const checked = checkTx(fromHex(v.hex), { chainId: CHAIN_ID, params: PARAMS });
      expect(checked).not.toBeInstanceOf(LedgerError);
    },
  );

  it('carries approvals and an application consent that verify in the golden economy vectors', () => {
    const itxOf = (name: string) => golden.find((g) => g.name === name)?.tx.itx;
    for (const name of ['slash', 'bridgeRelease']) {
      const itx = itxOf(name);
      if (itx?.type !== 'slash' && itx?.type !== 'bridgeRelease') throw new Error(`no golden ${name}`);
      expect(itx.approvals).toHaveLength(2);
      for (const a of itx.approvals) expect(verifySignature(a.publicKey, approvalDigest(CHAIN_ID, itx), a.signature)).toBe(true);
    }
    const open = golden.find((g) => g.name === 'openApplication')?.tx;
    if (open?.itx.type !== 'openApplication') throw new Error('no golden openApplication');
    const digest = openApplicationDigest(CHAIN_ID, open.itx.application, open.from);
    expect(verifySignature(open.itx.applicationKey, digest, open.itx.applicationSignature)).toBe(true);
  });

  it('lays out a transaction as version, chain, sender, key, nonce, fee, payer tag, itx, signature', () => {
    const tx = golden[0]?.tx;
    if (!tx) throw new Error('no golden declareAccount');
    const str = (s: string) => concatBytes(new Uint8Array([utf8(s).length]), utf8(s));
    const unsignedPart = concatBytes(
      new Uint8Array([1]),
      str(CHAIN_ID),
      str(alice.did),
      alice.keys.publicKey,
      new Uint8Array([1, 10, 0, ITX_TAGS.declareAccount]),
      str('alice'),
    );
    expect(toHex(encodeTx(tx))).toBe(toHex(concatBytes(unsignedPart, tx.signature)));
    expect(toHex(txSigningBytes(tx))).toBe(toHex(concatBytes(new Uint8Array([0x54]), unsignedPart)));
  });

  it('encodes the golden block header byte for byte and hashes it with a domain byte', () => {
    const header = goldenHeader(goldenHashes);
    expect(toHex(encodeHeader(header))).toBe(fixture.blockHeader.hex);
    expect(toHex(blockHash(header))).toBe(fixture.blockHeader.hash);
    expect(toHex(blockHash(header))).toBe(toHex(sha3(concatBytes(new Uint8Array([0x42]), encodeHeader(header)))));
    expect(decodeHeader(fromHex(fixture.blockHeader.hex))).toEqual(header);
  });

  it.each(fixture.txMerkleRoots.map((v) => [v.count, v.root] as const))(
    'computes the golden txMerkleRoot of the first %i vectors',
    (count, root) => {
      expect(toHex(txMerkleRoot(goldenHashes.slice(0, count)))).toBe(root);
    },
  );

  it('builds the tx Merkle root from prefixed leaves and nodes, promoting an odd node unhashed', () => {
    const [a, b, c] = goldenHashes as [Uint8Array, Uint8Array, Uint8Array];
    const leaf = (h: Uint8Array) => sha3(concatBytes(new Uint8Array([0]), h));
    const node = (l: Uint8Array, r: Uint8Array) => sha3(concatBytes(new Uint8Array([1]), l, r));
    expect(toHex(txMerkleRoot([]))).toBe('00'.repeat(32));
    expect(toHex(txMerkleRoot([a]))).toBe(toHex(leaf(a)));
    expect(toHex(txMerkleRoot([a, b]))).toBe(toHex(node(leaf(a), leaf(b))));
    expect(toHex(txMerkleRoot([a, b, c]))).toBe(toHex(node(node(leaf(a), leaf(b)), leaf(c))));
  });
});

describe('transaction encoding properties', () => {
  it('round-trips random well-formed transactions: decodeTx(encodeTx(tx)) equals tx and re-encodes to the same bytes', () => {
    fc.assert(
      fc.property(txArb, (tx) => {
        const bytes = encodeTx(tx);
        const decoded = decodeTx(bytes);
        expect(decoded).toEqual(tx);
        expect(toHex(encodeTx(decoded))).toBe(toHex(bytes));
      }),
      { numRuns: 300 },
    );
  });

  it('signs the same bytes whatever the signatures are, and those bytes start with the domain byte 0x54', () => {
    fc.assert(
      fc.property(txArb, fc.uint8Array({ minLength: 64, maxLength: 64 }), (tx, otherSig) => {
        const resigned = { ...tx, signature: otherSig, feePayer: tx.feePayer && { ...tx.feePayer, signature: otherSig } };
        expect(toHex(txSigningBytes(resigned))).toBe(toHex(txSigningBytes(tx)));
        expect(txSigningBytes(tx)[0]).toBe(0x54);
      }),
      { numRuns: 100 },
    );
  });

  it('cuts from the encoding exactly the signing bytes txSigningBytes builds, with or without a fee payer', () => {
    fc.assert(
      fc.property(txArb, (tx) => {
        const { tx: decoded, signingBytes } = decodeTxWithSigningBytes(encodeTx(tx));
        expect(decoded).toEqual(tx);
        expect(toHex(signingBytes)).toBe(toHex(txSigningBytes(tx)));
      }),
      { numRuns: 300 },
    );
  });

  it('rejects a transaction with trailing bytes or cut short anywhere, with a CodecError', () => {
    fc.assert(
      fc.property(txArb, fc.nat(), (tx, at) => {
        const bytes = encodeTx(tx);
        expect(() => decodeTx(concatBytes(bytes, new Uint8Array([0])))).toThrow(CodecError);
        expect(() => decodeTx(bytes.subarray(0, at % bytes.length))).toThrow(CodecError);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects an unknown version or inner transaction tag with UnknownItxTypeError', () => {
    const bytes = fromHex(vectorOf('consumeAsset')?.hex ?? '');
    const wrongVersion = bytes.slice();
    wrongVersion[0] = 2;
    expect(() => decodeTx(wrongVersion)).toThrow(UnknownItxTypeError);
    const declare = fromHex(vectorOf('declareAccount')?.hex ?? '');
    const unknownTag = declare.slice();
    unknownTag[declare.length - 64 - 7] = 99; // tag, then "alice" with its length byte, then the signature
    expect(() => decodeTx(unknownTag)).toThrow(/unknown inner transaction type 99/);
  });

  it('refuses to encode an amount, nonce, key or decimals that has no canonical encoding', () => {
    const tx = golden[2]?.tx;
    const itx = tx?.itx;
    if (!tx || itx?.type !== 'createToken') throw new Error('no golden createToken');
    expect(() => encodeTx({ ...tx, fee: -1n })).toThrow(CodecError);
    expect(() => encodeTx({ ...tx, nonce: 1.5 })).toThrow(CodecError);
    expect(() => encodeTx({ ...tx, publicKey: new Uint8Array(31) })).toThrow(CodecError);
    expect(() => encodeTx({ ...tx, itx: { ...itx, decimals: 256 } })).toThrow(CodecError);
  });

  it('round-trips random block headers and rejects garbage headers with a CodecError only', () => {
    fc.assert(
      fc.property(headerArb, (header) => {
        expect(decodeHeader(encodeHeader(header))).toEqual(header);
      }),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(garbageHeaderBytesArb, (bytes) => {
        try {
          decodeHeader(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(CodecError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('checkTx on hostile bytes', () => {
  it('answers random byte strings with a stateless LedgerError, never an exception', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => expectStatelessRejection(bytes)),
      { numRuns: 1000 },
    );
  });

  it('answers a valid prefix with a random tail with a stateless LedgerError', () => {
    const prefix = fromHex(vectorOf('transfer')?.hex ?? '').subarray(0, 120);
    fc.assert(
      fc.property(fc.nat({ max: prefix.length }), fc.uint8Array({ maxLength: 300 }), (cut, tail) => {
        expectStatelessRejection(concatBytes(prefix.subarray(0, cut), tail));
      }),
      { numRuns: 500 },
    );
  });

  it('answers every mutation of a signed golden transaction with a stateless LedgerError', () => {
    const vectors = fixture.txs.map((v) => fromHex(v.hex));
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.integer({ min: 1, max: 255 }), (which, at, xor) => {
        const bytes = (vectors[which % vectors.length] as Uint8Array).slice();
        const i = at % bytes.length;
        bytes[i] = (bytes[i] as number) ^ xor;
        expectStatelessRejection(bytes);
      }),
      { numRuns: 300 },
    );
  });

  it('answers random well-formed but unsigned transactions with a stateless LedgerError', () => {
    fc.assert(
      fc.property(txArb, fc.boolean(), (tx, sameChain) => {
        expectStatelessRejection(encodeTx(sameChain ? { ...tx, chainId: CHAIN_ID } : tx));
      }),
      { numRuns: 300 },
    );
  });

  it('answers bytes over the chain limit with TX_TOO_LARGE before decoding them', () => {
    const big = new Writer().bytes(new Uint8Array(PARAMS.maxTxBytes)).finish();
    const result = checkTx(big, { chainId: CHAIN_ID, params: PARAMS });
    expect(result instanceof LedgerError && result.code).toBe('TX_TOO_LARGE');
  });
});
