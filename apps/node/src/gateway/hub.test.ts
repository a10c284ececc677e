import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GatewayHub, HUB_LIMITS } from './hub.ts';
import { DEFAULT_GATEWAY_LIMITS, type GatewayAuth, type GatewayLimits } from './types.ts';

/** The hub's own bookkeeping needs no rules: these tests publish as the node (publishAs). */
const noRules: GatewayAuth = {
  challenge: () => {
    throw new Error('not used');
  },
  login: () => Promise.reject(new Error('not used')),
  resolve: () => Promise.resolve({ kind: 'anonymous' }),
  canSubscribe: () => Promise.resolve(true),
  canPublish: () => Promise.resolve(true),
};

function hubWith(limits: Partial<GatewayLimits>, epoch = 'e1'): GatewayHub {
  return new GatewayHub({
    auth: noRules,
    limits: { ...DEFAULT_GATEWAY_LIMITS, ...limits },
    nodeId: 'did:abt:test',
    now: () => 0,
    log: () => undefined,
    epoch,
  });
}

describe('gateway hub bounds', () => {
  it('holds every byte bound and keeps its accounts exact, whatever is published (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3000 })), {
          maxLength: 120,
        }),
        async (publishes) => {
          const limits = {
            retainedBytesMax: 12_000,
            retainedBytesPerTopicMax: 5_000,
            retainedBytesPerPublisherMax: 7_000,
            retainedPerTopicMax: 4,
            retainedTopicsMax: 5,
          };
          const hub = hubWith(limits);
          const lastSeq = new Map<string, number>();
          for (const [t, p, size] of publishes) {
            const topic = `chat:t${t}`;
            const event = await hub.publishAs(topic, 'x'.repeat(size), p === 0 ? null : `did:abt:p${p}`);
            // Seqs never go back, even for a topic that was dropped and came back.
            expect(event.seq).toBe((lastSeq.get(topic) ?? 0) + 1);
            lastSeq.set(topic, event.seq);
            const stats = hub.stats();
            expect(stats.retainedBytes).toBeLessThanOrEqual(limits.retainedBytesMax);
            expect(stats.topics).toBeLessThanOrEqual(limits.retainedTopicsMax);
            let sum = 0;
            let events = 0;
            for (let i = 0; i < 8; i++) {
              const bytes = hub.retainedBytesOf({ topic: `chat:t${i}` });
              const retained = hub.retainedAfter(`chat:t${i}`, 0, 1000);
              expect(bytes).toBeLessThanOrEqual(limits.retainedBytesPerTopicMax);
              expect(retained.length).toBeLessThanOrEqual(limits.retainedPerTopicMax);
              sum += bytes;
              events += retained.length;
            }
            expect(sum).toBe(stats.retainedBytes);
            expect(events).toBe(stats.retainedEvents);
            for (let i = 1; i <= 3; i++)
              expect(hub.retainedBytesOf({ publisher: `did:abt:p${i}` })).toBeLessThanOrEqual(limits.retainedBytesPerPublisherMax);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('never reuses a seq for a topic it has forgotten entirely', async () => {
    const hub = hubWith({ retainedTopicsMax: 10 });
    for (let i = 0; i < 5; i++) await hub.publishAs('chat:first', { i }, null);
    // Drop chat:first, then push its remembered seq out of the bounded record too.
    for (let t = 0; t < HUB_LIMITS.droppedTopicSeqsMax + 20; t++) await hub.publishAs(`chat:other-${t}`, null, null);
    expect(hub.stats().droppedTopicSeqs).toBeLessThanOrEqual(HUB_LIMITS.droppedTopicSeqsMax);
    const again = await hub.publishAs('chat:first', { i: 5 }, null);
    expect(again.seq).toBeGreaterThan(5);
    // A client that saw seq 5 goes on; one that saw less is told what it missed is gone.
    expect(hub.resume('chat:first', 5, 'e1', 100)).toMatchObject({ events: [again], gap: null });
    expect(hub.resume('chat:first', 3, 'e1', 100).gap).toEqual({ reason: 'EVICTED', resumeFromSeq: again.seq });
  });

  it('replays the newest events when more are retained than one replay carries, and says so', async () => {
    const hub = hubWith({});
    for (let i = 0; i < 10; i++) await hub.publishAs('chat:many', { i }, null);
    const resumed = hub.resume('chat:many', 2, 'e1', 3);
    expect(resumed.events.map((e) => e.seq)).toEqual([8, 9, 10]);
    expect(resumed.gap).toEqual({ reason: 'TRUNCATED', resumeFromSeq: 8 });
    expect(hub.resume('chat:many', 7, 'e1', 3).gap).toBeNull();
    expect(hub.resume('chat:many', 10, 'e1', 3)).toMatchObject({ events: [], seq: 10, gap: null });
  });

  it('numbers topics that Redis sequences under the cluster epoch, and claims no gap it cannot know', async () => {
    const hub = hubWith({});
    let next = 40;
    hub.sequencer = async () => ++next;
    const event = await hub.publishAs('chat:shared', {}, null);
    expect(event.seq).toBe(41);
    expect(hub.epochOf('chat:shared')).toBe('cluster');
    expect(hub.epochOf('chain:blocks')).toBe('e1');
    // A client further along than this node has heard (another node took the later publishes): no claim either way.
    expect(hub.resume('chat:shared', 45, 'cluster', 10)).toMatchObject({ events: [], gap: null });
    expect(hub.resume('chat:shared', 30, 'cluster', 10).gap).toEqual({ reason: 'EVICTED', resumeFromSeq: 41 });
  });
});
