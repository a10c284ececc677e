import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import type { Gateway } from '../src/gateway/service.ts';
import type { Principal } from '../src/gateway/types.ts';
import { startTestNode, type TestNode } from '../src/testing.ts';
import { type NodeClient, nodeClient } from './helpers/client.ts';
import { type DdpFrame as Frame, rawDdp } from './helpers/ddp-raw.ts';
import { gatewayLogin } from './helpers/gateway-login.ts';
import { until } from './helpers/until.ts';
import { randomSigner, type Signer } from './helpers/wallet.ts';

/**
 * DDP under hostile and surprising clients: no frame ends the node, a change of login (or its expiry) re-checks
 * the open subscriptions, subs pipelined in one write stay within the bounds, and a resume tells of a gap.
 */

const SUBSCRIPTIONS_PER_CONNECTION = 20;
const SUBSCRIPTIONS_PER_IP = 60;

describe('DDP hardening', () => {
  let node: TestNode;
  let client: NodeClient;
  let gateway: Gateway;
  let endpoint: string;
  const sockets: WebSocket[] = [];

  const open = async (path = '/ddp') => {
    const raw = await rawDdp(`${endpoint}${path}`);
    sockets.push(raw.ws);
    return raw;
  };

  /** The node is alive: /health answers 200 and a fresh, well-behaved DDP client subscribes and gets `ready`. */
  const healthy = async () => {
    const health = await fetch(`${node.url}/health`);
    expect(health.status).toBe(200);
    const raw = await open();
    await raw.connect();
    raw.send({ msg: 'sub', id: 'alive', name: 'chain:blocks', params: [] });
    await raw.take((f) => f.msg === 'ready', 'ready of a healthy client');
    raw.ws.close();
  };

  beforeAll(async () => {
    node = await startTestNode({
      blockIntervalMs: 500,
      gateway: {
        limits: { subscriptionsPerConnectionMax: SUBSCRIPTIONS_PER_CONNECTION, subscriptionsPerIpMax: SUBSCRIPTIONS_PER_IP },
      },
    });
    client = nodeClient(node.url);
    if (!node.services.gateway || !node.services.protocols?.ddp) throw new Error('the node started without its gateway or DDP');
    gateway = node.services.gateway;
    endpoint = node.url.replace('http', 'ws');
  }, 120_000);

  afterAll(async () => {
    for (const ws of sockets) ws.terminate();
    await node?.stop();
  });

  describe('no frame ends the node', () => {
    const deepArrays = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const deepObjects = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    const deep = deepArrays(10_000);

    it('answers 10,000-deep frames before connect with error, and lives on', async () => {
      const raw = await open();
      const frames = [
        deep,
        deepObjects(10_000),
        `{"msg":"connect","version":${deep}}`,
        `{"msg":"sub","id":"s","name":"chain:blocks","params":${deep}}`,
        `[${deep},{"msg":"connect"}]`,
      ];
      for (const frame of frames) raw.send(frame);
      for (let i = 0; i < frames.length; i++) await raw.take((f) => f.msg === 'error', `error ${i}`);
      await raw.connect();
      await raw.ping();
      await healthy();
    });

    it('answers 10,000-deep frames after connect, in every field, and lives on', async () => {
      const raw = await open();
      await raw.connect();
      const frames = [
        deep,
        `{"msg":"sub","id":"s1","name":"chain:blocks","params":[{"afterSeq":${deep}}]}`,
        `{"msg":"method","id":"m1","method":"publish","params":["chat:deep",${deep}]}`,
        `{"msg":"method","id":"m2","method":"blocklet.call","params":["x",${deep}]}`,
        `{"msg":"method","id":"m3","method":"login","params":[{"resume":${deep}}]}`,
        `{"msg":"method","id":${deep},"method":"publish"}`,
        `{"msg":"ping","id":${deep}}`,
        `{"msg":"unsub","id":"s1","extra":${deepObjects(10_000)}}`,
      ];
      for (const frame of frames) raw.send(frame);
      for (let i = 0; i < frames.length; i++) await raw.take((f) => f.msg === 'error', `error ${i}`);
      await raw.ping();
      await healthy();
    });

    it('closes a frame over the size bound (1009) and serves the next client', async () => {
      const raw = await open();
      await raw.connect();
      const limits = gateway.hub.deps.limits;
      raw.send(`{"msg":"method","id":"big","method":"publish","params":["chat:big","${'x'.repeat(limits.messageBytesMax * 2 + 8192)}"]}`);
      await until('the close', () => raw.closed() ?? undefined);
      expect(raw.closed()).toBe(1009);
      await healthy();
    });

    it('answers truncated, binary, NUL and lone-surrogate frames with error, and lives on', async () => {
      const raw = await open();
      const text = [
        '{"msg":"conn',
        '[',
        '{"msg":"method","id":"1","method":"publish","params":["chat:x",',
        '\u0000',
        '{"msg":"connect\u0000","version":"1"}',
        '"\\ud800"',
      ];
      for (const frame of text) raw.send(frame);
      raw.ws.send(Buffer.from([0xff, 0x00, 0x13, 0x7b]), { binary: true });
      for (let i = 0; i < text.length + 1; i++) await raw.take((f) => f.msg === 'error', `error ${i}`);
      await raw.connect();
      const odd = [
        { msg: 'sub', id: 'nul\u0000', name: 'chat:a\u0000b', params: [] },
        { msg: 'sub', id: '\ud800', name: 'chat:\udfff', params: [] },
        { msg: 'method', id: 'm\u0000', method: 'no.such\u0000', params: ['\ud800'] },
        { msg: 'method', id: 'm\ud800', method: 'publish', params: ['chat:\u0000', '\ud800\u0000'] },
        { msg: 'method', id: 'login-nul', method: 'login', params: [{ resume: '\u0000\ud800' }] },
      ];
      for (const frame of odd) raw.send(frame);
      // Each gets its own answer: two nosubs (bad topics) and three method results with errors.
      for (let i = 0; i < 2; i++) expect((await raw.take((f) => f.msg === 'nosub', `nosub ${i}`)).error).toBeTruthy();
      for (let i = 0; i < 3; i++) expect((await raw.take((f) => f.msg === 'result', `result ${i}`)).error).toBeTruthy();
      // Invalid UTF-8 in a text frame is the WebSocket's business: ws closes with 1007.
      raw.ws.send(Buffer.from([0x7b, 0xc3, 0x28, 0x7d]), { binary: false });
      await until('the close', () => raw.closed() ?? undefined);
      expect(raw.closed()).toBe(1007);
      await healthy();
    });

    it('answers wrong types in every field of every message, and lives on', async () => {
      const raw = await open();
      await raw.connect();
      const wrong: unknown[] = [null, 0, -1, 1e308, true, '', 'x'.repeat(5000), [], [[1]], {}, { a: { b: [null] } }];
      const shapes: Frame[] = [
        { msg: 'connect', version: '1' },
        { msg: 'ping', id: 'p' },
        { msg: 'pong', id: 'p' },
        { msg: 'sub', id: 'w', name: 'chat:wrong', params: [{ afterSeq: 1, epoch: 'e' }] },
        { msg: 'unsub', id: 'w' },
        { msg: 'method', id: 'w', method: 'publish', params: ['chat:wrong', 1], randomSeed: 'r' },
      ];
      let sent = 0;
      for (const shape of shapes) {
        for (const field of [...Object.keys(shape), 'msg']) {
          for (const value of wrong) {
            raw.send({ ...shape, [field]: value });
            sent += 1;
          }
        }
      }
      // Params of each method, wrong in every position.
      for (const method of ['gateway.challenge', 'login', 'logout', 'publish', 'blocklet.call']) {
        for (const value of wrong) {
          raw.send({ msg: 'method', id: `${method}-${sent}`, method, params: [value, value] });
          sent += 1;
        }
      }
      await raw.ping();
      // Every wrong frame was answered (error, nosub or result); none closed the connection or the node.
      const answers = () => raw.frames.filter((f) => ['error', 'nosub', 'result', 'ready'].includes(f.msg as string)).length;
      await until('an answer per frame', () => (answers() >= sent ? true : undefined));
      expect(raw.closed()).toBeNull();
      await healthy();
    }, 30_000);
  });

  describe('a change of login re-checks the open subscriptions', () => {
    let alice: Signer;
    let bob: Signer;
    let aliceToken: string;
    let bobToken: string;

    beforeAll(async () => {
      alice = randomSigner();
      bob = randomSigner();
      aliceToken = await gatewayLogin(client, alice);
      bobToken = await gatewayLogin(client, bob);
    });

    it('stops private subscriptions on logout with nosub and removes their documents; public ones go on', async () => {
      const raw = await open();
      await raw.connect();
      expect((await raw.call('login', { resume: aliceToken })).result).toMatchObject({ did: alice.did });
      const inbox = `inbox:${alice.did}`;
      const chat = `chat:logout-${Date.now()}`;
      raw.send({ msg: 'sub', id: 'private', name: inbox, params: [] });
      raw.send({ msg: 'sub', id: 'public', name: chat, params: [] });
      await raw.take((f) => f.msg === 'ready' && (f.subs as string[])[0] === 'private', 'ready private');
      await raw.take((f) => f.msg === 'ready' && (f.subs as string[])[0] === 'public', 'ready public');
      const secret = await gateway.hub.publishAs(inbox, { secret: 1 }, null);
      const added = await raw.take((f) => f.msg === 'added' && f.collection === inbox, 'the private document');
      expect(added.id).toBe(secret.id);

      const logout = await raw.call('logout');
      expect(logout.error).toBeUndefined();
      // The server stopped the private subscription before answering the logout.
      const nosub = raw.frames.find((f) => f.msg === 'nosub' && f.id === 'private');
      expect(nosub?.error).toMatchObject({ error: 'UNAUTHORIZED' });
      expect(raw.frames.find((f) => f.msg === 'removed' && f.collection === inbox && f.id === secret.id)).toBeTruthy();
      expect(raw.frames.find((f) => f.msg === 'nosub' && f.id === 'public')).toBeUndefined();

      // No more private data; the public subscription still delivers.
      await gateway.hub.publishAs(inbox, { secret: 2 }, null);
      const speaker: Principal = { kind: 'app', appDid: alice.did, keyId: 'test' };
      await gateway.hub.publish(speaker, chat, { text: 'still here' });
      await raw.take((f) => f.msg === 'added' && f.collection === chat, 'the public document');
      expect(raw.frames.find((f) => f.msg === 'added' && f.collection === inbox)).toBeUndefined();
      raw.ws.close();
    });

    it('stops the subscriptions of the previous DID when another DID logs in on the connection', async () => {
      const raw = await open();
      await raw.connect();
      await raw.call('login', { resume: aliceToken });
      raw.send({ msg: 'sub', id: 'alice-inbox', name: `inbox:${alice.did}`, params: [] });
      await raw.take((f) => f.msg === 'ready', 'ready');
      expect((await raw.call('login', { resume: bobToken })).result).toMatchObject({ did: bob.did });
      expect(raw.frames.find((f) => f.msg === 'nosub' && f.id === 'alice-inbox')?.error).toMatchObject({ error: 'FORBIDDEN' });
      // Logging in as the same DID again keeps what it may hold.
      raw.send({ msg: 'sub', id: 'bob-inbox', name: `inbox:${bob.did}`, params: [] });
      await raw.take((f) => f.msg === 'ready', 'ready');
      await raw.call('login', { resume: bobToken });
      const event = await gateway.hub.publishAs(`inbox:${bob.did}`, { hi: 'bob' }, null);
      const added = await raw.take((f) => f.msg === 'added' && f.collection === `inbox:${bob.did}`, 'bob’s document');
      expect(added.id).toBe(event.id);
      // One hub subscription per DDP subscription after the swap: the event came once.
      await raw.ping();
      expect(raw.frames.filter((f) => f.msg === 'added' && f.collection === `inbox:${bob.did}`)).toHaveLength(0);
      raw.ws.close();
    });

    it('ends private subscriptions at the session’s expiry, long before the next heartbeat', async () => {
      const limits = gateway.hub.deps.limits as { sessionTtlMs: number };
      const ttl = limits.sessionTtlMs;
      // The auth service shares the hub's limits object: sessions opened now last 2 s.
      limits.sessionTtlMs = 2000;
      let token: string;
      try {
        token = await gatewayLogin(client, alice);
      } finally {
        limits.sessionTtlMs = ttl;
      }
      const raw = await open();
      await raw.connect();
      const login = (await raw.call('login', { resume: token })).result as { expiresAtMs: number };
      expect(login.expiresAtMs - Date.now()).toBeLessThan(2500);
      const chat = `chat:expiry-${Date.now()}`;
      raw.send({ msg: 'sub', id: 'private', name: `inbox:${alice.did}`, params: [] });
      raw.send({ msg: 'sub', id: 'public', name: chat, params: [] });
      await raw.take((f) => f.msg === 'ready' && (f.subs as string[])[0] === 'private', 'ready private');
      await raw.take((f) => f.msg === 'ready' && (f.subs as string[])[0] === 'public', 'ready public');
      // The heartbeat is 25 s; the subscription must end within a few seconds of the expiry.
      const nosub = await raw.take((f) => f.msg === 'nosub' && f.id === 'private', 'nosub at expiry', 8000);
      expect(nosub.error).toMatchObject({ error: 'SESSION_EXPIRED' });
      expect(Date.now()).toBeGreaterThanOrEqual(login.expiresAtMs);
      // The connection goes on, anonymous: public data still flows.
      await gateway.hub.publish({ kind: 'app', appDid: alice.did, keyId: 'test' }, chat, { n: 1 });
      await raw.take((f) => f.msg === 'added' && f.collection === chat, 'the public document');
      raw.ws.close();
    });
  });

  describe('limits hold under pipelining', () => {
    it('grants at most subscriptionsPerConnectionMax of 300 subs sent back to back', async () => {
      const raw = await open();
      await raw.connect();
      const frames = Array.from({ length: 300 }, (_, i) => JSON.stringify({ msg: 'sub', id: `s${i}`, name: `chat:pipe-${i}`, params: [] }));
      // All 300 in one write of the underlying TCP socket.
      const socket = (raw.ws as unknown as { _socket: import('node:net').Socket })._socket;
      socket.cork();
      for (const frame of frames) raw.ws.send(frame);
      socket.uncork();
      await until('an answer to every sub', () =>
        raw.frames.filter((f) => f.msg === 'ready' || f.msg === 'nosub').length >= 300 ? true : undefined,
      );
      const granted = raw.frames.filter((f) => f.msg === 'ready').length;
      expect(granted).toBe(SUBSCRIPTIONS_PER_CONNECTION);
      raw.ws.close();
    });

    it('grants at most subscriptionsPerIpMax across connections from one address', async () => {
      const before = gateway.hub.budget.stats().total;
      const clients = await Promise.all(Array.from({ length: 4 }, () => open()));
      await Promise.all(clients.map((c) => c.connect()));
      for (const [n, c] of clients.entries())
        for (let i = 0; i < SUBSCRIPTIONS_PER_CONNECTION; i++) c.send({ msg: 'sub', id: `s${i}`, name: `chat:ip-${n}-${i}`, params: [] });
      const answered = () =>
        clients.every((c) => c.frames.filter((f) => f.msg === 'ready' || f.msg === 'nosub').length >= SUBSCRIPTIONS_PER_CONNECTION);
      await until('every answer', () => (answered() ? true : undefined));
      const granted = clients.reduce((sum, c) => sum + c.frames.filter((f) => f.msg === 'ready').length, 0);
      expect(granted).toBeLessThanOrEqual(SUBSCRIPTIONS_PER_IP);
      expect(clients.some((c) => c.frames.some((f) => f.msg === 'nosub' && (f.error as Frame)?.error === 'TOO_MANY_SUBSCRIPTIONS'))).toBe(
        true,
      );
      for (const c of clients) c.ws.close();
      await until('the budget given back', () => (gateway.hub.budget.stats().total <= before ? true : undefined));
    });
  });

  describe('resume with a gap signal', () => {
    const speaker: Principal = { kind: 'app', appDid: 'did:abt:zgapspeaker', keyId: 'test' };

    it('tells, in the subscription’s status document, that the epoch sent is not the topic’s (RESTARTED)', async () => {
      const topic = `chat:gap-${Date.now()}`;
      const events = [];
      for (let i = 0; i < 3; i++) events.push(await gateway.hub.publish(speaker, topic, { i }));
      const epoch = events[0]?.epoch as string;
      const raw = await open('/websocket');
      await raw.connect();
      raw.send({ msg: 'sub', id: 'old', name: topic, params: [{ afterSeq: 2, epoch: 'an-epoch-of-before-the-restart' }] });
      await raw.take((f) => f.msg === 'ready' && (f.subs as string[])[0] === 'old', 'ready');
      const status = raw.frames.find((f) => f.msg === 'added' && f.collection === 'gateway.subscriptions' && f.id === 'old');
      expect(status?.fields).toEqual({ name: topic, seq: 3, epoch, gap: { reason: 'RESTARTED', resumeFromSeq: 1 } });
      // The new numbering is replayed from its start, each document with its epoch.
      const docs = raw.frames.filter((f) => f.msg === 'added' && f.collection === topic);
      expect(docs.map((f) => (f.fields as Frame).seq)).toEqual([1, 2, 3]);
      expect(((docs[0]?.fields ?? {}) as Frame).epoch).toBe(epoch);

      // With the right epoch, no gap and only what came after.
      raw.send({ msg: 'sub', id: 'right', name: topic, params: [{ afterSeq: 2, epoch }] });
      await raw.take((f) => f.msg === 'ready' && (f.subs as string[])[0] === 'right', 'ready');
      const fine = raw.frames.find((f) => f.msg === 'added' && f.collection === 'gateway.subscriptions' && f.id === 'right');
      expect(((fine?.fields ?? {}) as Frame).gap).toBeNull();
      // unsub removes the status document.
      raw.send({ msg: 'unsub', id: 'right' });
      await raw.take((f) => f.msg === 'nosub' && f.id === 'right', 'nosub');
      expect(raw.frames.find((f) => f.msg === 'removed' && f.collection === 'gateway.subscriptions' && f.id === 'right')).toBeTruthy();
      raw.ws.close();
    });

    it('tells when more events came after afterSeq than one subscription carries (TRUNCATED)', async () => {
      const topic = `chat:truncated-${Date.now()}`;
      let epoch = '';
      for (let i = 0; i < 130; i++) epoch = (await gateway.hub.publish(speaker, topic, { i })).epoch;
      const raw = await open();
      await raw.connect();
      raw.send({ msg: 'sub', id: 't', name: topic, params: [{ afterSeq: 0, epoch }] });
      await raw.take((f) => f.msg === 'ready', 'ready');
      const status = raw.frames.find((f) => f.msg === 'added' && f.collection === 'gateway.subscriptions');
      expect(((status?.fields ?? {}) as Frame).gap).toEqual({ reason: 'TRUNCATED', resumeFromSeq: 31 });
      raw.ws.close();
    });
  });
});
