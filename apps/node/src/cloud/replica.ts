import { bytesEqual, decodeHeader, toHex } from '@arc/core';
import type { Database } from '../db/client.ts';
import { announce, type BlockCommitted } from '../ledger/block-committed.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { BLOCK_CHANNEL } from './tx-queue.ts';

/** Blocks a replica reads from the database per query while it catches up. */
const FOLLOW_PAGE_BLOCKS = 50;
/** A replica looks for new blocks this often even when no notification came (a notification can be missed). */
const FOLLOW_POLL_MS = 1000;

/**
 * A cloud node's process that does not produce follows the chain in the shared database: when the producer's NOTIFY
 * says a block committed (or at the latest every second), it reads the blocks above its head, moves its head and state
 * root, drops its state cache (the database holds the new state) and tells its subscribers (the gateway's chain
 * topics, tx.wait, the indexes), exactly as the producer told its own. Blocks are read, never re-executed.
 */
export class DatabaseFollower {
  #following = false;
  #turn: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | null = null;
  #unlisten: (() => Promise<void>) | null = null;
  #stopped = false;
  #waiting = false;

  constructor(
    readonly db: Database,
    readonly ledger: Ledger,
    readonly log: (line: string) => void,
  ) {}

  async start(): Promise<void> {
    this.#unlisten = (await this.db.listen?.(BLOCK_CHANNEL, () => this.kick())) ?? null;
    this.#timer = setInterval(() => this.kick(), FOLLOW_POLL_MS);
    this.#following = true;
  }

  /** Stops following once the read in progress is done (this process produces now: its own commits move its head). */
  async pause(): Promise<void> {
    this.#following = false;
    await this.#turn;
  }

  /** Follows again (this process stopped producing) and reads what it missed. */
  resume(): void {
    this.#following = true;
    this.kick();
  }

  /** Reads the new blocks soon; calls while a read is waiting to run fold into it. */
  kick(): void {
    if (!this.#following || this.#stopped || this.#waiting) return;
    this.#waiting = true;
    this.#turn = this.#turn.then(() => {
      this.#waiting = false;
      if (!this.#following) return;
      return this.catchUp().then(undefined, (error: Error) => this.log(`following the database: ${error.message}`));
    });
  }

  /** Reads and announces every block above the head; resolves when the head is the database's. */
  async catchUp(): Promise<number> {
    let moved = 0;
    for (;;) {
      const from = this.ledger.head.height;
      const blocks = await this.#read(from);
      for (const block of blocks) {
        const { header, hash } = block;
        // A block that changed no state (an idle chain's heartbeat) leaves what this process keeps of it as it is.
        const changed = !bytesEqual(header.stateRoot, this.ledger.head.stateRoot);
        this.ledger.head = { height: header.height, hash, stateRoot: header.stateRoot, timeMs: header.timeMs };
        if (changed) {
          this.ledger.trie.reset(header.stateRoot);
          this.ledger.cache.clear();
        }
        this.ledger.forwarded.forget(block.txHashes);
        announce(this.ledger.events, block, this.log);
        moved += 1;
      }
      if (blocks.length < FOLLOW_PAGE_BLOCKS) return moved;
    }
  }

  async #read(above: number): Promise<BlockCommitted[]> {
    const rows = await this.db.query<{ height: number; hash: Uint8Array; header: Uint8Array }>(
      'SELECT height::float8 AS height, hash, header FROM blocks WHERE height > $1 ORDER BY height LIMIT $2',
      [above, FOLLOW_PAGE_BLOCKS],
    );
    const last = rows[rows.length - 1];
    if (!last) return [];
    const txs = await this.db.query<{ height: number; hash: Uint8Array; failed_code: string | null; failed_message: string | null }>(
      'SELECT height::float8 AS height, hash, failed_code, failed_message FROM txs WHERE height > $1 AND height <= $2 ORDER BY height, idx',
      [above, last.height],
    );
    const blocks = rows.map((row): BlockCommitted => {
      const header = decodeHeader(new Uint8Array(row.header));
      return { header, hash: new Uint8Array(row.hash), txHashes: [], failed: [], rejected: [] };
    });
    const byHeight = new Map(blocks.map((b) => [b.header.height, b]));
    for (const tx of txs) {
      const block = byHeight.get(tx.height);
      if (!block) continue;
      const hashHex = toHex(new Uint8Array(tx.hash));
      block.txHashes.push(hashHex);
      if (tx.failed_code !== null) block.failed.push({ hashHex, code: tx.failed_code, message: tx.failed_message ?? '' });
    }
    const rejected = await this.db.query<{ hash: Uint8Array; code: string; message: string; at_ms: number }>(
      'SELECT hash, code, message, at_ms::float8 AS at_ms FROM rejected_txs WHERE at_ms = ANY($1::bigint[])',
      [blocks.map((b) => b.header.timeMs)],
    );
    const byTime = new Map(blocks.map((b) => [b.header.timeMs, b]));
    for (const r of rejected)
      byTime.get(r.at_ms)?.rejected.push({ hashHex: toHex(new Uint8Array(r.hash)), code: r.code, message: r.message });
    return blocks;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#unlisten?.().catch(() => undefined);
    await this.#turn;
  }
}
