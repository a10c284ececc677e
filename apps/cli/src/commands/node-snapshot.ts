import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { Readable as NodeReadable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { ClientError } from '@arc/client';
import { SnapshotError, SnapshotLineSplitter, SnapshotReader, type StateEntry, toHex } from '@arc/core';
import { z } from 'zod';
import { parseInput } from '../args.ts';
import type { Command } from '../command.ts';
import type { Context } from '../context.ts';
import { CliError } from '../errors.ts';

/** Without a terminal, a progress line at most this often. */
const PROGRESS_LINE_EVERY_MS = 5_000;

const Input = z.object({ out: z.string().min(1).optional() });

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** The lines of a snapshot file, gzip-compressed or not. */
async function* fileLines(path: string): AsyncGenerator<string> {
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
 * Reads and checks a whole snapshot file (its head, every entry, its end line); answers the reader and, when asked,
 * the entries. The state root is checked where the entries go (ChainReplica).
 */
export async function readSnapshotFile(path: string, keep: boolean): Promise<{ reader: SnapshotReader; entries: StateEntry[] }> {
  const reader = new SnapshotReader();
  const entries: StateEntry[] = [];
  try {
    for await (const line of fileLines(path)) {
      const entry = reader.line(line);
      if (entry && keep) entries.push(entry);
    }
    reader.finish();
  } catch (error) {
    if (error instanceof SnapshotError) throw new CliError(error.code, `${path}: ${error.message}`);
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new CliError('USAGE', `${path}: no such file`);
    if ((error as Error).message?.includes('incorrect header check') || (error as NodeJS.ErrnoException).code === 'Z_DATA_ERROR') {
      throw new CliError('SNAPSHOT_INVALID', `${path}: the gzip data is damaged (${(error as Error).message})`);
    }
    throw error;
  }
  return { reader, entries };
}

function progress(ctx: Context, total: number | null): (bytes: number) => void {
  let lastLineMs = 0;
  return (bytes) => {
    const text = `downloading the snapshot: ${mib(bytes)}${total ? ` of ${mib(total)} (${Math.floor((bytes / total) * 100)}%)` : ''}`;
    if (ctx.io.status) ctx.io.status(text);
    else if (Date.now() - lastLineMs >= PROGRESS_LINE_EVERY_MS) {
      lastLineMs = Date.now();
      ctx.io.err(text);
    }
  };
}

const snapshot: Command = {
  name: 'node snapshot',
  args: '[--out FILE]',
  summary: "download the node's state at its head, for a new node to start from",
  details: [
    "Downloads GET /snapshot from the node (--node): every state entry at the node's head and the block that commits",
    'to it, gzip-compressed. The node pauses blocks only while it writes the snapshot, not while you download; asked',
    'again within a minute it serves the same one.',
    "The file is checked as it is saved: the block carries its proposer's seal, the genesis named makes the chain's",
    'genesis hash, every entry decodes and appears once, and the file ends with its end line.',
    '--out: where to save it; default <chain>-<height>.snapshot.gz in the current folder.',
    'A new node starts from it with SNAPSHOT_FILE=<file> on an empty database; `arc node verify --snapshot <file>`',
    'replays the blocks after it.',
  ].join('\n'),
  options: ['out'],
  positionalsMax: 0,
  async run(ctx, _positionals, values) {
    const { out } = parseInput(Input, { out: values.out });
    const url = new URL('/snapshot', ctx.globals.nodeUrl);
    const fetcher = ctx.io.fetch ?? globalThis.fetch;
    let response: Response;
    try {
      response = await fetcher(url, { ...(ctx.io.signal ? { signal: ctx.io.signal } : {}) });
    } catch (error) {
      throw new ClientError('NETWORK', `cannot reach the node at ${ctx.globals.nodeUrl}: ${(error as Error).message}`);
    }
    if (!response.ok || !response.body) {
      const body = await response.text().catch(() => '');
      throw new ClientError('BAD_RESPONSE', `GET ${url.pathname} answered ${response.status}: ${body.slice(0, 300)}`);
    }
    const height = Number(response.headers.get('x-arc-snapshot-height'));
    const total = Number(response.headers.get('content-length')) || null;
    const chain = /filename="([^"/\\]+)-\d+\.snapshot\.gz"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'arc';
    const path = out ?? `${chain}-${height}.snapshot.gz`;
    const partial = `${path}.partial`;
    const shown = progress(ctx, total);
    let bytes = 0;
    const file = createWriteStream(partial, { mode: 0o644 });
    const body = NodeReadable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>);
    body.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      shown(bytes);
    });
    try {
      body.pipe(file);
      await finished(file);
      const { reader } = await readSnapshotFile(partial, false);
      await rename(partial, path);
      ctx.io.status?.(null);
      const { head } = reader;
      ctx.result(
        {
          file: path,
          chainId: head.chainId,
          height: head.height,
          stateRoot: toHex(head.header.stateRoot),
          entries: reader.finish(),
          bytes,
        },
        [
          ['saved', path],
          ['chain', head.chainId],
          ['height', String(head.height)],
          ['state root', toHex(head.header.stateRoot)],
          ['entries', String(reader.finish())],
          ['size', mib(bytes)],
          ['next', `start a node from it: SNAPSHOT_FILE=${path} npm start (on an empty data folder)`],
        ],
      );
    } catch (error) {
      ctx.io.status?.(null);
      await rm(partial, { force: true });
      throw error;
    }
  },
};

export const snapshotCommands: Command[] = [snapshot];
