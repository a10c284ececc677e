import { didFromPublicKey, fromHex, toHex } from '@arc/core';
import { describe, expect, it } from 'vitest';
import { closeReason, GossipError } from './errors.ts';
import { GossipNode } from './gossip.ts';
import { newKey, TEST_CHAIN_ID, TEST_GENESIS } from './gossip-testing.ts';
import { authDigest, checkHello, type HandshakeIdentity, makeAuth, makeHello, parseHandshakeFrame, verifyAuth } from './handshake.ts';
import { dialBackoffMs, GOSSIP_LIMITS, resolveLimits } from './limits.ts';
import { SeenSet } from './seen-set.ts';
import { SendQueue } from './send-queue.ts';
import { preferNewLink } from './tie-break.ts';

function identity(overrides: Partial<HandshakeIdentity> = {}): HandshakeIdentity {
  const key = newKey();
  return {
    key,
    did: didFromPublicKey(key.publicKey, 'node'),
    chainId: TEST_CHAIN_ID,
    genesisHash: TEST_GENESIS,
    allowedDids: null,
    ...overrides,
  };
}

const nonce = (fill: number) => new Uint8Array(32).fill(fill);

describe('gossip handshake', () => {
  it('verifies an auth only for the nonce it answered and the key of its hello', () => {
    const alice = identity();
    const bob = identity();
    const aliceHello = makeHello(alice, nonce(1), 0);
    const bobNonce = nonce(2);
    const bobHello = makeHello(bob, bobNonce, 0);
    const auth = makeAuth(alice, nonce(1), bobHello);
    expect(verifyAuth(bob, bobNonce, aliceHello, auth)).toBe(true);
    expect(verifyAuth(bob, nonce(3), aliceHello, auth)).toBe(false);
    expect(verifyAuth(bob, bobNonce, { ...aliceHello, publicKey: toHex(bob.key.publicKey) }, auth)).toBe(false);
    expect(verifyAuth(bob, bobNonce, { ...aliceHello, nonce: toHex(nonce(4)) }, auth)).toBe(false);
  });

  it('separates fields in the auth digest by length, so moved bytes change it', () => {
    const base = { challengeNonce: nonce(1), signerNonce: nonce(2), chainId: 'ab', genesisHash: 'cdef', signerDid: 'did' };
    const digest = toHex(authDigest(base));
    expect(digest).toHaveLength(64);
    expect(toHex(authDigest({ ...base, chainId: 'abcd', genesisHash: 'ef' }))).not.toBe(digest);
    expect(toHex(authDigest({ ...base, challengeNonce: nonce(2), signerNonce: nonce(1) }))).not.toBe(digest);
  });

  it('judges a hello: chain, genesis, self, DID and key, allow-list, clock', () => {
    const me = identity();
    const peer = identity();
    const hello = makeHello(peer, nonce(1), 1000);
    expect(checkHello(me, hello, 1000, 60_000)).toBeNull();
    expect(checkHello(me, { ...hello, chainId: 'other' }, 1000, 60_000)?.code).toBe('WRONG_CHAIN');
    expect(checkHello(me, { ...hello, genesisHash: 'ff' }, 1000, 60_000)?.code).toBe('WRONG_GENESIS');
    expect(checkHello(me, { ...hello, did: me.did }, 1000, 60_000)?.code).toBe('SELF_CONNECTION');
    expect(checkHello(me, { ...hello, did: didFromPublicKey(me.key.publicKey, 'account') }, 1000, 60_000)?.code).toBe('DID_KEY_MISMATCH');
    expect(checkHello({ ...me, allowedDids: new Set(['did:abt:zother']) }, hello, 1000, 60_000)?.code).toBe('NOT_ALLOWED');
    expect(checkHello(me, hello, 1000 + 60_001, 60_000)?.code).toBe('CLOCK_SKEW');
    expect(checkHello(me, { ...hello, version: 2 }, 1000, 60_000)?.code).toBe('PROTOCOL_VERSION');
  });

  it('parses handshake frames with zod and says what is wrong', () => {
    expect(parseHandshakeFrame('nope')).toEqual({
      ok: false,
      refusal: { code: 'BAD_HANDSHAKE', reason: 'The handshake frame is not JSON.' },
    });
    const bad = parseHandshakeFrame(JSON.stringify({ type: 'auth', signature: 'zz' }));
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.refusal.reason).toMatch(/signature/);
    expect(parseHandshakeFrame(JSON.stringify({ type: 'auth', signature: 'ab'.repeat(64) })).ok).toBe(true);
  });
});

describe('gossip tie-break', () => {
  it('keeps the link dialed by the lower DID, the same on both ends', () => {
    // Node "a" < node "b". Existing link dialed by b, new one by a: both ends keep a's.
    expect(preferNewLink('b', 'a', 'a')).toBe(true);
    expect(preferNewLink('b', 'a', 'b')).toBe(true);
    expect(preferNewLink('a', 'b', 'a')).toBe(false);
    expect(preferNewLink('a', 'b', 'b')).toBe(false);
  });

  it('of two links dialed by one side keeps our older one, or the peer’s newer one', () => {
    expect(preferNewLink('a', 'a', 'a')).toBe(false);
    expect(preferNewLink('b', 'b', 'a')).toBe(true);
  });
});

describe('gossip bounds', () => {
  it('forgets the least recently seen payload past seenMax', () => {
    const seen = new SeenSet(2);
    expect(seen.add('x')).toBe(true);
    expect(seen.add('y')).toBe(true);
    expect(seen.add('x')).toBe(false);
    expect(seen.add('z')).toBe(true);
    expect(seen.has('y')).toBe(false);
    expect(seen.has('x')).toBe(true);
    expect(seen.size).toBe(2);
  });

  it('drops the oldest item of a full send queue', () => {
    const queue = new SendQueue<number>(3);
    const dropped = [1, 2, 3, 4, 5].map((n) => queue.push(n));
    expect(dropped).toEqual([0, 0, 0, 1, 1]);
    expect([queue.shift(), queue.shift(), queue.shift(), queue.shift()]).toEqual([3, 4, 5, undefined]);
  });

  it('backs off from min to max with jitter, never past max', () => {
    const limits = resolveLimits({ dialBackoffMinMs: 100, dialBackoffMaxMs: 1000 });
    expect(dialBackoffMs(1, limits, () => 0.5)).toBe(100);
    expect(dialBackoffMs(3, limits, () => 0.5)).toBe(400);
    expect(dialBackoffMs(50, limits, () => 1)).toBe(1000);
    expect(dialBackoffMs(1, limits, () => 0)).toBe(80);
  });

  it('cuts a close reason to the 123 bytes WebSocket allows', () => {
    const reason = closeReason('é'.repeat(100));
    expect(Buffer.byteLength(reason)).toBeLessThanOrEqual(123);
    expect(reason.endsWith('…')).toBe(true);
  });
});

describe('gossip options', () => {
  const valid = () => ({
    key: newKey(),
    chainId: TEST_CHAIN_ID,
    genesisHash: `0x${TEST_GENESIS.toUpperCase()}`,
    listen: { host: '127.0.0.1', port: 0 },
    peers: [],
    log: () => undefined,
  });

  it('derives the node DID and accepts hex genesis with a prefix', () => {
    const options = valid();
    expect(new GossipNode(options).did).toBe(didFromPublicKey(options.key.publicKey, 'node'));
  });

  it('refuses bad configuration with BAD_OPTIONS and a sentence', () => {
    const refused = (overrides: object) => {
      try {
        new GossipNode({ ...valid(), ...overrides });
      } catch (error) {
        expect(error).toBeInstanceOf(GossipError);
        return (error as GossipError).code;
      }
      return 'accepted';
    };
    expect(refused({ peers: ['http://example.com'] })).toBe('BAD_OPTIONS');
    expect(refused({ genesisHash: 'xyz' })).toBe('BAD_OPTIONS');
    expect(refused({ limits: { seenMax: 0 } })).toBe('BAD_OPTIONS');
    expect(refused({ limits: { unknownMax: 1 } })).toBe('BAD_OPTIONS');
    expect(refused({ key: { secretKey: newKey().secretKey, publicKey: newKey().publicKey } })).toBe('BAD_OPTIONS');
    expect(refused({ peers: ['ws://127.0.0.1:1/gossip'], limits: { dialTargetsMax: 1 } })).toBe('accepted');
  });

  it('throws MESSAGE_TOO_LARGE for a broadcast over messageBytesMax', () => {
    const gossip = new GossipNode({ ...valid(), limits: { messageBytesMax: 4 } });
    expect(() => gossip.broadcast(new Uint8Array(5))).toThrow(/5 bytes; the gossip limit is 4/);
    expect(GOSSIP_LIMITS.messageBytesMax).toBe(8 * 1024 * 1024);
    expect(fromHex(TEST_GENESIS)).toHaveLength(32);
  });
});
