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
    hub.clusterEpoch = 'c1';
    hub.sequencer = async () => ({ seq: ++next, epoch: 'c1' });
    const event = await hub.publishAs('chat:shared', {}, null);
    expect(event).toMatchObject({ seq: 41, epoch: 'c1', id: 'c1/41@did:abt:test' });
    expect(hub.epochOf('chat:shared')).toBe('c1');
    expect(hub.epochOf('chain:blocks')).toBe('e1');
    // A client further along than this node has heard (another node took the later publishes): no claim either way.
    expect(hub.resume('chat:shared', 45, 'c1', 10)).toMatchObject({ events: [], gap: null });
    expect(hub.resume('chat:shared', 30, 'c1', 10).gap).toEqual({ reason: 'EVICTED', resumeFromSeq: 41 });
  });

  it('starts shared topics afresh when Redis numbers under a new epoch, and drops late events of the old one', async () => {
    const logged: string[] = [];
    const hub = new GatewayHub({
      auth: noRules,
      limits: DEFAULT_GATEWAY_LIMITS,
      nodeId: 'did:abt:test',
      now: () => 0,
      log: (line) => logged.push(line),
      epoch: 'e1',
    });
    let redis = { epoch: 'c1', seq: 0 };
    hub.clusterEpoch = 'c1';
    hub.sequencer = async () => ({ seq: ++redis.seq, epoch: redis.epoch });
    for (let i = 0; i < 3; i++) await hub.publishAs('chat:reset', { i }, null);
    await hub.publishAs('chain:blocks', { height: 1 }, null);
    redis = { epoch: 'c2', seq: 0 }; // Redis lost its data: a new epoch, counters from 1
    const fresh = await hub.publishAs('chat:reset', { i: 3 }, null);
    expect(fresh).toMatchObject({ seq: 1, epoch: 'c2' });
    expect(hub.clusterEpoch).toBe('c2');
    expect(hub.retainedAfter('chat:reset', 0, 10)).toEqual([fresh]);
    // The node's own numbering is untouched.
    expect(hub.retainedAfter('chain:blocks', 0, 10).map((e) => e.seq)).toEqual([1]);
    // A client of the old numbering learns it restarted and gets the new one from its start.
    expect(hub.resume('chat:reset', 3, 'c1', 10)).toMatchObject({
      events: [fresh],
      epoch: 'c2',
      gap: { reason: 'RESTARTED', resumeFromSeq: 1 },
    });
    // Another node's late event of the old numbering is not recorded as if it were the new one.
    hub.ingest({ topic: 'chat:reset', id: 'c1/4@other', seq: 4, epoch: 'c1', payload: null, publishedAtMs: 0, from: null });
    expect(hub.retainedAfter('chat:reset', 0, 10)).toEqual([fresh]);
    expect(logged.some((line) => line.includes('c1/4@other'))).toBe(true);
  });

  it('refuses a payload nested deeper than the JSON bound before anything stringifies it', async () => {
    const hub = hubWith({});
    let deep: unknown = 'leaf';
    for (let i = 0; i < 10_000; i++) deep = [deep];
    await expect(hub.publishAs('chat:deep', deep, null)).rejects.toMatchObject({ code: 'BAD_PAYLOAD' });
    await expect(hub.publish({ kind: 'anonymous' }, 'chat:deep', deep)).rejects.toMatchObject({ code: 'BAD_PAYLOAD' });
    expect(hub.currentSeq('chat:deep')).toBe(0);
  });
});
