import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll } from 'vitest';
import type { MqttGateway } from '../../src/gateway/mqtt.ts';
import type { Gateway } from '../../src/gateway/service.ts';
import { startTestNode, type TestNode } from '../../src/testing.ts';
import { type NodeClient, nodeClient } from './client.ts';
import { gatewayLogin, gatewayTopicRules } from './gateway-login.ts';
import { randomSigner, type Signer } from './wallet.ts';

/** How long starting the node and logging three DIDs in may take on a loaded machine. */
const SETUP_TIMEOUT_MS = 120_000;
/** How long an MQTT client may take to connect before the test fails. */
const MQTT_CONNECT_TIMEOUT_MS = 10_000;

/** The method-specific id of a DID: how a DID is written as one MQTT level. */
export const idOf = (did: string) => did.slice('did:abt:'.length);

/** An mqtt.js client (MQTT 3.1.1 unless asked otherwise) that does not reconnect behind the test's back. */
export function connectMqtt(url: string, options: IClientOptions = {}): Promise<MqttClient> {
  return mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: MQTT_CONNECT_TIMEOUT_MS, protocolVersion: 4, ...options });
}

export interface MqttNodeContext {
  node: TestNode;
  client: NodeClient;
  gateway: Gateway;
  /** The node's embedded MQTT broker (on a free port of 127.0.0.1). */
  broker: MqttGateway;
  /** An application (its DID is the app's) and two users, each logged in. */
  app: Signer;
  alice: Signer;
  bob: Signer;
  appToken: string;
  aliceToken: string;
  bobToken: string;
  /** Ends `opened` after the tests of the block, before the node stops. */
  track<T extends { end(): unknown }>(opened: T): T;
}

/**
 * One node with its MQTT broker for the enclosing describe block, with an application whose `private` topics are
 * owner-only and whose `open` topics any logged-in DID may use, and two users: filled in before the tests,
 * stopped after them with everything the tests tracked.
 */
export function useMqttTestNode(): MqttNodeContext {
  const open: { end(): unknown }[] = [];
  const context = {
    track: <T extends { end(): unknown }>(opened: T): T => {
      open.push(opened);
      return opened;
    },
  } as MqttNodeContext;
  beforeAll(async () => {
    const node = await startTestNode({ protocols: { mqtt: { host: '127.0.0.1', port: 0 } } });
    context.node = node;
    context.client = nodeClient(node.url);
    if (!node.services.gateway || !node.services.protocols?.mqtt) throw new Error('the node started without its gateway or MQTT broker');
    context.gateway = node.services.gateway;
    context.broker = node.services.protocols.mqtt;
    context.app = randomSigner();
    context.alice = randomSigner();
    context.bob = randomSigner();
    [context.appToken, context.aliceToken, context.bobToken] = await Promise.all([
      gatewayLogin(context.client, context.app),
      gatewayLogin(context.client, context.alice),
      gatewayLogin(context.client, context.bob),
    ]);
    await gatewayTopicRules(context.client, context.app, [
      { name: 'private', publish: 'owner', subscribe: 'owner' },
      { name: 'open', publish: 'authenticated', subscribe: 'authenticated' },
    ]);
  }, SETUP_TIMEOUT_MS);
  afterAll(async () => {
    for (const opened of open) opened.end();
    await context.node?.stop();
  });
  return context;
}
