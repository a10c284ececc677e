/**
 * BA* (Algorand, SOSP 2017, §7 and Algorithms 3–8) for one node, as a state machine: messages, answers from the host
 * (a block to propose, whether a proposal is valid) and the clock go in; messages to send, requests to the host and
 * decisions come out. No I/O, no clock of its own, no randomness (the VRF is deterministic).
 *
 * One height may take several attempts: an attempt that agrees on the empty value ends without a block and the next
 * attempt starts with fresh sortition (the paper appends an empty block instead; here heights stay contiguous
 * blocks). Each attempt: proposals for `proposalWaitMs`, the two reduction steps, then binary BA* until a value returns,
 * then the final step's count. A block is decided only by a final certificate (README.md: why).
 */
import { bytesEqual, toHex } from '../bytes.ts';
import { AgreementState } from './agreement-state.ts';
import { AGREEMENT_LIMITS, type Attempt, bestProposal, type Effect, type Phase } from './agreement-types.ts';
import { type CertificateCheck, decisionAt, type HeightContext, verifyCertificate } from './certificate.ts';
import {
  BINARY_FIRST,
  type Certificate,
  type ConsensusMessage,
  EMPTY_VALUE,
  FINAL_STEP,
  REDUCTION_ONE,
  REDUCTION_TWO,
  signProposal,
  type Vote,
} from './messages.ts';
import { proposerPriority } from './sortition.ts';

export * from './agreement-types.ts';

export class Agreement extends AgreementState {
  /** The height being agreed on, its attempt and step (for status pages). */
  status(): { height: number; attempt: number; step: number; phase: Phase | 'idle' } {
    if (!this.ctx || !this.attempt) return { height: this.decidedHeight + 1, attempt: 0, step: 0, phase: 'idle' };
    return { height: this.ctx.height, attempt: this.attempt.number, step: this.attempt.step, phase: this.attempt.phase };
  }

  /** When the machine next needs `tick`, or null. */
  wakeAtMs(): number | null {
    const a = this.attempt;
    if (!a || a.phase === 'done') return null;
    const resend = a.lastSentAtMs + this.params.resendEveryMs;
    const build = this.buildAtMs(a) ?? Number.POSITIVE_INFINITY;
    return Math.min(this.deadline(a), resend, build, a.checkDeferredUntilMs ?? Number.POSITIVE_INFINITY);
  }

  /** Starts agreeing on `ctx.height` (the block after `ctx.prevHash`), and counts what was kept for it. */
  start(ctx: HeightContext, nowMs: number): Effect[] {
    this.ctx = ctx;
    this.tallies.clear();
    this.ahead.clear();
    this.lastEmpty = null;
    this.lock = null;
    this.blocks.clear();
    const out: Effect[] = [];
    this.beginAttempt(0, nowMs, out);
    const kept = this.nextHeight;
    this.nextHeight = [];
    for (const m of kept) out.push(...this.receive(m, nowMs));
    out.push(...this.tick(nowMs));
    return out;
  }

  /** A block to propose for the attempt, after a `propose` effect: its payload and hash. */
  proposal(height: number, attempt: number, payload: Uint8Array, value: Uint8Array, nowMs: number): Effect[] {
    const ctx = this.ctx;
    const a = this.attempt;
    if (!ctx || !a || ctx.height !== height || a.number !== attempt || a.phase === 'done') return [];
    const member = ctx.committee.members.get(toHex(this.key.publicKey));
    if (!member) return [];
    const s = this.sortition('proposer', 0);
    if (!s) return [];
    const base = { height, attempt, prevHash: ctx.prevHash, value, proposer: this.key.publicKey, proof: s.proof, payload };
    const signed = signProposal(base, this.key.secretKey);
    a.myProposal = signed;
    const out: Effect[] = [{ kind: 'send', message: signed }];
    this.keepProposal(signed, proposerPriority(s.hash, s.subUsers), out);
    const known = a.proposals.get(toHex(value));
    // Our own block was built on our state: it is valid here.
    if (known) known.valid = true;
    this.rememberBlock(value, payload);
    out.push(...this.tick(nowMs));
    return out;
  }

  /** The host's answer to a `validate` effect. */
  validated(height: number, value: Uint8Array, valid: boolean, nowMs: number): Effect[] {
    if (this.ctx?.height !== height || !this.attempt) return [];
    const a = this.attempt;
    const known = a.proposals.get(toHex(value));
    // Only a pending answer is taken: a block already refused (its proposer equivocated) stays refused.
    if (known && known.valid === undefined) known.valid = valid;
    if (known?.valid === true) this.rememberBlock(value, known.proposal.payload);
    if (a.validating === toHex(value)) a.validating = null;
    return this.tick(nowMs);
  }

  /** A message from a peer (decoded; its checks happen here). */
  receive(m: ConsensusMessage, nowMs: number): Effect[] {
    const ctx = this.ctx;
    if (!ctx) return [];
    if (m.height > ctx.height + 1) return [{ kind: 'behind', height: m.height }];
    if (m.height === ctx.height + 1) {
      if (this.nextHeight.length < AGREEMENT_LIMITS.nextHeightMessagesMax) this.nextHeight.push(m);
      return m.kind === 'certificate' ? [{ kind: 'behind', height: m.height }] : [];
    }
    if (m.height < ctx.height) return m.kind === 'certificate' ? [] : [{ kind: 'peerBehind', height: m.height }];
    if (!bytesEqual(m.prevHash, ctx.prevHash)) return [];
    const a = this.attempt;
    if (!a || a.phase === 'done') return [];
    const out: Effect[] = [];
    if (m.kind === 'certificate') this.receiveCertificate(m, nowMs, out);
    else if (m.attempt < a.number) this.answerEarlierAttempt(nowMs, out);
    else if (m.attempt === a.number) this.receiveInAttempt(m, out);
    else if (m.attempt > a.number && m.attempt <= a.number + AGREEMENT_LIMITS.attemptsAheadMax) {
      const list = this.ahead.get(m.attempt) ?? [];
      if (list.length < ctx.committee.members.size * 8) list.push(m);
      this.ahead.set(m.attempt, list);
    }
    out.push(...this.tick(nowMs));
    return out;
  }

  /**
   * A peer still votes or proposes in an attempt this node has left: it missed the certificate that ended it (sent once,
   * when the attempt ended) and, on its own, would wait in that attempt for ever while this node waits in the next one.
   * Send it again, at most once per re-send period.
   */
  private answerEarlierAttempt(nowMs: number, out: Effect[]): void {
    const last = this.lastEmpty;
    if (!last || nowMs < last.sentAtMs + this.params.resendEveryMs) return;
    last.sentAtMs = nowMs;
    out.push({ kind: 'send', message: last.certificate });
  }

  /** Moves the machine on by the clock: ends waits whose time is up, re-sends votes. */
  tick(nowMs: number): Effect[] {
    const out: Effect[] = [];
    if (this.attempt) {
      this.buildIfDue(out, nowMs);
      this.validateNext(out, nowMs);
    }
    for (let guard = 0; guard < 1000; guard += 1) {
      const a = this.attempt;
      if (!a || a.phase === 'done') break;
      if (!this.advance(a, nowMs, out)) break;
    }
    const a = this.attempt;
    if (a && a.phase !== 'done' && nowMs >= a.lastSentAtMs + this.params.resendEveryMs) {
      a.lastSentAtMs = nowMs;
      if (a.myProposal && !a.decided) out.push({ kind: 'send', message: a.myProposal });
      // Waiting for the final count: peers that missed the step where binary BA* returned (a partition) have gone on
      // to later steps, where this node votes no more; the certificate of that step brings them to the final step.
      if (a.decided) out.push({ kind: 'send', message: a.decided.certificate });
      else if (this.lock) out.push({ kind: 'send', message: this.lock.certificate });
      for (const vote of a.myVotes) out.push({ kind: 'send', message: vote });
    }
    return out;
  }

  private receiveCertificate(c: Certificate, nowMs: number, out: Effect[]): void {
    const a = this.attempt as Attempt;
    // An earlier attempt's block that cannot replace the lock changes nothing: skip checking its votes.
    const stale = c.attempt < a.number && this.lock !== null && this.lock.attempt >= c.attempt;
    if (stale && decisionAt(c.step, c.value) === 'block') return;
    const check: CertificateCheck = verifyCertificate(c, this.ctx as HeightContext, this.params, this.checker);
    if (!check.ok) return;
    if (check.decision === 'empty') {
      if (c.attempt >= a.number) {
        this.lastEmpty = { certificate: c, sentAtMs: nowMs - this.params.resendEveryMs };
        out.push({ kind: 'empty', height: c.height, attempt: c.attempt });
        this.beginAttempt(c.attempt + 1, nowMs, out);
      }
      return;
    }
    if (check.decision === 'block') {
      // Another node's proof that binary BA* returned this block at that attempt: lock on it when it is the latest
      // seen (never from an attempt this node has not reached), and at this attempt return it too (final vote).
      if (c.attempt <= a.number) this.relock(c.value, c.attempt, c);
      if (c.attempt === a.number && a.phase !== 'final') this.returnBlock(a, c.value, c, nowMs, out);
      return;
    }
    // A final certificate decides the height whatever attempt this node is at.
    a.phase = 'done';
    this.decidedHeight = c.height;
    out.push({
      kind: 'decided',
      height: c.height,
      attempt: c.attempt,
      value: c.value,
      payload: this.payloadOf(c.value, c),
      final: true,
      certificate: c,
    });
  }

  /**
   * Binary BA* returned a block at this attempt (or a peer's certificate shows it did): lock on it, vote the final step
   * for it, and wait for the final count. Only a final certificate commits a block (README.md: why that keeps forks out).
   */
  private returnBlock(a: Attempt, value: Uint8Array, certificate: Certificate, nowMs: number, out: Effect[]): void {
    this.relock(value, a.number, certificate);
    if (this.lock && bytesEqual(this.lock.value, value)) this.vote(FINAL_STEP, value, out);
    a.decided = { value, certificate };
    a.phase = 'final';
    a.step = FINAL_STEP;
    a.stepStartedAtMs = nowMs;
  }

  /** One move of the attempt if its current wait is over; false when it must wait for more votes or time. */
  private advance(a: Attempt, nowMs: number, out: Effect[]): boolean {
    const timedOut = nowMs >= this.deadline(a);
    if (a.phase === 'proposal') {
      if (!timedOut) return false;
      a.phase = 'binary';
      // A locked node votes its lock: a block more than two thirds voted for in a binary step is the one to finish.
      const value = this.lock?.value ?? bestProposal(a, false)?.proposal.value ?? EMPTY_VALUE;
      // A proposal phase cut short (every member heard from, the top block checked) votes at once, but its first
      // step waits as long as it would have from the end of the proposal wait: peers still waiting for that block
      // (it reached them later) get the same time to vote as before.
      this.enterStep(a, REDUCTION_ONE, value, Math.max(nowMs, a.startedAtMs + this.params.proposalWaitMs), out);
      return true;
    }
    if (a.phase === 'final') return this.advanceFinal(a, timedOut, nowMs, out);
    const won = this.passed(a, a.step);
    if (!won && !timedOut) return false;
    if (a.step === REDUCTION_ONE) {
      this.enterStep(a, REDUCTION_TWO, won?.value ?? EMPTY_VALUE, nowMs, out);
      return true;
    }
    if (a.step === REDUCTION_TWO) {
      a.blockValue = won?.value ?? EMPTY_VALUE;
      a.current = a.blockValue;
      this.enterStep(a, BINARY_FIRST, a.current, nowMs, out);
      return true;
    }
    return this.advanceBinary(a, won, nowMs, out);
  }

  /** Binary BA*'s three-step loop (Algorithm 8). */
  private advanceBinary(a: Attempt, won: { value: Uint8Array; votes: Vote[] } | null, nowMs: number, out: Effect[]): boolean {
    const ctx = this.ctx as HeightContext;
    const kind = (a.step - BINARY_FIRST) % 3;
    const certificate = (value: Uint8Array, votes: Vote[]): Certificate => ({
      kind: 'certificate',
      height: ctx.height,
      attempt: a.number,
      prevHash: ctx.prevHash,
      step: a.step,
      value,
      votes,
      payload: bytesEqual(value, EMPTY_VALUE) ? new Uint8Array() : (this.payloadOf(value) ?? new Uint8Array()),
    });
    if (won) {
      const empty = bytesEqual(won.value, EMPTY_VALUE);
      if (kind === 0 && !empty) {
        const proof = certificate(won.value, won.votes);
        this.relock(won.value, a.number, proof);
        for (let s = a.step + 1; s <= a.step + 3; s += 1) this.vote(s, won.value, out);
        out.push({ kind: 'send', message: proof });
        this.returnBlock(a, won.value, proof, nowMs, out);
        return true;
      }
      if (kind === 1 && empty) {
        for (let s = a.step + 1; s <= a.step + 3; s += 1) this.vote(s, won.value, out);
        const cert = certificate(won.value, won.votes);
        this.lastEmpty = { certificate: cert, sentAtMs: nowMs };
        out.push({ kind: 'send', message: cert });
        out.push({ kind: 'empty', height: ctx.height, attempt: a.number });
        this.beginAttempt(a.number + 1, nowMs, out);
        return true;
      }
      a.current = won.value;
    } else if (kind === 0) a.current = a.blockValue;
    else if (kind === 1) a.current = EMPTY_VALUE;
    else a.current = this.tallies.get(a.number)?.coin(a.step) === 0 ? a.blockValue : EMPTY_VALUE;
    const next = a.step + 1;
    if (next - BINARY_FIRST + 1 > this.params.maxSteps && !a.reportedStuck) {
      a.reportedStuck = true;
      out.push({ kind: 'stuck', height: ctx.height, attempt: a.number, step: next });
    }
    this.enterStep(a, next, a.current, nowMs, out);
    return true;
  }

  /** The final step's count (Algorithm 3): final when it passes for the decided value, tentative when time is up. */
  private advanceFinal(a: Attempt, timedOut: boolean, nowMs: number, out: Effect[]): boolean {
    const decided = a.decided as { value: Uint8Array; certificate: Certificate };
    const won = this.passed(a, FINAL_STEP);
    if (!won || !bytesEqual(won.value, decided.value)) {
      // Not final yet: keep waiting (votes are re-sent); a final or empty certificate from a peer ends the wait.
      if (timedOut) a.stepStartedAtMs = nowMs;
      return false;
    }
    const ctx = this.ctx as HeightContext;
    const certificate: Certificate = {
      ...decided.certificate,
      step: FINAL_STEP,
      votes: won.votes,
      payload: this.payloadOf(decided.value) ?? new Uint8Array(),
    };
    a.phase = 'done';
    this.decidedHeight = ctx.height;
    out.push({ kind: 'send', message: certificate });
    out.push({
      kind: 'decided',
      height: ctx.height,
      attempt: a.number,
      value: decided.value,
      payload: this.payloadOf(decided.value),
      final: true,
      certificate,
    });
    return true;
  }
}
