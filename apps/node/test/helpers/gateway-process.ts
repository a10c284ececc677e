/**
 * A gateway-only process for the cluster tests (`node --import tsx` with an IPC channel). Env: REDIS_URL,
 * REDIS_KEY_PREFIX, GATEWAY_NODE_ID. Sends `{ url }` once listening; on `{ publish: { topic, payload }, requestId }`
 * publishes as the process itself (the way the ledger's bridge does) and answers `{ requestId, event }`.
 */
import { startStandaloneGateway } from '../../src/gateway/standalone.ts';
import { DEFAULT_GATEWAY_LIMITS } from '../../src/gateway/types.ts';

interface PublishRequest {
  requestId: number;
  publish: { topic: string; payload: unknown };
}

const gateway = await startStandaloneGateway({
  host: '127.0.0.1',
  port: 0,
  redis: { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', keyPrefix: process.env.REDIS_KEY_PREFIX ?? 'arc-test' },
  limits: DEFAULT_GATEWAY_LIMITS,
  nodeId: process.env.GATEWAY_NODE_ID ?? `gw-${process.pid}`,
  now: Date.now,
  log: (line) => console.error(line),
});
process.on('message', (message: PublishRequest) => {
  gateway.hub.publishAs(message.publish.topic, message.publish.payload, null).then(
    (event) => process.send?.({ requestId: message.requestId, event }),
    (error: Error) => process.send?.({ requestId: message.requestId, error: error.message }),
  );
});
process.once('SIGTERM', () => {
  void gateway.close().then(() => process.exit(0));
});
process.send?.({ url: gateway.url });
