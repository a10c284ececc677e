/**
 * Chooses which validator runs a blocklet's chain-event invocation (executors/README.md). Every validator that watches
 * the event claims it with its VRF rank (core's executorPriority) over gossip; after the claim window the top-ranked
 * claimant runs it and reports its result with its proof; the others accept only the result of the top claimant not
 * passed over, and pass a claimant over when its result does not come within the blocklet's timeout plus a margin,
 * so the next by rank runs it. A node outside the validators, or on a one-node chain, runs everything itself.
 */
import {
  bytesEqual,
  type Committee,
  canonicalJson,
  decodeExecutorMessage,
  didFromPublicKey,
  EXECUTOR_LIMITS,
  type ExecutorMessage,
  type ExecutorOutcome,
  encodeExecutorMessage,
  executorAlpha,
  executorPriority,
  executorSignatureValid,
  type KeyPair,
  sha3,
  signExecutorClaim,
  signExecutorResult,
  toHex,
  utf8,
} from '@arc/core';
import { acceptable, checkClaim, type EventElection, EventElections, resetChecks, topClaim } from './event-state.ts';
import type { ExecutionStore } from './store.ts';

export const ELECTION_LIMITS = {
  /**
   * How long a node gathers claims after it first hears of an event; it ends early once every validator claimed, so
   * it is long only when one does not. Covers the skew between nodes' triggers: block commit and a stream poll.
   */
  claimWindowMs: 1_000,
  /** Added to the blocklet's invocation timeout: how long the others wait for the top claimant's result. */
  resultMarginMs: 5_000,
  /** Events whose election a node remembers; the oldest not being decided is forgotten first. */
  eventsMax: 4_096,
  /** Signed messages kept per event and validator: its claim and a report per attempt (TRIGGER_LIMITS.attemptsMax), with room. */
  heardPerValidatorMax: 8,
};

export type ElectionLimits = typeof ELECTION_LIMITS;

/** What the election needs of consensus (the driver has it): the validators, gossip out, and the chain's seeds. */
export interface ExecutorNetwork {
  readonly committee: Committee;
  broadcastExecutor(bytes: Uint8Array): void;
  seedAfterHeight(height: number): Promise<Uint8Array | null>;
}

/** How a local run of the invocation ended (the runtime's InvokeOutcome, or a thrown error mapped to one). */
export interface RunOutcome {
  ok: boolean;
  output?: unknown;
  error: { code: string; message: string } | null;
}

export interface ElectionOptions {
  key: KeyPair;
  network: ExecutorNetwork;
  store: ExecutionStore;
  now: () => number;
  log: (line: string) => void;
  limits?: Partial<ElectionLimits>;
}

/** The election was closed while a decision waited: the event is delivered again after a restart. */
export class ElectionClosed extends Error {
  override name = 'ElectionClosed';
}

export class ExecutorElection {
  readonly #limits: ElectionLimits;
  readonly #events: EventElections;
  readonly #myKeyHex: string;
  #closed = false;
  /** Whether this node runs chain triggers of a blocklet (the scheduler sets it): only then does it claim early. */
  watches: (name: string) => boolean = () => false;

  constructor(private readonly options: ElectionOptions) {
    this.#limits = { ...ELECTION_LIMITS, ...options.limits };
    this.#events = new EventElections(this.#limits.eventsMax);
    this.#myKeyHex = toHex(options.key.publicKey);
  }

  get #committee(): Committee {
    return this.options.network.committee;
  }

  /** Whether this node takes part: it is one of two or more validators. */
  get elects(): boolean {
    return this.#committee.members.size > 1 && this.#committee.members.has(this.#myKeyHex);
  }

  /**
   * Whether this node runs an event's invocation ('run') or another validator did ('skip', its result recorded).
   * `seedHeight`: the height of this node's chain whose seed ranks the event; `invocationTimeoutMs`: the blocklet's.
   */
  async decide(name: string, dedupKey: string, seedHeight: number, invocationTimeoutMs: number): Promise<'run' | 'skip'> {
    if (this.#closed) throw new ElectionClosed('the executor election is closed');
    if (!this.elects) return 'run';
    if (utf8(name).length > EXECUTOR_LIMITS.nameBytesMax || utf8(dedupKey).length > EXECUTOR_LIMITS.dedupKeyBytesMax) {
      this.options.log(`executors: ${name} ${dedupKey} is too long to elect an executor for; this node runs it`);
      return 'run';
    }
    const e = this.#events.open(name, dedupKey, this.options.now());
    if (!e) {
      this.options.log(`executors: ${this.#limits.eventsMax} elections are being decided; this node runs ${dedupKey} itself`);
      return 'run';
    }
    e.deciding += 1;
    try {
      return await this.#decide(e, seedHeight, invocationTimeoutMs);
    } finally {
      e.deciding -= 1;
    }
  }

  async #decide(e: EventElection, seedHeight: number, invocationTimeoutMs: number): Promise<'run' | 'skip'> {
    if (e.accepted) return this.#skip(e);
    if (e.claiming) await e.claiming;
    if (e.seedHeight !== seedHeight) await this.#claimOnce(e, seedHeight);
    if (!e.mine) {
      this.options.log(`executors: no seed after height ${seedHeight} here for ${e.dedupKey}; this node runs it`);
      e.running = true;
      return 'run';
    }
    const everyone = this.#committee.members.size;
    await this.#wait(e, e.firstHeardMs + this.#limits.claimWindowMs, () => e.accepted !== null || e.claims.size >= everyone);
    // Each round ends with a new top claimant (a better claim came) or one passed over: at most two per validator.
    for (let round = 0; round < 2 * everyone + 1; round += 1) {
      if (this.#closed) throw new ElectionClosed('the executor election is closed');
      if (e.accepted) return this.#skip(e);
      const top = topClaim(e);
      if (!top || top.keyHex === this.#myKeyHex) break;
      const deadline = this.options.now() + invocationTimeoutMs + this.#limits.resultMarginMs;
      await this.#wait(e, deadline, () => e.accepted !== null || topClaim(e)?.keyHex !== top.keyHex);
      if (e.accepted === null && topClaim(e)?.keyHex === top.keyHex) {
        e.passed.add(top.keyHex);
        this.options.log(
          `executors: ${e.name} ${e.dedupKey}: no result from ${this.#did(top.publicKey)} in time; the next by rank runs it`,
        );
        this.#settle(e);
      }
    }
    if (e.accepted) return this.#skip(e);
    e.running = true;
    return 'run';
  }

  async #skip(e: EventElection): Promise<'skip'> {
    await this.#persist(e);
    return 'skip';
  }

  /**
   * Reports how this node's run of an elected invocation ended: broadcast with its proof, and recorded here. A later
   * report (a retry) replaces an earlier one. Does nothing for an invocation this node was not elected for.
   */
  async reportResult(name: string, dedupKey: string, outcome: RunOutcome): Promise<void> {
    const e = this.#events.get(name, dedupKey);
    if (!e?.running || !e.mine) return;
    const result = signExecutorResult(
      {
        name,
        dedupKey,
        publicKey: this.options.key.publicKey,
        proof: e.mine.proof,
        outcome: outcomeOf(outcome),
        outputDigest: outputDigestOf(outcome),
      },
      this.options.key.secretKey,
    );
    this.options.network.broadcastExecutor(encodeExecutorMessage(result));
    e.accepted = { claim: e.mine, result, recorded: false, writing: null };
    await this.#persist(e);
  }

  /** A peer's claim or result from gossip; true when it is a validator's well-signed message (to be relayed). */
  receive(bytes: Uint8Array): boolean {
    if (this.#closed) return false;
    let m: ExecutorMessage;
    try {
      m = decodeExecutorMessage(bytes);
    } catch (error) {
      if (error instanceof Error) return false;
      throw error;
    }
    const keyHex = toHex(m.publicKey);
    if (keyHex === this.#myKeyHex || !this.#committee.members.has(keyHex) || !executorSignatureValid(m)) return false;
    const e = this.#events.open(m.name, m.dedupKey, this.options.now());
    if (!e) return false;
    const fromSender = e.heard.filter((h) => toHex(h.publicKey) === keyHex);
    // The same message again (relayed by another peer) changes nothing.
    if (fromSender.some((h) => bytesEqual(h.signature, m.signature))) return false;
    if (fromSender.length >= this.#limits.heardPerValidatorMax) return false;
    e.heard.push(m);
    if (e.alpha) this.#admit(e, m);
    else if (m.kind === 'claim' && e.claiming === null && this.elects && this.watches(m.name)) {
      // Claim at once, so that validators whose trigger sees the event later still make each other's windows.
      void this.#claimOnce(e, m.seedHeight).catch((error: Error) => this.options.log(`executors: an early claim failed: ${error.message}`));
    }
    this.#wake(e);
    return true;
  }

  /** Wakes every waiting decision; they end with ElectionClosed. Incoming messages are ignored from now on. */
  close(): void {
    this.#closed = true;
    for (const e of this.#events.all()) this.#wake(e);
  }

  /** How many elections this node holds (a bounded number; for tests and status). */
  get size(): number {
    return this.#events.size;
  }

  /** This node's claim for the event under the seed after `seedHeight` (once at a time per event). */
  #claimOnce(e: EventElection, seedHeight: number): Promise<void> {
    const run = (async () => {
      const seed = await this.options.network.seedAfterHeight(seedHeight);
      if (!seed) return;
      const member = this.#committee.members.get(this.#myKeyHex);
      if (!member) return;
      resetChecks(e);
      e.alpha = executorAlpha(seed, e.name, e.dedupKey);
      e.seedHeight = seedHeight;
      const rank = executorPriority(this.options.key.secretKey, member, this.#committee, e.alpha);
      e.mine = { publicKey: member.publicKey, keyHex: this.#myKeyHex, priority: rank.priority, proof: rank.proof };
      e.claims.set(this.#myKeyHex, e.mine);
      const claim = signExecutorClaim(
        { name: e.name, dedupKey: e.dedupKey, seedHeight, publicKey: member.publicKey, proof: rank.proof },
        this.options.key.secretKey,
      );
      this.options.network.broadcastExecutor(encodeExecutorMessage(claim));
      for (const m of e.heard) this.#admit(e, m);
      this.#wake(e);
    })().finally(() => {
      e.claiming = null;
    });
    e.claiming = run;
    return run;
  }

  /** Checks a heard message's proof under the event's alpha and takes in its claim (and result). */
  #admit(e: EventElection, m: ExecutorMessage): void {
    const claim = checkClaim(e, m, this.#committee);
    if (!claim) return;
    if (!e.claims.has(claim.keyHex)) e.claims.set(claim.keyHex, claim);
    if (m.kind === 'result') {
      if (e.accepted?.claim.keyHex === claim.keyHex && !e.running) {
        // The accepted executor reports again (its retry ended otherwise): the row follows its latest report.
        e.accepted = { claim: e.accepted.claim, result: m, recorded: false, writing: null };
        void this.#persist(e).catch((error: Error) => this.options.log(`executors: a result was not recorded: ${error.message}`));
      } else if (!e.accepted) e.results.set(claim.keyHex, m);
    }
    this.#settle(e);
  }

  /** Accepts the top claimant's result when this node holds it. */
  #settle(e: EventElection): void {
    const next = acceptable(e, this.#myKeyHex);
    if (!next) return;
    e.accepted = { ...next, recorded: false, writing: null };
    e.results.clear();
    void this.#persist(e).catch((error: Error) => this.options.log(`executors: a result was not recorded: ${error.message}`));
  }

  /**
   * Writes the accepted report to the store unless it is there or being written; a decision awaits this, so a write
   * that failed is tried again by the next decision on the event (its error reaches the scheduler, which redelivers).
   */
  async #persist(e: EventElection): Promise<void> {
    const accepted = e.accepted;
    if (!accepted || accepted.recorded) return;
    if (!accepted.writing) {
      const write = async () => {
        await this.options.store.record({
          name: e.name,
          dedupKey: e.dedupKey,
          executorDid: this.#did(accepted.claim.publicKey),
          priorityHex: toHex(accepted.claim.priority),
          outcome: accepted.result.outcome.ok ? 'ok' : accepted.result.outcome.code,
          outputDigest: toHex(accepted.result.outputDigest),
          acceptedAtMs: this.options.now(),
        });
        accepted.recorded = true;
      };
      // After the previous report's write whatever became of it (its own caller heard of a failure).
      accepted.writing = e.lastWrite.then(write, write).finally(() => {
        accepted.writing = null;
      });
      e.lastWrite = accepted.writing;
    }
    await accepted.writing;
  }

  /** Waits until `done()` or the deadline; wakes to re-check whenever a message for the event arrives. */
  async #wait(e: EventElection, untilMs: number, done: () => boolean): Promise<void> {
    while (!done() && !this.#closed) {
      const leftMs = untilMs - this.options.now();
      if (leftMs <= 0) return;
      await new Promise<void>((resolve) => {
        const finish = () => {
          clearTimeout(timer);
          e.waiters.delete(finish);
          resolve();
        };
        const timer = setTimeout(finish, leftMs);
        e.waiters.add(finish);
      });
    }
  }

  #wake(e: EventElection): void {
    for (const finish of [...e.waiters]) finish();
  }

  #did(publicKey: Uint8Array): string {
    return didFromPublicKey(publicKey, 'node');
  }
}

/** The outcome as a result carries it (an error code longer than a result may carry becomes a generic one). */
function outcomeOf(outcome: RunOutcome): ExecutorOutcome {
  if (outcome.ok) return { ok: true };
  const code = outcome.error?.code ?? 'BLOCKLET_FAILED';
  return { ok: false, code: utf8(code).length <= EXECUTOR_LIMITS.errorCodeBytesMax ? code : 'BLOCKLET_FAILED' };
}

/** SHA3-256 of the invocation's canonical result JSON: { ok, output, error }. */
export function outputDigestOf(outcome: RunOutcome): Uint8Array {
  const value = { ok: outcome.ok, output: outcome.ok ? (outcome.output ?? null) : null, error: outcome.error };
  let json: string;
  try {
    json = canonicalJson(value);
  } catch (error) {
    // A value JSON cannot hold (a bigint, a cycle) cannot come out of the sandbox; should it, it still gets a digest.
    if (!(error instanceof TypeError)) throw error;
    json = canonicalJson({ ok: outcome.ok, output: String(outcome.output), error: outcome.error });
  }
  return sha3(utf8(json));
}
