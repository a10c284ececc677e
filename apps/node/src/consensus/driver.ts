/**
 * Runs core's BA* (packages/core/src/consensus) on a node: feeds it the gossip's messages and the clock, has the
 * height's blocks built, checked and the decided one committed with its certificate (height-blocks.ts), paces idle
 * heights, gossips transactions, and catches up from peers when it learns it is behind. It replaces the one-node
 * producer on a chain whose genesis lists validators (consensus/README.md).
 */

import type { KeyPair } from '@arc/core';
import {
  Agreement,
  type Certificate,
  type Committee,
  type ConsensusParams,
  didFromPublicKey,
  type Effect,
  encodeMessage,
  type HeightContext,
  MemoVoteChecker,
  VrfMemo,
} from '@arc/core';
import type { Database } from '../db/client.ts';
import type { Admission } from '../ledger/admission.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { CatchUp } from './catchup.ts';
import { certificateWriter, seedAfter, storedHeader } from './chain-context.ts';
import type { GossipNode } from './gossip/index.ts';
import { HeightBlocks } from './height-blocks.ts';
import { AgreementInbox } from './inbox.ts';
import { PeerHelp } from './peer-help.ts';
import { ConsensusTimings } from './timings.ts';
import { TxGossip } from './tx-gossip.ts';
import { consensusFrame, decodeFrame, executorFrame } from './wire.ts';

/** The consensus trace, for looking into a cluster's timings (a debugging switch read once; anything but `on` is off). */
const TRACE = process.env.ARC_CONSENSUS_TRACE === 'on';
/** A wake-up this much later than asked for is traced. */
const TRACE_LATE_MS = 50;

export const DRIVER_LIMITS = {
  /**
   * With nothing to put in a block, the next height starts this long after the last (an empty block a second keeps
   * the chain's clock and its liveness visible); a transaction arriving, here or from a peer, or a peer's message for
   * the next height starts it at once. Without this pause an idle network decides empty blocks back to back: a height
   * ends as soon as every member is heard from and the top block is checked, so four idle nodes on one machine
   * spent most of its CPU on empty blocks.
   */
  idleHeightMs: 1_000,
  /** With no block decided for this long, the node asks its peers for blocks it may lack (a missed certificate, an observer). */
  catchUpIdleMs: 3_000,
  /** Catch-ups (each a request to a peer) start at most this often, however many messages show this node behind. */
  catchUpEveryMs: 500,
  /**
   * VRF answers and vote checks remembered (each a pure function of its bytes): a vote met alone and again in the
   * certificates peers re-send is checked once, and this node's own proof for a step is made once.
   */
  vrfMemoEntriesMax: 20_000,
  voteChecksMax: 20_000,
};

export interface DriverOptions {
  key: KeyPair;
  committee: Committee;
  params: ConsensusParams;
  /** Peers' base URLs (http://host:port), for catching up over their block.raw. */
  peerUrls: string[];
  now: () => number;
  log: (line: string) => void;
}

export class ConsensusDriver {
  readonly agreement: Agreement;
  readonly timings = new ConsensusTimings();
  private headSeed: Uint8Array = new Uint8Array(32);
  private readonly blocks: HeightBlocks;
  private readonly txs: TxGossip;
  private readonly peerHelp: PeerHelp;
  private timer: NodeJS.Timeout | null = null;
  private idleCheck: NodeJS.Timeout | null = null;
  /** Set while the next height waits for a transaction, a peer or idleHeightMs (`startWhenBusy`). */
  private idleStart: NodeJS.Timeout | null = null;
  private lastProgressMs = 0;
  private lastCatchUpMs = 0;
  private work: Promise<void> = Promise.resolve();
  /** Peers' messages waiting for the agreement, and its clock (inbox.ts). */
  private readonly inbox: AgreementInbox;
  private running = false;
  private readonly catchUp: CatchUp;
  /** Counters for the status page. */
  readonly counts = { emptyAttempts: 0, equivocations: 0, stuck: 0, finalBlocks: 0, tentativeBlocks: 0, caughtUp: 0 };

  constructor(
    private readonly db: Database,
    private readonly ledger: Ledger,
    private readonly admission: Admission,
    readonly gossip: GossipNode,
    private readonly options: DriverOptions,
  ) {
    const vrf = new VrfMemo(DRIVER_LIMITS.vrfMemoEntriesMax);
    this.agreement = new Agreement(
      options.params,
      { publicKey: options.key.publicKey, secretKey: options.key.secretKey },
      new MemoVoteChecker(vrf, DRIVER_LIMITS.voteChecksMax),
      vrf.sortitionFunctions(),
    );
    this.inbox = new AgreementInbox(this.agreement, options.now);
    this.blocks = new HeightBlocks(db, ledger, options.params.blockWaitMs, options.log, (text) => this.trace(text));
    const validators = [...options.committee.members.values()]
      .map((m) => didFromPublicKey(m.publicKey, 'node'))
      .filter((did) => did !== gossip.did);
    this.txs = new TxGossip(gossip, admission, validators);
    this.catchUp = new CatchUp(ledger, options.committee, options.params, options.peerUrls, options.log);
    this.peerHelp = new PeerHelp(db, this.catchUp, gossip);
  }

  async start(): Promise<void> {
    this.running = true;
    this.gossip.onMessage((payload, from) => this.onFrame(payload, from));
    this.admission.onAdmitted = (bytes, hashHex) => {
      this.txs.admitted(bytes, hashHex);
      if (this.idleStart) void this.serially(() => this.startIfIdle());
    };
    await this.gossip.start();
    await this.serially(() => this.startHeight());
    this.idleCheck = setInterval(() => {
      if (this.options.now() - this.lastProgressMs < DRIVER_LIMITS.catchUpIdleMs) return;
      this.lastProgressMs = this.options.now();
      void this.serially(async () => {
        await this.handle(await this.behind(true));
      });
    }, DRIVER_LIMITS.catchUpIdleMs);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    if (this.idleCheck) clearInterval(this.idleCheck);
    if (this.idleStart) clearTimeout(this.idleStart);
    this.admission.onAdmitted = null;
    await this.work;
    await this.gossip.stop();
  }

  /** One piece of driver work at a time: effects, commits and catch-up never interleave. */
  private serially(work: () => Promise<void>): Promise<void> {
    const run = this.work.then(work).catch((error: Error) => this.options.log(`consensus: ${error.message}`));
    this.work = run;
    return run;
  }

  /** Starts the next height now when a transaction waits, else after idleHeightMs or at the first sign of work. */
  private async startWhenBusy(): Promise<void> {
    if (this.ledger.mempool.size > 0) return this.startHeight();
    if (this.idleStart) clearTimeout(this.idleStart);
    this.idleStart = setTimeout(() => void this.serially(() => this.startIfIdle()), DRIVER_LIMITS.idleHeightMs);
  }

  /** Ends the idle pause (if this node is in one) and starts the next height. */
  private async startIfIdle(): Promise<void> {
    if (this.idleStart) await this.startHeight();
  }

  private async startHeight(): Promise<void> {
    if (this.idleStart) clearTimeout(this.idleStart);
    this.idleStart = null;
    const head = this.ledger.head;
    this.headSeed = await this.blocks.nextHeight();
    this.lastProgressMs = this.options.now();
    const ctx: HeightContext = { height: head.height + 1, prevHash: head.hash, seed: this.headSeed, committee: this.options.committee };
    this.timings.started(ctx.height, this.options.now());
    await this.handle(this.agreement.start(ctx, this.inbox.clock()));
  }

  private async receiveInbox(): Promise<void> {
    // A peer already at the next height: this node starts it too rather than wait out its idle pause.
    const head = this.ledger.head.height;
    if (this.idleStart && this.inbox.hasAbove(head)) await this.startIfIdle();
    await this.handle(this.inbox.take());
  }

  private onFrame(payload: Uint8Array, from: string): boolean {
    const frame = decodeFrame(payload);
    if (!frame) return false;
    if (frame.kind === 'tx' || frame.kind === 'txs') return this.txs.receive(frame);
    if (frame.kind === 'executor') return this.onExecutorMessage?.(frame.bytes, from) ?? false;
    // One job takes in whatever has arrived by the time it runs.
    if (this.inbox.push(frame.message)) void this.serially(() => this.receiveInbox());
    return true;
  }

  /** Executor-election messages from peers go here (runtime's executor election sets it). */
  onExecutorMessage: ((bytes: Uint8Array, fromDid: string) => boolean) | null = null;

  /** Sends an executor-election message to every peer. */
  broadcastExecutor(bytes: Uint8Array): void {
    this.gossip.broadcast(executorFrame(bytes));
  }

  /** The sortition seed blocks leave for the height after `height` (from its header; null when not held here). */
  async seedAfterHeight(height: number): Promise<Uint8Array | null> {
    const header = await storedHeader(this.db, height);
    return header ? seedAfter(header) : null;
  }

  /** The validators' committee (keys and weights) this chain's sortition uses. */
  get committee(): Committee {
    return this.options.committee;
  }

  /** Carries out the machine's effects in order, then sets the timer for its next wake-up. */
  private async handle(effects: Effect[]): Promise<void> {
    const queue = [...effects];
    while (queue.length > 0 && this.running) {
      const effect = queue.shift() as Effect;
      queue.push(...(await this.apply(effect)));
    }
    this.arm();
  }

  private async apply(effect: Effect): Promise<Effect[]> {
    if (TRACE) {
      const s = this.agreement.status();
      const what =
        effect.kind === 'send' ? `send ${effect.message.kind} ${'step' in effect.message ? effect.message.step : ''}` : effect.kind;
      this.trace(`h${s.height} a${s.attempt} s${s.step} ${what} ${'attempt' in effect ? effect.attempt : ''}`);
    }
    switch (effect.kind) {
      case 'send':
        this.gossip.broadcast(consensusFrame(effect.message));
        return [];
      case 'propose':
        return this.propose(effect.height, effect.attempt);
      case 'validate': {
        const valid = await this.blocks.check(effect.proposal.payload, effect.proposal.value, this.headSeed);
        const received = this.inbox.take();
        return [...received, ...this.agreement.validated(effect.proposal.height, effect.proposal.value, valid, this.inbox.clock())];
      }
      case 'decided':
        return this.decided(effect);
      case 'behind':
        return this.behind();
      case 'peerBehind':
        await this.peerHelp.help(effect.height, this.options.now());
        return [];
      case 'empty':
        this.counts.emptyAttempts += 1;
        this.blocks.size.emptyAttempt();
        return [];
      case 'stuck':
        this.counts.stuck += 1;
        this.options.log(`consensus: height ${effect.height} attempt ${effect.attempt} passed step ${effect.step} undecided; still voting`);
        return [];
      case 'equivocation':
        this.counts.equivocations += 1;
        this.options.log(`consensus: ${effect.member} equivocated at height ${effect.height}, step ${effect.step}`);
        return [];
    }
  }

  /** A line of the consensus trace (ARC_CONSENSUS_TRACE=on): effects, messages sent, blocks built and committed. */
  private trace(text: string): void {
    if (TRACE) this.options.log(`trace ${this.options.now()} ${text}`);
  }

  private async propose(height: number, attempt: number): Promise<Effect[]> {
    const block = await this.blocks.build(this.options.key.secretKey, this.headSeed, height);
    this.timings.proposed(height, this.options.now());
    const received = this.inbox.take();
    return [...received, ...this.agreement.proposal(height, attempt, block.payload, block.hash, this.inbox.clock())];
  }

  private async decided(d: Extract<Effect, { kind: 'decided' }>): Promise<Effect[]> {
    const nowMs = this.options.now();
    const write = certificateWriter(
      { height: d.height, hash: d.value, attempt: d.attempt, step: d.certificate.step, final: d.final, certificate: stored(d.certificate) },
      nowMs,
    );
    // Decided without the block at hand (it came by certificate alone): fetch it from a peer.
    if (!(await this.blocks.commit(d.value, d.payload, this.headSeed, write))) return this.behind(true);
    this.noteDecided(d);
    await this.startWhenBusy();
    return [];
  }

  private noteDecided(d: Extract<Effect, { kind: 'decided' }>): void {
    if (d.final) this.counts.finalBlocks += 1;
    else this.counts.tentativeBlocks += 1;
    this.timings.decided(d.height, d.attempt, d.final, this.options.now());
    this.peerHelp.decided(d.height, this.options.now());
  }

  /** Imports certified blocks from peers up to their head, then agrees on the next height. */
  private async behind(force = false): Promise<Effect[]> {
    // Every message of a later height says "behind": one catch-up per catchUpEveryMs answers them all.
    const now = this.options.now();
    if (!force && now - this.lastCatchUpMs < DRIVER_LIMITS.catchUpEveryMs) return [];
    this.lastCatchUpMs = now;
    const imported = await this.catchUp.run(this.headSeed);
    if (imported > 0) {
      this.counts.caughtUp += imported;
      await this.startHeight();
    }
    return [];
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const wake = this.agreement.wakeAtMs();
    if (wake === null || !this.running) return;
    const delay = Math.max(0, wake - this.options.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      // After the I/O callbacks due now: a message already here is taken in before the wait it may end is judged over.
      setImmediate(
        () =>
          void this.serially(async () => {
            // The trace says when a wake-up ran late (the event loop or the driver's work held it): where heights stall.
            const lateMs = this.options.now() - wake;
            if (lateMs > TRACE_LATE_MS) this.trace(`wake-up ${lateMs} ms late (${this.inbox.size} messages waiting)`);
            await this.handle(this.inbox.wake());
          }),
      );
    }, delay);
  }

  /** What the network page shows of this node's agreement. */
  status() {
    return {
      ...this.agreement.status(),
      counts: { ...this.counts },
      recent: this.timings.recent(),
      peers: this.gossip.peers(),
    };
  }
}

/** A certificate as stored with its block: without the block itself (the row beside it holds that). */
function stored(c: Certificate): Uint8Array {
  return encodeMessage({ ...c, payload: new Uint8Array() });
}
