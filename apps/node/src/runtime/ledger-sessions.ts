import { encodeTx, type Itx, type KeyPair, signTx, toHex, txHash } from '@arc/core';
import type { Database } from '../db/client.ts';
import type { Admission } from '../ledger/admission.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { LedgerQueries } from '../ledger/queries.ts';
import { BoundedCache } from './bounded-cache.ts';
import { HostCallError } from './sandbox/types.ts';
import type { RuntimeKeys } from './secrets.ts';
import type { TopicBus } from './topics.ts';

/** Bounds of blocklet ledger sessions. */
export const LEDGER_SESSION_LIMITS = {
  /** How long a submission waits for another invocation of the same blocklet to release its nonces. */
  submitLockWaitMs: 10_000,
  /** Blocklet DIDs whose next nonce is remembered (the least recently used is re-read from the chain). */
  nextNonceMax: 4096,
} as const;

export interface LedgerSessionDeps {
  db: Database;
  ledger: Ledger;
  admission: Admission;
  queries: LedgerQueries;
  keys: RuntimeKeys;
  topics: TopicBus;
  now: () => number;
  log: (line: string) => void;
}

/** The blocklet's submit lock and the nonces it hands out, held from an invocation's first submission to its end. */
interface Held {
  key: KeyPair & { did: string };
  first: number;
  next: number;
  txs: Uint8Array[];
  unlock: () => void;
}

interface Session {
  name: string;
  version: string;
  /** Sign calls started and not yet settled: the session ends only after them. */
  pending: Set<Promise<unknown>>;
  /** Taken by the first submission; every later one of the invocation joins it. */
  held: Promise<Held> | null;
  /** Aborted when the invocation ends: a submission still waiting for the lock stops waiting. */
  ended: AbortController;
}

/**
 * The ledger sessions of running invocations. Each invocation opens one when it starts and ends it exactly once;
 * its submissions are signed by the blocklet's own key with consecutive nonces under the blocklet's submit lock,
 * and submitted in order when it ends well (nonces given back otherwise). Whatever the guest does (submissions it
 * never awaits, racing each other or the end of the call), the lock is released: a submission that arrives after
 * the end is refused, the end waits for those in flight, and waiting for the lock is bounded.
 */
export class LedgerSessions {
  readonly #sessions = new Map<string, Session>();
  /** Per blocklet: the tail of the chain of sessions waiting for its submit lock. */
  readonly #locks = new Map<string, Promise<void>>();
  /** Per blocklet DID: the nonce after the last one handed out (guards against a commit between reads). */
  readonly #nextNonce = new BoundedCache<string, number>(LEDGER_SESSION_LIMITS.nextNonceMax);

  constructor(readonly deps: LedgerSessionDeps) {}

  /** Sessions open now (one per running invocation). */
  get size(): number {
    return this.#sessions.size;
  }

  open(invocationId: string, name: string, version: string): void {
    this.#sessions.set(invocationId, { name, version, pending: new Set(), held: null, ended: new AbortController() });
  }

  /** Signs `itx` as the blocklet in the invocation's session; refused once the invocation has ended. */
  async sign(invocationId: string, name: string, itx: Itx): Promise<{ hash: string }> {
    const session = this.#sessions.get(invocationId);
    if (!session || session.name !== name) {
      throw new HostCallError(
        'INVOCATION_ENDED',
        'ctx.ledger.submit was called after the invocation ended; await every submission inside the handler.',
      );
    }
    const signing = this.#sign(session, itx);
    session.pending.add(signing);
    try {
      return await signing;
    } finally {
      session.pending.delete(signing);
    }
  }

  async #sign(session: Session, itx: Itx): Promise<{ hash: string }> {
    session.held ??= this.#take(session.name, session.ended.signal);
    const held = await session.held;
    const genesis = this.deps.ledger.options.genesis;
    const { key } = held;
    const tx = signTx(
      {
        chainId: genesis.chainId,
        from: key.did,
        publicKey: key.publicKey,
        nonce: held.next,
        fee: genesis.params.minFee,
        feePayer: null,
        itx,
      },
      key.secretKey,
    );
    held.next += 1;
    this.#nextNonce.set(key.did, held.next);
    const bytes = encodeTx(tx);
    held.txs.push(bytes);
    return { hash: toHex(txHash(bytes)) };
  }

  /** Takes the blocklet's submit lock (after the sessions before it), then reads where its nonces stand. */
  async #take(name: string, ended: AbortSignal): Promise<Held> {
    const previous = this.#locks.get(name) ?? Promise.resolve();
    let release: () => void = () => undefined;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const chained = previous.then(() => mine);
    this.#locks.set(name, chained);
    const unlock = () => {
      if (this.#locks.get(name) === chained) this.#locks.delete(name);
      release();
    };
    let timer: NodeJS.Timeout | undefined;
    let onEnd: () => void = () => undefined;
    const acquired = await Promise.race([
      previous.then(() => 'acquired' as const),
      new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), LEDGER_SESSION_LIMITS.submitLockWaitMs);
      }),
      new Promise<'ended'>((resolve) => {
        onEnd = () => resolve('ended');
        if (ended.aborted) onEnd();
        else ended.addEventListener('abort', onEnd, { once: true });
      }),
    ]);
    clearTimeout(timer);
    ended.removeEventListener('abort', onEnd);
    if (acquired !== 'acquired') {
      // Our place in the chain passes straight on once the holder releases; the map keeps the chain's tail.
      release();
      throw acquired === 'ended'
        ? new HostCallError('INVOCATION_ENDED', 'the invocation ended while its ledger submission waited for the nonces')
        : new HostCallError(
            'BLOCKLET_OVERLOADED',
            `another invocation of ${name} held its ledger nonces for over ${LEDGER_SESSION_LIMITS.submitLockWaitMs} ms; retry the call`,
          );
    }
    try {
      const key = this.deps.keys.blockletKey(name);
      const chainNext = await this.deps.ledger.nextNonce(key.did);
      const first = Math.max(chainNext, this.#nextNonce.get(key.did) ?? 0);
      return { key, first, next: first, txs: [], unlock };
    } catch (error) {
      unlock();
      throw error;
    }
  }

  /**
   * Ends an invocation's session once its sign calls have settled: submits its transactions in order (ok), or
   * gives their nonces back. A submission the ledger refuses rewinds the nonces to it, is recorded as rejected
   * (tx.wait answers its code) with the ones after it, and is written to the invocation's logs.
   */
  async end(invocationId: string, ok: boolean): Promise<void> {
    const session = this.#sessions.get(invocationId);
    if (!session) return;
    this.#sessions.delete(invocationId);
    session.ended.abort();
    await Promise.allSettled([...session.pending]);
    if (!session.held) return;
    const [taken] = await Promise.allSettled([session.held]);
    // A lock that was never taken was answered to the guest's submit as its error; there is nothing to release.
    if (taken.status === 'rejected') return;
    const held = taken.value;
    try {
      if (!ok) {
        this.#nextNonce.set(held.key.did, held.first);
        return;
      }
      for (const [index, bytes] of held.txs.entries()) {
        try {
          await this.deps.admission.submit(bytes);
        } catch (error) {
          this.#nextNonce.set(held.key.did, held.first + index);
          await this.#recordLost(invocationId, session, held.txs.slice(index), error as Error);
          return;
        }
      }
    } finally {
      held.unlock();
    }
  }

  /** The refused submission and those after it (which would skip its nonce) become rejected transactions and a log line. */
  async #recordLost(invocationId: string, session: Session, txs: Uint8Array[], error: Error): Promise<void> {
    const raw = (error as Error & { code?: unknown }).code;
    const code = typeof raw === 'string' ? raw : 'UNAVAILABLE';
    const hashes = txs.map((bytes) => toHex(txHash(bytes)));
    const [failed] = hashes;
    const messages = hashes.map((hash) =>
      hash === failed
        ? `The ledger refused this submission of blocklet ${session.name} after its invocation: ${error.message}`
        : `Not submitted: the submission before it (${failed}) was refused with ${code}.`,
    );
    const atMs = this.deps.now();
    const line = {
      level: 'error' as const,
      message: `ledger submission ${failed} refused after the invocation (${code}: ${error.message})${hashes.length > 1 ? `; ${hashes.length - 1} later submission(s) not sent` : ''}`,
      atMs,
    };
    this.deps.log(`blocklet ${session.name}: ${line.message}`);
    await this.deps.db.transaction(async (sql) => {
      await sql.query(
        `INSERT INTO rejected_txs (hash, code, message, at_ms)
         SELECT decode(h, 'hex'), $1, m, $2 FROM unnest($3::text[], $4::text[]) AS x(h, m) ON CONFLICT (hash) DO NOTHING`,
        [code, atMs, hashes, messages],
      );
      await sql.query('INSERT INTO blocklet_logs (name, version, invocation_id, level, message, at_ms) VALUES ($1, $2, $3, $4, $5, $6)', [
        session.name,
        session.version,
        invocationId,
        line.level,
        line.message,
        line.atMs,
      ]);
    });
    this.deps.topics.publish(`blocklet:${session.name}:logs`, { version: session.version, invocationId, ...line });
  }
}
