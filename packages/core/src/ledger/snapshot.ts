/**
 * A state snapshot: every state entry at one height and the block that commits to it, as lines of JSON. A node
 * writes one (GET /snapshot); a fresh node starts from one instead of genesis, and `arc node verify --snapshot`
 * replays from one. Nothing in it is taken on trust: the block's seal is checked, and the entries must give the state
 * root its header names. Pure: the reading and writing of files is the caller's.
 *
 * Line 1, the head: {format, chainId, height, header, seal, genesisHash, genesis, nodeDid}. Then one line per entry:
 * {k: kind, v: its canonical bytes, hex}. Last, {end: true, entries: N}: a file cut short has no end line.
 */
import { z } from 'zod';
import { bytesEqual, fromHex, toHex } from '../bytes.ts';
import { CodecError } from '../encoding/codec.ts';
import { blockHash, decodeHeader, decodeSeal, encodeHeader, encodeSeal } from './block.ts';
import { checkSeal } from './block-build.ts';
import { type GenesisConfig, genesisHeader } from './genesis.ts';
import { genesisFileJson, parseGenesisJson } from './genesis-file.ts';
import { MemoryState } from './memory-state.ts';
import { decodeEntry, encodeEntry, entryKey, STATE_KINDS, type StateEntry } from './state.ts';
import type { BlockHeader, BlockSeal } from './types.ts';

export const SNAPSHOT_FORMAT = 'arc-snapshot/1';

/** Why a snapshot cannot be used: it does not parse, or it parses but does not hold together. */
export type SnapshotErrorCode = 'SNAPSHOT_INVALID' | 'SNAPSHOT_MISMATCH';

export class SnapshotError extends Error {
  constructor(
    readonly code: SnapshotErrorCode,
    message: string,
    /** The 1-based line to blame, when one is. */
    readonly line?: number,
  ) {
    super(line === undefined ? message : `line ${line}: ${message}`);
    this.name = 'SnapshotError';
  }
}

const hexBytes = z.string().regex(/^([0-9a-f]{2})+$/, 'lowercase hex bytes');

const HeadSchema = z.object({
  format: z.literal(SNAPSHOT_FORMAT, { error: `not a snapshot this node reads (the first line's format must be "${SNAPSHOT_FORMAT}")` }),
  chainId: z.string().min(1).max(64),
  height: z.number().int().min(0),
  header: hexBytes,
  seal: hexBytes,
  genesisHash: z.string().regex(/^[0-9a-f]{64}$/),
  genesis: z.record(z.string(), z.unknown()),
  nodeDid: z.string().min(1).max(200),
});

const EntrySchema = z.object({ k: z.enum(STATE_KINDS), v: hexBytes });
const EndSchema = z.object({ end: z.literal(true), entries: z.number().int().min(0) });

/** What the head line says, decoded and checked on its own (the entries are checked against it as they come). */
export interface SnapshotHead {
  chainId: string;
  height: number;
  header: BlockHeader;
  hash: Uint8Array;
  seal: BlockSeal;
  genesisHash: string;
  genesis: GenesisConfig;
  /** The exporting node's DID: on a development chain it holds roles in the parameters (nodeChainParams). */
  nodeDid: string;
}

/**
 * The longest line a snapshot may hold, in characters. The head line carries the genesis (its accounts); an entry line
 * is one state entry. A file whose line runs past this is refused rather than read into memory whole.
 */
export const SNAPSHOT_LINE_MAX_CHARS = 64 * 1024 * 1024;

/**
 * Splits text arriving in chunks into a snapshot's lines (empty ones dropped, a CR before the LF too), refusing a line
 * longer than `maxChars` as soon as the text shows it: a damaged or hostile file without line breaks must not be
 * gathered into one string as large as the file.
 */
export class SnapshotLineSplitter {
  private rest = '';
  private lines = 0;

  constructor(private readonly maxChars: number = SNAPSHOT_LINE_MAX_CHARS) {}

  /** The lines a chunk completes. */
  push(chunk: string): string[] {
    const out: string[] = [];
    let from = 0;
    // Only the new chunk is searched: a long line arriving in many chunks is not scanned again at each.
    for (let at = chunk.indexOf('\n'); at !== -1; at = chunk.indexOf('\n', from)) {
      this.take(this.rest + chunk.slice(from, at), out);
      this.rest = '';
      from = at + 1;
    }
    this.rest += chunk.slice(from);
    if (this.rest.length > this.maxChars) this.tooLong();
    return out;
  }

  /** The last line, when the text did not end with a line break. */
  end(): string[] {
    const out: string[] = [];
    this.take(this.rest, out);
    this.rest = '';
    return out;
  }

  private take(part: string, out: string[]): void {
    if (part.length > this.maxChars) this.tooLong();
    this.lines += 1;
    const line = part.endsWith('\r') ? part.slice(0, -1) : part;
    if (line.length > 0) out.push(line);
  }

  private tooLong(): never {
    throw new SnapshotError(
      'SNAPSHOT_INVALID',
      `a line is longer than ${this.maxChars} characters: this is not a snapshot, or it is damaged`,
      this.lines + 1,
    );
  }
}

export function snapshotHeadLine(head: Omit<SnapshotHead, 'hash'>): string {
  return JSON.stringify({
    format: SNAPSHOT_FORMAT,
    chainId: head.chainId,
    height: head.height,
    header: toHex(encodeHeader(head.header)),
    seal: toHex(encodeSeal(head.seal)),
    genesisHash: head.genesisHash,
    genesis: genesisFileJson(head.genesis),
    nodeDid: head.nodeDid,
  });
}

export function snapshotEntryLine(entry: StateEntry): string {
  return JSON.stringify({ k: entry.kind, v: toHex(encodeEntry(entry)) });
}

export function snapshotEndLine(entries: number): string {
  return JSON.stringify({ end: true, entries });
}

function json(line: string, at: number): unknown {
  try {
    return JSON.parse(line);
  } catch {
    throw new SnapshotError('SNAPSHOT_INVALID', 'not a line of JSON', at);
  }
}

function parsed<T>(schema: z.ZodType<T>, line: string, at: number): T {
  const result = schema.safeParse(json(line, at));
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    throw new SnapshotError('SNAPSHOT_INVALID', `${where}${issue?.message ?? 'does not parse'}`, at);
  }
  return result.data;
}

/** The block 0 hash a genesis makes (what a snapshot's genesisHash must equal for a node started from that genesis). */
export function genesisHashOf(config: GenesisConfig): string {
  return toHex(blockHash(genesisHeader(config, MemoryState.fromGenesis(config).trie.root)));
}

/**
 * Reads a snapshot line by line: `line()` for each, in order, then `finish()`. Checks the head (its block decodes, is
 * at the height it says, and carries its proposer's seal; the genesis it names makes the genesis hash it names), each
 * entry (a known kind, bytes that decode canonically, no key twice), and the end line's count. The state root is the
 * caller's to compare (`head.header.stateRoot`): it is computed where the entries go (a node's trie, a MemoryState).
 */
export class SnapshotReader {
  private at = 0;
  private headRead: SnapshotHead | null = null;
  private count = 0;
  private ended = false;
  private readonly keys = new Set<string>();

  get head(): SnapshotHead {
    if (!this.headRead) throw new SnapshotError('SNAPSHOT_INVALID', 'the snapshot is empty');
    return this.headRead;
  }

  /** The next line: null for the head and the end line, the entry otherwise. */
  line(text: string): StateEntry | null {
    this.at += 1;
    if (this.ended) throw new SnapshotError('SNAPSHOT_INVALID', 'a line after the end line', this.at);
    if (this.headRead === null) {
      this.headRead = readHead(text, this.at);
      return null;
    }
    const value = json(text, this.at);
    if (value !== null && typeof value === 'object' && 'end' in value) {
      const end = parsed(EndSchema, text, this.at);
      if (end.entries !== this.count) {
        throw new SnapshotError(
          'SNAPSHOT_INVALID',
          `the end line counts ${end.entries} entries; the snapshot holds ${this.count}`,
          this.at,
        );
      }
      this.ended = true;
      return null;
    }
    const { k, v } = parsed(EntrySchema, text, this.at);
    const bytes = fromHex(v);
    let entry: StateEntry;
    try {
      entry = decodeEntry(k, bytes);
    } catch (error) {
      if (error instanceof CodecError)
        throw new SnapshotError('SNAPSHOT_INVALID', `the ${k} entry does not decode: ${error.message}`, this.at);
      throw error;
    }
    if (!bytesEqual(encodeEntry(entry), bytes)) {
      throw new SnapshotError('SNAPSHOT_INVALID', `the ${k} entry is not in its canonical encoding`, this.at);
    }
    const key = entryKey(entry);
    if (this.keys.has(key)) throw new SnapshotError('SNAPSHOT_INVALID', `${key} appears twice`, this.at);
    this.keys.add(key);
    this.count += 1;
    return entry;
  }

  /** After the last line: the snapshot must have ended with its end line. Answers the number of entries. */
  finish(): number {
    if (!this.ended) {
      throw new SnapshotError('SNAPSHOT_INVALID', `the snapshot stops after ${this.at} lines without its end line (the file is cut short)`);
    }
    return this.count;
  }
}

function readHead(text: string, at: number): SnapshotHead {
  const head = parsed(HeadSchema, text, at);
  let genesis: GenesisConfig;
  try {
    genesis = parseGenesisJson(head.genesis, 'the snapshot');
  } catch (error) {
    throw new SnapshotError('SNAPSHOT_INVALID', (error as Error).message, at);
  }
  if (genesis.chainId !== head.chainId) {
    throw new SnapshotError('SNAPSHOT_MISMATCH', `the head says chain "${head.chainId}" but its genesis is for "${genesis.chainId}"`, at);
  }
  if (genesisHashOf(genesis) !== head.genesisHash) {
    throw new SnapshotError('SNAPSHOT_MISMATCH', 'the genesis in the head does not make the genesis hash the head names', at);
  }
  let header: BlockHeader;
  let seal: BlockSeal;
  try {
    header = decodeHeader(fromHex(head.header));
    seal = decodeSeal(fromHex(head.seal));
  } catch (error) {
    if (error instanceof CodecError) throw new SnapshotError('SNAPSHOT_INVALID', `the block does not decode: ${error.message}`, at);
    throw error;
  }
  if (header.height !== head.height || header.chainId !== head.chainId) {
    throw new SnapshotError(
      'SNAPSHOT_MISMATCH',
      `the head says height ${head.height} of "${head.chainId}"; its block is ${header.height} of "${header.chainId}"`,
      at,
    );
  }
  const hash = blockHash(header);
  // Block 0 carries no seal (the genesis makes it); any later block carries its proposer's.
  const wrongSeal = head.height === 0 ? null : checkSeal(header, hash, seal);
  if (wrongSeal) throw new SnapshotError('SNAPSHOT_MISMATCH', wrongSeal.message, at);
  return { chainId: head.chainId, height: head.height, header, hash, seal, genesisHash: head.genesisHash, genesis, nodeDid: head.nodeDid };
}
