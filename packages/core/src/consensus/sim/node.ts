/**
 * One simulated node: an `Agreement` with its own key, clock (virtual time shifted and stretched by its skew), disk (the
 * chain of decided blocks with their certificates, kept through crashes) and the host's duties — build and validate
 * blocks, commit decisions, fetch blocks it lacks, answer peers that are behind. A Byzantine node runs the same honest
 * machine and bends what it sends (./byzantine.ts).
 */
import { bytesEqual, toHex } from '../../bytes.ts';
import { Agreement, type Effect, type NodeKey } from '../agreement.ts';
import { type HeightContext, verifyCertificate } from '../certificate.ts';
import type { MemoVoteChecker, VrfMemo } from '../crypto-memo.ts';
import { type Certificate, type ConsensusMessage, decodeMessage, encodeMessage, FINAL_STEP, type Proposal } from '../messages.ts';
import type { ConsensusParams } from '../params.ts';
import type { Committee } from '../sortition.ts';
import { blockValue, buildBlock, decodeBlock, invalidReason, nextRoot, nextSeed, SIM_GENESIS } from './app.ts';
import { byzantineSends } from './byzantine.ts';
import type { Prng } from './prng.ts';
import { type ByzantineKind, SIM_LIMITS } from './scenario.ts';

/**
 * What travels between simulated nodes: consensus messages and catch-up requests. A message goes through its canonical
 * bytes once per send (`onWire`); every recipient of that send gets the same decoded object, which nobody mutates.
 */
export type Envelope =
  | { kind: 'consensus'; message: ConsensusMessage }
  | { kind: 'syncRequest'; fromHeight: number }
  | { kind: 'syncReply'; blocks: Certificate[] };

/** A message in a trace line: kind, height/attempt, step and the value's first bytes. */
function describe(m: ConsensusMessage): string {
  if (m.kind === 'credential') return `credential ${m.height}/${m.attempt} ${toHex(m.proposer).slice(0, 8)}`;
  const value = toHex(m.value).slice(0, 8);
  if (m.kind === 'proposal') return `proposal ${m.height}/${m.attempt} ${value}`;
  const step = m.step === FINAL_STEP ? 'final' : `step ${m.step}`;
  return m.kind === 'vote'
    ? `vote ${m.height}/${m.attempt} ${step} ${value}`
    : `certificate ${m.height}/${m.attempt} ${step} ${value} (${m.votes.length} votes)`;
}

/** A message as a peer reads it: encoded and decoded again, as a real wire does. */
export function onWire<M extends ConsensusMessage>(m: M): M {
  return decodeMessage(encodeMessage(m)) as M;
}

/** A decided block on a node's disk. */
export interface ChainEntry {
  height: number;
  value: Uint8Array;
  payload: Uint8Array;
  final: boolean;
  root: Uint8Array;
  /** The seed of the next height. */
  nextSeed: Uint8Array;
  certificate: Certificate;
}

/** What a node needs from the simulated world. */
export interface NodeHost {
  readonly params: ConsensusParams;
  readonly committee: Committee;
  readonly vrf: VrfMemo;
  readonly checker: MemoVoteChecker;
  readonly nodeCount: number;
  send(from: number, to: number, envelope: Envelope): void;
  wakeAt(node: number, generation: number, atMs: number): void;
  validateLater(node: number, generation: number, delayMs: number, height: number, value: Uint8Array, ok: boolean): void;
  /** A node decided (value known; root when the payload is known): the safety checks run here. */
  decided(node: number, entry: { height: number; value: Uint8Array; final: boolean; root: Uint8Array | null }): void;
  fail(reason: string): void;
  trace(line: () => string): void;
  count(what: string): void;
}

export interface NodeSetup {
  id: number;
  key: NodeKey;
  byzantine: ByzantineKind | null;
  byzantineHalf: number[];
  skewMs: number;
  driftPpm: number;
  rng: Prng;
}

/** One simulated node (honest, or Byzantine through `setup.byzantine`). */
export class SimNode {
  readonly chain: ChainEntry[] = [];
  private agreement: Agreement | null = null;
  private ctx: HeightContext | null = null;
  generation = 0;
  private nextWakeMs = Number.POSITIVE_INFINITY;
  /** A decision whose block this node never saw: it waits for a peer to send it. */
  private missingPayload: { entry: Omit<ChainEntry, 'payload' | 'root' | 'nextSeed'>; ctx: HeightContext } | null = null;
  /** When this node last asked each peer for blocks, and last sent each peer a certificate (virtual ms). */
  private readonly askedAtMs = new Map<number, number>();
  private readonly certSentAtMs = new Map<string, number>();
  /** The machine's last traced status (height/attempt/step phase). */
  private lastStatus = '';
  /** Non-empty values seen at the current height: a double voter's second choice. */
  seenValues: Uint8Array[] = [];

  constructor(
    private readonly host: NodeHost,
    readonly setup: NodeSetup,
  ) {}

  get id(): number {
    return this.setup.id;
  }

  get alive(): boolean {
    return this.agreement !== null;
  }

  /** This node's clock at virtual time `virtualMs`. */
  clock(virtualMs: number): number {
    return virtualMs + this.setup.skewMs + Math.floor((virtualMs * this.setup.driftPpm) / 1_000_000);
  }

  /** The first virtual time at which this node's clock reads `clockMs` or later. */
  private virtualAt(clockMs: number): number {
    let v = Math.floor(((clockMs - this.setup.skewMs) * 1_000_000) / (1_000_000 + this.setup.driftPpm));
    while (this.clock(v) < clockMs) v += 1;
    while (this.clock(v - 1) >= clockMs) v -= 1;
    return v;
  }

  private contextAfter(entry: ChainEntry | undefined): HeightContext {
    return {
      height: (entry?.height ?? 0) + 1,
      prevHash: entry?.value ?? SIM_GENESIS.hash,
      seed: entry?.nextSeed ?? SIM_GENESIS.seed,
      committee: this.host.committee,
    };
  }

  /** Starts (or restarts after a crash) from the disk's chain, and asks every peer for blocks it may lack. */
  boot(nowMs: number, restarted: boolean): void {
    this.generation += 1;
    this.nextWakeMs = Number.POSITIVE_INFINITY;
    this.agreement = new Agreement(this.host.params, this.setup.key, this.host.checker, this.host.vrf.sortitionFunctions());
    this.startHeight(this.contextAfter(this.chain.at(-1)), nowMs);
    if (restarted) for (let peer = 0; peer < this.host.nodeCount; peer += 1) this.askBlocks(peer, nowMs, true);
    this.reschedule(nowMs);
  }

  /** Loses everything in memory; the disk (`chain`) stays. */
  crash(): void {
    this.agreement = null;
    this.ctx = null;
    this.missingPayload = null;
    this.generation += 1;
    this.nextWakeMs = Number.POSITIVE_INFINITY;
  }

  private startHeight(ctx: HeightContext, nowMs: number): void {
    this.ctx = ctx;
    this.seenValues = [];
    const agreement = this.agreement as Agreement;
    this.handle(agreement.start(ctx, this.clock(nowMs)), nowMs, null);
  }

  /** A message from `from` arrives. */
  deliver(from: number, envelope: Envelope, nowMs: number): void {
    const agreement = this.agreement;
    if (!agreement) return;
    if (envelope.kind === 'consensus') {
      const m = envelope.message;
      if (m.kind === 'certificate') this.host.trace(() => `node ${this.id} gets from ${from} ${describe(m)}`);
      if (m.kind === 'proposal' && m.height === this.ctx?.height) this.seenValues.push(m.value);
      this.handle(agreement.receive(m, this.clock(nowMs)), nowMs, from);
    } else if (envelope.kind === 'syncRequest') this.answerSync(from, envelope.fromHeight);
    else this.adopt(envelope.blocks, from, nowMs);
    this.reschedule(nowMs);
  }

  /** The machine's timer fires. */
  wake(generation: number, atMs: number): void {
    const agreement = this.agreement;
    if (!agreement || generation !== this.generation || atMs !== this.nextWakeMs) return;
    this.nextWakeMs = Number.POSITIVE_INFINITY;
    this.handle(agreement.tick(this.clock(atMs)), atMs, null);
    this.reschedule(atMs);
  }

  /** The host's validation of a proposal is done. */
  validated(generation: number, height: number, value: Uint8Array, ok: boolean, nowMs: number): void {
    const agreement = this.agreement;
    if (!agreement || generation !== this.generation) return;
    this.handle(agreement.validated(height, value, ok, this.clock(nowMs)), nowMs, null);
    this.reschedule(nowMs);
  }

  private reschedule(nowMs: number): void {
    this.traceStatus();
    const wake = this.agreement?.wakeAtMs();
    if (wake === null || wake === undefined) return;
    // A wake the machine wants now or earlier (its clock rounds) runs one millisecond on: time always moves.
    const atMs = Math.max(nowMs + 1, this.virtualAt(wake));
    if (atMs >= this.nextWakeMs && this.nextWakeMs > nowMs) return;
    this.nextWakeMs = atMs;
    this.host.wakeAt(this.id, this.generation, atMs);
  }

  private traceStatus(): void {
    const status = this.agreement?.status();
    if (!status) return;
    const text = `${status.height}/${status.attempt} step ${status.step} ${status.phase}`;
    if (text === this.lastStatus) return;
    this.lastStatus = text;
    this.host.trace(() => `node ${this.id} at ${text}`);
  }

  private handle(effects: Effect[], nowMs: number, from: number | null): void {
    for (const effect of effects) {
      if (!this.agreement) return;
      this.host.count(effect.kind);
      switch (effect.kind) {
        case 'send':
          this.broadcast(effect.message);
          break;
        case 'propose':
          this.propose(effect.height, effect.attempt, nowMs);
          break;
        case 'validate':
          this.validate(effect.proposal);
          break;
        case 'decided':
          this.onDecided(effect, nowMs);
          break;
        case 'behind':
          this.askBlocks(from ?? this.setup.rng.int(0, this.host.nodeCount - 1), nowMs, false);
          break;
        case 'peerBehind':
          if (from !== null) this.sendCertificate(from, effect.height, nowMs);
          break;
        case 'empty':
        case 'stuck':
        case 'equivocation':
          this.host.trace(() => `node ${this.id} ${effect.kind} ${JSON.stringify({ ...effect, kind: undefined })}`);
          break;
      }
    }
  }

  private broadcast(message: ConsensusMessage): void {
    this.host.trace(() => `node ${this.id} sends ${describe(message)}`);
    if (this.setup.byzantine) {
      const wired = new Map<ConsensusMessage, ConsensusMessage>();
      for (const { to, message: m } of byzantineSends(this.setup, this.host.nodeCount, this.seenValues, message)) {
        if (!wired.has(m)) wired.set(m, onWire(m));
        this.host.send(this.id, to, { kind: 'consensus', message: wired.get(m) as ConsensusMessage });
      }
      return;
    }
    const wired = onWire(message);
    for (let peer = 0; peer < this.host.nodeCount; peer += 1)
      if (peer !== this.id) this.host.send(this.id, peer, { kind: 'consensus', message: wired });
  }

  private propose(height: number, attempt: number, nowMs: number): void {
    const ctx = this.ctx as HeightContext;
    const { payload, value } = buildBlock(ctx, attempt, this.setup.key.publicKey, this.setup.rng.next());
    this.seenValues.push(value);
    this.host.trace(() => `node ${this.id} proposes ${toHex(value).slice(0, 8)} at ${height}/${attempt}`);
    this.handle((this.agreement as Agreement).proposal(height, attempt, payload, value, this.clock(nowMs)), nowMs, null);
  }

  private validate(proposal: Proposal): void {
    const reason = invalidReason(proposal, this.ctx as HeightContext);
    if (reason) this.host.trace(() => `node ${this.id} refuses ${toHex(proposal.value).slice(0, 8)}: ${reason}`);
    const delayMs = this.setup.rng.int(0, SIM_LIMITS.validateDelayMsMax);
    this.host.validateLater(this.id, this.generation, delayMs, proposal.height, proposal.value, reason === null);
  }

  private onDecided(effect: Extract<Effect, { kind: 'decided' }>, nowMs: number): void {
    const ctx = this.ctx as HeightContext;
    const where = `node ${this.id} at height ${effect.height}`;
    if (effect.height !== this.chain.length + 1 || effect.height !== ctx.height) {
      this.host.fail(`${where}: decided out of order (its chain holds ${this.chain.length} blocks)`);
      return;
    }
    const check = verifyCertificate(effect.certificate, ctx, this.host.params, this.host.checker);
    if (!check.ok) {
      this.host.fail(`${where}: the certificate of its decision does not verify: ${check.reason}`);
      return;
    }
    if ((check.decision === 'final') !== effect.final || !bytesEqual(effect.certificate.value, effect.value)) {
      this.host.fail(`${where}: the certificate proves a ${check.decision} decision, the machine reported final=${effect.final}`);
      return;
    }
    this.host.trace(
      () => `node ${this.id} decides ${toHex(effect.value).slice(0, 8)} at ${effect.height}/${effect.attempt} final=${effect.final}`,
    );
    const entry = { height: effect.height, value: effect.value, final: effect.final, certificate: effect.certificate };
    const payload = effect.payload ?? (effect.certificate.payload.length > 0 ? effect.certificate.payload : null);
    if (!payload) {
      this.host.decided(this.id, { ...entry, root: null });
      this.missingPayload = { entry, ctx };
      for (let peer = 0; peer < this.host.nodeCount; peer += 1) this.askBlocks(peer, nowMs, true);
      return;
    }
    this.commit(entry, ctx, payload, nowMs);
  }

  /** Writes a decided block to the disk and starts the next height. */
  private commit(entry: Omit<ChainEntry, 'payload' | 'root' | 'nextSeed'>, ctx: HeightContext, payload: Uint8Array, nowMs: number): void {
    const where = `node ${this.id} at height ${entry.height}`;
    const block = decodeBlock(payload);
    if (!block || !bytesEqual(blockValue(payload), entry.value)) {
      this.host.fail(`${where}: the decided payload is not the decided block`);
      return;
    }
    if (block.height !== entry.height || !bytesEqual(block.prevHash, ctx.prevHash)) {
      this.host.fail(`${where}: decided a block for another place`);
      return;
    }
    const seed = nextSeed(ctx);
    const root = nextRoot(this.chain.at(-1)?.root ?? SIM_GENESIS.root, payload);
    const full: ChainEntry = { ...entry, certificate: { ...entry.certificate, payload }, payload, root, nextSeed: seed };
    this.chain.push(full);
    this.missingPayload = null;
    this.host.decided(this.id, { height: entry.height, value: entry.value, final: entry.final, root });
    this.startHeight(this.contextAfter(full), nowMs);
  }

  /** Asks `peer` for the certified blocks from this node's next height (at most once per re-send period per peer). */
  private askBlocks(peer: number, nowMs: number, force: boolean): void {
    if (peer === this.id) return;
    const last = this.askedAtMs.get(peer);
    if (!force && last !== undefined && nowMs - last < this.host.params.resendEveryMs) return;
    this.askedAtMs.set(peer, nowMs);
    const fromHeight = this.missingPayload ? this.missingPayload.entry.height : this.chain.length + 1;
    this.host.send(this.id, peer, { kind: 'syncRequest', fromHeight });
  }

  private answerSync(peer: number, fromHeight: number): void {
    const blocks = this.chain.slice(Math.max(0, fromHeight - 1), Math.max(0, fromHeight - 1) + SIM_LIMITS.syncBatchMax);
    if (blocks.length > 0) this.host.send(this.id, peer, { kind: 'syncReply', blocks: blocks.map((b) => onWire(b.certificate)) });
  }

  /** Re-sends the certificate (with its block) of a height a peer is still at, at most once per re-send period. */
  private sendCertificate(peer: number, height: number, nowMs: number): void {
    const entry = this.chain[height - 1];
    if (!entry) return;
    const key = `${peer}:${height}`;
    const last = this.certSentAtMs.get(key);
    if (last !== undefined && nowMs - last < this.host.params.resendEveryMs) return;
    this.certSentAtMs.set(key, nowMs);
    this.host.send(this.id, peer, { kind: 'consensus', message: onWire(entry.certificate) });
  }

  /** Takes certified blocks from a peer's answer, in height order: each goes through the machine, which checks it. */
  private adopt(blocks: Certificate[], from: number, nowMs: number): void {
    for (const cert of blocks) {
      const agreement = this.agreement;
      if (!agreement) return;
      const missing = this.missingPayload;
      if (missing && cert.height === missing.entry.height) {
        if (bytesEqual(cert.value, missing.entry.value) && cert.payload.length > 0)
          this.commit(missing.entry, missing.ctx, cert.payload, nowMs);
        continue;
      }
      if (cert.height !== this.chain.length + 1) continue;
      this.handle(agreement.receive(cert, this.clock(nowMs)), nowMs, from);
    }
  }
}
