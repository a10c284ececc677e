import { OcapError } from '@arc/core';
import type { SpendableCoin } from './coins.ts';

/** How long a pending send is trusted to sit in the mempool before the book asks the node again. */
export const PENDING_RECHECK_MS = 30_000;
/** Bound on unconfirmed sends remembered per signer. */
export const PENDING_SENDS_MAX = 2_000;

/** One of our own unconfirmed sends: the outpoints it spent and the change it made. */
interface PendingSend {
  txid: string;
  spends: string[];
  change: SpendableCoin | undefined;
  checkedAtMs: number;
}

/** A confirmed coin as the chainstate reports it (scantxoutset). */
export type ConfirmedCoin = Omit<SpendableCoin, 'depth'>;

/** Whether a transaction is still waiting in the mempool. */
export type MempoolCheck = (txid: string) => Promise<boolean>;

function key(txid: string, vout: number): string {
  return `${txid}:${vout}`;
}

/**
 * The adapter's memory of each signer's unconfirmed sends, so back-to-back sends neither spend the same coin
 * twice nor wait for a block: the chainstate (scantxoutset) does not see the mempool, so the book subtracts the
 * outpoints our pending sends spent and adds their change. A send counts as pending while every coin it spent
 * is still unspent on chain or the change of another pending send; one the node dropped is found by asking
 * the mempool after PENDING_RECHECK_MS, or at once after `distrust` (a send failed on a spent input).
 */
export class CoinBook {
  readonly #pending = new Map<string, Map<string, PendingSend>>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** The coins `address` may spend now: confirmed coins and own change, minus what pending sends spent. */
  async spendable(address: string, confirmed: ConfirmedCoin[], inMempool: MempoolCheck): Promise<SpendableCoin[]> {
    const sends = this.#pending.get(address) ?? new Map<string, PendingSend>();
    const confirmedKeys = new Set(confirmed.map((c) => key(c.txid, c.vout)));
    const liveChange = new Map<string, SpendableCoin>();
    const spent = new Set<string>();
    // Insertion order is parents before children, so a dropped send takes its descendants with it.
    for (const send of [...sends.values()]) {
      const inputsThere = send.spends.every((k) => confirmedKeys.has(k) || liveChange.has(k));
      if (!inputsThere) {
        // Mined (its inputs are spent on chain, its change is now a confirmed coin) or conflicted: forget it.
        sends.delete(send.txid);
        continue;
      }
      if (this.#now() - send.checkedAtMs >= PENDING_RECHECK_MS) {
        if (!(await inMempool(send.txid))) {
          sends.delete(send.txid);
          continue;
        }
        send.checkedAtMs = this.#now();
      }
      for (const k of send.spends) spent.add(k);
      if (send.change) liveChange.set(key(send.change.txid, send.change.vout), send.change);
    }
    if (sends.size === 0) this.#pending.delete(address);
    const coins: SpendableCoin[] = confirmed.map((c) => ({ ...c, depth: 0 }));
    for (const [k, coin] of liveChange) if (!confirmedKeys.has(k)) coins.push(coin);
    return coins.filter((c) => !spent.has(key(c.txid, c.vout)));
  }

  /** Remembers a send the node accepted. */
  record(address: string, send: { txid: string; inputs: SpendableCoin[]; change: Omit<SpendableCoin, 'depth'> | undefined }): void {
    const sends = this.#pending.get(address) ?? new Map<string, PendingSend>();
    if (sends.size >= PENDING_SENDS_MAX) {
      throw new OcapError('UNAVAILABLE', `More than ${PENDING_SENDS_MAX} unconfirmed sends from ${address}; wait for a block.`);
    }
    const depth = 1 + Math.max(0, ...send.inputs.map((c) => c.depth));
    sends.set(send.txid, {
      txid: send.txid,
      spends: send.inputs.map((c) => key(c.txid, c.vout)),
      change: send.change ? { ...send.change, depth } : undefined,
      checkedAtMs: this.#now(),
    });
    this.#pending.set(address, sends);
  }

  /** Makes the next `spendable` ask the mempool about every pending send of `address` (after a spent-input rejection). */
  distrust(address: string): void {
    for (const send of this.#pending.get(address)?.values() ?? []) send.checkedAtMs = Number.NEGATIVE_INFINITY;
  }

  /** How many unconfirmed sends the book remembers for `address`. */
  pendingCount(address: string): number {
    return this.#pending.get(address)?.size ?? 0;
  }
}
