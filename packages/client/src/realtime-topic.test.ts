import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type RealtimeEvent, type RealtimeGap, TOPIC_STREAM_LIMITS, TopicStream } from './realtime-topic.ts';

function event(seq: number, epoch = 'e1', topic = 'chat:a'): RealtimeEvent {
  return { topic, id: `${epoch}/${seq}@node`, seq, epoch, payload: seq, publishedAtMs: 0, from: null };
}

function stream(topic = 'chat:a', start: { afterSeq?: number; epoch?: string } = {}) {
  const delivered: string[] = [];
  const gaps: RealtimeGap[] = [];
  const s = new TopicStream(
    topic,
    start,
    (e) => delivered.push(`${e.epoch}/${e.topic === topic ? '' : `${e.topic}#`}${e.seq}`),
    (gap) => gaps.push(gap),
  );
  return { s, delivered, gaps };
}

describe('TopicStream', () => {
  it('holds events while a subscribe is on its way and delivers them in seq order, once, after the ack', () => {
    const { s, delivered } = stream('chat:a', { afterSeq: 2, epoch: 'e1' });
    s.beginSubscribe();
    expect(s.request()).toEqual({ topic: 'chat:a', afterSeq: 2, epoch: 'e1' });
    for (const seq of [4, 3, 2, 5, 3]) s.onEvent(event(seq));
    expect(delivered).toEqual([]);
    expect(s.onAck({ ok: true, seq: 5, epoch: 'e1' })).toBe('ok');
    expect(delivered).toEqual(['e1/3', 'e1/4', 'e1/5']);
    expect(s.onEvent(event(5))).toBe('ok');
    s.onEvent(event(6));
    expect(delivered.at(-1)).toBe('e1/6');
  });

  it('subscribes from now: what the node numbered before its ack is not delivered', () => {
    const { s, delivered } = stream();
    s.beginSubscribe();
    expect(s.request()).toEqual({ topic: 'chat:a' });
    s.onEvent(event(7));
    s.onAck({ ok: true, seq: 7, epoch: 'e1' });
    s.onEvent(event(8));
    expect(delivered).toEqual(['e1/8']);
    expect(s.request()).toEqual({ topic: 'chat:a', afterSeq: 8, epoch: 'e1' });
  });

  it('asks again on a hole, and on another numbering, instead of dropping the events as seen', () => {
    const { s, delivered, gaps } = stream('chat:a', { afterSeq: 9, epoch: 'e1' });
    s.beginSubscribe();
    s.onAck({ ok: true, seq: 9, epoch: 'e1' });
    expect(s.onEvent(event(11))).toBe('resubscribe');
    s.beginSubscribe();
    s.onEvent(event(10));
    s.onEvent(event(11));
    s.onAck({ ok: true, seq: 11, epoch: 'e1' });
    expect(delivered).toEqual(['e1/10', 'e1/11']);
    // The node restarted: its seqs start at 1 again, under a new epoch.
    expect(s.onEvent(event(1, 'e2'))).toBe('resubscribe');
    s.beginSubscribe();
    expect(s.request()).toEqual({ topic: 'chat:a', afterSeq: 11, epoch: 'e1' });
    s.onEvent(event(1, 'e2'));
    s.onEvent(event(2, 'e2'));
    s.onAck({ ok: true, seq: 2, epoch: 'e2', gap: { reason: 'RESTARTED', resumeFromSeq: 1 } });
    expect(delivered).toEqual(['e1/10', 'e1/11', 'e2/1', 'e2/2']);
    expect(gaps).toEqual([{ topic: 'chat:a', reason: 'RESTARTED', resumeFromSeq: 1 }]);
  });

  it('delivers the old numbering it already holds before switching to the new one', () => {
    const { s, delivered, gaps } = stream('chat:a', { afterSeq: 3, epoch: 'e1' });
    s.beginSubscribe();
    s.onEvent(event(4));
    s.onEvent(event(5));
    // The connection dropped before the ack; the node restarted; the next subscribe is answered by the new node.
    s.beginSubscribe();
    s.onEvent(event(1, 'e2'));
    s.onAck({ ok: true, seq: 1, epoch: 'e2', gap: { reason: 'RESTARTED', resumeFromSeq: 1 } });
    expect(delivered).toEqual(['e1/4', 'e1/5', 'e2/1']);
    expect(gaps).toEqual([{ topic: 'chat:a', reason: 'RESTARTED', resumeFromSeq: 1 }]);
  });

  it('reports only the part of an eviction gap it did not already hold', () => {
    const { s, delivered, gaps } = stream('chat:a', { afterSeq: 3, epoch: 'e1' });
    s.beginSubscribe();
    s.onEvent(event(9));
    s.onAck({ ok: true, seq: 10, epoch: 'e1', gap: { reason: 'EVICTED', resumeFromSeq: 9 } });
    s.onEvent(event(10));
    expect(delivered).toEqual(['e1/9', 'e1/10']);
    expect(gaps).toEqual([{ topic: 'chat:a', reason: 'EVICTED', resumeFromSeq: 9 }]);
  });

  it('gives up on a hole the node never fills, as a MISSED gap, after a bounded number of asks', () => {
    const { s, delivered, gaps } = stream('chat:a', { afterSeq: 1, epoch: 'e1' });
    s.beginSubscribe();
    s.onEvent(event(5));
    let next = s.onAck({ ok: true, seq: 1, epoch: 'e1' });
    let asks = 0;
    while (next === 'resubscribe') {
      asks += 1;
      s.beginSubscribe();
      next = s.onAck({ ok: true, seq: 1, epoch: 'e1' });
    }
    expect(asks).toBe(TOPIC_STREAM_LIMITS.holeFillAttemptsMax);
    expect(delivered).toEqual(['e1/5']);
    expect(gaps).toEqual([{ topic: 'chat:a', reason: 'MISSED', resumeFromSeq: 5 }]);
  });

  it('keeps (epoch, seq) per concrete topic for a pattern: drops repeats, reports restarts and holes', () => {
    const { s, delivered, gaps } = stream('chat:*');
    s.beginSubscribe();
    s.onAck({ ok: true, seq: 0, epoch: 'e1' });
    for (const e of [event(1, 'e1', 'chat:a'), event(1, 'e1', 'chat:b'), event(1, 'e1', 'chat:a'), event(2, 'e1', 'chat:a')]) s.onEvent(e);
    s.onEvent(event(1, 'e2', 'chat:a'));
    s.onEvent(event(4, 'e2', 'chat:a'));
    expect(delivered).toEqual(['e1/chat:a#1', 'e1/chat:b#1', 'e1/chat:a#2', 'e2/chat:a#1', 'e2/chat:a#4']);
    expect(gaps).toEqual([
      { topic: 'chat:a', reason: 'RESTARTED', resumeFromSeq: 1 },
      { topic: 'chat:a', reason: 'MISSED', resumeFromSeq: 4 },
    ]);
  });

  it('delivers 1..n exactly once and in order whatever the order, repeats and holes of what arrives (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.array(fc.tuple(fc.nat(), fc.boolean()), { maxLength: 120 }), (n, schedule) => {
        // The node retains everything; a subscribe replays what follows afterSeq, then acks.
        const { s, delivered } = stream('chat:a', { afterSeq: 0 });
        const all = Array.from({ length: n }, (_, i) => event(i + 1));
        const subscribe = () => {
          s.beginSubscribe();
          const { afterSeq = 0 } = s.request();
          for (const e of all.slice(afterSeq)) s.onEvent(e);
          let next = s.onAck({ ok: true, seq: n, epoch: 'e1' });
          while (next === 'resubscribe') next = subscribeAgain();
        };
        const subscribeAgain = () => {
          s.beginSubscribe();
          const { afterSeq = 0 } = s.request();
          for (const e of all.slice(afterSeq)) s.onEvent(e);
          return s.onAck({ ok: true, seq: n, epoch: 'e1' });
        };
        // Live traffic in any order, some of it twice, some resubscribes in between.
        for (const [pick, resubscribe] of schedule) {
          if (resubscribe && pick % 5 === 0) subscribe();
          else if (s.onEvent(all[pick % n] as RealtimeEvent) === 'resubscribe') subscribe();
        }
        subscribe();
        expect(delivered).toEqual(all.map((e) => `e1/${e.seq}`));
      }),
      { numRuns: 300 },
    );
  });
});
