/** Raw transactions kept per signer, newest last: enough to re-send what one reorg can drop. */
export const SENT_TXS_PER_SIGNER_MAX = 64;
/** Signers whose sent transactions are kept; the one that sent least recently is forgotten first. */
export const SENT_TXS_SIGNERS_MAX = 1_000;
/** How many block hashes the reorg watch remembers (by height). */
export const REORG_WATCH_HEIGHTS_MAX = 256;

/** A transaction this adapter signed and sent. */
export interface SentTx {
  hash: string;
  from: string;
  nonce: number;
  to: string | null;
  value: bigint;
  /** The signed transaction, as sent: re-sending it keeps the hash the caller holds. */
  raw: string;
}

/**
 * The transactions this adapter sent, per signer, bounded. A reorg on a node that does not return orphaned
 * transactions to its mempool (anvil does not) drops them; with the raw bytes the sender can send them again.
 */
export class SentTxs {
  readonly #bySigner = new Map<string, SentTx[]>();
  readonly #byHash = new Map<string, SentTx>();

  add(tx: SentTx): void {
    const list = this.#bySigner.get(tx.from) ?? [];
    // Re-inserted so the Map's order is least recently used first.
    this.#bySigner.delete(tx.from);
    this.#bySigner.set(tx.from, list);
    list.push(tx);
    this.#byHash.set(tx.hash, tx);
    if (list.length > SENT_TXS_PER_SIGNER_MAX) this.#byHash.delete((list.shift() as SentTx).hash);
    if (this.#bySigner.size > SENT_TXS_SIGNERS_MAX) {
      const [oldest, txs] = this.#bySigner.entries().next().value as [string, SentTx[]];
      this.#bySigner.delete(oldest);
      for (const old of txs) this.#byHash.delete(old.hash);
    }
  }

  byHash(hash: string): SentTx | undefined {
    return this.#byHash.get(hash);
  }

  /** The signer's kept transactions in nonce order. */
  of(address: string): SentTx[] {
    return [...(this.#bySigner.get(address) ?? [])].sort((x, y) => x.nonce - y.nonce);
  }

  signers(): string[] {
    return [...this.#bySigner.keys()];
  }

  forget(tx: SentTx): void {
    this.#byHash.delete(tx.hash);
    const list = this.#bySigner.get(tx.from);
    const index = list?.indexOf(tx) ?? -1;
    if (list && index >= 0) list.splice(index, 1);
  }
}

/**
 * Remembers the block hash seen at each height; a different hash at a height seen before means the chain
 * reorganised. Fed by every block the adapter reads (heads, block queries, receipts, event streams).
 */
export class ReorgWatch {
  readonly #hashes = new Map<number, string>();

  constructor(readonly onReorg: () => void) {}

  see(height: number, hash: string): void {
    const known = this.#hashes.get(height);
    if (known === hash) return;
    this.#hashes.set(height, hash);
    if (known !== undefined) {
      // Heights above the fork are stale too: forget them so each replaced block signals once.
      for (const seen of this.#hashes.keys()) if (seen > height) this.#hashes.delete(seen);
      this.onReorg();
      return;
    }
    if (this.#hashes.size > REORG_WATCH_HEIGHTS_MAX) this.#hashes.delete(this.#hashes.keys().next().value as number);
  }
}
