import { challengeMessage, didFromPublicKey, fromHex, keyPairFromSeed, signMessage, toHex } from '@arc/core';
import DdpJs, { type DdpJsMessage } from 'ddp.js';
import SimpleDDP, { type DdpMessage } from 'simpleddp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { DDP_LIMITS, type DdpGateway } from '../src/gateway/ddp.ts';
import type { Gateway } from '../src/gateway/service.ts';
import type { Principal, TopicEvent } from '../src/gateway/types.ts';
import { startTestNode, type TestNode } from '../src/testing.ts';
import { signedUpload } from './helpers/blocklets.ts';
import { type NodeClient, nodeClient } from './helpers/client.ts';
import { rawDdp } from './helpers/ddp-raw.ts';
import { emitAck, gatewayLogin, socketClient } from './helpers/gateway-login.ts';
import { until } from './helpers/until.ts';
import { ABT, randomSigner, type Signer, transfer, Wallet } from './helpers/wallet.ts';

/** DDP (Meteor's protocol) at /ddp and /websocket, with the simpleddp and ddp.js clients, beside Socket.io on the same HTTP server. */

const ECHO = `
export default {
  async call(input, ctx) { return { echoed: input, sum: (input?.a ?? 0) + (input?.b ?? 0) }; },
};
`;

describe('DDP gateway', () => {
  let node: TestNode;
  let client: NodeClient;
  let gateway: Gateway;
  let ddp: DdpGateway;
  let endpoint: string;
  let app: Signer;
  const clients: SimpleDDP[] = [];
  const closers: (() => unknown)[] = [];

  const connect = async () => {
    const server = new SimpleDDP({ endpoint, SocketConstructor: WebSocket, autoReconnect: false, maxTimeout: 20_000 });
    clients.push(server);
    await server.connect();
    return server;
  };

  beforeAll(async () => {
    node = await startTestNode({ blockIntervalMs: 100 });
    client = nodeClient(node.url);
    if (!node.services.gateway || !node.services.protocols?.ddp) throw new Error('the node started without its gateway or DDP');
    gateway = node.services.gateway;
    ddp = node.services.protocols.ddp;
    endpoint = `${node.url.replace('http', 'ws')}${ddp.path}`;
    app = randomSigner();
    // A tiny blocklet for blocklet.call, deployed by a funded owner.
    const chainId = (await client.chain.info.query()).chainId;
    const key = keyPairFromSeed(fromHex(node.funded.secretKey));
    const faucet = new Wallet(client, chainId, { ...key, did: didFromPublicKey(key.publicKey) });
    const owner = new Wallet(client, chainId, randomSigner());
    await client.tx.wait.query({ hash: (await faucet.send(transfer(owner.did, 10n * ABT))).hash, timeoutMs: 10_000 });
    const manifest = `name: ddpecho\nversion: 1.0.0\ntitle: DDP echo\nauthor: ${owner.did}\nentry: index.js\n`;
    const uploaded = await client.blocklet.upload.mutate(
      signedUpload(owner.signer, { manifest: { file: 'blocklet.yml', text: manifest }, files: { 'index.js': ECHO } }),
    );
    const tx = await owner.sign({
      type: 'deployBlocklet',
      name: 'ddpecho',
      version: '1.0.0',
      manifestHash: fromHex(uploaded.manifestHash),
      bundleHash: fromHex(uploaded.bundleHash),
    });
    await client.blocklet.deploy.mutate({ tx: tx.hex });
  }, 120_000);

  afterAll(async () => {
    for (const c of clients) await c.disconnect().catch(() => undefined);
    for (const close of closers) close();
    await node?.stop();
  });

  it('answers connect with a session and ping with pong', async () => {
    const raw = await rawDdp(endpoint);
    closers.push(() => raw.ws.close());
    raw.send({ msg: 'connect', version: '1', support: ['1'] });
    expect(typeof (await raw.next('connected')).session).toBe('string');
    raw.send({ msg: 'ping', id: 'p1' });
    expect(await raw.next('pong')).toEqual({ msg: 'pong', id: 'p1' });
  });

  it('answers garbage with error and lives on', async () => {
    const raw = await rawDdp(endpoint);
    closers.push(() => raw.ws.close());
    raw.send({ msg: 'sub', id: 's', name: 'chain:blocks' });
    expect((await raw.next('error')).reason).toMatch(/connect first/i);
    raw.send({ msg: 'connect', version: '1' });
    await raw.next('connected');
    for (const frame of ['not json', '{"msg":"nope"}', '[1,2]', '{"msg":"method","id":5}', '{"msg":"sub","id":"x","name":""}']) {
      raw.send(frame);
      expect(typeof (await raw.next('error')).reason).toBe('string');
    }
    raw.ws.send(Buffer.from([0xff, 0x00, 0x13]), { binary: true });
    expect((await raw.next('error')).reason).toMatch(/JSON/);
    raw.send({ msg: 'method', id: 'm1', method: 'no.such.method', params: [] });
    expect((await raw.next('result')).error).toMatchObject({ error: 'NOT_FOUND' });
    raw.send({ msg: 'ping' });
    expect(await raw.next('pong')).toEqual({ msg: 'pong' });
  });

  it('sends retained events as added documents, then ready, then added for each new event', async () => {
    const topic = `chat:ddp-${Date.now()}`;
    const speaker: Principal = { kind: 'did', did: app.did, sessionId: 'test', expiresAtMs: Date.now() + 60_000 };
    const first = await gateway.hub.publish(speaker, topic, { text: 'before' });
    const server = await connect();
    const added: DdpMessage[] = [];
    server.on('added', (m) => m.collection === topic && added.push(m));
    const sub = server.subscribe(topic);
    await sub.ready();
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ id: first.id, fields: { topic, seq: first.seq, payload: { text: 'before' }, from: app.did } });
    // A Socket.io client on the same HTTP server publishes; the DDP subscriber gets it.
    const token = await gatewayLogin(client, app);
    const socket = await socketClient(node.url, token);
    closers.push(() => socket.disconnect());
    expect(await emitAck(socket, 'publish', { topic, payload: { text: 'after' } })).toMatchObject({ ok: true });
    const second = await until('the second added', () => added[1]);
    expect(second.fields).toMatchObject({ seq: first.seq + 1, payload: { text: 'after' } });
    expect(server.collection(topic).fetch()).toHaveLength(2);
    // A client that has seq n resumes after it: only the later events come as documents.
    const resumed = await connect();
    const again: DdpMessage[] = [];
    resumed.on('added', (m) => m.collection === topic && again.push(m));
    await resumed.subscribe(topic, { afterSeq: first.seq }).ready();
    expect(again.map((m) => m.fields?.seq)).toEqual([first.seq + 1]);
  });

  it('keeps a bounded window of documents per subscription, removing the oldest', async () => {
    const topic = `chat:window-${Date.now()}`;
    const speaker: Principal = { kind: 'app', appDid: app.did, keyId: 'test' };
    const server = await connect();
    const removed: DdpMessage[] = [];
    server.on('removed', (m) => m.collection === topic && removed.push(m));
    await server.subscribe(topic).ready();
    const events: TopicEvent[] = [];
    for (let i = 0; i < DDP_LIMITS.documentsPerSubscriptionMax + 2; i++) events.push(await gateway.hub.publish(speaker, topic, { i }));
    await until('two removed', () => (removed.length >= 2 ? true : undefined));
    expect(removed.map((m) => m.id)).toEqual([events[0]?.id, events[1]?.id]);
    await until('a full window', () =>
      server.collection(topic).fetch().length === DDP_LIMITS.documentsPerSubscriptionMax ? true : undefined,
    );
  });

  it('refuses a subscription the rules keep from the connection with nosub and an error', async () => {
    const server = await connect();
    // simpleddp's subscribe() leaves a rejected promise unhandled on nosub: send the sub through its DDP connection.
    const nosubs: DdpMessage[] = [];
    server.on('nosub', (m) => nosubs.push(m));
    const inbox = server.ddpConnection.sub(`inbox:${app.did}`, []);
    const everything = server.ddpConnection.sub('*', []);
    await until('two nosubs', () => (nosubs.length === 2 ? true : undefined));
    expect(nosubs.find((m) => m.id === inbox)?.error).toMatchObject({ error: 'UNAUTHORIZED' });
    expect(nosubs.find((m) => m.id === everything)?.error).toMatchObject({ error: 'BAD_PAYLOAD' });
  });

  it('routes blocklet.call to the blocklet’s call handler', async () => {
    const server = await connect();
    expect(await server.call('blocklet.call', 'ddpecho', { a: 2, b: 3 })).toEqual({ echoed: { a: 2, b: 3 }, sum: 5 });
    await expect(server.call('blocklet.call', 'no-such-blocklet', {})).rejects.toMatchObject({ error: 'BLOCKLET_NOT_FOUND' });
  });

  it('logs in with a signed challenge, then publishes on the application’s topic', async () => {
    const server = await connect();
    const topic = `app:${app.did}:ddp`;
    await expect(server.call('publish', topic, { n: 1 })).rejects.toMatchObject({ error: 'FORBIDDEN' });
    const { nonce, timeMs } = (await server.call('gateway.challenge')) as { nonce: string; timeMs: number };
    const signature = toHex(signMessage(app.secretKey, challengeMessage(nonce, timeMs)));
    const login = (await server.call('login', { did: app.did, publicKey: toHex(app.publicKey), nonce, timeMs, signature })) as {
      token: string;
      did: string;
    };
    expect(login.did).toBe(app.did);
    const delivered: TopicEvent[] = [];
    await gateway.hub.subscribe({ kind: 'app', appDid: app.did, keyId: 'watch' }, topic, (event) => delivered.push(event), { ip: '' });
    const published = (await server.call('publish', topic, { n: 2 })) as { id: string; seq: number };
    expect(delivered).toEqual([expect.objectContaining({ id: published.id, payload: { n: 2 }, from: app.did })]);
    // The token picks the session up on another connection.
    const again = await connect();
    expect(await again.call('login', { resume: login.token })).toMatchObject({ did: app.did });
    await expect(again.call('login', { resume: 'st_forged' })).rejects.toMatchObject({ error: 'UNAUTHORIZED' });
  });

  it('serves ddp.js (another DDP client) at Meteor’s /websocket: login with a token, sub, added, method', async () => {
    // ddp.js is CommonJS with a default export; loaded through ESM interop it may come wrapped once more.
    const Ddp = ((DdpJs as unknown as { default?: typeof DdpJs }).default ?? DdpJs) as typeof DdpJs;
    const ddpjs = new Ddp({ endpoint: `${node.url.replace('http', 'ws')}/websocket`, SocketConstructor: WebSocket, autoReconnect: false });
    closers.push(() => ddpjs.disconnect());
    const messages: DdpJsMessage[] = [];
    for (const kind of ['ready', 'nosub', 'added', 'removed', 'result', 'error']) ddpjs.on(kind, (m) => messages.push(m));
    await until('connected', () => (ddpjs.status === 'connected' ? true : undefined));
    const called = (id: string) => until(`result ${id}`, () => messages.find((m) => m.msg === 'result' && m.id === id));

    const token = await gatewayLogin(client, app);
    const login = await called(ddpjs.method('login', [{ resume: token }]));
    expect(login.result).toMatchObject({ did: app.did });

    // The application's own topic: only its DID may subscribe (the login took).
    const topic = `app:${app.did}:ddpjs`;
    const subId = ddpjs.sub(topic, []);
    await until('ready', () => messages.find((m) => m.msg === 'ready' && m.subs?.includes(subId)));
    const published = await called(ddpjs.method('publish', [topic, { from: 'ddp.js' }]));
    expect(published.error).toBeUndefined();
    const added = await until('added', () => messages.find((m) => m.msg === 'added' && m.collection === topic));
    expect(added.fields).toMatchObject({ topic, payload: { from: 'ddp.js' }, from: app.did });
    expect(added.id).toBe((published.result as { id: string }).id);

    const echoed = await called(ddpjs.method('blocklet.call', ['ddpecho', { a: 1, b: 41 }]));
    expect(echoed.result).toEqual({ echoed: { a: 1, b: 41 }, sum: 42 });
    ddpjs.unsub(subId);
    await until('nosub', () => messages.find((m) => m.msg === 'nosub' && m.id === subId));
    expect(messages.filter((m) => m.msg === 'error')).toEqual([]);
  });

  it('leaves other upgrade paths to Socket.io', async () => {
    const socket = await socketClient(node.url);
    closers.push(() => socket.disconnect());
    expect(socket.connected).toBe(true);
  });
});
