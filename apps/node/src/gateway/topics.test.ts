import { didFromPublicKey, keyPairFromSeed } from '@arc/core';
import { describe, expect, it } from 'vitest';
import { KeyedBuckets, TokenBucket } from './rate-limit.ts';
import { isValidTopic, matchesTopic, patternRooms, topicFamily } from './topics.ts';

const did = didFromPublicKey(keyPairFromSeed(new Uint8Array(32).fill(7)).publicKey);

describe('gateway topics', () => {
  it('accepts concrete topics and patterns that end in ":*" only', () => {
    expect(isValidTopic('chain:blocks')).toBe(true);
    expect(isValidTopic('chain:tx:*')).toBe(true);
    expect(isValidTopic('*')).toBe(false);
    expect(isValidTopic('chain*')).toBe(false);
    expect(isValidTopic('a:*:b')).toBe(false);
    expect(isValidTopic('')).toBe(false);
    expect(isValidTopic('x'.repeat(257))).toBe(false);
  });

  it('delivers a topic to the pattern rooms at each colon', () => {
    expect(patternRooms('chain:tx:ab')).toEqual(['chain:*', 'chain:tx:*']);
    expect(patternRooms('plain')).toEqual([]);
    expect(matchesTopic('chain:tx:*', 'chain:tx:ab')).toBe(true);
    expect(matchesTopic('chain:tx:*', 'chain:blocks')).toBe(false);
  });

  it('reads the application DID of an app topic up to the last colon', () => {
    expect(topicFamily(`app:${did}:news`)).toEqual({ kind: 'app', appDid: did, name: 'news' });
    expect(topicFamily(`app:${did}:*`)).toEqual({ kind: 'app', appDid: did, name: '*' });
    expect(topicFamily('app:did:*')).toEqual({ kind: 'other' });
    expect(topicFamily('blocklet:shop:logs')).toEqual({ kind: 'blockletLogs', name: 'shop' });
    expect(topicFamily(`inbox:${did}`)).toEqual({ kind: 'inbox', did });
  });
});

describe('token buckets', () => {
  it('allows the burst, then the rate', () => {
    const bucket = new TokenBucket(10, 3, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([true, true, true, false]);
    expect(bucket.take(100)).toBe(true);
    expect(bucket.take(100)).toBe(false);
  });

  it('keeps one bucket per key, within a bound', () => {
    const buckets = new KeyedBuckets(1, 1, 2);
    expect(buckets.take('a', 0)).toBe(true);
    expect(buckets.take('a', 0)).toBe(false);
    expect(buckets.take('b', 0)).toBe(true);
    expect(buckets.take('c', 0)).toBe(false); // the map is full of busy keys: the new one is refused (rate-limit.test.ts)
    expect(buckets.take('a', 5000)).toBe(true);
  });
});
