import { isOcapError, type SendResult } from '@arc/core';
import { describe, expect, it } from 'vitest';
import { Idempotency, MemoryIdempotencyStore, payloadHash } from './idempotency.ts';
import { KeyedSerial, NonceManager } from './serial.ts';

function counter() {
  let sends = 0;
  return {
    get sends() {
      return sends;
    },
    send: async (): Promise<SendResult> => {
      sends += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { hash: `h${sends}`, from: 'a' };
    },
  };
}

describe('idempotent sends', () => {
  it('returns the first result for the same key and payload, also while the first is in flight', async () => {
    const idem = new Idempotency(new MemoryIdempotencyStore(), 'test');
    const c = counter();
    const payload = { to: 'b', amount: 5n };
    const [first, second] = await Promise.all([idem.run('k', payload, c.send), idem.run('k', { amount: 5n, to: 'b' }, c.send)]);
    expect(second).toEqual(first);
    expect(await idem.run('k', payload, c.send)).toEqual(first);
    expect(c.sends).toBe(1);
  });

  it('refuses the same key with another payload', async () => {
    const idem = new Idempotency(new MemoryIdempotencyStore(), 'test');
    const c = counter();
    await idem.run('k', { amount: 5n }, c.send);
    await expect(idem.run('k', { amount: 6n }, c.send)).rejects.toSatisfy((e) => isOcapError(e, 'IDEMPOTENCY_CONFLICT'));
    expect(c.sends).toBe(1);
  });

  it('forgets a key whose send failed, so a retry sends again', async () => {
    const idem = new Idempotency(new MemoryIdempotencyStore(), 'test');
    await expect(idem.run('k', {}, async () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await idem.run('k', {}, async () => ({ hash: 'h', from: 'a' }))).toEqual({ hash: 'h', from: 'a' });
  });

  it('scopes keys per chain and rejects empty or huge keys', async () => {
    const store = new MemoryIdempotencyStore();
    const c = counter();
    await new Idempotency(store, 'eip155:1').run('k', {}, c.send);
    await new Idempotency(store, 'eip155:5').run('k', { other: true }, c.send);
    expect(c.sends).toBe(2);
    await expect(new Idempotency(store, 's').run('', {}, c.send)).rejects.toSatisfy((e) => isOcapError(e, 'INVALID_ARGUMENT'));
    await expect(new Idempotency(store, 's').run('x'.repeat(201), {}, c.send)).rejects.toSatisfy((e) => isOcapError(e, 'INVALID_ARGUMENT'));
  });

  it('hashes payloads independent of key order, distinguishing bigint from number', () => {
    expect(payloadHash({ a: 1n, b: [1, 'x'] })).toBe(payloadHash({ b: [1, 'x'], a: 1n }));
    expect(payloadHash({ a: 1n })).not.toBe(payloadHash({ a: 1 }));
  });

  it('forgets the oldest keys beyond its bound', async () => {
    const store = new MemoryIdempotencyStore(2);
    for (const key of ['a', 'b', 'c']) await store.put(key, 'p', { hash: key, from: 'x' });
    expect(await store.get('a')).toBeUndefined();
    expect((await store.get('c'))?.result.hash).toBe('c');
  });
});

describe('per-signer ordering', () => {
  it('runs tasks of one key in order and of different keys in parallel', async () => {
    const serial = new KeyedSerial();
    const log: string[] = [];
    const task = (name: string, ms: number) => async () => {
      log.push(`start ${name}`);
      await new Promise((resolve) => setTimeout(resolve, ms));
      log.push(`end ${name}`);
    };
    await Promise.all([serial.run('a', task('a1', 20)), serial.run('a', task('a2', 1)), serial.run('b', task('b1', 1))]);
    expect(log.indexOf('end a1')).toBeLessThan(log.indexOf('start a2'));
    expect(log.indexOf('start b1')).toBeLessThan(log.indexOf('end a1'));
  });

  it('hands out consecutive nonces and asks the chain again after a failed send', async () => {
    const nonces = new NonceManager();
    let chain = 7;
    const used = await Promise.all(
      Array.from({ length: 5 }, () =>
        nonces.send(
          'a',
          async () => chain,
          async (n) => n,
        ),
      ),
    );
    expect(used).toEqual([7, 8, 9, 10, 11]);
    await expect(
      nonces.send(
        'a',
        async () => chain,
        async () => Promise.reject(new Error('nonce too low')),
      ),
    ).rejects.toThrow();
    chain = 20;
    expect(
      await nonces.send(
        'a',
        async () => chain,
        async (n) => n,
      ),
    ).toBe(20);
  });
});
