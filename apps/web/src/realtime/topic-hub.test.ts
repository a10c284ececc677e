import type { RealtimeEvent, RealtimeSubscription } from '@arc/client';
import { describe, expect, it, vi } from 'vitest';
import { type TopicHandler, TopicHub, type TopicSource } from './topic-hub.ts';

/** A realtime client that records subscribes and lets the test publish. */
function fakeSource() {
  const handlers = new Map<string, Set<(event: RealtimeEvent<never>) => void>>();
  const unsubscribed: string[] = [];
  const source: TopicSource = {
    subscribe: vi.fn(async (topic: string, handler: (event: RealtimeEvent<never>) => void) => {
      const set = handlers.get(topic) ?? new Set();
      set.add(handler);
      handlers.set(topic, set);
      const subscription: RealtimeSubscription = {
        topic,
        lastSeq: 0,
        epoch: 'e',
        unsubscribe: async () => {
          set.delete(handler);
          unsubscribed.push(topic);
        },
      };
      return subscription;
    }) as unknown as TopicSource['subscribe'],
  };
  const publish = (topic: string, payload: unknown) => {
    for (const handler of handlers.get(topic) ?? [])
      handler({ topic, id: '1', seq: 1, payload, publishedAtMs: 0, from: null } as RealtimeEvent<never>);
  };
  return { source, publish, unsubscribed };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('TopicHub', () => {
  it('subscribes a topic once however many components watch it, and unsubscribes when the last leaves', async () => {
    const { source, publish, unsubscribed } = fakeSource();
    const hub = new TopicHub(() => {});
    hub.attach(source);
    const a = vi.fn<TopicHandler>();
    const b = vi.fn<TopicHandler>();
    const removeA = hub.add('chain:blocks', a);
    const removeB = hub.add('chain:blocks', b);
    expect(source.subscribe).toHaveBeenCalledTimes(1);
    publish('chain:blocks', { height: 1 });
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).toHaveBeenCalledTimes(1);
    removeA();
    await flush();
    expect(unsubscribed).toEqual([]);
    removeB();
    await flush();
    expect(unsubscribed).toEqual(['chain:blocks']);
    expect(hub.handlerCount('chain:blocks')).toBe(0);
  });

  it('holds topics added before a client exists and subscribes them when one is attached', () => {
    const { source, publish } = fakeSource();
    const hub = new TopicHub(() => {});
    const handler = vi.fn<TopicHandler>();
    hub.add('account:did:abt:z1', handler);
    expect(source.subscribe).not.toHaveBeenCalled();
    hub.attach(source);
    expect(source.subscribe).toHaveBeenCalledTimes(1);
    publish('account:did:abt:z1', { hash: 'h' });
    expect(handler).toHaveBeenCalledWith(expect.objectContaining({ payload: { hash: 'h' } }));
  });

  it('subscribes every topic again on a new client and ignores the old one', () => {
    const first = fakeSource();
    const second = fakeSource();
    const hub = new TopicHub(() => {});
    const handler = vi.fn<TopicHandler>();
    hub.attach(first.source);
    hub.add('chain:blocks', handler);
    hub.attach(second.source);
    expect(second.source.subscribe).toHaveBeenCalledTimes(1);
    first.publish('chain:blocks', { height: 1 });
    expect(handler).not.toHaveBeenCalled();
    second.publish('chain:blocks', { height: 2 });
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('reports a refused subscribe and keeps the handler for the next client', async () => {
    const onError = vi.fn();
    const hub = new TopicHub(onError);
    const refusing: TopicSource = { subscribe: vi.fn(async () => Promise.reject(new Error('FORBIDDEN'))) as never };
    hub.attach(refusing);
    hub.add('account:did:abt:z2', () => {});
    await flush();
    expect(onError).toHaveBeenCalledWith('account:did:abt:z2', expect.any(Error));
    expect(hub.handlerCount('account:did:abt:z2')).toBe(1);
  });
});
