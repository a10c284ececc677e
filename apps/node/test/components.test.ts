import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, realpathSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  assetAddress,
  type BlockletHandlers,
  didFromPublicKey,
  fromHex,
  keyPairFromSeed,
  signAdmin,
  toHex,
  tokenAddress,
  utf8,
} from '@arc/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import feeRelayer from '../src/runtime/components/fee-relayer/index.ts';
import identity from '../src/runtime/components/identity/index.ts';
import messaging from '../src/runtime/components/messaging/index.ts';
import notification from '../src/runtime/components/notification/index.ts';
import { assetAddressOfTx, sha3_256 } from '../src/runtime/components/oracle/address.ts';
import oracle from '../src/runtime/components/oracle/index.ts';
import token from '../src/runtime/components/token/index.ts';
import type { TopicMessage } from '../src/runtime/topics.ts';
import { startTestNode, type TestNode } from '../src/testing.ts';
import { COMPONENTS_DIR, deployFolder } from './helpers/blocklets.ts';
import { type NodeClient, nodeClient } from './helpers/client.ts';
import { ABT, randomSigner, Wallet } from './helpers/wallet.ts';

const COMPONENTS = ['identity', 'token', 'messaging', 'notification', 'oracle', 'fee-relayer'] as const;

// Each component is written against the public SDK only: its handlers must fit the SDK type of @arc/core.
const handlers: Record<(typeof COMPONENTS)[number], BlockletHandlers> = {
  identity,
  token,
  messaging,
  notification,
  oracle,
  'fee-relayer': feeRelayer,
};

let node: TestNode;
let client: NodeClient;
let owner: Wallet;

beforeAll(async () => {
  // The oracle's price server listens on 127.0.0.1, and the notification component delivers to DID inboxes:
  // both are powers the node operator grants (BLOCKLET_FETCH_ALLOW_PRIVATE, BLOCKLET_TRUSTED_PUBLISHERS).
  node = await startTestNode({ blockIntervalMs: 250, blocklets: { privateTargets: 'all', trustedPublishers: ['notification'] } });
  client = nodeClient(node.url);
  const key = keyPairFromSeed(fromHex(node.funded.secretKey));
  owner = new Wallet(client, node.chainId, { ...key, did: didFromPublicKey(key.publicKey) });
}, 60_000);

afterAll(async () => {
  await node?.stop();
});

/** Polls until `read` answers something `done` accepts (chain writes of a blocklet land a block or two later). */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

// biome-ignore lint/suspicious/noExplicitAny: the JSON answers of the blocklets under test, read field by field
async function http(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${node.url}/b${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: response.status, body: await response.json() };
}

const invoke = (name: string, input: unknown) => client.blocklet.invoke.mutate({ name, input: input as never });

/** Sends the blocklet's own DID ABT for fees (and tokens), committed. */
async function fund(name: string, tokens: { token: string; amount: bigint }[] = []) {
  const { did } = await client.blocklet.get.query({ name });
  await owner.commit({ type: 'transfer', to: did, amount: 5n * ABT, tokens, assets: [], memo: 'fees' });
  return did;
}

describe('built-in components', () => {
  it('use the public SDK types and import no code from outside their folder', () => {
    for (const name of COMPONENTS) {
      const source = readFileSync(join(COMPONENTS_DIR, name, 'index.ts'), 'utf8');
      // Type-only imports of the SDK are erased by the bundler; every other import is a file of the folder.
      expect(source, `${name} imports the SDK types`).toMatch(/^import type \{[^}]+\} from '@arc\/core';$/m);
      const code = source.replace(/^import type .*$/gm, '');
      for (const [, from] of code.matchAll(/from '([^']+)'/g)) expect(from, `${name} imports ${from}`).toMatch(/^\.\/[\w-]+\.ts$/);
      expect(typeof handlers[name]).toBe('object');
    }
  });

  it('share one request helper: each folder links to shared/request.ts, and none keeps a copy of its parts', () => {
    const shared = realpathSync(join(COMPONENTS_DIR, 'shared', 'request.ts'));
    for (const name of ['identity', 'token', 'messaging', 'notification', 'fee-relayer']) {
      const link = join(COMPONENTS_DIR, name, 'request.ts');
      expect(lstatSync(link).isSymbolicLink(), `${name}/request.ts is a link`).toBe(true);
      expect(realpathSync(link), `${name}/request.ts`).toBe(shared);
    }
    for (const name of COMPONENTS) {
      const source = readFileSync(join(COMPONENTS_DIR, name, 'index.ts'), 'utf8');
      expect(source, name).not.toMatch(/class RequestError|function parseBody|const DID = |TIME_MAX_MS/);
    }
  });

  it('derives asset addresses in plain JS exactly as the ledger does', () => {
    for (const text of ['', 'abc', 'x'.repeat(136), 'y'.repeat(300)])
      expect(toHex(sha3_256(utf8(text)))).toBe(createHash('sha3-256').update(text).digest('hex'));
    const hash = toHex(sha3_256(utf8('a transaction')));
    expect(assetAddressOfTx(hash)).toBe(assetAddress(fromHex(hash)));
  });

  it('identity: stores a profile through call and serves it over HTTP', async () => {
    await deployFolder(client, owner, join(COMPONENTS_DIR, 'identity'));
    const did = randomSigner().did;
    const set = await invoke('identity', {
      op: 'set',
      did,
      profile: { name: 'Ada', bio: 'math', links: ['https://example.com'], extra: 'dropped' },
    });
    expect(set.output).toMatchObject({ did, profile: { name: 'Ada', avatar: '', bio: 'math', links: ['https://example.com'] } });

    expect(await http('GET', `/identity/profile/${did}`)).toMatchObject({ status: 200, body: { did, profile: { name: 'Ada' } } });
    expect((await http('GET', `/identity/profile/${randomSigner().did}`)).status).toBe(404);
    expect(await http('GET', '/identity/profile/not-a-did')).toEqual({ status: 400, body: { error: 'did is a did:abt: DID' } });
    const page = await http('GET', '/identity/profiles?limit=10');
    expect(page.body.items.map((p: { did: string }) => p.did)).toContain(did);
    await expect(invoke('identity', { op: 'set', did, profile: { name: 'x'.repeat(65) } })).rejects.toThrow(/name is text of at most 64/);
  });

  it('token: airdrops an application token from the blocklet DID and reads balances over OCAP', async () => {
    await deployFolder(client, owner, join(COMPONENTS_DIR, 'token'));
    const symbol = 'AIR';
    await owner.commit({ type: 'createToken', symbol, name: 'Airdrop', decimals: 0, totalSupply: 1000n });
    const address = tokenAddress(symbol);
    const blockletDid = await fund('token', [{ token: address, amount: 100n }]);
    expect((await invoke('token', { op: 'did' })).output).toEqual({ did: blockletDid });

    const recipient = randomSigner().did;
    const airdrop = await invoke('token', { op: 'airdrop', token: address, recipients: [recipient], amount: '7' });
    expect(airdrop.output).toMatchObject({ from: blockletDid, amount: '7', sent: [{ to: recipient }] });
    const answer = await eventually(
      () => http('GET', `/token/tokens/${address}/balance/${recipient}`),
      (r) => r.body.balance === '7',
      `${recipient} to hold 7 ${symbol}`,
    );
    expect(answer).toEqual({ status: 200, body: { token: address, owner: recipient, balance: '7' } });
    await eventually(
      async () => (await invoke('token', { op: 'balance', token: address, owner: blockletDid })).output,
      (o) => (o as { balance: string }).balance === '93',
      'the blocklet to hold 93',
    );
    await expect(invoke('token', { op: 'airdrop', token: address, recipients: [recipient], amount: '1000' })).rejects.toThrow(/holds 93/);
  });

  // One invocation submitting several transactions: they share the invocation's ledger session (consecutive nonces).
  it('token: airdrops to several recipients in one invocation', async () => {
    const address = tokenAddress('AIR');
    const recipients = [randomSigner().did, randomSigner().did];
    const airdrop = await invoke('token', { op: 'airdrop', token: address, recipients, amount: '2' });
    expect(airdrop.output).toMatchObject({ sent: [{ to: recipients[0] }, { to: recipients[1] }] });
    for (const to of recipients) {
      await eventually(
        () => http('GET', `/token/tokens/${address}/balance/${to}`),
        (r) => r.body.balance === '2',
        `${to} to hold 2 AIR`,
      );
    }
  });

  it('messaging: publishes a posted message to its room topic and pages the room newest first', async () => {
    await deployFolder(client, owner, join(COMPONENTS_DIR, 'messaging'));
    const delivered: TopicMessage[] = [];
    const unsubscribe = node.services.topics.subscribe('chat:lobby', (message) => delivered.push(message));
    try {
      expect((await http('POST', '/messaging/rooms/lobby/messages', { from: 'ada', text: 'hi' })).status).toBe(201);
      const second = await http('POST', '/messaging/rooms/lobby/messages', { from: 'bob', text: 'hello' });
      expect(second.body).toMatchObject({ room: 'lobby', from: 'bob', text: 'hello' });
      await eventually(
        async () => delivered.length,
        (n) => n === 2,
        'two chat:lobby messages',
      );
      expect(delivered[1]?.message).toMatchObject({ from: 'bob', text: 'hello' });
    } finally {
      unsubscribe();
    }
    const page = await http('GET', '/messaging/rooms/lobby/messages?limit=1');
    expect(page.body.items).toEqual([expect.objectContaining({ from: 'bob' })]);
    const older = await http('GET', `/messaging/rooms/lobby/messages?limit=1&cursor=${encodeURIComponent(page.body.nextCursor)}`);
    expect(older.body.items).toEqual([expect.objectContaining({ from: 'ada' })]);
    expect((await http('POST', '/messaging/rooms/lobby/messages', { from: 'ada' })).status).toBe(400);
  });

  it('notification: delivers to a DID inbox topic, lists the inbox and marks a notification read', async () => {
    await deployFolder(client, owner, join(COMPONENTS_DIR, 'notification'));
    const did = randomSigner().did;
    const delivered: TopicMessage[] = [];
    const unsubscribe = node.services.topics.subscribe(`inbox:${did}`, (message) => delivered.push(message));
    let id: string;
    try {
      const sent = await http('POST', `/notification/inbox/${did}`, { title: 'Welcome', body: 'to Arc' });
      expect(sent).toMatchObject({ status: 201, body: { did, title: 'Welcome', read: false } });
      id = sent.body.id;
      await eventually(
        async () => delivered.length,
        (n) => n === 1,
        'the inbox message',
      );
    } finally {
      unsubscribe();
    }
    expect((await http('GET', `/notification/inbox/${did}?unread=1`)).body.items).toEqual([expect.objectContaining({ id, read: false })]);
    expect(await http('POST', `/notification/inbox/${did}/${id}/read`)).toMatchObject({ status: 200, body: { id, read: true } });
    expect((await http('GET', `/notification/inbox/${did}?unread=1`)).body.items).toEqual([]);
    expect((await http('GET', `/notification/inbox/${did}`)).body.items).toEqual([expect.objectContaining({ id, read: true })]);
    expect((await http('POST', `/notification/inbox/${did}/0000000000000-nope/read`)).status).toBe(404);
  });

  describe('oracle', () => {
    let server: Server;
    let price = 1.25;

    beforeAll(async () => {
      server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ price })));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });

    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    it('fetches a price from an allowed host and writes it to a ledger asset it creates, then updates', async () => {
      await deployFolder(client, owner, join(COMPONENTS_DIR, 'oracle'));
      const signer = await fund('oracle');
      const { port } = server.address() as AddressInfo;
      const params = { key: 'PRICE_URL', value: `http://127.0.0.1:${port}/price`, secure: false };
      const key = keyPairFromSeed(fromHex(node.funded.secretKey));
      await client.blocklet.setEnv.mutate({ name: 'oracle', ...params, auth: signAdmin(key, 'setEnv', 'oracle', params, Date.now()) });

      const created = (await invoke('oracle', { op: 'update' })).output as { op: string; asset: string; price: number; signer: string };
      expect(created).toMatchObject({ op: 'createAsset', price: 1.25, signer });
      const data = (asset: { data: string }) => JSON.parse(Buffer.from(asset.data, 'hex').toString('utf8')) as { price: number };
      const asset = await eventually(
        () => client.asset.get.query({ address: created.asset }).catch(() => null),
        (a) => a !== null,
        'the price asset',
      );
      expect(asset).toMatchObject({ owner: signer, moniker: 'price:ABT-USD', transferable: false });
      expect(data(asset as { data: string }).price).toBe(1.25);

      price = 2.5;
      const updated = (await invoke('oracle', { op: 'update' })).output as { op: string; asset: string };
      expect(updated).toMatchObject({ op: 'updateAsset', asset: created.asset });
      await eventually(
        () => client.asset.get.query({ address: created.asset }),
        (a) => data(a).price === 2.5,
        'the asset to hold the new price',
      );
      expect(await http('GET', '/oracle/price')).toMatchObject({
        status: 200,
        body: { pair: 'ABT-USD', price: 2.5, asset: created.asset },
      });
    });
  });
});
