import { describe, expect, it } from 'vitest';
import { utf8 } from '../bytes.ts';
import { keyPairFromSeed } from '../crypto/keys.ts';
import { sha3 } from '../crypto/provider.ts';
import { CodecError } from '../encoding/codec.ts';
import { BINARY_FIRST, decodeMessage, encodeMessage, signatureValid, signVote, type Vote } from './messages.ts';

const key = keyPairFromSeed(new Uint8Array(32).fill(9));

function vote(proof: Uint8Array): Vote {
  const fields = { height: 3, attempt: 1, prevHash: sha3(utf8('parent')), step: BINARY_FIRST, value: sha3(utf8('block')) };
  return signVote({ ...fields, voter: key.publicKey, proof }, key.secretKey);
}

describe('a vote on the wire', () => {
  it('round-trips with its 80-byte sortition proof and without one, each signed over what it carries', () => {
    for (const proof of [new Uint8Array(80).fill(7), new Uint8Array()]) {
      const bytes = encodeMessage(vote(proof));
      const back = decodeMessage(bytes) as Vote;
      expect(back.proof).toEqual(proof);
      expect(encodeMessage(back)).toEqual(bytes);
      expect(signatureValid(back)).toBe(true);
    }
    // Dropping the proof from a signed vote breaks its signature: the proof's presence is signed too.
    expect(signatureValid({ ...vote(new Uint8Array(80).fill(7)), proof: new Uint8Array() })).toBe(false);
  });

  it('refuses a proof of another length, and a presence flag other than 0 or 1', () => {
    expect(() => encodeMessage({ ...vote(new Uint8Array()), proof: new Uint8Array(40) })).toThrow(CodecError);
    const bytes = encodeMessage(vote(new Uint8Array()));
    // The flag sits right before the 64-byte signature when there is no proof.
    const flagAt = bytes.length - 65;
    expect(bytes[flagAt]).toBe(0);
    const bent = bytes.slice();
    bent[flagAt] = 2;
    expect(() => decodeMessage(bent)).toThrow(CodecError);
  });
});
