import type { Server as HttpServer } from 'node:http';
import { createClient } from 'redis';
import type { CorsOrigins } from '../config/cors.ts';
import type { Database } from '../db/client.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { TopicBus } from '../runtime/topics.ts';
import { GatewayAuthService } from './auth.ts';
import { GatewayHub } from './hub.ts';
import { HubBridges } from './hub-bridges.ts';
import { clusterAdapter, joinRedisCluster } from './redis-cluster.ts';
import { SocketGateway } from './socket.ts';
import type { GatewayLimits } from './types.ts';

export interface GatewayRedisOptions {
  url: string;
  /** Keys and streams of one cluster; nodes sharing a Redis but not a cluster need different prefixes. */
  keyPrefix?: string;
}

export interface GatewayOptions {
  server: HttpServer;
  db: Database;
  ledger: Ledger;
  bus: TopicBus;
  blockletOwner: (name: string) => Promise<string | null>;
  limits: GatewayLimits;
  nodeId: string;
  /** A cloud node's processes share their sign-in challenges (gateway/auth.ts). */
  challengeSecret?: Uint8Array;
  /** Web pages whose browsers may connect (config/cors.ts); any when absent. */
  corsOrigins?: CorsOrigins;
  redis?: GatewayRedisOptions;
  now: () => number;
  log: (line: string) => void;
}

/** The running gateway of a node: auth, hub and its bridges, and the Socket.io protocol (MQTT and DDP attach to hub/auth). */
export interface Gateway {
  auth: GatewayAuthService;
  hub: GatewayHub;
  bridges: HubBridges;
  socket: SocketGateway;
  close(): Promise<void>;
}

/** The server-side event that tells the other nodes an API key was revoked (its key id). */
const API_KEY_REVOKED_EVENT = 'arc:gateway:api-key-revoked';

/** Starts the gateway on the node's HTTP server (with REDIS_URL: the Redis streams adapter and shared seqs). */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { limits, now, log } = options;
  const auth = new GatewayAuthService({
    db: options.db,
    limits,
    now,
    blockletOwner: options.blockletOwner,
    ...(options.challengeSecret ? { challengeSecret: options.challengeSecret } : {}),
  });
  const hub = new GatewayHub({ auth, limits, nodeId: options.nodeId, now, log });
  let redis: ReturnType<typeof createClient> | null = null;
  if (options.redis) {
    redis = createClient({ url: options.redis.url });
    redis.on('error', (error: Error) => log(`gateway redis: ${error.message}`));
    await redis.connect();
  }
  const prefix = options.redis?.keyPrefix ?? 'arc';
  const socket = new SocketGateway({
    server: options.server,
    hub,
    auth,
    limits,
    now,
    log,
    ...(options.corsOrigins ? { corsOrigins: options.corsOrigins } : {}),
    ...(redis ? { adapter: clusterAdapter(redis, prefix) as never } : {}),
  });
  if (redis) {
    try {
      // The cluster's epoch lives in Redis beside the counters: a Redis that lost them gives a new one.
      await joinRedisCluster({ io: socket.io, hub, redis, prefix, now });
    } catch (error) {
      await socket.close();
      if (redis.isOpen) await redis.close();
      throw error;
    }
    socket.io.on(API_KEY_REVOKED_EVENT as never, (keyId: string) => socket.dropApiKey(keyId));
  }
  // A revoked key's connections go at once: this node's, and (through Redis) the other nodes'.
  auth.onApiKeyRevoked((keyId) => {
    socket.dropApiKey(keyId);
    if (redis) socket.io.serverSideEmit(API_KEY_REVOKED_EVENT, keyId);
  });
  const bridges = new HubBridges(hub, { ledger: options.ledger, db: options.db, bus: options.bus, log });
  bridges.start();
  let closing: Promise<void> | null = null;
  return {
    auth,
    hub,
    bridges,
    socket,
    close: () => {
      closing ??= (async () => {
        bridges.stop();
        await bridges.idle();
        await socket.close();
        if (redis?.isOpen) await redis.close();
      })();
      return closing;
    },
  };
}
