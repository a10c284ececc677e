import { type AccountState, applyTxs, type CheckedTx, checkTxStatic, LedgerError, stateKey } from '@arc/core';
import { NodeError } from '../errors.ts';
import type { Ledger } from './ledger.ts';

export interface SubmitResult {
  hash: string;
  status: 'pending' | 'committed';
  height: number | null;
}

/**
 * The way into the mempool. Cheap checks first, then signatures on worker threads; the final
 * nonce check and insert run per account in arrival order, so a client may send nonces 1..n
 * back to back without waiting.
 */
export class Admission {
  private readonly lanes = new Map<string, Promise<unknown>>();

  constructor(private readonly ledger: Ledger) {}

  /** Admits one encoded transaction; idempotent by hash. */
  async submit(bytes: Uint8Array): Promise<SubmitResult> {
    const { ledger } = this;
    const checked = checkTxStatic(bytes, { chainId: ledger.chainId, params: ledger.params });
    if (checked instanceof LedgerError) throw new NodeError(checked.code, checked.message);
    // Take the account's lane now, in arrival order; signatures verify meanwhile on the threads.
    const verified = ledger.signatures.check(checked);
    const from = checked.tx.from;
    const previous = this.lanes.get(from) ?? Promise.resolve();
    const result = previous.then(async () => {
      const bad = await verified;
      if (bad) throw new NodeError(bad.code, bad.message);
      return (await this.known(checked)) ?? this.admit(checked);
    });
    // The lane only orders admissions; each caller gets its own result (or error) from `result`.
    const lane = result.then(
      () => undefined,
      () => undefined,
    );
    this.lanes.set(from, lane);
    void lane.then(() => {
      if (this.lanes.get(from) === lane) this.lanes.delete(from);
    });
    return result;
  }

  /** A transaction already pending or committed answers with its status, not an error. */
  private async known(checked: CheckedTx): Promise<SubmitResult | null> {
    if (this.ledger.mempool.get(checked.hashHex)) return { hash: checked.hashHex, status: 'pending', height: null };
    if (checked.tx.nonce > (await this.committedNonce(checked))) return null;
    const [row] = await this.ledger.db.query<{ height: string | number }>("SELECT height FROM txs WHERE hash = decode($1, 'hex')", [
      checked.hashHex,
    ]);
    if (row) return { hash: checked.hashHex, status: 'committed', height: Number(row.height) };
    return null; // admit() reports NONCE_TOO_LOW
  }

  private async admit(checked: CheckedTx): Promise<SubmitResult> {
    const { ledger } = this;
    const { tx } = checked;
    const loaded = await this.committedNonce(checked);
    // From here to mempool.add nothing awaits (but the dry run, which only runs with nothing
    // pending), so no commit can move transactions between "pending" and "committed" under us.
    const cachedNow = ledger.cache.peek(stateKey('account', tx.from))?.value as AccountState | undefined;
    const committed = cachedNow ? cachedNow.nonce : loaded;
    const pending = ledger.mempool.pendingCount(tx.from);
    if (tx.nonce <= committed) {
      throw new NodeError('NONCE_TOO_LOW', `nonce ${tx.nonce} is used; the next is ${committed + pending + 1}`);
    }
    if (tx.nonce <= committed + pending) {
      const holder = ledger.mempool.atNonce(tx.from, tx.nonce);
      if (holder?.checked.hashHex === checked.hashHex) return { hash: checked.hashHex, status: 'pending', height: null };
      throw new NodeError(
        'NONCE_TOO_LOW',
        `nonce ${tx.nonce} is taken by pending transaction ${holder?.checked.hashHex}; the next is ${committed + pending + 1}`,
      );
    }
    if (tx.nonce > committed + pending + 1) {
      throw new NodeError('NONCE_GAP', `nonce ${tx.nonce} skips ahead; the next is ${committed + pending + 1}`);
    }
    if (pending === 0) await this.dryRun(checked);
    ledger.mempool.add(checked, ledger.options.now());
    ledger.kick();
    return { hash: checked.hashHex, status: 'pending', height: null };
  }

  /** The account's committed nonce, read so that no commit slips between it and the mempool count. */
  private async committedNonce(checked: CheckedTx): Promise<number> {
    const { cache } = this.ledger;
    const key = stateKey('account', checked.tx.from);
    for (;;) {
      const hit = cache.peek(key)?.value as AccountState | undefined;
      if (hit) return hit.nonce;
      const version = cache.version;
      const view = await this.ledger.viewFor(checked);
      if (cache.version === version) return view.account(checked.tx.from)?.nonce ?? 0;
    }
  }

  /**
   * With nothing of the account pending, the committed state is exactly what the transaction
   * will meet (up to other accounts' moves), so its errors are answered now and nothing is kept.
   */
  private async dryRun(checked: CheckedTx): Promise<void> {
    const { ledger } = this;
    const view = await ledger.viewFor(checked);
    const ctx = {
      chainId: ledger.chainId,
      height: ledger.head.height + 1,
      timeMs: Math.max(ledger.options.now(), ledger.head.timeMs + 1),
      proposer: ledger.nodeDid,
      params: ledger.params,
    };
    const result = applyTxs(view, [checked], ctx);
    const failure = result.rejected[0];
    if (failure) throw new NodeError(failure.error.code, failure.error.message);
  }
}
