import { describe, expect, it } from 'vitest';
import { MqttRetained } from './mqtt-retained.ts';

const bytes = (text: string) => Buffer.from(text);

describe('MQTT retained messages', () => {
  it('keeps the last message per topic and clears a topic with an empty payload', () => {
    const retained = new MqttRetained({ topicsMax: 10, bytesMax: 10_000, perSubscribeMax: 10 });
    retained.set('chat/a', bytes('1'));
    retained.set('chat/a', bytes('2'));
    retained.set('chat/b', bytes('3'));
    expect(retained.matching('chat/+').map((m) => Buffer.from(m.bytes).toString())).toEqual(['2', '3']);
    retained.set('chat/a', new Uint8Array(0));
    expect(retained.has('chat/a')).toBe(false);
    expect(retained.matching('chat/a')).toEqual([]);
    expect(retained.stats()).toEqual({ topics: 1, bytes: 'chat/b'.length + 1 });
  });

  it('drops the least recently set topics past its count and byte bounds', () => {
    const retained = new MqttRetained({ topicsMax: 3, bytesMax: 100, perSubscribeMax: 10 });
    for (let i = 0; i < 5; i++) retained.set(`t/${i}`, bytes('x'));
    expect(retained.matching('t/#').map((m) => m.topic)).toEqual(['t/2', 't/3', 't/4']);
    retained.set('t/big', Buffer.alloc(90));
    expect(retained.stats().bytes).toBeLessThanOrEqual(100);
    expect(retained.has('t/big')).toBe(true);
    // A message larger than the whole store is not kept, and flushes nobody.
    retained.set('t/huge', Buffer.alloc(200));
    expect(retained.has('t/huge')).toBe(false);
    expect(retained.has('t/big')).toBe(true);
  });

  it('sends one subscribe at most perSubscribeMax messages, the most recently set', () => {
    const retained = new MqttRetained({ topicsMax: 100, bytesMax: 10_000, perSubscribeMax: 2 });
    for (let i = 0; i < 5; i++) retained.set(`t/${i}`, bytes('x'));
    expect(retained.matching('t/+').map((m) => m.topic)).toEqual(['t/3', 't/4']);
  });
});
