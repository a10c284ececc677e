import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { Server as SocketIoServer } from 'socket.io';
import type { GatewayHub } from './hub.ts';
import { readClusterEpoch, redisSequencer } from './redis-sequencer.ts';
import type { TopicEvent } from './types.ts';

/** What the cluster needs of a Redis client (node-redis); any client type of either process fits. */
interface RedisClient {
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  PUBSUB_NUMSUB(channels: string): Promise<Record<string, number>>;
}

/** The server-side event hub events travel between processes under (full nodes and gateway-only processes). */
export const FORWARD_EVENT = 'arc:gateway:event';

export const REDIS_CLUSTER_LIMITS = {
  /** How long a process waits, at start, for Redis to confirm it hears the others before it refuses to start. */
  joinTimeoutMs: 15_000,
  /** Between two looks at whether the subscription is in place. */
  joinPollMs: 10,
  /** The streams adapter's stream readers only notice a close between reads: bound how long one outlives us. */
  blockTimeInMs: 1000,
} as const;

/** The adapter's channels under a cluster's prefix: the same in every process, so they meet. */
function channelPrefix(prefix: string): string {
  return `${prefix}:sio`;
}

/** The Socket.io adapter of every process of a cluster: one stream, session keys and channels per key prefix. */
export function clusterAdapter(redis: Parameters<typeof createAdapter>[0], prefix: string): ReturnType<typeof createAdapter> {
  return createAdapter(redis, {
    streamName: `${prefix}:socket.io`,
    sessionKeyPrefix: `${prefix}:sio:session:`,
    channelPrefix: channelPrefix(prefix),
    blockTimeInMs: REDIS_CLUSTER_LIMITS.blockTimeInMs,
  });
}

/**
 * Wires a hub to the cluster (shared numbering, forward → ingest) and waits until this process hears the others.
 * The streams adapter sends serverSideEmit over Redis Pub/Sub and subscribes on a connection of its own after it
 * is constructed, without saying when: a process that started before that subscription was in place lost what the
 * others published meanwhile (Pub/Sub keeps nothing). The adapter's private channel carries its uid, so Redis can
 * say when this very process is subscribed (PUBSUB NUMSUB): its public channel is subscribed in the same command.
 */
export async function joinRedisCluster(options: {
  io: SocketIoServer;
  hub: GatewayHub;
  redis: RedisClient;
  prefix: string;
  now: () => number;
  timeoutMs?: number;
}): Promise<void> {
  const { io, hub, redis, prefix, now } = options;
  hub.clusterEpoch = await readClusterEpoch(redis, prefix, now);
  hub.sequencer = redisSequencer(redis, prefix, now);
  hub.forward = (event) => io.serverSideEmit(FORWARD_EVENT, event);
  io.on(FORWARD_EVENT as never, (event: TopicEvent) => hub.ingest(event));
  const uid = (io.of('/').adapter as unknown as { uid?: unknown }).uid;
  if (typeof uid !== 'string') throw new Error('gateway: the Socket.io adapter has no uid; is it the Redis streams adapter?');
  const channel = `${channelPrefix(prefix)}#/#${uid}#`;
  const timeoutMs = options.timeoutMs ?? REDIS_CLUSTER_LIMITS.joinTimeoutMs;
  const started = Date.now();
  while (((await redis.PUBSUB_NUMSUB(channel))[channel] ?? 0) < 1) {
    if (Date.now() - started > timeoutMs)
      throw new Error(
        `gateway: Redis did not confirm this process's subscription within ${timeoutMs} ms; check that REDIS_URL allows SUBSCRIBE (Pub/Sub).`,
      );
    await new Promise((resolve) => setTimeout(resolve, REDIS_CLUSTER_LIMITS.joinPollMs));
  }
}
