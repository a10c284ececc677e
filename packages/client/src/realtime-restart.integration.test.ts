import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// Test-only: the node's own helper for running it as an operator does (no package exports it).
import { ChildNode } from '../../../apps/node/test/helpers/child-node.ts';
import { connectRealtime, type Realtime, type RealtimeEvent, type RealtimeGap } from './realtime.ts';
import { until } from './testing/until.ts';

/**
 * A node restarted under a connected client (SIGTERM: the node says it is restarting; SIGKILL: it just vanishes)
 * numbers its topics anew under a new epoch. The client comes back by itself, notices the new numbering, reports
 * it as a gap, and delivers the new events in order: for a topic and for a pattern, per concrete topic.
 */

/** Blocks come this often: the chain:blocks topic is what the test listens to. */
const BLOCK_INTERVAL_MS = '300';
/** Events to see in each numbering. */
const EVENTS_PER_EPOCH = 8;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startNode(dataDir: string, port?: number): Promise<ChildNode> {
  const node = await ChildNode.spawn({ DATA_DIR: dataDir, BLOCK_INTERVAL_MS }, port === undefined ? {} : { port });
  cleanups.push(() => node.kill());
  return node.ready();
}

/** Per epoch, in the order heard: the seqs delivered. */
function byEpoch(events: RealtimeEvent[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const event of events) {
    const epoch = event.epoch ?? '?';
    out.set(epoch, [...(out.get(epoch) ?? []), event.seq]);
  }
  return out;
}

/** Each numbering delivered without hole or repeat, from 1 or from where a gap said delivery goes on. */
function expectWholeNumberings(events: RealtimeEvent[], gaps: RealtimeGap[], topic: string, numberings: number): void {
  const epochs = [...byEpoch(events).values()];
  expect(epochs.length, 'a numbering per run of the node').toBe(numberings);
  const contiguous = (seqs: number[]) => seqs.every((seq, i) => i === 0 || seq === (seqs[i - 1] as number) + 1);
  for (const seqs of epochs) expect(contiguous(seqs), seqs.join(',')).toBe(true);
  // Each restart is told once, with the seq the new numbering's delivery starts at.
  const restarts = epochs.slice(1).map((seqs) => ({ topic, reason: 'RESTARTED', resumeFromSeq: seqs[0] }));
  expect(gaps.filter((gap) => gap.topic === topic)).toEqual(restarts);
}

describe('a realtime client across node restarts', () => {
  it('comes back by itself after a SIGTERM and a SIGKILL, delivers each new numbering in order and reports each restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'arc-realtime-restart-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    let node = await startNode(dataDir);

    const gaps: RealtimeGap[] = [];
    const patternGaps: RealtimeGap[] = [];
    const realtime: Realtime = await connectRealtime(node.url, { transports: ['websocket'], onGap: (gap) => gaps.push(gap) });
    cleanups.push(async () => realtime.close());
    const blocks: RealtimeEvent<{ height: number }>[] = [];
    const subscription = await realtime.subscribe('chain:blocks', (event) => blocks.push(event));
    // A second client with a pattern: it keeps (epoch, seq) per concrete topic.
    const viaPattern = await connectRealtime(node.url, { transports: ['websocket'], onGap: (gap) => patternGaps.push(gap) });
    cleanups.push(async () => viaPattern.close());
    const patternEvents: RealtimeEvent[] = [];
    await viaPattern.subscribe('chain:*', (event) => event.topic === 'chain:blocks' && patternEvents.push(event));
    await until(() => blocks.length >= EVENTS_PER_EPOCH && patternEvents.length >= EVENTS_PER_EPOCH, 30_000, 'blocks before the restarts');

    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      const epoch = blocks.at(-1)?.epoch;
      await node.kill(signal);
      node = await startNode(dataDir, node.port);
      const fresh = (events: RealtimeEvent[]) =>
        events.filter((event) => event.epoch === events.at(-1)?.epoch && event.epoch !== epoch).length;
      await until(
        () => fresh(blocks) >= EVENTS_PER_EPOCH && fresh(patternEvents) >= EVENTS_PER_EPOCH,
        60_000,
        `blocks after the ${signal} (topic: ${fresh(blocks)}, pattern: ${fresh(patternEvents)})`,
      );
      expect(subscription.epoch).toBe(blocks.at(-1)?.epoch);
    }

    expect(realtime.socket.connected && viaPattern.socket.connected).toBe(true);
    expectWholeNumberings(blocks, gaps, 'chain:blocks', 3);
    expectWholeNumberings(patternEvents, patternGaps, 'chain:blocks', 3);
    // The chain itself went on: every block delivered once, heights rising.
    const heights = blocks.map((event) => event.payload.height);
    expect(
      heights.every((height, i) => i === 0 || height > (heights[i - 1] as number)),
      heights.join(','),
    ).toBe(true);
  }, 240_000);
});
