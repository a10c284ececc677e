import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, readdir, rm, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import {
  bytesEqual,
  decodeHeader,
  decodeSeal,
  type GenesisConfig,
  genesisHashOf,
  SnapshotError,
  SnapshotLineSplitter,
  SnapshotReader,
  type StateEntry,
  snapshotEndLine,
  snapshotEntryLine,
  snapshotHeadLine,
  toHex,
} from '@arc/core';
import type { Database } from '../db/client.ts';
import type { Ledger } from './ledger.ts';
import { writeState } from './state-rows.ts';
import { insertBlock, LedgerStore, PARAMS_DID, SNAPSHOT_FROM, TOKEN_BALANCES_INDEXED } from './store.ts';
import { TrieFold } from './trie-rows.ts';

/**
 * State snapshots (core's snapshot.ts format, gzip-compressed): a node writes one of its head for GET /snapshot, and a
 * fresh node starts from one (SNAPSHOT_FILE) instead of replaying from genesis.
 */

export const SNAPSHOT_LIMITS = {
  /** A snapshot made less than this long ago is served again instead of another being made (each pauses blocks). */
  reuseMs: 60_000,
  /**
   * ...and for at least this many times as long as making it paused blocks: whoever asks for snapshots back to back
   * holds blocks for at most about a tenth of the time, however large the state.
   */
  reusePauseFactor: 10,
  /** State entries written to the database per statement when a node starts from a snapshot. */
  importBatch: 2_000,
} as const;

interface Made {
  path: string;
  height: number;
  entries: number;
  bytes: number;
  atMs: number;
  /** How long blocks were paused while it was written. */
  pausedMs: number;
}

/** Writes lines to a stream, waiting whenever it asks to. */
async function writeLine(out: Writable, line: string): Promise<void> {
  if (!out.write(`${line}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
}

/** Snapshot folders are named for the process that made them: `arc-snapshot-<pid>-<random>`. */
const FOLDER_PREFIX = 'arc-snapshot-';
const FOLDER_PATTERN = /^arc-snapshot-(\d+)-/;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Deletes the snapshot folders of node processes that are gone: a node killed while it held a snapshot (a million
 * accounts: about 150 MB) never ran its close. A folder whose process still runs is left alone.
 */
export async function sweepStaleFolders(parent: string = tmpdir()): Promise<number> {
  let swept = 0;
  for (const name of await readdir(parent).catch(() => [] as string[])) {
    const pid = Number(FOLDER_PATTERN.exec(name)?.[1]);
    if (!Number.isSafeInteger(pid) || pid === process.pid || processAlive(pid)) continue;
    await rm(join(parent, name), { recursive: true, force: true });
    swept += 1;
  }
  return swept;
}

/**
 * Makes snapshots of the head into a private temporary folder: blocks pause while the state is read (at one head),
 * not while a client downloads (a slow reader cannot hold the chain). Requests that come while one is made, or within
 * `reuseMs` of it, get that one.
 */
export class SnapshotExports {
  private folder: Promise<string> | null = null;
  private latest: Made | null = null;
  private making: Promise<Made> | null = null;

  constructor(
    private readonly ledger: Ledger,
    private readonly log: (line: string) => void,
  ) {}

  async current(): Promise<Made> {
    const latest = this.latest;
    if (latest && Date.now() - latest.atMs < Math.max(SNAPSHOT_LIMITS.reuseMs, latest.pausedMs * SNAPSHOT_LIMITS.reusePauseFactor)) {
      return latest;
    }
    this.making ??= this.make().finally(() => {
      this.making = null;
    });
    return this.making;
  }

  async close(): Promise<void> {
    await this.making?.catch(() => undefined);
    if (this.folder) await rm(await this.folder, { recursive: true, force: true });
  }

  private async make(): Promise<Made> {
    this.folder ??= sweepStaleFolders().then(() => mkdtemp(join(tmpdir(), `${FOLDER_PREFIX}${process.pid}-`)));
    const path = join(await this.folder, `${Date.now()}.ndjson.gz`);
    const started = performance.now();
    const written = await this.ledger.atRest(() => this.write(path));
    const made = { ...written, pausedMs: performance.now() - started };
    const previous = this.latest;
    this.latest = made;
    if (previous) await rm(previous.path, { force: true });
    this.log(
      `wrote a snapshot at height ${made.height}: ${made.entries} state entries, ${Math.round(made.bytes / 1024)} KiB, blocks paused ${Math.round(made.pausedMs)} ms`,
    );
    return made;
  }

  private async write(path: string): Promise<Omit<Made, 'pausedMs'>> {
    const { ledger } = this;
    const store = new LedgerStore(ledger.db);
    const height = ledger.head.height;
    const [block] = await ledger.db.query<{ header: Uint8Array; seal: Uint8Array }>('SELECT header, seal FROM blocks WHERE height = $1', [
      height,
    ]);
    const meta = (await store.getMeta('chain')) as { genesisHash: string } | undefined;
    if (!block || !meta) throw new Error(`block ${height} or the chain's metadata is missing`);
    const gzip = createGzip();
    const file = createWriteStream(path, { mode: 0o600 });
    gzip.pipe(file);
    let entries = 0;
    try {
      const header = decodeHeader(new Uint8Array(block.header));
      const seal = decodeSeal(new Uint8Array(block.seal));
      await writeLine(
        gzip,
        snapshotHeadLine({
          chainId: ledger.chainId,
          height,
          header,
          seal,
          genesisHash: meta.genesisHash,
          genesis: ledger.options.genesis,
          nodeDid: ledger.paramsDid,
        }),
      );
      for await (const page of store.allState()) {
        for (const entry of page) await writeLine(gzip, snapshotEntryLine(entry));
        entries += page.length;
      }
      await writeLine(gzip, snapshotEndLine(entries));
    } finally {
      gzip.end();
      await finished(file);
    }
    return { path, height, entries, bytes: (await stat(path)).size, atMs: Date.now() };
  }
}

/** GET /snapshot: the head's state as a gzip file (see SnapshotExports). */
export async function serveSnapshot(exports: SnapshotExports, req: IncomingMessage, res: ServerResponse, chainId: string): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 'BAD_INPUT', message: 'GET /snapshot downloads the state; nothing else is served here' } }));
    return;
  }
  const made = await exports.current();
  res.writeHead(200, {
    'content-type': 'application/gzip',
    'content-length': String(made.bytes),
    'content-disposition': `attachment; filename="${chainId}-${made.height}.snapshot.gz"`,
    'x-arc-snapshot-height': String(made.height),
    'x-arc-snapshot-entries': String(made.entries),
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  // The file may be replaced by a newer snapshot while this is sent: an open handle keeps it readable.
  const handle = await open(made.path, 'r');
  const body = handle.createReadStream();
  body.pipe(res);
  await finished(res).catch(() => undefined);
  body.destroy();
}

/** The lines of a snapshot file, gzip-compressed or not (gzip's magic bytes decide). */
export async function* snapshotLines(path: string): AsyncGenerator<string> {
  const handle = await open(path, 'r');
  const magic = Buffer.alloc(2);
  await handle.read(magic, 0, 2, 0);
  await handle.close();
  const raw = createReadStream(path);
  const text: Readable = magic[0] === 0x1f && magic[1] === 0x8b ? raw.pipe(createGunzip()) : raw;
  text.setEncoding('utf8');
  const lines = new SnapshotLineSplitter();
  try {
    for await (const chunk of text) yield* lines.push(chunk as string);
    yield* lines.end();
  } finally {
    raw.destroy();
  }
}

/**
 * Writes a snapshot into an empty database as the chain's state at its height, in one transaction: every entry, the
 * trie they make (its root must be the one the snapshot's block names, or nothing is written), the block's header and
 * seal, and the chain's metadata. The node then opens the chain at that height as if it had made it, and holds no
 * block below it. Answers the height and the number of entries.
 */
export async function importSnapshot(
  db: Database,
  path: string,
  genesis: GenesisConfig,
  log: (line: string) => void,
): Promise<{ height: number; entries: number }> {
  const reader = new SnapshotReader();
  const fold = new TrieFold();
  const started = performance.now();
  let height = -1;
  await db.transaction(async (tx) => {
    let batch: StateEntry[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      fold.add(batch);
      await writeState(tx, batch, height);
      batch = [];
    };
    for await (const line of snapshotLines(path)) {
      const entry = reader.line(line);
      if (height < 0) {
        const { head } = reader;
        if (head.chainId !== genesis.chainId) {
          throw new SnapshotError(
            'SNAPSHOT_MISMATCH',
            `the snapshot is of chain "${head.chainId}"; this node's genesis is "${genesis.chainId}"`,
          );
        }
        if (head.genesisHash !== genesisHashOf(genesis)) {
          throw new SnapshotError('SNAPSHOT_MISMATCH', "the snapshot's chain started from another genesis than this node's genesis file");
        }
        height = head.height;
      }
      if (entry) {
        batch.push(entry);
        if (batch.length >= SNAPSHOT_LIMITS.importBatch) await flush();
      }
    }
    await flush();
    const entries = reader.finish();
    const { head } = reader;
    // Written before it is checked: the trie is built as it is written. A mismatch throws, and the transaction with it.
    await fold.write(tx, head.height);
    if (!bytesEqual(fold.root, head.header.stateRoot)) {
      throw new SnapshotError(
        'SNAPSHOT_MISMATCH',
        `the snapshot's ${entries} entries give state root ${toHex(fold.root)}; its block ${head.height} names ${toHex(head.header.stateRoot)}`,
      );
    }
    const store = new LedgerStore(db);
    await insertBlock(tx, { header: head.header, hash: head.hash, seal: head.seal, txs: [], writes: [], rejected: [] });
    await store.setMeta(tx, 'chain', { chainId: head.chainId, genesisHash: head.genesisHash });
    await store.setMeta(tx, TOKEN_BALANCES_INDEXED, true);
    await store.setMeta(tx, SNAPSHOT_FROM, head.height);
    await store.setMeta(tx, PARAMS_DID, head.nodeDid);
    log(
      `started from the snapshot at height ${head.height}: ${entries} state entries, ${fold.nodes} trie nodes, state root ${toHex(fold.root).slice(0, 16)}… (${Math.round(performance.now() - started)} ms)`,
    );
  });
  return { height, entries: reader.finish() };
}
