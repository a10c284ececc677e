import cluster, { type Worker } from 'node:cluster';
import { createServer, type Socket } from 'node:net';
import { readHead } from './hand-over.ts';
import { CLUSTER_LIMITS, type PrimaryMessage, sidOfRequestHead, slotOfSessionId, type WorkerMessage, type WorkerRole } from './messages.ts';

export interface PrimaryOptions {
  host: string;
  port: number;
  /** Worker processes in all: one full node and `workers - 1` gateway workers. */
  workers: number;
  log: (line: string) => void;
}

/**
 * The primary of a cluster on one machine: forks the full node (worker 0) and the gateway workers, then owns the
 * public port and hands each TCP connection to a worker — to the worker its engine.io sid names when its first
 * request carries one (`workerSessionId`), round-robin otherwise — so HTTP long-polling stays on the worker holding
 * its session.
 */
export async function runPrimary(options: PrimaryOptions): Promise<void> {
  const { log } = options;
  /** Auth questions passed on to the full node, by the id the primary gave them: who asked, under which id. */
  const authAsks = new Map<number, { worker: Worker; id: number }>();
  let nextAuthId = 1;
  let node: Worker | null = null;
  const gateways: (Worker | null)[] = [];
  const restartsAtMs: number[] = [];
  let stopping = false;

  const send = (worker: Worker, message: PrimaryMessage, handle?: Socket) => {
    if (handle) worker.send(message, handle, { keepOpen: false }, (error) => error && handle.destroy());
    else worker.send(message);
  };

  const onMessage = (worker: Worker) => (message: WorkerMessage) => {
    if (message.type === 'arc:auth') {
      if (node === null || authAsks.size >= CLUSTER_LIMITS.authPendingMax) {
        const reply: PrimaryMessage = {
          type: 'arc:auth-reply',
          id: message.id,
          ok: false,
          code: 'RATE_LIMITED',
          message: 'The node is busy; retry.',
        };
        return void worker.send(reply);
      }
      const id = nextAuthId++;
      authAsks.set(id, { worker, id: message.id });
      node.send({ ...message, id });
    }
  };

  const fork = (role: WorkerRole, label: string): Promise<{ worker: Worker; url: string | null }> =>
    new Promise((resolve, reject) => {
      const worker = cluster.fork();
      const timer = setTimeout(
        () => reject(new Error(`the ${label} did not start within ${CLUSTER_LIMITS.workerReadyTimeoutMs / 1000} s`)),
        CLUSTER_LIMITS.workerReadyTimeoutMs,
      );
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'arc:hello') send(worker, { type: 'arc:role', ...role });
        if (message.type !== 'arc:ready') return;
        clearTimeout(timer);
        resolve({ worker, url: message.url });
      });
      worker.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the ${label} exited (${signal ?? code}) before it was ready`));
      });
      worker.on('message', onMessage(worker));
    });

  const started = await fork({ role: 'node' }, 'full node (worker 0)');
  const fullNode = started.worker;
  node = fullNode;
  const nodeUrl = started.url as string;
  fullNode.on('message', (message: PrimaryMessage) => {
    if (message.type !== 'arc:auth-reply') return;
    const ask = authAsks.get(message.id);
    authAsks.delete(message.id);
    if (ask && !ask.worker.isDead()) ask.worker.send({ ...message, id: ask.id });
  });
  fullNode.once('exit', (code, signal) => {
    if (stopping) return;
    log(`the full node (worker 0) ${signal ? `was killed by ${signal}` : `exited with code ${code}`}; stopping the cluster`);
    void stop(1);
  });

  const startGateway = async (index: number): Promise<void> => {
    const { worker } = await fork({ role: 'gateway', index, nodeUrl }, `gateway worker ${index}`);
    gateways[index - 1] = worker;
    worker.once('exit', (code, signal) => {
      gateways[index - 1] = null;
      if (stopping) return;
      const now = Date.now();
      restartsAtMs.push(now);
      while ((restartsAtMs[0] ?? now) < now - 60_000) restartsAtMs.shift();
      if (restartsAtMs.length > CLUSTER_LIMITS.gatewayRestartsPerMinuteMax) {
        log(`gateway workers stopped ${restartsAtMs.length} times within a minute; stopping the cluster`);
        return void stop(1);
      }
      log(`gateway worker ${index} ${signal ? `was killed by ${signal}` : `exited with code ${code}`}; starting it again`);
      startGateway(index).catch((error: Error) => {
        log(error.message);
        void stop(1);
      });
    });
  };
  for (let index = 1; index < options.workers; index++) await startGateway(index);

  let next = 0;
  const pick = (head: string): Worker => {
    const sid = sidOfRequestHead(head);
    const slot = sid === null ? null : slotOfSessionId(sid);
    const holder = slot === null ? null : slot === 0 ? fullNode : (gateways[slot - 1] ?? null);
    if (holder && !holder.isDead()) return holder;
    const live = [fullNode, ...gateways.filter((w): w is Worker => w !== null && !w.isDead())];
    next = (next + 1) % live.length;
    return live[next] as Worker;
  };
  const server = createServer({ pauseOnConnect: true }, (connection) =>
    readHead(connection, CLUSTER_LIMITS.firstBytesTimeoutMs, (head) =>
      send(pick(head.toString('latin1')), { type: 'arc:connection', head: head.toString('base64') }, connection),
    ),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });

  const stop = async (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    server.close();
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
    const killTimer = setTimeout(() => {
      for (const worker of workers) worker.process.kill('SIGKILL');
    }, CLUSTER_LIMITS.stopTimeoutMs);
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve) => {
            worker.once('exit', () => resolve());
            worker.process.kill('SIGTERM');
          }),
      ),
    );
    clearTimeout(killTimer);
    process.exit(exitCode);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      log(`${signal}: stopping the gateway workers and the full node`);
      void stop(0);
    });
  const address = server.address();
  const port = address !== null && typeof address === 'object' ? address.port : options.port;
  // start.mjs waits for this line; the workers never print it.
  log(`node listening on http://${options.host}:${port} (cluster of ${options.workers} workers; full node inside at ${nodeUrl})`);
}
