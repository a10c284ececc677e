import { createHash } from 'node:crypto';
import { mkdir, realpath, rm } from 'node:fs/promises';
import { connect, createServer, type Server } from 'node:net';
import { basename, dirname, join } from 'node:path';

/** Connecting to a fallback lock socket to see whether its holder lives: a live holder accepts at once. */
const LIVENESS_CONNECT_TIMEOUT_MS = 2000;

/** The typed refusal of a data folder another process holds. */
export class DataDirLocked extends Error {
  constructor(readonly dir: string) {
    super(`another node is using ${dir}; stop it or set another DATA_DIR`);
    this.name = 'DataDirLocked';
  }
}

/**
 * The lock's name. On Linux a socket in the abstract namespace: binding it is atomic and exclusive, and
 * the kernel releases it when the process dies however it dies (kill -9 included), so there is no file
 * to go stale and no pid to be reused. Elsewhere a socket file beside the folder (see lockDataDir).
 */
async function lockAddress(dir: string): Promise<{ address: string; file: string | null }> {
  // The folder may not exist yet (it is created by rename); its parent does.
  const canonical = join(await realpath(dirname(dir)), basename(dir));
  if (process.platform === 'linux') {
    const digest = createHash('sha256').update(canonical).digest('hex').slice(0, 40);
    return { address: `\0arc-node-data-dir-${digest}`, file: null };
  }
  return { address: `${canonical}.lock.sock`, file: `${canonical}.lock.sock` };
}

function listen(server: Server, address: string): Promise<'held' | 'taken'> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE') resolve('taken');
      else reject(error);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve('held');
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(address);
  });
}

/** Whether a process accepts on this socket file (a file left by a dead holder refuses). */
function holderAlive(file: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = connect(file);
    socket.setTimeout(LIVENESS_CONNECT_TIMEOUT_MS, () => {
      socket.destroy();
      resolve(true); // a holder too busy to accept is still a holder
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED' || error.code === 'ENOENT') resolve(false);
      else reject(error);
    });
  });
}

/**
 * Takes the data folder for this process, or throws DataDirLocked: two nodes on one PGlite folder
 * would corrupt it. The lock is a listening Unix socket, released by the kernel when this process
 * ends, so a node killed with SIGKILL never blocks the next start. The returned function releases it.
 *
 * On Linux (abstract namespace) the lock cannot race. Elsewhere a socket file left by a dead process
 * is removed when connecting to it is refused; two starts that find the same stale file at the same
 * moment could both take it (the abstract namespace exists only on Linux).
 */
export async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  await mkdir(dirname(dir), { recursive: true });
  const { address, file } = await lockAddress(dir);
  const server = createServer((socket) => socket.destroy());
  // The lock must not keep the process alive on its own.
  server.unref();
  let state = await listen(server, address);
  if (state === 'taken' && file !== null && !(await holderAlive(file))) {
    await rm(file, { force: true });
    state = await listen(server, address);
  }
  if (state === 'taken') throw new DataDirLocked(dir);
  let released: Promise<void> | null = null;
  return () => {
    released ??= new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    return released;
  };
}
