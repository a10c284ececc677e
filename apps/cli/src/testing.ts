import type { Io } from './context.ts';

/** An Io that records what the CLI prints, for tests. */
export function captureIo(env: Record<string, string | undefined> = {}, fetch?: typeof globalThis.fetch) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => out.push(t), err: (t) => err.push(t), env, ...(fetch ? { fetch } : {}) };
  return { io, out, err, stdout: () => out.join('\n'), stderr: () => err.join('\n') };
}
