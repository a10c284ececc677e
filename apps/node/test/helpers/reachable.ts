import { connect } from 'node:net';

/** How long a probe waits for a local service before calling it absent (local services answer at once). */
const PROBE_TIMEOUT_MS = 1000;

/** Whether something accepts TCP connections at host:port: tests of an optional local service skip without it. */
export function reachable(host: string, port: number, timeoutMs = PROBE_TIMEOUT_MS): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect({ host, port });
    const answer = (up: boolean) => {
      probe.destroy();
      resolve(up);
    };
    probe.setTimeout(timeoutMs, () => answer(false));
    probe.once('connect', () => answer(true));
    probe.once('error', () => answer(false));
  });
}

/** Redis at REDIS_URL, or the one of this machine when it answers; null when none does. */
export async function redisUrl(): Promise<string | null> {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const { hostname, port } = new URL(url);
  return (await reachable(hostname, Number(port || 6379))) ? url : null;
}
