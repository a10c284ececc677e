import { type ArcClient, createClient, type Wallet } from '@arc/client';
import { readKeyFile } from './keyfile.ts';

/** Where the CLI writes and what it reads from its surroundings; tests pass their own. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  env: Record<string, string | undefined>;
  /** A fetch for the node client (tests); defaults to globalThis.fetch. */
  fetch?: typeof globalThis.fetch;
  /** Aborted on Ctrl-C: long-running commands (logs --follow, blocklet dev) stop and exit 0. */
  signal?: AbortSignal;
  /**
   * A terminal's status line, redrawn in place (a progress bar); absent when stderr is not a terminal, where long
   * commands print a progress line now and then instead. `null` clears it.
   */
  status?: (text: string | null) => void;
}

export interface Globals {
  nodeUrl: string;
  keyFile: string;
  json: boolean;
  home: string;
}

function jsonReplacer(_key: string, value: unknown): unknown {
  // Amounts leave as decimal strings in the smallest unit, as the node's API sends them.
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  return value;
}

/** What a command runs with: the parsed global options, a lazily made client, and output. */
export class Context {
  #client: ArcClient | null = null;

  constructor(
    readonly io: Io,
    readonly globals: Globals,
  ) {}

  /** The node client (made on first use, so offline commands never need a node). */
  client(): ArcClient {
    this.#client ??= createClient({ url: this.globals.nodeUrl, ...(this.io.fetch ? { fetch: this.io.fetch } : {}) });
    return this.#client;
  }

  /** The wallet in the --key file. */
  wallet(): Promise<Wallet> {
    return readKeyFile(this.globals.keyFile);
  }

  /** Prints a result: aligned "label  value" lines for people, or one JSON document with --json. */
  result(data: object, lines: [label: string, value: string][]): void {
    if (this.globals.json) {
      this.io.out(JSON.stringify(data, jsonReplacer, 2));
      return;
    }
    const width = Math.max(0, ...lines.map(([label]) => label.length));
    this.io.out(lines.map(([label, value]) => (label === '' ? value : `${label.padEnd(width)}  ${value}`)).join('\n'));
  }
}
