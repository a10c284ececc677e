import { keyPairFromSeed } from '@arc/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createTopicKey, E2eError, isSealedMessage, openMessage, openTopicKey, sealMessage, sealTopicKey } from './e2e.ts';

const alice = keyPairFromSeed(new Uint8Array(32).fill(1));
const bob = keyPairFromSeed(new Uint8Array(32).fill(2));

describe('end-to-end encrypted topics', () => {
  it('opens what was sealed, for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const key = createTopicKey();
        const sealed = sealMessage(key, 'app:x:chat', value);
        expect(isSealedMessage(sealed)).toBe(true);
        expect(openMessage(key, 'app:x:chat', sealed)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 100 },
    );
  });

  it('leaks no plaintext and refuses tampering, another key and another topic', () => {
    const key = createTopicKey();
    const sealed = sealMessage(key, 'app:x:chat', { text: 'meet at noon' });
    expect(JSON.stringify(sealed)).not.toContain('noon');
    const flipped = { ...sealed, ciphertext: (sealed.ciphertext.startsWith('0') ? '1' : '0') + sealed.ciphertext.slice(1) };
    expect(() => openMessage(key, 'app:x:chat', flipped)).toThrow(E2eError);
    expect(() => openMessage(createTopicKey(), 'app:x:chat', sealed)).toThrow(E2eError);
    expect(() => openMessage(key, 'app:x:other', sealed)).toThrow(E2eError);
  });

  it('hands the topic key to a member sealed to their DID key, and to nobody else', () => {
    const key = createTopicKey();
    const forBob = sealTopicKey(key, bob.publicKey);
    expect(openTopicKey(forBob, bob.secretKey)).toEqual(key);
    expect(() => openTopicKey(forBob, alice.secretKey)).toThrow(E2eError);
  });
});
