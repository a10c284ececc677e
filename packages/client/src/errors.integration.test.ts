import { randomBytes } from 'node:crypto';
import { ERROR_CATALOG, fromHex, keyPairFromSeed, signUpload } from '@arc/core';
import { startTestNode, type TestNode } from '@arc/node/testing';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployBlocklet } from './builders.ts';
import { type ArcClient, createClient } from './client.ts';
import { ClientError, fromErrorBody, toClientError } from './errors.ts';
import { connectRealtime, type Realtime } from './realtime.ts';
import { buildTx, encodeTxHex } from './tx.ts';
import { Wallet } from './wallet.ts';

/**
 * One error model end to end: whichever way a refusal reaches the client (tRPC, a Socket.io ack, a blocklet
 * route's HTTP answer), it becomes a ClientError with the catalogue's code and retriable flag.
 */

/** Waits for ever and uses no CPU: only the wall-clock timeout stops it, by `fetch` (HTTP) or by `call` (tRPC). */
const STALL = 'export default { async fetch() { await new Promise(() => {}); }, async call() { await new Promise(() => {}); } };';

let node: TestNode;
let client: ArcClient;
let owner: Wallet;
let ownerKey: { publicKey: Uint8Array; secretKey: Uint8Array };
const opened: Realtime[] = [];

async function rejection(promise: Promise<unknown>): Promise<ClientError> {
  const error = await promise.then(
    () => {
      throw new Error('the call succeeded; a refusal was expected');
    },
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ClientError);
  return error as ClientError;
}

/** Uploads and deploys a one-file blocklet signed by the owner, live at once. */
async function deploy(name: string, code: string, limits: string): Promise<void> {
  const manifest = `name: ${name}
version: 1.0.0
title: ${name}
author: ${owner.did}
interfaces: { http: [{ path: /, methods: [GET] }] }
limits: ${limits}
`;
  const upload = { manifest: { file: 'blocklet.yml' as const, text: manifest }, files: { 'index.js': code } };
  const uploaded = await client.trpc.blocklet.upload.mutate({ ...upload, auth: signUpload(ownerKey, name, upload, Date.now()) });
  const [info, nonce] = await Promise.all([client.chainInfo(), client.nextNonce(owner.did)]);
  const itx = deployBlocklet({
    name: uploaded.name,
    version: uploaded.version,
    manifestHash: fromHex(uploaded.manifestHash),
    bundleHash: fromHex(uploaded.bundleHash),
  });
  const tx = owner.signTx(buildTx({ chainId: info.chainId, wallet: owner, nonce, fee: info.params.minFee, itx }));
  await client.trpc.blocklet.deploy.mutate({ tx: encodeTxHex(tx), alias: 'live' });
}

beforeAll(async () => {
  node = await startTestNode({
    blockIntervalMs: 250,
    // One claim per DID per minute, so a second claim is refused for load.
    faucet: { amount: 100n * 10n ** 18n, intervalMs: 60_000 },
    // A connection may send 3 messages at once, then one per 10 s: 8 at once are refused however slow the machine.
    gateway: { limits: { connectionBurst: 3, connectionRatePerSec: 0.1 } },
  });
  client = createClient({ url: node.url });
  const seed = randomBytes(32);
  ownerKey = keyPairFromSeed(seed);
  owner = Wallet.fromSecretKey(seed);
  await client.claimFaucet(owner.did);
  await deploy('stall', STALL, '{ cpuMs: 50, memoryMb: 32, timeoutMs: 300 }');
}, 120_000);

afterAll(async () => {
  for (const realtime of opened) realtime.close();
  await node?.stop();
});

describe('errors as the client sees them', () => {
  it('a tRPC refusal for load is RATE_LIMITED and retriable', async () => {
    const refused = await rejection(client.claimFaucet(owner.did));
    expect(refused).toMatchObject({ code: 'RATE_LIMITED', retriable: true });
  });

  it('a gateway refusal for load over Socket.io is RATE_LIMITED and retriable, on the wire and in the client', async () => {
    // On the wire: the ack carries the catalogue's flag.
    const socket = io(node.url, { transports: ['websocket'], reconnection: false });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      const acks = await Promise.all(
        Array.from({ length: 8 }, () => socket.timeout(5_000).emitWithAck('subscriptions', null) as Promise<Record<string, unknown>>),
      );
      expect(acks).toContainEqual({ ok: false, code: 'RATE_LIMITED', message: expect.any(String), retriable: true });
    } finally {
      socket.close();
    }
    // Through the realtime client: a refused publish is a ClientError.
    const realtime = await connectRealtime(node.url, { wallet: owner, transports: ['websocket'] });
    opened.push(realtime);
    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => realtime.publish('chat:lobby', { i })));
    const refused = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
    expect(refused.length).toBeGreaterThan(0);
    for (const error of refused) {
      expect(error).toBeInstanceOf(ClientError);
      expect(error).toMatchObject({ code: 'RATE_LIMITED', retriable: true });
    }
  });

  it('a gateway refusal over tRPC keeps its own code and the catalogue’s flag', async () => {
    // Each unanswered challenge counts against the address (challengesPerIpMax); past it, RATE_LIMITED.
    const refusals: ClientError[] = [];
    for (let i = 0; i < 200 && refusals.length === 0; i += 1) {
      await client.trpc.gateway.challenge.mutate().catch((error: unknown) => refusals.push(toClientError(error)));
    }
    expect(refusals[0]).toMatchObject({ code: 'RATE_LIMITED', retriable: true });
  });

  it('an internal error of the node is INTERNAL and not retriable', async () => {
    const queries = node.services.queries;
    const blockByHeight = queries.blockByHeight;
    queries.blockByHeight = async () => {
      throw new Error('a bug of the node');
    };
    try {
      expect(await rejection(client.getBlock(1))).toMatchObject({ code: 'INTERNAL', retriable: false });
    } finally {
      queries.blockByHeight = blockByHeight;
    }
  });

  it('a blocklet over its wall clock is BLOCKLET_TIMEOUT, 504 over HTTP, with one retriable flag on every path', async () => {
    const expected = ERROR_CATALOG.BLOCKLET_TIMEOUT.retriable;
    const res = await fetch(`${node.url}/b/stall/`);
    expect(res.status).toBe(504);
    const body = (await res.json()) as unknown;
    expect(body).toMatchObject({ error: { code: 'BLOCKLET_TIMEOUT', retriable: expected } });
    expect(fromErrorBody(body)).toMatchObject({ code: 'BLOCKLET_TIMEOUT', retriable: expected });

    const overTrpc = await rejection(
      client.trpc.blocklet.invoke.mutate({ name: 'stall', handler: 'call', input: null }).catch((error: unknown) => {
        throw toClientError(error);
      }),
    );
    expect(overTrpc).toMatchObject({ code: 'BLOCKLET_TIMEOUT', retriable: expected });
  });
});
