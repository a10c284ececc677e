/** The types of one node's BA* (agreement.ts): its limits, its effects, and the state of one attempt at a height. */
import { compareBytes } from '../bytes.ts';
import type { Certificate, ConsensusMessage, Proposal, Vote } from './messages.ts';
import { runSortition, verifySortition } from './sortition.ts';

export const AGREEMENT_LIMITS = {
  /** Messages kept for the next height (they cannot be checked before it starts), beyond which they are dropped. */
  nextHeightMessagesMax: 2_000,
  /** Attempts ahead of the current one whose votes are kept. */
  attemptsAheadMax: 4,
  /** Proposals kept per attempt. */
  proposalsPerAttemptMax: 64,
  /** Valid blocks of the height kept across its attempts (a block locked at one attempt is decided at a later one). */
  blocksPerHeightMax: 64,
};

/**
 * How a node runs its own sortition and checks a proposer's. The default computes the VRF each time; a host may
 * memoize both (a VRF output is a pure function of the key and the input), as the simulator does.
 */
export interface SortitionFunctions {
  run: typeof runSortition;
  verify: typeof verifySortition;
}

export const directSortition: SortitionFunctions = { run: runSortition, verify: verifySortition };

export interface NodeKey {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

export type Effect =
  | { kind: 'send'; message: ConsensusMessage }
  /** Build a block for (height, attempt) and answer with `proposal(...)`. */
  | { kind: 'propose'; height: number; attempt: number }
  /** Check the proposal's block on the parent and answer with `validated(...)`. */
  | { kind: 'validate'; proposal: Proposal }
  /** The height's block: commit it with its certificate, then `start` the next height. */
  | {
      kind: 'decided';
      height: number;
      attempt: number;
      value: Uint8Array;
      payload: Uint8Array | null;
      final: boolean;
      certificate: Certificate;
    }
  /** An attempt agreed on no block; the next attempt starts. */
  | { kind: 'empty'; height: number; attempt: number }
  /** Messages of a later height arrive: this node is behind (fetch the blocks it lacks with their certificates). */
  | { kind: 'behind'; height: number }
  /** A peer is still at an earlier height: it may need that height's certified block. */
  | { kind: 'peerBehind'; height: number }
  /** Binary BA* passed `maxSteps` at this attempt without a value; it keeps going, re-sending its votes. */
  | { kind: 'stuck'; height: number; attempt: number; step: number }
  /** A member voted twice at one step, or proposed two blocks at one attempt (evidence for slashing). */
  | { kind: 'equivocation'; member: string; height: number; attempt: number; step: number };

export type Phase = 'proposal' | 'binary' | 'final' | 'done';

export interface KnownProposal {
  proposal: Proposal;
  priority: Uint8Array;
  valid: boolean | undefined;
}

export interface Attempt {
  number: number;
  startedAtMs: number;
  phase: Phase;
  /** The step being counted (REDUCTION_ONE, REDUCTION_TWO, binary steps, FINAL_STEP). */
  step: number;
  stepStartedAtMs: number;
  proposals: Map<string, KnownProposal>;
  proposers: Map<string, string>;
  /** This node's proposer priority at the attempt when sortition chose it (it may build a block), else null. */
  ownPriority: Uint8Array | null;
  /** Set once the host has been asked to build this node's block (`buildIfDue`). */
  askedToPropose: boolean;
  /** The reduction's outcome: the one block binary BA* decides for or against. */
  blockValue: Uint8Array;
  /** Binary BA*'s current value. */
  current: Uint8Array;
  decided: { value: Uint8Array; certificate: Certificate } | null;
  myVotes: Vote[];
  /**
   * The highest-priority proposer known at the attempt, from its credential or its proposal: a node waits for that
   * proposer's block (up to blockWaitMs) before it votes, so that nodes do not split over blocks that arrive in
   * different orders.
   */
  topProposer: { proposer: string; priority: Uint8Array } | null;
  /**
   * Members whose proposer sortition this node has checked at the attempt (their credential or block, chosen or not,
   * and itself): once every member is heard from and the top proposer's block is valid, nothing better can come.
   */
  heard: Set<string>;
  /** The block handed to the host to check (one at a time, best priority first), or null. */
  validating: string | null;
  /** When a block waiting below the top proposer's gets checked anyway (the proposal wait's end), or null. */
  checkDeferredUntilMs: number | null;
  /** This node's own proposal at the attempt, re-sent with its votes (a peer that connected late still gets it). */
  myProposal: Proposal | null;
  lastSentAtMs: number;
  reportedStuck: boolean;
}

/** The block a node is locked on at a height: returned by binary BA* at `attempt`, as `certificate` proves. */
export interface Lock {
  value: Uint8Array;
  attempt: number;
  certificate: Certificate;
}

/** The highest-priority proposal (with `pending`, including those not validated yet), never an invalid one. */
export function bestProposal(a: Attempt, pending: boolean): KnownProposal | null {
  let best: KnownProposal | null = null;
  for (const known of a.proposals.values()) {
    if (known.valid === false || (!pending && known.valid !== true)) continue;
    if (!best || compareBytes(known.priority, best.priority) > 0) best = known;
  }
  return best;
}
