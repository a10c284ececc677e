import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpStatusOf } from '@arc/core';
import { createClient } from 'redis';
import type { CorsOrigins } from '../config/cors.ts';
import { GatewayHub } from './hub.ts';
import { clusterAdapter, joinRedisCluster } from './redis-cluster.ts';
import type { GatewayRedisOptions } from './service.ts';
import { SocketGateway } from './socket.ts';
import { type GatewayAuth, GatewayError, type GatewayLimits, gatewayErrorPayload, type Principal } from './types.ts';

/**
 * A gateway-only process of a cluster (CLUSTER.md): an HTTP server with the gateway's Socket.io layer and a hub
 * whose events reach the other processes through the Redis streams adapter. No ledger, no database: chain events
 * come from the one full node of the cluster, through Redis.
 */

export const STANDALONE_LIMITS = {
  /** How long a request passed on to the full node may take before it is answered 504. */
  upstreamTimeoutMs: 30_000,
} as const;

export interface StandaloneGatewayOptions {
  host: string;
  /** 0 for a free port; ignored when `listen` is false (the cluster primary hands connections over). */
  port: number;
  listen?: boolean;
  redis: GatewayRedisOptions;
  limits: GatewayLimits;
  /** Unique per process: it names the events this process numbers. */
  nodeId: string;
  /** Who may subscribe and publish; public topics for anonymous clients only, without one. */
  auth?: GatewayAuth;
  /** The full node every request other than /socket.io is passed on to; 404 without one. */
  upstreamUrl?: string;
  /** Web pages whose browsers may connect (config/cors.ts); any when absent. */
  corsOrigins?: CorsOrigins;
  /** Extra response headers (the cluster names its worker). */
  headers?: Record<string, string>;
  now: () => number;
  log: (line: string) => void;
}

export interface StandaloneGateway {
  /** Empty when not listening. */
  url: string;
  server: Server;
  hub: GatewayHub;
  socket: SocketGateway;
  close(): Promise<void>;
}

/**
 * The rules for a process that cannot read sessions, keys or topic rules: anonymous clients on the topics anyone
 * may read (chain, account, chat). Credentials are refused with a sentence saying why.
 */
export class PublicOnlyAuth implements GatewayAuth {
  constructor(readonly now: () => number) {}

  challenge(): { nonce: string; timeMs: number; expiresAtMs: number } {
    throw new GatewayError('NOT_FOUND', 'Log in through the node API (gateway.challenge), not a gateway-only process.');
  }

  async login(): Promise<{ token: string; principal: Principal }> {
    throw new GatewayError('NOT_FOUND', 'Log in through the node API (gateway.login), not a gateway-only process.');
  }

  async resolve(credential: string | null | undefined): Promise<Principal> {
    if (credential === null || credential === undefined || credential === '') return { kind: 'anonymous' };
    throw new GatewayError('UNAUTHORIZED', 'This gateway process cannot check credentials; connect without one or to the full node.');
  }

  async canSubscribe(_principal: Principal, topic: string): Promise<boolean> {
    return topic.startsWith('chain:') || topic.startsWith('account:') || topic.startsWith('chat:');
  }

  async canPublish(): Promise<boolean> {
    return false;
  }
}

/** Starts a gateway-only process: Socket.io with the Redis streams adapter, Redis seqs, hub events shared. */
export async function startStandaloneGateway(options: StandaloneGatewayOptions): Promise<StandaloneGateway> {
  const { limits, now, log } = options;
  const auth = options.auth ?? new PublicOnlyAuth(now);
  const hub = new GatewayHub({ auth, limits, nodeId: options.nodeId, now, log });
  const redis = createClient({ url: options.redis.url });
  redis.on('error', (error: Error) => log(`gateway redis: ${error.message}`));
  await redis.connect();
  const prefix = options.redis.keyPrefix ?? 'arc';
  const server = createServer((req, res) => {
    // Socket.io answers its own path before this handler runs; everything else belongs to the full node.
    if (options.upstreamUrl) passOn(options.upstreamUrl, req, res, Object.keys(options.headers ?? {}), log);
    else res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'NOT_FOUND' } }));
  });
  // The same adapter as service.ts (redis-cluster.ts), so full node and gateway-only processes meet.
  const socket = new SocketGateway({
    server,
    hub,
    auth,
    limits,
    now,
    log,
    ...(options.corsOrigins ? { corsOrigins: options.corsOrigins } : {}),
    adapter: clusterAdapter(redis, prefix) as never,
  });
  // Ahead of Socket.io's own listener, so its answers carry them too.
  server.prependListener('request', (_req, res) => {
    for (const [name, value] of Object.entries(options.headers ?? {})) res.setHeader(name, value);
  });
  try {
    // The same numbering and forwarding as service.ts: the cluster's epoch and the topic's counter from one script.
    await joinRedisCluster({ io: socket.io, hub, redis, prefix, now });
  } catch (error) {
    await socket.close();
    if (redis.isOpen) await redis.close();
    throw error;
  }
  let url = '';
  if (options.listen ?? true) {
    url = await new Promise<string>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => resolve(`http://${options.host}:${(server.address() as AddressInfo).port}`));
    });
  }
  let closing: Promise<void> | null = null;
  return {
    url,
    server,
    hub,
    socket,
    close: () => {
      closing ??= (async () => {
        await socket.close();
        server.closeAllConnections();
        if (redis.isOpen) await redis.close();
      })();
      return closing;
    },
  };
}

/** Passes one request on to the full node and its answer back (the API, /health, blocklets). */
function passOn(upstreamUrl: string, req: IncomingMessage, res: ServerResponse, ownHeaders: string[], log: (line: string) => void): void {
  const target = new URL(req.url ?? '/', upstreamUrl);
  const upstream = request(target, { method: req.method, headers: req.headers, timeout: STANDALONE_LIMITS.upstreamTimeoutMs }, (answer) => {
    const headers = { ...answer.headers };
    for (const name of ownHeaders) delete headers[name.toLowerCase()];
    res.writeHead(answer.statusCode ?? 502, headers);
    answer.pipe(res);
  });
  upstream.on('timeout', () => upstream.destroy(new Error(`no answer within ${STANDALONE_LIMITS.upstreamTimeoutMs} ms`)));
  upstream.on('error', (error) => {
    log(`gateway: could not pass ${req.method} ${target.pathname} on to the full node: ${error.message}`);
    const refusal = gatewayErrorPayload('UPSTREAM_UNAVAILABLE', 'The full node of this cluster did not answer; retry.');
    if (!res.headersSent) res.writeHead(httpStatusOf(refusal.code), { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: refusal }));
  });
  req.pipe(upstream);
}
