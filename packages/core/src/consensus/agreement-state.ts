/**
 * What one node's BA* (agreement.ts) knows at a height and how it casts votes: the height's context, the current
 * attempt, the counted votes, the messages kept for later attempts and the next height, its lock; sortition, proposals
 * kept, votes counted and cast. agreement.ts moves it through the steps.
 */
import { bytesEqual, compareBytes, fromHex, toHex } from '../bytes.ts';
import {
  AGREEMENT_LIMITS,
  type Attempt,
  bestProposal,
  directSortition,
  type Effect,
  type KnownProposal,
  type Lock,
  type NodeKey,
  type SortitionFunctions,
} from './agreement-types.ts';
import { directChecker, expectedSize, type HeightContext, stepTau, type VoteChecker, voteProofNeeded } from './certificate.ts';
import {
  type Certificate,
  CONSENSUS_LIMITS,
  type ConsensusMessage,
  type Credential,
  EMPTY_VALUE,
  FINAL_STEP,
  type Proposal,
  signatureValid,
  signVote,
  type Vote,
} from './messages.ts';
import { type ConsensusParams, passes } from './params.ts';
import { proposerPriority, type Sortition, sortitionAlpha } from './sortition.ts';
import { AttemptTally } from './tally.ts';

/** A voter's sortition at a step: its VRF output is null where the step needs no proof. */
type VoteSortition = Omit<Sortition, 'hash'> & { hash: Uint8Array | null };

/** The state of one node's BA* and its primitive moves; `Agreement` is the machine built on it. */
export class AgreementState {
  protected ctx: HeightContext | null = null;
  protected attempt: Attempt | null = null;
  /** Counted votes by attempt (the current one, and the next ones' early votes). */
  protected readonly tallies = new Map<number, AttemptTally>();
  /** Votes, proposals and credentials of attempts ahead of the current one, counted when it starts. */
  protected readonly ahead = new Map<number, (Vote | Proposal | Credential)[]>();
  /** Messages of the next height, received before this one ended. */
  protected nextHeight: ConsensusMessage[] = [];
  /** The certificate that ended the last attempt without a block, and when it was last sent to peers still in it. */
  protected lastEmpty: { certificate: Certificate; sentAtMs: number } | null = null;
  protected decidedHeight = -1;

  /**
   * The block of the latest attempt at this height where this node saw binary BA* return a block (its own count or a
   * peer's certificate), with that certificate. While locked, the node votes no other block at any step, starts each
   * attempt by voting it, and hands the certificate to peers; a block returned at a later attempt replaces it.
   * README.md, "Locks": why no two final certificates can then name different blocks, and why a split lock heals.
   */
  protected lock: Lock | null = null;
  /**
   * The blocks of this height known valid here (built here, or checked by the host), by value, kept across attempts:
   * a block locked at one attempt is decided at a later one, when that attempt's proposals no longer hold it.
   */
  protected readonly blocks = new Map<string, Uint8Array>();

  constructor(
    readonly params: ConsensusParams,
    protected readonly key: NodeKey,
    protected readonly checker: VoteChecker = directChecker,
    protected readonly sortitions: SortitionFunctions = directSortition,
  ) {}

  protected newTally(): AttemptTally {
    return new AttemptTally();
  }

  protected deadline(a: Attempt): number {
    const p = this.params;
    if (a.phase === 'proposal') {
      // Past the proposal wait, a node still waits (up to blockWaitMs more) while it has no valid block to vote for,
      // while the best it knows is being checked, or while the block of the best proposer it has a credential from
      // has not arrived: blocks take time to build and check on a busy machine.
      const best = bestProposal(a, true);
      const top = a.topProposer;
      const waitForTop = top !== null && !a.proposers.has(top.proposer);
      const waitForBlock = !best || best.valid === undefined || waitForTop;
      // Every member heard from: the top proposer is known for certain. Its block checked valid (or no member
      // chosen at all), there is nothing left to wait for. A member not heard from yet (it started the height later,
      // or is down) may hold the top priority: the wait doubles for it, no more (a node down would cost every height).
      const heardAll = this.heardFromAll(a);
      if (heardAll && (top === null || (!waitForTop && best?.valid === true && toHex(best.proposal.proposer) === top.proposer))) {
        return a.startedAtMs;
      }
      const extra = waitForBlock ? p.blockWaitMs : heardAll ? 0 : p.proposalWaitMs;
      return a.startedAtMs + p.proposalWaitMs + extra;
    }
    return a.stepStartedAtMs + p.stepWaitMs;
  }

  protected beginAttempt(number: number, nowMs: number, out: Effect[]): void {
    const tally = this.tallies.get(number) ?? this.newTally();
    this.tallies.clear();
    this.tallies.set(number, tally);
    this.attempt = {
      number,
      startedAtMs: nowMs,
      phase: 'proposal',
      step: 0,
      stepStartedAtMs: nowMs,
      proposals: new Map(),
      proposers: new Map(),
      ownPriority: null,
      askedToPropose: false,
      blockValue: EMPTY_VALUE,
      current: EMPTY_VALUE,
      decided: null,
      myVotes: [],
      myProposal: null,
      topProposer: null,
      heard: new Set(),
      validating: null,
      checkDeferredUntilMs: null,
      lastSentAtMs: nowMs,
      reportedStuck: false,
    };
    // Peers that missed the block returned at an earlier attempt learn it, and lock on it, before they vote.
    if (this.lock) out.push({ kind: 'send', message: this.lock.certificate });
    // Every member sends its proposer credential, chosen or not, before any block is built: peers learn within one
    // round trip which block to wait for, and, once they have heard from every member, that no better one will come.
    const drawn = this.drawn('proposer', 0);
    if (drawn) {
      const ctx = this.ctx as HeightContext;
      const me = toHex(this.key.publicKey);
      this.attempt.heard.add(me);
      const credential: Credential = {
        kind: 'credential',
        height: ctx.height,
        attempt: number,
        prevHash: ctx.prevHash,
        proposer: this.key.publicKey,
        proof: drawn.proof,
      };
      out.push({ kind: 'send', message: credential });
      if (drawn.subUsers > 0) {
        this.attempt.ownPriority = proposerPriority(drawn.hash, drawn.subUsers);
        this.noteProposer(me, this.attempt.ownPriority);
      }
    }
    const early = this.ahead.get(number) ?? [];
    this.ahead.delete(number);
    for (const m of early) this.receiveInAttempt(m, out);
    this.buildIfDue(out, nowMs);
  }

  /**
   * When this chosen node builds its block (null: it will not). Only the top proposer's block is voted for, so a node
   * that knows of a better one does not build: building and checking a block executes its transactions, and on a
   * small network most members are chosen at every attempt. The top proposer among those heard from builds at once
   * when it has heard from every member, else after a third of the proposal wait (a better credential may still come).
   * A node below the top builds as a fallback when the top proposer's block has not come halfway through the block
   * wait (that proposer stopped after its credential): peers still wait for a block then, and check it.
   */
  protected buildAtMs(a: Attempt): number | null {
    if (a.phase !== 'proposal' || a.ownPriority === null || a.askedToPropose) return null;
    const top = a.topProposer;
    if (top === null || top.proposer === toHex(this.key.publicKey)) {
      return this.heardFromAll(a) ? a.startedAtMs : a.startedAtMs + Math.floor(this.params.proposalWaitMs / 3);
    }
    const own = a.ownPriority;
    for (const known of a.proposals.values()) {
      if (known.valid !== false && compareBytes(known.priority, own) > 0) return null;
    }
    return a.startedAtMs + this.params.proposalWaitMs + Math.floor(this.params.blockWaitMs / 2);
  }

  /** Asks the host for this node's block once `buildAtMs` has come. */
  protected buildIfDue(out: Effect[], nowMs: number): void {
    const a = this.attempt as Attempt;
    const at = this.buildAtMs(a);
    if (at === null || nowMs < at) return;
    a.askedToPropose = true;
    out.push({ kind: 'propose', height: (this.ctx as HeightContext).height, attempt: a.number });
  }

  /** A vote, proposal or credential of the current attempt. */
  protected receiveInAttempt(m: Vote | Proposal | Credential, out: Effect[]): void {
    if (m.kind === 'proposal') this.receiveProposal(m, out);
    else if (m.kind === 'credential') this.receiveCredential(m);
    else this.countVote(m, out);
  }

  /** A member's proposer credential: it is heard from, and its priority remembered when it was chosen. */
  protected receiveCredential(c: Credential): void {
    const ctx = this.ctx as HeightContext;
    const a = this.attempt as Attempt;
    const proposer = toHex(c.proposer);
    if (a.phase !== 'proposal' || a.heard.has(proposer)) return;
    const alpha = sortitionAlpha(ctx.seed, 'proposer', ctx.height, a.number, 0);
    const drawn = this.sortitions.verify(c.proposer, c.proof, ctx.committee, this.params.tauProposer, alpha);
    if (!drawn) return;
    a.heard.add(proposer);
    if (drawn.subUsers > 0) this.noteProposer(proposer, proposerPriority(drawn.hash, drawn.subUsers));
  }

  /** True once every member's proposer sortition is known here (the weight heard from is the whole stake). */
  protected heardFromAll(a: Attempt): boolean {
    const committee = (this.ctx as HeightContext).committee;
    if (a.heard.size < committee.members.size) return false;
    let weight = 0;
    for (const member of a.heard) weight += committee.members.get(member)?.weight ?? 0;
    return weight >= committee.totalWeight;
  }

  /** Keeps the highest-priority proposer known at the attempt. */
  protected noteProposer(proposer: string, priority: Uint8Array): void {
    const a = this.attempt as Attempt;
    if (!a.topProposer || compareBytes(priority, a.topProposer.priority) > 0) a.topProposer = { proposer, priority };
  }

  /** This node's weight and proof as a voter at `step`: no VRF where the step needs no proof (`voteProofNeeded`). */
  private voterSortition(step: number): VoteSortition | null {
    if (voteProofNeeded(stepTau(this.params, step), step)) return this.sortition('committee', step);
    const member = (this.ctx as HeightContext).committee.members.get(toHex(this.key.publicKey));
    return member && member.weight > 0 ? { proof: new Uint8Array(), hash: null, subUsers: member.weight } : null;
  }

  /** This node's sortition for a role and step at the current attempt, when it is chosen. */
  protected sortition(role: 'proposer' | 'committee', step: number): Sortition | null {
    const s = this.drawn(role, step);
    return s && s.subUsers > 0 ? s : null;
  }

  /** This node's sortition for a role and step at the current attempt, chosen or not (null: it is no member). */
  private drawn(role: 'proposer' | 'committee', step: number): Sortition | null {
    const ctx = this.ctx as HeightContext;
    const a = this.attempt as Attempt;
    const member = ctx.committee.members.get(toHex(this.key.publicKey));
    if (!member) return null;
    const tau = role === 'proposer' ? this.params.tauProposer : stepTau(this.params, step);
    return this.sortitions.run(this.key.secretKey, member, ctx.committee, tau, sortitionAlpha(ctx.seed, role, ctx.height, a.number, step));
  }

  protected receiveProposal(p: Proposal, out: Effect[]): void {
    const ctx = this.ctx as HeightContext;
    const a = this.attempt as Attempt;
    if (a.proposals.size >= AGREEMENT_LIMITS.proposalsPerAttemptMax || a.proposals.has(toHex(p.value))) return;
    if (p.payload.length > CONSENSUS_LIMITS.payloadBytesMax || !signatureValid(p)) return;
    const alpha = sortitionAlpha(ctx.seed, 'proposer', ctx.height, a.number, 0);
    const chosen = this.sortitions.verify(p.proposer, p.proof, ctx.committee, this.params.tauProposer, alpha);
    if (!chosen || chosen.subUsers === 0) return;
    a.heard.add(toHex(p.proposer));
    this.keepProposal(p, proposerPriority(chosen.hash, chosen.subUsers), out);
  }

  protected keepProposal(p: Proposal, priority: Uint8Array, out: Effect[]): void {
    const a = this.attempt as Attempt;
    const proposer = toHex(p.proposer);
    const earlier = a.proposers.get(proposer);
    if (earlier !== undefined && earlier !== toHex(p.value)) {
      // Two blocks from one proposer at one attempt: neither is voted for.
      const first = a.proposals.get(earlier);
      if (first) first.valid = false;
      out.push({ kind: 'equivocation', member: proposer, height: p.height, attempt: p.attempt, step: 0 });
      return;
    }
    a.proposers.set(proposer, toHex(p.value));
    this.noteProposer(proposer, priority);
    // This node's own block was built on its state: valid here without a check.
    const own = bytesEqual(p.proposer, this.key.publicKey);
    a.proposals.set(toHex(p.value), { proposal: p, priority, valid: own ? true : undefined });
  }

  /**
   * Hands the host the next block to check, during the proposal phase only (later no vote depends on a check; the
   * decided block is checked when it commits if it was not): one at a time, the highest-priority block not checked
   * yet, and only while it could beat every block found valid. Until the proposal wait is over, a block below the top
   * proposer's (known by its credential, its block not here yet) is not checked either. A node thereby checks the
   * block it will vote for, not every block proposed: each check executes the block's transactions.
   */
  protected validateNext(out: Effect[], nowMs: number): void {
    const a = this.attempt as Attempt;
    a.checkDeferredUntilMs = null;
    if (a.phase !== 'proposal' || a.validating !== null) return;
    let next: KnownProposal | null = null;
    for (const known of a.proposals.values()) {
      if (known.valid === undefined && (!next || compareBytes(known.priority, next.priority) > 0)) next = known;
    }
    if (!next) return;
    const valid = bestProposal(a, false);
    if (valid && compareBytes(valid.priority, next.priority) > 0) return;
    const top = a.topProposer;
    const waitEndsMs = a.startedAtMs + this.params.proposalWaitMs;
    if (top && !a.proposers.has(top.proposer) && compareBytes(top.priority, next.priority) > 0 && nowMs < waitEndsMs) {
      a.checkDeferredUntilMs = waitEndsMs;
      return;
    }
    a.validating = toHex(next.proposal.value);
    out.push({ kind: 'validate', proposal: next.proposal });
  }

  protected countVote(v: Vote, out: Effect[]): void {
    const ctx = this.ctx as HeightContext;
    const tally = this.tallies.get(v.attempt) ?? this.newTally();
    this.tallies.set(v.attempt, tally);
    const voter = toHex(v.voter);
    if (tally.sameVote(v)) return;
    // Waiting for the final count, a node has no use for binary steps' votes: not checking them saves a VRF each.
    if (this.attempt?.number === v.attempt && this.attempt.phase === 'final' && v.step !== FINAL_STEP) return;
    const counted = this.checker.check(v, ctx, stepTau(this.params, v.step));
    if (!counted) return;
    if (tally.add(v, counted.subUsers, counted.hash) === 'double') {
      out.push({ kind: 'equivocation', member: voter, height: v.height, attempt: v.attempt, step: v.step });
    }
  }

  /** Locks on a block returned at `attempt` when that is later than the lock's (or there is none). */
  protected relock(value: Uint8Array, attempt: number, certificate: Certificate): void {
    if (this.lock && this.lock.attempt >= attempt) return;
    // The lock's certificate carries the block when this node has it, whoever made the certificate: it is what this
    // node hands to peers at each attempt, and a node that restarted and voted by votes alone has no block to add.
    const payload = certificate.payload.length > 0 ? certificate.payload : this.payloadOf(value);
    this.lock = { value, attempt, certificate: payload ? { ...certificate, payload } : certificate };
  }

  /** Remembers a block of this height as valid here, for the attempts after this one. */
  protected rememberBlock(value: Uint8Array, payload: Uint8Array): void {
    if (this.blocks.size < AGREEMENT_LIMITS.blocksPerHeightMax) this.blocks.set(toHex(value), payload);
  }

  protected payloadOf(value: Uint8Array, c?: Certificate): Uint8Array | null {
    const known = this.attempt?.proposals.get(toHex(value));
    if (known) return known.proposal.payload;
    if (c && c.payload.length > 0) return c.payload;
    const lock = this.lock;
    if (lock && bytesEqual(lock.value, value) && lock.certificate.payload.length > 0) return lock.certificate.payload;
    return this.blocks.get(toHex(value)) ?? null;
  }

  /**
   * Casts this node's vote at a step when sortition chooses it (and counts it here too). A locked node votes no other
   * block than its lock's at any step but the final one (whose value is always the lock's): the empty value instead.
   */
  protected vote(step: number, chosen: Uint8Array, out: Effect[]): void {
    const ctx = this.ctx as HeightContext;
    const a = this.attempt as Attempt;
    const s = this.voterSortition(step);
    if (!s) return;
    const lock = this.lock;
    const value = lock && !bytesEqual(chosen, EMPTY_VALUE) && !bytesEqual(chosen, lock.value) ? EMPTY_VALUE : chosen;
    const vote = signVote(
      { height: ctx.height, attempt: a.number, prevHash: ctx.prevHash, step, value, voter: this.key.publicKey, proof: s.proof },
      this.key.secretKey,
    );
    a.myVotes.push(vote);
    this.tallies.get(a.number)?.add(vote, s.subUsers, s.hash);
    out.push({ kind: 'send', message: vote });
  }

  /** The value that passed the current step's threshold, or null. */
  protected passed(a: Attempt, step: number): { value: Uint8Array; votes: Vote[] } | null {
    const ctx = this.ctx as HeightContext;
    const leader = this.tallies.get(a.number)?.leader(step);
    if (!leader) return null;
    const threshold = step === FINAL_STEP ? this.params.thresholdFinal : this.params.thresholdStep;
    if (!passes(leader.weight, expectedSize(stepTau(this.params, step), ctx.committee), threshold)) return null;
    return { value: fromHex(leader.value), votes: leader.votes };
  }

  protected enterStep(a: Attempt, step: number, value: Uint8Array, nowMs: number, out: Effect[]): void {
    a.step = step;
    a.stepStartedAtMs = nowMs;
    this.vote(step, value, out);
  }
}
