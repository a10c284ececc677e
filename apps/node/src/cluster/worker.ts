import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { hostname } from 'node:os';
import type { Server as SocketServer } from 'socket.io';
import { parseEnv } from '../config/env.ts';
import { nodeOptionsFromEnv } from '../config/node-options.ts';
import type { Gateway } from '../gateway/service.ts';
import { startStandaloneGateway } from '../gateway/standalone.ts';
import { DEFAULT_GATEWAY_LIMITS } from '../gateway/types.ts';
import { startNode } from '../node.ts';
import { type PrimaryMessage, type WorkerMessage, type WorkerRole, workerSessionId } from './messages.ts';
import { answerAuth, RemoteAuth } from './remote-auth.ts';

/** Response header naming the worker that answered (the cluster test and operators read it). */
export const WORKER_HEADER = 'x-arc-worker';

function send(message: WorkerMessage): void {
  process.send?.(message);
}

/** A worker of the cluster: waits for its role from the primary, then runs the full node or a gateway worker. */
export async function runWorker(): Promise<void> {
  const role = await new Promise<WorkerRole>((resolve) => {
    const onRole = (message: PrimaryMessage) => {
      if (message.type !== 'arc:role') return;
      process.off('message', onRole);
      resolve(message);
    };
    process.on('message', onRole);
    send({ type: 'arc:hello' });
  });
  if (role.role === 'node') await runFullNode();
  else await runGatewayWorker(role.index, role.nodeUrl);
}

/** Takes the connections the primary hands over, with the bytes it read to route them. */
function acceptHandedConnections(server: Server): void {
  process.on('message', (message: PrimaryMessage, handle: unknown) => {
    if (message.type !== 'arc:connection' || handle === undefined) return;
    const connection = handle as import('node:net').Socket;
    server.emit('connection', connection);
    connection.emit('data', Buffer.from(message.head, 'base64'));
    connection.resume();
  });
}

/** Session ids name this worker's slot (`workerSessionId`), so the primary sends their later requests back here. */
function tagSessions(io: SocketServer, slot: number): void {
  const engine = io.engine as unknown as { generateId: () => string };
  engine.generateId = () => workerSessionId(slot, randomBytes(15).toString('base64url'));
}

/**
 * Chain and account topics are node-local in the hub (each node derives them from its own chain). In a cluster the
 * full node is the only one with a chain, so its chain events go to every worker's clients and hubs (for afterSeq).
 * Hook wanted in hub.ts instead: a `chainTopicsScope: 'cluster'` option (CLUSTER.md).
 */
function shareChainTopics(gateway: Gateway): void {
  const { hub } = gateway;
  const fanout = hub.fanout;
  hub.fanout = (event, scope) => {
    fanout(event, scope);
    // The other processes' clients hear it from their own hubs (forward → ingest → their rooms).
    if (scope === 'local') hub.forward(event);
  };
}

async function runFullNode(): Promise<void> {
  const env = parseEnv(process.env);
  const options = await nodeOptionsFromEnv(env);
  if (!options.gateway?.redis) throw new Error('a cluster needs REDIS_URL: its workers share topics through Redis');
  // The public port belongs to the primary; the full node listens on loopback for the gateway workers' requests.
  const node = await startNode({ ...options, host: '127.0.0.1', port: 0 });
  const gateway = node.services.gateway;
  if (!gateway) throw new Error('the node started without its gateway');
  shareChainTopics(gateway);
  tagSessions(gateway.socket.io, 0);
  node.server.prependListener('request', (_req, res) => res.setHeader(WORKER_HEADER, 'node'));
  acceptHandedConnections(node.server);
  process.on('message', (message: WorkerMessage) => {
    if (message.type === 'arc:auth') void answerAuth(gateway.auth, message).then((reply) => process.send?.(reply));
  });
  console.log(`full node (worker 0) of chain ${options.genesis.chainId} inside at ${node.url}`);
  send({ type: 'arc:ready', url: node.url });
  const shutdown = () => {
    node.close().then(
      () => process.exit(0),
      (error: Error) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  // Ctrl-C reaches every process of the terminal's group; the primary decides the order.
  process.on('SIGINT', () => undefined);
}

async function runGatewayWorker(index: number, nodeUrl: string): Promise<void> {
  const env = parseEnv(process.env);
  const options = await nodeOptionsFromEnv(env);
  const redis = options.gateway?.redis;
  if (!redis) throw new Error('a cluster needs REDIS_URL: its workers share topics through Redis');
  const auth = new RemoteAuth(send);
  process.on('message', (message: PrimaryMessage) => auth.onMessage(message));
  const gateway = await startStandaloneGateway({
    host: '127.0.0.1',
    port: 0,
    listen: false,
    redis,
    limits: { ...DEFAULT_GATEWAY_LIMITS, ...options.gateway?.limits },
    nodeId: `gateway-${index}@${hostname()}:${process.pid}`,
    auth,
    upstreamUrl: nodeUrl,
    headers: { [WORKER_HEADER]: `gateway-${index}` },
    ...(options.corsOrigins ? { corsOrigins: options.corsOrigins } : {}),
    now: Date.now,
    log: (line) => console.log(line),
  });
  tagSessions(gateway.socket.io, index);
  acceptHandedConnections(gateway.server);
  send({ type: 'arc:ready', url: null });
  process.once('SIGTERM', () => {
    void gateway.close().then(() => process.exit(0));
  });
  process.on('SIGINT', () => undefined);
}
