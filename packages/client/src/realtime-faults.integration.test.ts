import { startTestNode, type TestNode } from '@arc/node/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRealtime, type Realtime, type RealtimeGap } from './realtime.ts';
import { type ProxyAction, type ProxyLink, type ProxyUnit, SOCKET_IO_STEPS, TcpProxy } from './testing/tcp-proxy.ts';
import { until } from './testing/until.ts';

/**
 * The realtime client between a node and a TCP proxy that drops or freezes the connection at each step of the
 * handshake and of a subscribe, then heals: every event published reaches the handler exactly once and in order,
 * or a gap says which ones never will.
 */

/** Short answers so a frozen connection is noticed quickly (the defaults are for real networks). */
const CLIENT_TIMEOUTS = { ackTimeoutMs: 700, connectTimeoutMs: 1500 } as const;
/** How long a freeze that the client should ride out lasts: shorter than one ack timeout. */
const SHORT_FREEZE_MS = 300;
/** The client must have replaced a frozen connection by then (with the timeouts above it takes a few seconds). */
const FROZEN_CONNECTION_NOTICED_MS = 20_000;
/** Longer than one ack timeout and shorter than the client's patience: the late answers and a retry cross. */
const MEDIUM_FREEZE_MS = 1200;

let node: TestNode;
const opened: Realtime[] = [];
const proxies: TcpProxy[] = [];

beforeAll(async () => {
  node = await startTestNode({ blockIntervalMs: 60_000 });
}, 60_000);

afterAll(async () => {
  for (const realtime of opened) realtime.close();
  for (const proxy of proxies) await proxy.close();
  await node?.stop();
});

function publish(topic: string, n: number) {
  const gateway = node.services.gateway;
  if (!gateway) throw new Error('the node has no gateway');
  return gateway.hub.publishAs(topic, { n }, null);
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

type Step = 'upgraded' | 'connect-answer' | 'connected' | 'subscribe' | 'subscribe-ack' | 'replay';
type Fault = 'drop' | 'short-freeze' | 'medium-freeze' | 'freeze';

/** What the proxy does at a step: some steps act before the unit passes, some right after it. */
function actionFor(step: Step, fault: Fault): ProxyAction {
  const freeze = fault !== 'drop';
  const after = step === 'upgraded' || step === 'connected' || step === 'replay';
  if (after) return freeze ? 'forward-then-freeze' : 'forward-then-drop';
  return freeze ? 'freeze' : 'drop';
}

function matcherFor(step: Step, topic: string): (unit: ProxyUnit, link: ProxyLink) => boolean {
  switch (step) {
    case 'upgraded':
      return SOCKET_IO_STEPS.upgraded;
    case 'connect-answer':
    case 'connected':
      return SOCKET_IO_STEPS.connected;
    case 'subscribe':
      return SOCKET_IO_STEPS.subscribe(topic);
    case 'subscribe-ack':
      return SOCKET_IO_STEPS.subscribeAck(topic);
    case 'replay': {
      // The first event of the topic after its subscribe went up on that link: a replay, the ack still to come.
      const asked = new WeakSet<ProxyLink>();
      return (unit, link) => {
        if (SOCKET_IO_STEPS.subscribe(topic)(unit)) asked.add(link);
        return asked.has(link) && SOCKET_IO_STEPS.event(topic)(unit);
      };
    }
  }
}

/** A realtime client behind a new proxy to the node, and the gaps it reports. */
async function clientThroughProxy(): Promise<{ proxy: TcpProxy; realtime: Realtime; gaps: RealtimeGap[] }> {
  const proxy = await TcpProxy.start(Number(new URL(node.url).port));
  proxies.push(proxy);
  const gaps: RealtimeGap[] = [];
  const realtime = await connectRealtime(proxy.url, { transports: ['websocket'], ...CLIENT_TIMEOUTS, onGap: (gap) => gaps.push(gap) });
  opened.push(realtime);
  return { proxy, realtime, gaps };
}

/** Subscribes to `topic`, publishes its events 1 to 3 and waits for them: the seqs the client hears (it goes on filling). */
async function hearFirstEvents(realtime: Realtime, topic: string): Promise<number[]> {
  const seqs: number[] = [];
  await realtime.subscribe(topic, (event) => seqs.push(event.seq));
  for (let n = 1; n <= 3; n++) await publish(topic, n);
  await until(() => seqs.length === 3, 10_000, 'the first events');
  return seqs;
}

/** Takes the client away: the proxy drops its connection and refuses new ones until `proxy.refuse` is cleared. */
async function cutOff(proxy: TcpProxy, realtime: Realtime): Promise<void> {
  proxy.refuse = true;
  proxy.dropAll();
  await until(() => !realtime.socket.connected, 5_000, 'the disconnect');
}

const STEPS: Step[] = ['upgraded', 'connect-answer', 'connected', 'subscribe', 'subscribe-ack', 'replay'];
const FAULTS: Fault[] = ['drop', 'short-freeze', 'medium-freeze', 'freeze'];
const CASES = STEPS.flatMap((step) => FAULTS.map((fault) => [step, fault] as const));

describe('the realtime client through a faulty network', () => {
  it.each(CASES)('delivers every event once and in order when the connection fails at %s (%s)', async (step, fault) => {
    const topic = `chat:fault-${step}-${fault}`;
    const { proxy, realtime, gaps } = await clientThroughProxy();
    const seqs = await hearFirstEvents(realtime, topic);

    // Away, and 3 more published meanwhile: the way back resumes with a replay.
    const fired = proxy.arm(matcherFor(step, topic), actionFor(step, fault));
    await cutOff(proxy, realtime);
    for (let n = 4; n <= 6; n++) await publish(topic, n);
    proxy.refuse = false;
    const faulty = await fired;
    const replaced = proxy.nextLink();

    for (let n = 7; n <= 8; n++) await publish(topic, n);
    if (fault === 'short-freeze' || fault === 'medium-freeze') {
      await new Promise((resolve) => setTimeout(resolve, fault === 'short-freeze' ? SHORT_FREEZE_MS : MEDIUM_FREEZE_MS));
      faulty.heal();
    } else if (fault === 'freeze') {
      // Frozen for good: the client must notice and replace the connection by itself (its closing handshake
      // cannot finish through the freeze, so the frozen link itself lingers). A liveness bound, not a speed check:
      // engine.io's heartbeat alone takes 45 s to give up on a silent connection.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const outcome = await Promise.race([
        replaced.then(() => 'replaced'),
        new Promise((resolve) => {
          timer = setTimeout(() => resolve('still frozen'), FROZEN_CONNECTION_NOTICED_MS);
        }),
      ]);
      clearTimeout(timer);
      expect(outcome, 'the client replaces a frozen connection by itself').toBe('replaced');
    }
    await until(
      () => seqs.length >= 8,
      15_000,
      () => `events 1 to 8 (got ${seqs.join(',')})`,
    );
    await publish(topic, 9);
    await until(() => seqs.length >= 9, 10_000, 'the next event');
    faulty.heal();
    expect(seqs).toEqual(range(1, 9));
    expect(gaps).toEqual([]);
    realtime.close();
  });

  it('sends a first subscribe again when its answer was lost with the connection, instead of failing it', async () => {
    const topic = 'chat:fault-first-subscribe';
    const { proxy, realtime, gaps } = await clientThroughProxy();
    await until(() => realtime.socket.connected, 5_000, 'the connection');
    const dropped = proxy.arm(SOCKET_IO_STEPS.subscribeAck(topic), 'drop');
    const seqs: number[] = [];
    const subscription = await realtime.subscribe(topic, (event) => seqs.push(event.seq));
    await dropped;
    await publish(topic, 1);
    await until(() => seqs.length === 1, 5_000, 'the event');
    expect(subscription.lastSeq).toBe(1);
    expect(gaps).toEqual([]);
    realtime.close();
  });

  it('reports the events it can no longer get when the connection drops in a replay of more than the node keeps', async () => {
    const topic = 'chat:fault-evicted';
    const { proxy, realtime, gaps } = await clientThroughProxy();
    const seqs = await hearFirstEvents(realtime, topic);

    const fired = proxy.arm(matcherFor('replay', topic), 'forward-then-drop');
    await cutOff(proxy, realtime);
    // The node keeps 1,000 events of a topic: 4, 5 and 6 are gone when the client is back.
    for (let n = 4; n <= 1006; n++) await publish(topic, n);
    proxy.refuse = false;
    await fired;
    await until(() => seqs.length >= 1003, 20_000, 'the retained events');
    await publish(topic, 1007);
    await until(() => seqs.at(-1) === 1007, 10_000, 'the next event');
    expect(seqs).toEqual([1, 2, 3, ...range(7, 1007)]);
    expect(gaps).toEqual([{ topic, reason: 'EVICTED', resumeFromSeq: 7 }]);
    realtime.close();
  });
});
