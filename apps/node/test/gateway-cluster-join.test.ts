import { connect, createServer, type Server } from 'node:net';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { type StandaloneGateway, startStandaloneGateway } from '../src/gateway/standalone.ts';
import { DEFAULT_GATEWAY_LIMITS } from '../src/gateway/types.ts';
import { redisUrl } from './helpers/reachable.ts';
import { until } from './helpers/realtime.ts';

/** Gateways started one after another; the first publishes to each the moment it is up. */
const JOINS = 6;
/** What every new connection to Redis waits before it reaches Redis (a Redis a network hop away, under load). */
const CONNECT_DELAY_MS = 200;

const redis = await redisUrl();

/**
 * Cross-process delivery goes through Redis Pub/Sub (the streams adapter sends serverSideEmit that way), whose
 * subscription the adapter makes after it is constructed. A process that says it started must already hear the
 * others: what they publish the moment it is up reaches its clients, not only what comes later.
 */
describe.skipIf(redis === null)('gateway cluster: a process that started hears the others at once', () => {
  const keyPrefix = `arc-test-join-${process.pid}-${Date.now()}`;
  const started: StandaloneGateway[] = [];
  let proxy: Server;
  let proxyUrl = '';

  beforeAll(async () => {
    const target = new URL(redis as string);
    proxy = createServer((client) => {
      client.pause();
      const timer = setTimeout(() => {
        const upstream = connect(Number(target.port || 6379), target.hostname);
        client.pipe(upstream).pipe(client);
        client.resume();
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
      }, CONNECT_DELAY_MS);
      client.on('close', () => clearTimeout(timer));
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const address = proxy.address();
    if (address === null || typeof address === 'string') throw new Error('the proxy has no port');
    proxyUrl = `redis://127.0.0.1:${address.port}`;
  });

  function start(index: number): Promise<StandaloneGateway> {
    return startStandaloneGateway({
      host: '127.0.0.1',
      port: 0,
      listen: false,
      redis: { url: proxyUrl, keyPrefix },
      limits: DEFAULT_GATEWAY_LIMITS,
      nodeId: `join-${index}`,
      now: Date.now,
      log: () => undefined,
    });
  }

  afterAll(async () => {
    for (const gateway of started) await gateway.close();
    proxy?.close();
    const cleanup = createClient({ url: redis as string });
    await cleanup.connect();
    const keys: string[] = [];
    for await (const batch of cleanup.scanIterator({ MATCH: `${keyPrefix}*`, COUNT: 500 })) keys.push(...batch);
    if (keys.length > 0) await cleanup.del(keys);
    await cleanup.close();
  });

  it('delivers what another process publishes the moment start returns, over a Redis slow to connect to', async () => {
    const first = await start(0);
    started.push(first);
    for (let i = 1; i <= JOINS; i++) {
      const joined = await start(i);
      started.push(joined);
      const topic = `chat:join-${i}`;
      const event = await first.hub.publishAs(topic, { i }, null);
      await until(() => joined.hub.currentSeq(topic) === event.seq, 5_000, `process ${i} to hear its first event`);
    }
  });
});
