/**
 * What one node knows of one event's executor election: the messages heard for it, the claims whose proofs it checked,
 * who it passed over, and the result it accepted. The rules that read this state are leaf functions here; the
 * election (election.ts) changes it.
 */
import { type Committee, type ExecutorMessage, type ExecutorResult, rankClaims, toHex, verifyExecutorClaim } from '@arc/core';

/** A claimant whose proof this node checked: its key and priority for the event. */
export interface CheckedClaim {
  publicKey: Uint8Array;
  keyHex: string;
  priority: Uint8Array;
  proof: Uint8Array;
}

/** The executor this node accepted for an event, with its latest report. */
export interface Accepted {
  claim: CheckedClaim;
  result: ExecutorResult;
  /** Whether this report is in the store. */
  recorded: boolean;
  /** This report's write while it is under way (callers wait on it rather than write twice). */
  writing: Promise<void> | null;
}

export interface EventElection {
  readonly name: string;
  readonly dedupKey: string;
  /** When this node first heard of the event (its own trigger or a peer's claim): the claim window starts here. */
  readonly firstHeardMs: number;
  /** Every signed message heard for the event (bounded), re-checked whenever the alpha is (re)computed. */
  heard: ExecutorMessage[];
  /** The VRF input all claims are checked against, once this node has the seed; null before. */
  alpha: Uint8Array | null;
  seedHeight: number | null;
  /** This node's own claim, once made. */
  mine: CheckedClaim | null;
  claims: Map<string, CheckedClaim>;
  /** Checked results not (yet) accepted, latest per sender: kept in case their sender becomes the top claimant. */
  results: Map<string, ExecutorResult>;
  /** Claimants whose result did not come in time, in this node's view. */
  passed: Set<string>;
  accepted: Accepted | null;
  /** This node was elected (or fell back to running it): it reports its results. */
  running: boolean;
  /** How many decide() calls wait on this event (such an event is never evicted). */
  deciding: number;
  /** This node's claim being made (the seed is read from the database). */
  claiming: Promise<void> | null;
  /** Wakes the decide() calls waiting on this event when something changed. */
  waiters: Set<() => void>;
  /** The last write of a report: the next one starts after it, so the row ends with the latest report. */
  lastWrite: Promise<void>;
}

export function newEventElection(name: string, dedupKey: string, nowMs: number): EventElection {
  return {
    name,
    dedupKey,
    firstHeardMs: nowMs,
    heard: [],
    alpha: null,
    seedHeight: null,
    mine: null,
    claims: new Map(),
    results: new Map(),
    passed: new Set(),
    accepted: null,
    running: false,
    deciding: 0,
    claiming: null,
    waiters: new Set(),
    lastWrite: Promise.resolve(),
  };
}

/** The claimant who should run the event now in this node's view: the best-ranked one not passed over. */
export function topClaim(e: EventElection): CheckedClaim | undefined {
  return rankClaims([...e.claims.values()].filter((c) => !e.passed.has(c.keyHex)))[0];
}

/** Checks a message's VRF proof against the event's alpha; the claim it makes, or null (no alpha yet, or forged). */
export function checkClaim(e: EventElection, m: ExecutorMessage, committee: Committee): CheckedClaim | null {
  if (!e.alpha) return null;
  const priority = verifyExecutorClaim(m.publicKey, m.proof, committee, e.alpha);
  return priority ? { publicKey: m.publicKey, keyHex: toHex(m.publicKey), priority, proof: m.proof } : null;
}

/**
 * The result to accept now, if any: the top claimant's, when this node holds it and is not the top claimant itself.
 * Once an event has an accepted executor, no other's result replaces it.
 */
export function acceptable(e: EventElection, myKeyHex: string): { claim: CheckedClaim; result: ExecutorResult } | null {
  if (e.accepted || e.running) return null;
  const top = topClaim(e);
  if (!top || top.keyHex === myKeyHex) return null;
  const result = e.results.get(top.keyHex);
  return result ? { claim: top, result } : null;
}

/** Forgets what was checked under an earlier alpha (the messages heard stay, to be checked again). */
export function resetChecks(e: EventElection): void {
  e.mine = null;
  e.claims.clear();
  e.results.clear();
  e.passed.clear();
}

/** The elections of recent events, bounded: the oldest one no decide() waits on is forgotten first. */
export class EventElections {
  readonly #events = new Map<string, EventElection>();

  constructor(private readonly max: number) {}

  get size(): number {
    return this.#events.size;
  }

  get(name: string, dedupKey: string): EventElection | undefined {
    return this.#events.get(keyOf(name, dedupKey));
  }

  /** The event's election, opened if new; null when every slot is taken by an election still being decided. */
  open(name: string, dedupKey: string, nowMs: number): EventElection | null {
    const key = keyOf(name, dedupKey);
    const held = this.#events.get(key);
    if (held) return held;
    if (this.#events.size >= this.max && !this.#evictOne()) return null;
    const e = newEventElection(name, dedupKey, nowMs);
    this.#events.set(key, e);
    return e;
  }

  /** Every election (to wake their waiters on close). */
  all(): IterableIterator<EventElection> {
    return this.#events.values();
  }

  /** Forgets the oldest settled election; failing that, the oldest one no call is busy with. */
  #evictOne(): boolean {
    const idle = (e: EventElection) => e.deciding === 0 && e.claiming === null;
    // An election this node runs and has not reported yet is kept while another can go: its report needs it.
    for (const pass of [(e: EventElection) => idle(e) && !(e.running && !e.accepted), idle]) {
      for (const [key, e] of this.#events) {
        if (!pass(e)) continue;
        this.#events.delete(key);
        return true;
      }
    }
    return false;
  }
}

function keyOf(name: string, dedupKey: string): string {
  // A blocklet name is [a-z0-9-]: a newline cannot occur in it, so the pair has one key.
  return `${name}\n${dedupKey}`;
}
