import { closeSync, fsyncSync } from 'node:fs';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { NodeFS } from '@electric-sql/pglite/nodefs';

/**
 * What PGlite's Emscripten filesystem (NODEFS) looks like from its preRun hook: the parts this file
 * replaces. Its `stream_ops` object is shared by every open file, so patching it reaches them all.
 */
interface NodeFsModule {
  NODEFS: {
    stream_ops: Record<string, ((stream: NodeFsStream, ...args: unknown[]) => unknown) | undefined>;
    node_ops: Record<string, ((...args: unknown[]) => unknown) | undefined>;
    /** The host path of a node of the mounted folder. */
    realPath(node: unknown): string;
  };
}

/**
 * The entry points PGlite's protocol loop (`execProtocolRawSync`) calls through the module object. That
 * loop swallows every exception but PostgreSQL's longjmp and runs PostgreSQL again until its input is
 * consumed; after a fault it never is, so the loop would spin forever on the JavaScript thread.
 */
interface PgliteModule extends NodeFsModule {
  _PostgresMainLoopOnce: () => void;
  stackRestore: (stackPointer: number) => void;
  _PostgresSendReadyForQueryIfNecessary: () => void;
  _pgl_pq_flush: () => void;
}

interface NodeFsStream {
  nfd?: number;
  shared?: { refcount?: number };
  node?: { name?: string };
  path?: string;
}

/** Where PGlite mounts the data folder inside its filesystem. */
const PGLITE_MOUNT = '/pglite/data';

/** Errors of the storage itself (not of a missing file PostgreSQL probes for): the data folder cannot take writes. */
const STORAGE_FAULT_CODES = new Set(['EROFS', 'EPERM', 'EACCES', 'EIO', 'ENOSPC', 'EDQUOT', 'EFBIG', 'ENXIO', 'ESTALE']);

/** The storage under the database failed a write or a sync: the database can no longer be trusted to persist anything. */
export class StorageFault extends Error {
  constructor(
    readonly code: string,
    readonly operation: string,
    readonly path: string,
    cause: unknown,
  ) {
    super(`storage error ${code} on ${operation} of ${path}`, { cause });
    this.name = 'StorageFault';
  }
}

/** Write-side operations of NODEFS: a storage error in one of them is a fault, never a retryable SQL error. */
const WRITE_STREAM_OPS = ['write', 'msync', 'setattr', 'open'] as const;
const WRITE_NODE_OPS = ['setattr', 'mknod', 'rename', 'unlink', 'rmdir', 'symlink'] as const;

/**
 * PGlite's Node filesystem with two changes:
 * - fsync reaches the disk. PGlite starts PostgreSQL with fsync off (`-F`) and its NODEFS has no
 *   fsync, so a commit was only in the page cache; with `fsync` on and `wal_sync_method=fsync`
 *   PostgreSQL's own commit path (XLogFlush) syncs the WAL before COMMIT returns, and checkpoints
 *   sync the data files they wrote, as on a PostgreSQL server.
 * - A storage error (read-only folder, I/O error, full disk) stops the call as a {@link StorageFault}
 *   thrown out of the WebAssembly instead of an errno handed to PostgreSQL, whose error path inside
 *   PGlite can spin forever on the JavaScript thread (the node then answers nothing, not even SIGTERM).
 *   After a fault the instance is abandoned: {@link DurableNodeFS.releaseFiles} closes its files.
 */
export class DurableNodeFS extends NodeFS {
  /** The first storage fault seen, if any: the instance must not be used after one. */
  fault: StorageFault | null = null;
  private readonly openFds = new Set<number>();

  override async init(pg: PGlite, opts: Parameters<NodeFS['init']>[1]) {
    const { emscriptenOpts } = await super.init(pg, opts);
    const preRun = [...((emscriptenOpts.preRun as ((module: unknown) => void)[] | undefined) ?? [])];
    preRun.push((module) => {
      this.patchFiles(module as PgliteModule);
      this.patchProtocolLoop(module as PgliteModule);
    });
    return { emscriptenOpts: { ...emscriptenOpts, preRun } as typeof emscriptenOpts };
  }

  /** Closes every file the abandoned instance held open (after a fault its PostgreSQL never closes them). */
  releaseFiles(): void {
    for (const fd of this.openFds) closeSync(fd);
    this.openFds.clear();
  }

  /**
   * After a fault, PostgreSQL is never run again: the loop's catch calls `stackRestore`, which then
   * rethrows the fault out of the loop, so the pending query rejects with it instead of spinning.
   */
  private patchProtocolLoop(module: PgliteModule): void {
    const loopOnce = module._PostgresMainLoopOnce;
    const stackRestore = module.stackRestore;
    const readyForQuery = module._PostgresSendReadyForQueryIfNecessary;
    const flush = module._pgl_pq_flush;
    module._PostgresMainLoopOnce = () => {
      if (this.fault) throw this.fault;
      loopOnce();
    };
    module.stackRestore = (stackPointer) => {
      stackRestore(stackPointer);
      if (this.fault) throw this.fault;
    };
    module._PostgresSendReadyForQueryIfNecessary = () => {
      if (!this.fault) readyForQuery();
    };
    module._pgl_pq_flush = () => {
      if (!this.fault) flush();
    };
  }

  private patchFiles(module: NodeFsModule): void {
    const { stream_ops: streamOps, node_ops: nodeOps } = module.NODEFS;
    streamOps.fsync = (stream) => {
      if (stream.nfd !== undefined) fsyncSync(stream.nfd);
      return 0;
    };
    for (const name of [...WRITE_STREAM_OPS, 'fsync'] as const) {
      const original = streamOps[name];
      if (!original) continue;
      streamOps[name] = (stream, ...args) => this.guard(name, stream.path ?? stream.node?.name ?? '?', () => original(stream, ...args));
    }
    const open = streamOps.open;
    const close = streamOps.close;
    if (open && close) {
      streamOps.open = (stream, ...args) => {
        const result = open(stream, ...args);
        if (stream.nfd !== undefined) this.openFds.add(stream.nfd);
        return result;
      };
      streamOps.close = (stream, ...args) => {
        const fd = stream.nfd;
        const result = close(stream, ...args);
        // NODEFS closes the descriptor when its last stream closes; forget it then.
        if (fd !== undefined && stream.shared?.refcount === 0) this.openFds.delete(fd);
        return result;
      };
    }
    for (const name of WRITE_NODE_OPS) {
      const original = nodeOps[name];
      if (!original) continue;
      // (parent node, name, …) or (node, attributes): the host path of what the operation touches.
      const target = (args: unknown[]) => {
        const path = module.NODEFS.realPath(args[0]);
        return typeof args[1] === 'string' ? join(path, args[1]) : path;
      };
      nodeOps[name] = (...args) => this.guard(name, target(args), () => original(...args));
    }
  }

  /** Runs one filesystem operation; a storage error becomes a fault that unwinds PGlite's call. */
  private guard<T>(operation: string, path: string, run: () => T): T {
    if (this.fault) throw this.fault;
    try {
      return run();
    } catch (error) {
      const code = errnoCode(error);
      if (code === null || !STORAGE_FAULT_CODES.has(code)) throw error;
      // Stream paths are PGlite's (under its mount point); name the host file.
      const hostPath = path.startsWith(`${PGLITE_MOUNT}/`) ? join(this.rootDir, path.slice(PGLITE_MOUNT.length)) : path;
      this.fault = new StorageFault(code, operation, hostPath, error);
      throw this.fault;
    }
  }
}

/** The errno name of an error from Node's fs, or from Emscripten's FS (which keeps the Node error as its cause only by errno number). */
function errnoCode(error: unknown): string | null {
  const node = error as NodeJS.ErrnoException;
  if (typeof node.code === 'string') return node.code;
  const emscripten = error as { name?: string; errno?: number };
  if (emscripten.name === 'ErrnoError' && typeof emscripten.errno === 'number') return EMSCRIPTEN_ERRNO[emscripten.errno] ?? null;
  return null;
}

/** Emscripten's (WASI) errno numbers of the storage errors, as NODEFS converts Node's codes. */
const EMSCRIPTEN_ERRNO: Record<number, string> = {
  2: 'EACCES',
  19: 'EDQUOT',
  22: 'EFBIG',
  29: 'EIO',
  51: 'ENOSPC',
  60: 'ENXIO',
  63: 'EPERM',
  69: 'EROFS',
  72: 'ESTALE',
};
