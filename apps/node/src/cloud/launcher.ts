import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { type Backend, RoundRobinProxy } from './proxy.ts';

/** Restarts of one process within a minute past which the launcher stops the node (something is wrong for good). */
const RESTARTS_PER_MINUTE_MAX = 5;

export interface LaunchOptions {
  processes: number;
  host: string;
  port: number;
  /** The MQTT port of process 0 (the others take the next ones), or off. */
  mqttPort: number | 'off';
  log: (line: string) => void;
}

interface Member {
  name: string;
  backend: Backend;
  child: ChildProcess | null;
  ready: boolean;
  restarts: number[];
}

/**
 * `--processes N` on one machine (cloud/README.md): starts N processes of one cloud node, each a whole node on its own
 * loopback port sharing DATABASE_URL and REDIS_URL, and a round-robin TCP proxy on HOST:PORT in front of them. A
 * process that dies is started again. On several machines, run each process with ARC_PROCESS and your own balancer.
 */
export async function launchProcesses(options: LaunchOptions): Promise<void> {
  const { processes, host, port, log } = options;
  const members: Member[] = Array.from({ length: processes }, (_, i) => ({
    name: `p${i + 1}`,
    backend: { host: '127.0.0.1', port: port + 1 + i },
    child: null,
    ready: false,
    restarts: [],
  }));
  let stopping = false;
  const proxy = new RoundRobinProxy(() => members.filter((m) => m.ready).map((m) => m.backend));
  const start = (member: Member, index: number) => {
    const env = {
      ...process.env,
      ARC_PROCESS: member.name,
      HOST: '127.0.0.1',
      PORT: String(member.backend.port),
      MQTT_PORT: options.mqttPort === 'off' ? 'off' : String(options.mqttPort + index),
    };
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1] as string], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    member.child = child;
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        if (/^node listening on /.test(line)) member.ready = true;
        else log(`[${member.name}] ${line}`);
      });
    }
    child.once('exit', (code, signal) => {
      member.ready = false;
      member.child = null;
      if (stopping) return;
      const now = Date.now();
      member.restarts = [...member.restarts.filter((t) => t > now - 60_000), now];
      log(`[${member.name}] exited (${signal ?? `code ${code}`})`);
      if (member.restarts.length > RESTARTS_PER_MINUTE_MAX) {
        log(`[${member.name}] restarted ${RESTARTS_PER_MINUTE_MAX} times within a minute; stopping the node`);
        void stop(1);
        return;
      }
      start(member, index);
    });
  };
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    const exits = members.flatMap((m) => (m.child ? [new Promise((resolve) => m.child?.once('exit', resolve))] : []));
    for (const m of members) m.child?.kill('SIGTERM');
    await Promise.all(exits);
    await proxy.close();
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));
  // The first process opens (or creates and seeds) the chain; the others start once it serves.
  const first = members[0] as Member;
  start(first, 0);
  while (!first.ready) {
    if (stopping) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  for (const [i, m] of members.entries()) if (i > 0) start(m, i);
  const url = `http://${host}:${await proxy.listen(port, host)}`;
  log(`${processes} processes: ${members.map((m) => `${m.name} on ${m.backend.host}:${m.backend.port}`).join(', ')}`);
  console.log(`node listening on ${url}`);
}
