import { randomBytes } from 'node:crypto';
import { didFromPublicKey, type KeyPair, keyPairFromSeed, toHex } from '@arc/core';
import { GossipNode } from './gossip.ts';
import { HelloFrame, makeAuth, makeHello } from './handshake.ts';
import type { GossipLimits } from './limits.ts';
import { RawWsClient } from './raw-ws-client.ts';
import type { GossipNodeOptions } from './types.ts';

/** Test support for the gossip tests: nodes on loopback, payload helpers, polling. Not used by the node. */

export const TEST_CHAIN_ID = 'arc-gossip-test';
export const TEST_GENESIS = toHex(new Uint8Array(32).fill(7));

export function newKey(): KeyPair {
  return keyPairFromSeed(new Uint8Array(randomBytes(32)));
}

/** A node on 127.0.0.1 (ephemeral port unless `listen` is given), started, with its log lines and received payloads. */
export interface TestNode {
  node: GossipNode;
  logs: string[];
  received: { text: string; from: string }[];
}

/** Limits small enough for tests to run in seconds. */
export const FAST_LIMITS: Partial<GossipLimits> = { dialBackoffMinMs: 50, dialBackoffMaxMs: 2000, handshakeTimeoutMs: 2000 };

export async function startNode(options: Partial<GossipNodeOptions> = {}): Promise<TestNode> {
  const logs: string[] = [];
  const received: TestNode['received'] = [];
  const node = new GossipNode({
    key: newKey(),
    chainId: TEST_CHAIN_ID,
    genesisHash: TEST_GENESIS,
    listen: { host: '127.0.0.1', port: 0 },
    peers: [],
    ...options,
    limits: { ...FAST_LIMITS, ...options.limits },
    log: (line) => logs.push(line),
  });
  node.onMessage((payload, from) => {
    received.push({ text: Buffer.from(payload).toString('utf8'), from });
    return undefined;
  });
  await node.start();
  return { node, logs, received };
}

export function payload(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'utf8'));
}

/** Polls until `check` holds, failing with `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function isConnected(node: GossipNode, did: string): boolean {
  return node.peers().some((peer) => peer.did === did && peer.state === 'connected');
}

/** How a stranger's hello and auth may lie. */
export interface RawHandshake {
  key?: KeyPair;
  /** Overrides of the hello's fields (a claimed DID, another genesis…). */
  hello?: Partial<HelloFrame>;
  /** Signs the auth with this key instead of the hello's. */
  signWith?: KeyPair;
}

/**
 * Plays the handshake by hand on a raw client: reads the node's hello, sends ours, reads its auth, sends ours.
 * Returns the client once our auth is sent (the node decides on it next).
 */
export async function rawHandshake(url: string, lie: RawHandshake = {}): Promise<{ client: RawWsClient; key: KeyPair; did: string }> {
  const key = lie.key ?? newKey();
  const client = await RawWsClient.connect(url);
  if (!(client instanceof RawWsClient)) throw new Error(`the upgrade was refused: ${client.status}`);
  const theirs = await client.nextFrame();
  if (theirs === null) throw new Error('the node closed before its hello');
  const nodeHello = HelloFrame.parse(JSON.parse(theirs.payload.toString('utf8')));
  const nonce = new Uint8Array(randomBytes(32));
  const identity = {
    key,
    did: didFromPublicKey(key.publicKey, 'node'),
    chainId: TEST_CHAIN_ID,
    genesisHash: TEST_GENESIS,
    allowedDids: null,
  };
  const hello = { ...makeHello(identity, nonce, Date.now()), ...lie.hello };
  client.sendText(JSON.stringify(hello));
  const signer = { ...identity, did: hello.did, chainId: hello.chainId, genesisHash: hello.genesisHash, key: lie.signWith ?? key };
  const auth = makeAuth(signer, nonce, nodeHello);
  const nodeAuth = await client.nextFrame();
  if (nodeAuth !== null) client.sendText(JSON.stringify(auth));
  return { client, key, did: hello.did };
}
