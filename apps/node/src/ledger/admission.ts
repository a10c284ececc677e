import { type AccountState, applyTxs, type CheckedTx, checkTxStatic, LedgerError, stateKey } from '@arc/core';
import { NodeError } from '../errors.ts';
import type { Ledger } from './ledger.ts';
import { callerKey, senderKey } from './rejection-limiter.ts';

export interface SubmitResult {
  hash: string;
  /** `failed`: in a block, but its inner transaction failed (its fee was charged). */
  status: 'pending' | 'committed' | 'failed';
  height: number | null;
}

export interface SubmitCaller {
  /** The caller's address (tx.send): a signature that does not verify is charged to it, not to the account it claims. */
  ip?: string | undefined;
}

/** Refusals for load, not for the transaction: they cost the sender nothing. */
const UNCHARGED_CODES = new Set<string>(['MEMPOOL_FULL', 'MEMPOOL_ACCOUNT_FULL', 'RATE_LIMITED', 'UNAVAILABLE']);

/**
 * The way into the mempool. Cheap checks first (encoding, the sender's rejection budget, room in
 * the mempool and in the account's share of it), then signatures on worker threads; the final
 * nonce check and insert run per account in arrival order, so a client may send nonces 1..n
 * back to back without waiting.
 */
export class Admission {
  private readonly lanes = new Map<string, Promise<unknown>>();
  /** Per account: submissions past the cheap checks and not answered yet (bounded with the account's mempool share). */
  private readonly inFlight = new Map<string, number>();

  /**
   * On a node that follows another (FOLLOW_URL), where transactions go once they pass the cheap checks: that node makes
   * the blocks, and this one hears of them when it imports them.
   */
  forwardTo: ((bytes: Uint8Array) => Promise<SubmitResult>) | null = null;
  /** On a consensus chain: told of each transaction this mempool admits, to gossip it (consensus/driver.ts). */
  onAdmitted: ((bytes: Uint8Array, hashHex: string) => void) | null = null;

  constructor(private readonly ledger: Ledger) {}

  /** Admits one encoded transaction; idempotent by hash. */
  async submit(bytes: Uint8Array, caller: SubmitCaller = {}): Promise<SubmitResult> {
    const { ledger } = this;
    const checked = checkTxStatic(bytes, { chainId: ledger.chainId, params: ledger.params });
    if (checked instanceof LedgerError) throw new NodeError(checked.code, checked.message);
    if (this.forwardTo) {
      ledger.forwarded.add(checked.hashHex);
      try {
        return await this.forwardTo(bytes);
      } catch (error) {
        ledger.forwarded.forget([checked.hashHex]);
        throw error;
      }
    }
    // The same bytes already wait: answer as the first time, without verifying them again.
    if (ledger.mempool.get(checked.hashHex)) return { hash: checked.hashHex, status: 'pending', height: null };
    const from = checked.tx.from;
    this.assertNotLimited(from, caller.ip);
    ledger.mempool.assertRoom(from, this.inFlight.get(from) ?? 0);
    this.inFlight.set(from, (this.inFlight.get(from) ?? 0) + 1);
    // Take the account's lane now, in arrival order; signatures verify meanwhile on the threads.
    // Settled into a value at once, so a verification that fails before the lane reaches it is never unhandled.
    const verified = ledger.signatures.check(checked).then(
      (bad) => ({ bad, error: null }),
      (error: unknown) => ({ bad: null, error }),
    );
    const previous = this.lanes.get(from) ?? Promise.resolve();
    const result = previous.then(async () => {
      const { bad, error } = await verified;
      if (error) throw error;
      if (bad) {
        ledger.rejections.charge(caller.ip === undefined ? senderKey(from) : callerKey(caller.ip));
        throw new NodeError(bad.code, bad.message);
      }
      try {
        // A cloud node's processes share their queue in the database (cloud/tx-queue.ts) instead of one mempool.
        if (ledger.queue) return await ledger.queue.admit(checked, () => this.dryRun(checked));
        return (await this.known(checked)) ?? (await this.admit(checked));
      } catch (refusal) {
        if (refusal instanceof NodeError && !UNCHARGED_CODES.has(refusal.code)) ledger.rejections.charge(senderKey(from));
        throw refusal;
      }
    });
    // The lane only orders admissions; each caller gets its own result (or error) from `result`.
    const lane = result.then(
      () => undefined,
      () => undefined,
    );
    this.lanes.set(from, lane);
    void lane.then(() => {
      const left = (this.inFlight.get(from) ?? 1) - 1;
      if (left === 0) this.inFlight.delete(from);
      else this.inFlight.set(from, left);
      if (this.lanes.get(from) === lane) this.lanes.delete(from);
    });
    return result;
  }

  /** Refuses, before any signature is checked, a sender (or caller address) whose rejections ran past their bound. */
  private assertNotLimited(from: string, ip: string | undefined): void {
    const { rejections } = this.ledger;
    const accountWaitMs = rejections.retryAfterMs(senderKey(from));
    if (accountWaitMs > 0) {
      throw new NodeError(
        'RATE_LIMITED',
        `too many transactions of ${from} were rejected lately (REJECTED_TX_BURST_PER_ACCOUNT); retry in ${seconds(accountWaitMs)} s`,
        accountWaitMs,
      );
    }
    const callerWaitMs = ip === undefined ? 0 : rejections.retryAfterMs(callerKey(ip));
    if (callerWaitMs > 0) {
      throw new NodeError(
        'RATE_LIMITED',
        `too many transactions from your address failed their signature check lately; retry in ${seconds(callerWaitMs)} s`,
        callerWaitMs,
      );
    }
  }

  /** A transaction already pending or committed answers with its status, not an error. */
  private async known(checked: CheckedTx): Promise<SubmitResult | null> {
    if (this.ledger.mempool.get(checked.hashHex)) return { hash: checked.hashHex, status: 'pending', height: null };
    if (checked.tx.nonce > (await this.committedNonce(checked))) return null;
    const [row] = await this.ledger.db.query<{ height: string | number; failed_code: string | null }>(
      "SELECT height, failed_code FROM txs WHERE hash = decode($1, 'hex')",
      [checked.hashHex],
    );
    if (row) return { hash: checked.hashHex, status: row.failed_code === null ? 'committed' : 'failed', height: Number(row.height) };
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
    this.onAdmitted?.(checked.bytes, checked.hashHex);
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
   * will meet (up to other accounts' moves), so its rejections are answered now and nothing is kept.
   * A transaction whose inner rules fail after its fee is admitted: it goes into a block as failed
   * and pays its fee, so failing transactions cannot be sent for free.
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

function seconds(ms: number): number {
  return Math.ceil(ms / 1000);
}
