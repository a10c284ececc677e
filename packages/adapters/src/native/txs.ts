import { type NodeApi, OcapError, type OcapTx, type WaitOptions } from '@arc/core';
import type { BlockReader } from './blocks.ts';
import { transferOf } from './records.ts';

/** Bounds of the native adapter. */
export const NATIVE_LIMITS = {
  /** Pause between status reads while waiting for a transaction. */
  waitPollMsDefault: 250,
  waitTimeoutMsDefault: 60_000,
  /** How long a hash the node does not know is waited for before NOT_FOUND (a send racing the read). */
  unknownTxGraceMs: 3_000,
  /** Sent transactions remembered so a pending or rejected one can still say who sent what. */
  sentCacheMax: 10_000,
  /** Recent blocks sampled to tell the block time. */
  blockTimeSampleBlocks: 16,
} as const;

/** What the adapter itself sent: a pending or rejected transaction still says who sent what. */
interface SentTx {
  from: string;
  to: string | null;
  value: bigint;
  fee: bigint;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Reads transactions as OCAP sees them and waits for them, remembering what this adapter sent. */
export class TxReader {
  readonly #sent = new Map<string, SentTx>();

  constructor(
    readonly api: NodeApi,
    readonly blocks: BlockReader,
    readonly pollMs: number | undefined,
    /** Runs a NodeApi call, turning every failure into an OcapError. */
    readonly call: <T>(run: () => Promise<T>) => Promise<T>,
  ) {}

  remember(hash: string, sent: SentTx): void {
    this.#sent.set(hash, sent);
    if (this.#sent.size > NATIVE_LIMITS.sentCacheMax) {
      const oldest = this.#sent.keys().next().value;
      if (oldest !== undefined) this.#sent.delete(oldest);
    }
  }

  /** The transaction as OCAP sees it, or null when the node does not know the hash. */
  async read(hash: string): Promise<OcapTx | null> {
    const status = await this.call(() => this.api.getTx(hash));
    const sent = this.#sent.get(hash);
    const known = { from: sent?.from ?? null, to: sent?.to ?? null, value: sent?.value ?? 0n, fee: sent?.fee ?? null };
    switch (status.status) {
      case 'unknown':
        return null;
      case 'pending':
        return { hash, status: 'pending', ...known, fee: null, blockHeight: null, blockHash: null, confirmations: 0 };
      case 'rejected': {
        // The ledger drops a refused transaction from the block: nothing was charged, nothing moved.
        const why = status.error ? `${status.error.code}: ${status.error.message}` : 'rejected by the ledger';
        return { hash, status: 'failed', ...known, fee: 0n, blockHeight: null, blockHash: null, confirmations: 0, error: why };
      }
      case 'failed': {
        // In a block with its fee charged, nothing else moved (a receipt with status 0).
        const record = status.tx;
        if (!record) throw new OcapError('INTERNAL', `The Arc node reports ${hash} failed but sends no transaction.`);
        const [head, block] = await Promise.all([this.blocks.headHeight(), this.blocks.at(record.height)]);
        const why = status.error ? `${status.error.code}: ${status.error.message}` : 'failed in its block';
        return {
          hash,
          status: 'failed',
          ...known,
          from: record.from,
          value: 0n,
          fee: record.fee,
          blockHeight: record.height,
          blockHash: block.hash,
          confirmations: Math.max(1, head - record.height + 1),
          error: `${why} (the fee was charged)`,
        };
      }
      case 'committed': {
        const record = status.tx;
        if (!record) throw new OcapError('INTERNAL', `The Arc node reports ${hash} committed but sends no transaction.`);
        const [head, block] = await Promise.all([this.blocks.headHeight(), this.blocks.at(record.height)]);
        const itx = transferOf(record);
        return {
          hash,
          status: 'success',
          from: record.from,
          to: itx?.to ?? null,
          value: itx?.amount ?? 0n,
          fee: record.fee,
          blockHeight: record.height,
          blockHash: block.hash,
          confirmations: Math.max(1, head - record.height + 1),
        };
      }
    }
  }

  /** Waits for `hash` (checked by the caller) to succeed with enough confirmations or fail. */
  async wait(hash: string, options: WaitOptions = {}): Promise<OcapTx> {
    const confirmations = options.confirmations ?? 1;
    if (!Number.isSafeInteger(confirmations) || confirmations < 1) {
      throw new OcapError('INVALID_ARGUMENT', `confirmations is a whole number from 1, not ${confirmations}.`);
    }
    const timeoutMs = options.timeoutMs ?? NATIVE_LIMITS.waitTimeoutMsDefault;
    const pollMs = this.pollMs ?? NATIVE_LIMITS.waitPollMsDefault;
    const started = Date.now();
    let unknownSince: number | null = null;
    for (;;) {
      const tx = await this.read(hash);
      if (tx === null) {
        unknownSince ??= Date.now();
        if (Date.now() - unknownSince >= NATIVE_LIMITS.unknownTxGraceMs) {
          throw new OcapError('NOT_FOUND', `The Arc node knows no transaction ${hash}; it was never sent or was dropped from the mempool.`);
        }
      } else {
        unknownSince = null;
        if (tx.status === 'failed' || (tx.status === 'success' && tx.confirmations >= confirmations)) return tx;
      }
      if (Date.now() - started >= timeoutMs) {
        throw new OcapError(
          'TIMEOUT',
          `Transaction ${hash} did not reach ${confirmations} confirmation(s) within ${timeoutMs} ms; it may still.`,
        );
      }
      await sleep(Math.min(pollMs, Math.max(1, timeoutMs - (Date.now() - started))));
    }
  }
}
