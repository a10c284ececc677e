import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Io } from './context.ts';

/** An Io that records what the CLI prints, for tests. */
export function captureIo(env: Record<string, string | undefined> = {}, fetch?: typeof globalThis.fetch) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => out.push(t), err: (t) => err.push(t), env, ...(fetch ? { fetch } : {}) };
  return { io, out, err, stdout: () => out.join('\n'), stderr: () => err.join('\n') };
}

const BIN = fileURLToPath(new URL('../bin/arc.mjs', import.meta.url));
const exec = promisify(execFile);

/** Runs the real `arc` binary with only these environment variables; answers its exit status and output. */
export async function runArc(env: Record<string, string | undefined>, args: string[], timeoutMs = 30_000) {
  try {
    const { stdout, stderr } = await exec(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH, ...env },
      timeout: timeoutMs,
    });
    return { status: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { status: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
