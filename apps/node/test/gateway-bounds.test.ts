import { request } from 'node:http';
import { challengeMessage, signMessage, toHex } from '@arc/core';
import { createTRPCClient, httpLink } from '@trpc/client';
import type { Socket } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../src/api/router.ts';
import { GatewayHub } from '../src/gateway/hub.ts';
import type { Principal, TopicEvent } from '../src/gateway/types.ts';
import { testDrivers } from '../src/testing.ts';
import { appError, type NodeClient } from './helpers/client.ts';
import { gatewayLogin } from './helpers/gateway-login.ts';
import { useTestNode } from './helpers/node.ts';
import { ack, collect, connected, nodePublish, rawSocket, until } from './helpers/realtime.ts';
import { randomSigner } from './helpers/wallet.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
const LIMITS = {
  retainedBytesMax: 2 * MiB,
  retainedBytesPerTopicMax: 256 * KiB,
  retainedBytesPerPublisherMax: 1 * MiB,
  retainedTopicsMax: 50,
  challengesPerIpMax: 5,
  challengesMax: 8,
};

/** A DID session as the gateway holds it, for publishing through the hub's rules. */
function didPrincipal(): Principal {
  return { kind: 'did', did: randomSigner().did, sessionId: 'test', expiresAtMs: Date.now() + 3600_000 };
}

/** Bytes of the payloads a topic retains, as a resuming client would get them. */
function retainedPayloadBytes(events: TopicEvent[]): number {
  return events.reduce((sum, event) => sum + Buffer.byteLength(JSON.stringify(event.payload)), 0);
}

/** A fetch whose connections leave from `localAddress` (another loopback address is another client address). */
function fetchFrom(localAddress: string): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers = Object.fromEntries(new Headers(init?.headers).entries());
    return new Promise<Response>((resolve, reject) => {
      const req = request(url, { method: init?.method ?? 'GET', headers, localAddress }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(res.headers)) if (typeof value === 'string') responseHeaders.set(name, value);
          resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 500, headers: responseHeaders }));
        });
      });
      req.on('error', reject);
      if (typeof init?.body === 'string') req.write(init.body);
      req.end();
    });
  }) as typeof fetch;
}

function clientFrom(url: string, localAddress: string): NodeClient {
  return createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${url}/trpc`, fetch: fetchFrom(localAddress) })],
  }) as unknown as NodeClient;
}

describe.each(testDrivers())('gateway bounds on %s', (driver) => {
  const ctx = useTestNode(driver, { gateway: { limits: LIMITS } });
  const sockets: Socket[] = [];
  afterAll(() => {
    for (const socket of sockets) socket.close();
  });
  const open = async (): Promise<Socket> => {
    const socket = rawSocket(ctx.node.url);
    sockets.push(socket);
    return connected(socket);
  };
  const hub = (): GatewayHub => {
    const gateway = ctx.node.services.gateway;
    if (!gateway) throw new Error('the node has no gateway');
    return gateway.hub;
  };

  it('bounds retained events by bytes: per topic, per publisher and in all, whoever floods', async () => {
    const bystander = didPrincipal();
    await hub().publish(bystander, 'chat:bounds-bystander', { text: 'still here' });
    const large = { blob: 'x'.repeat(60 * KiB) };
    const flood = async (flooder: Principal, name: string): Promise<string[]> => {
      const topics: string[] = [];
      for (let t = 0; t < 12; t++) {
        const topic = `chat:bounds-${name}-${t}`;
        topics.push(topic);
        for (let m = 0; m < 10; m++) await hub().publish(flooder, topic, large);
      }
      return topics;
    };
    const retained = (topics: string[]): number => {
      let total = 0;
      for (const topic of topics) {
        const bytes = retainedPayloadBytes(hub().retainedAfter(topic, 0, 1000));
        expect(bytes).toBeLessThanOrEqual(LIMITS.retainedBytesPerTopicMax);
        total += bytes;
      }
      return total;
    };
    // One DID publishes 120 messages of 60 KiB (7 MiB) on 12 topics: it keeps its own newest, within its share.
    const flooder = didPrincipal();
    const topics = await flood(flooder, 'one');
    expect(retained(topics)).toBeLessThanOrEqual(LIMITS.retainedBytesPerPublisherMax);
    expect(hub().retainedBytesOf({ publisher: (flooder as { did: string }).did })).toBeLessThanOrEqual(LIMITS.retainedBytesPerPublisherMax);
    expect(
      hub()
        .retainedAfter(topics.at(-1) as string, 0, 1000)
        .at(-1)?.seq,
    ).toBe(10);
    // Its flood did not evict another publisher's event.
    expect(
      hub()
        .retainedAfter('chat:bounds-bystander', 0, 10)
        .map((e) => e.payload),
    ).toEqual([{ text: 'still here' }]);
    // Three more DIDs at once: what the node retains in all stays within the total.
    for (const name of ['two', 'three', 'four']) topics.push(...(await flood(didPrincipal(), name)));
    expect(retained(topics)).toBeLessThanOrEqual(LIMITS.retainedBytesMax);
    expect(hub().stats().retainedBytes).toBeLessThanOrEqual(LIMITS.retainedBytesMax);
  });

  it('keeps a topic’s seq going after the topic was dropped, and resumes without a hole', async () => {
    const topic = 'chat:bounds-resume';
    for (let i = 1; i <= 3; i++) expect((await nodePublish(ctx.node, topic, { i })).seq).toBe(i);
    // More topics than the hub keeps: the least recently published (ours) is dropped with its events.
    for (let t = 0; t <= LIMITS.retainedTopicsMax; t++) await nodePublish(ctx.node, `chat:bounds-filler-${t}`, { t });
    expect(hub().retainedAfter(topic, 0, 10)).toEqual([]);
    expect(hub().stats().topics).toBeLessThanOrEqual(LIMITS.retainedTopicsMax);

    const next = await nodePublish(ctx.node, topic, { i: 4 });
    expect(next.seq).toBe(4);

    // A client that saw seq 3 resumes and gets seq 4, with no gap.
    const caughtUp = await open();
    const caughtUpEvents = collect(caughtUp);
    const resumed = await ack(caughtUp, 'subscribe', { topic, afterSeq: 3 });
    expect(resumed).toMatchObject({ ok: true, seq: 4, replayed: 1, epoch: hub().epoch });
    expect(resumed).not.toHaveProperty('gap');
    await until(() => caughtUpEvents.length === 1);
    expect(caughtUpEvents.map((e) => e.seq)).toEqual([4]);

    // A client that saw only seq 1 is told that 2 and 3 are gone, and gets 4.
    const behind = await open();
    const behindEvents = collect(behind);
    expect(await ack(behind, 'subscribe', { topic, afterSeq: 1 })).toMatchObject({
      ok: true,
      replayed: 1,
      gap: { reason: 'EVICTED', resumeFromSeq: 4 },
    });
    await until(() => behindEvents.length === 1);
    expect(behindEvents.map((e) => e.seq)).toEqual([4]);
  });

  it('tells a client whose seqs come from another run of the node that it must resync', async () => {
    const topic = 'chat:bounds-epoch';
    for (let i = 1; i <= 2; i++) await nodePublish(ctx.node, topic, { i });
    const socket = await open();
    const events = collect(socket);
    // The epoch an earlier run of the node handed out (every hub starts a new one).
    const earlier = new GatewayHub({ ...hub().deps }).epoch;
    expect(earlier).not.toBe(hub().epoch);
    expect(await ack(socket, 'subscribe', { topic, afterSeq: 1, epoch: earlier })).toMatchObject({
      ok: true,
      epoch: hub().epoch,
      replayed: 2,
      gap: { reason: 'RESTARTED', resumeFromSeq: 1 },
    });
    await until(() => events.length === 2);
    expect(events.map((e) => e.seq)).toEqual([1, 2]);
    // Without an epoch, a seq this run never reached gives itself away too.
    const other = await open();
    expect(await ack(other, 'subscribe', { topic, afterSeq: 500 })).toMatchObject({
      ok: true,
      seq: 2,
      gap: { reason: 'RESTARTED', resumeFromSeq: 1 },
    });
  });

  it('limits outstanding sign-in challenges per address, and another address still signs in', async () => {
    const first = clientFrom(ctx.node.url, '127.0.0.1');
    const challenges = [];
    for (let i = 0; i < LIMITS.challengesPerIpMax; i++) challenges.push(await first.gateway.challenge.mutate());
    const refused = await appError(first.gateway.challenge.mutate());
    expect(refused).toMatchObject({ appCode: 'RATE_LIMITED', retriable: true, trpcCode: 'TOO_MANY_REQUESTS' });

    // Someone else is not locked out.
    const second = clientFrom(ctx.node.url, '127.0.0.2');
    const token = await gatewayLogin(second, randomSigner());
    expect(token).toMatch(/^st_/);

    // Answering one of its challenges gives the first address room for another.
    const signer = randomSigner();
    const { nonce, timeMs } = challenges[0] as { nonce: string; timeMs: number };
    const signature = toHex(signMessage(signer.secretKey, challengeMessage(nonce, timeMs)));
    await first.gateway.login.mutate({ did: signer.did, publicKey: toHex(signer.publicKey), nonce, timeMs, signature });
    await expect(first.gateway.challenge.mutate()).resolves.toMatchObject({ nonce: expect.any(String) });
  });

  it('voids the oldest challenge when the table is full instead of refusing everyone', async () => {
    const auth = ctx.node.services.gateway?.auth;
    if (!auth) throw new Error('the node has no gateway');
    // The table holds challengesMax at most, whatever number of addresses ask.
    const addresses = ['127.0.0.3', '127.0.0.4', '127.0.0.5'];
    const oldest = await clientFrom(ctx.node.url, addresses[0] as string).gateway.challenge.mutate();
    for (const address of addresses)
      for (let i = 0; i < LIMITS.challengesPerIpMax - 1; i++) await clientFrom(ctx.node.url, address).gateway.challenge.mutate();
    expect(auth.challengeStats().outstanding).toBeLessThanOrEqual(LIMITS.challengesMax);
    // A newcomer still gets a challenge and signs in; the oldest challenge was voided for it.
    const newcomer = clientFrom(ctx.node.url, '127.0.0.6');
    expect(await gatewayLogin(newcomer, randomSigner())).toMatch(/^st_/);
    const signer = randomSigner();
    const signature = toHex(signMessage(signer.secretKey, challengeMessage(oldest.nonce, oldest.timeMs)));
    const voided = await appError(
      clientFrom(ctx.node.url, '127.0.0.3').gateway.login.mutate({
        did: signer.did,
        publicKey: toHex(signer.publicKey),
        nonce: oldest.nonce,
        timeMs: oldest.timeMs,
        signature,
      }),
    );
    expect(voided.message).toMatch(/Unknown or already used challenge/);
  });
});
