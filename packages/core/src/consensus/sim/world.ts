/**
 * The simulated world of one seed: the nodes, the network between them (delays, losses, duplicates and partitions
 * before the heal; only delays after), crashes and restarts, and the event loop in virtual time. It keeps the safety
 * ledger — the value and state root every node decided at every height — and fails the run at the first disagreement.
 */
import { bytesEqual, toHex } from '../../bytes.ts';
import { keyPairFromSeed } from '../../crypto/keys.ts';
import { sha3 } from '../../crypto/provider.ts';
import { Writer } from '../../encoding/codec.ts';
import { MemoVoteChecker, type VrfMemo } from '../crypto-memo.ts';
import type { ConsensusParams } from '../params.ts';
import { type Committee, committeeOf } from '../sortition.ts';
import { type Envelope, type NodeHost, SimNode } from './node.ts';
import { Prng } from './prng.ts';
import { type Scenario, SIM_LIMITS } from './scenario.ts';
import { EventQueue } from './scheduler.ts';

type SimEvent =
  | { kind: 'deliver'; to: number; from: number; envelope: Envelope }
  | { kind: 'wake'; node: number; generation: number }
  | { kind: 'validated'; node: number; generation: number; height: number; value: Uint8Array; ok: boolean }
  | { kind: 'crash'; node: number }
  | { kind: 'restart'; node: number }
  | { kind: 'heal' }
  | { kind: 'livenessCheck' };

/** Node keys come from a fixed pool (node i always has key i): VRF answers then repeat across seeds (`VrfMemo`). */
const keyPool: ReturnType<typeof keyPairFromSeed>[] = [];
function poolKey(index: number): ReturnType<typeof keyPairFromSeed> {
  while (keyPool.length <= index)
    keyPool.push(keyPairFromSeed(sha3(new Writer().string('arc-sim-node-key').uint(keyPool.length).finish())));
  return keyPool[index] as ReturnType<typeof keyPairFromSeed>;
}

interface LedgerEntry {
  value: Uint8Array;
  root: Uint8Array | null;
  node: number;
}

/** One seed's world: nodes, network, faults, event loop and checks. */
export class SimWorld implements NodeHost {
  readonly committee: Committee;
  readonly checker: MemoVoteChecker;
  readonly nodes: SimNode[];
  readonly nodeCount: number;
  nowMs = 0;
  failure: string | null = null;
  readonly counts = new Map<string, number>();
  readonly traceLines: string[] = [];
  /** A running hash of every event processed: two runs of a seed are the same run when their digests match. */
  digest = 0x811c9dc5;
  events = 0;
  /** When a checked node first decided a block (null: none yet). */
  firstDecisionMs: number | null = null;
  /** Per honest node, its chain length at the heal, then when it reached the heights liveness asks for. */
  readonly heightAtHeal: (number | null)[];
  readonly livenessDoneMs: (number | null)[];
  private readonly queue = new EventQueue<SimEvent>(SIM_LIMITS.queueMax);
  private readonly checked: SimNode[];
  private readonly ledger = new Map<number, LedgerEntry>();
  private readonly net: Prng;
  private healed = false;

  constructor(
    readonly scenario: Scenario,
    readonly params: ConsensusParams,
    readonly vrf: VrfMemo,
    private readonly verbose: boolean,
  ) {
    const rng = new Prng(scenario.seed ^ 0x5eed5eed);
    this.net = rng.fork('network');
    this.nodeCount = scenario.nodeCount;
    this.committee = committeeOf(scenario.stakes.map((weight, i) => ({ publicKey: poolKey(i).publicKey, weight })));
    this.checker = new MemoVoteChecker(vrf);
    this.nodes = scenario.stakes.map(
      (_, id) =>
        new SimNode(this, {
          id,
          key: poolKey(id),
          byzantine: scenario.byzantine[id] ?? null,
          byzantineHalf: scenario.byzantineHalf[id] ?? [],
          skewMs: scenario.skewMs[id] ?? 0,
          driftPpm: scenario.driftPpm[id] ?? 0,
          rng: rng.fork(`node-${id}`),
        }),
    );
    this.heightAtHeal = this.nodes.map(() => null);
    this.livenessDoneMs = this.nodes.map(() => null);
    const downForGood = new Set(scenario.crashes.filter((c) => c.restartMs === null).map((c) => c.node));
    this.checked = this.nodes.filter((n) => n.setup.byzantine === null && !downForGood.has(n.id));
  }

  /** Nodes whose decisions are checked and whose progress liveness asks for: honest and not down for good. */
  checkedNodes(): SimNode[] {
    return this.checked;
  }

  count(what: string): void {
    this.counts.set(what, (this.counts.get(what) ?? 0) + 1);
  }

  trace(line: () => string): void {
    if (this.verbose && this.traceLines.length < SIM_LIMITS.traceLinesMax)
      this.traceLines.push(`${String(this.nowMs).padStart(7)} ${line()}`);
  }

  fail(reason: string): void {
    if (this.failure === null) this.failure = `t=${this.nowMs}ms ${reason}`;
    this.trace(() => `FAIL ${reason}`);
  }

  private mix(...values: number[]): void {
    let h = this.digest;
    for (const v of values) h = Math.imul(h ^ (v | 0), 0x01000193);
    this.digest = h >>> 0;
  }

  private faultsOn(): boolean {
    return this.nowMs < this.scenario.healMs;
  }

  private separated(a: number, b: number): boolean {
    for (const p of this.scenario.partitions) {
      if (this.nowMs >= p.fromMs && this.nowMs < p.toMs && p.side.includes(a) !== p.side.includes(b)) return true;
    }
    return false;
  }

  private delayMs(): number {
    const s = this.scenario;
    if (this.faultsOn() && s.delayTailChance > 0 && this.net.chance(s.delayTailChance)) {
      return this.net.int(SIM_LIMITS.delayMaxMs, SIM_LIMITS.delayTailMaxMs);
    }
    return this.net.int(SIM_LIMITS.delayMinMs, SIM_LIMITS.delayMaxMs);
  }

  send(from: number, to: number, envelope: Envelope): void {
    this.count('sent');
    if (this.faultsOn()) {
      if (this.separated(from, to)) {
        this.count('cut');
        return;
      }
      if (this.net.chance(this.scenario.dropChance)) {
        this.count('dropped');
        return;
      }
      if (this.net.chance(this.scenario.duplicateChance)) {
        this.count('duplicated');
        this.queue.push(this.nowMs + this.delayMs(), { kind: 'deliver', to, from, envelope });
      }
    }
    this.queue.push(this.nowMs + this.delayMs(), { kind: 'deliver', to, from, envelope });
  }

  wakeAt(node: number, generation: number, atMs: number): void {
    this.queue.push(atMs, { kind: 'wake', node, generation });
  }

  validateLater(node: number, generation: number, delayMs: number, height: number, value: Uint8Array, ok: boolean): void {
    this.queue.push(this.nowMs + delayMs, { kind: 'validated', node, generation, height, value, ok });
  }

  decided(node: number, entry: { height: number; value: Uint8Array; final: boolean; root: Uint8Array | null }): void {
    this.count(entry.root === null ? 'decidedWithoutBlock' : entry.final ? 'final' : 'tentative');
    this.mix(7, node, entry.height, entry.value[0] as number, entry.value[1] as number);
    if (this.nodes[node]?.setup.byzantine) return;
    this.firstDecisionMs ??= this.nowMs;
    const earlier = this.ledger.get(entry.height);
    if (!earlier) {
      this.ledger.set(entry.height, { value: entry.value, root: entry.root, node });
    } else if (!bytesEqual(earlier.value, entry.value)) {
      const hex = (v: Uint8Array) => toHex(v).slice(0, 16);
      this.fail(
        `fork at height ${entry.height}: node ${earlier.node} decided ${hex(earlier.value)}, node ${node} decided ${hex(entry.value)}`,
      );
    } else if (entry.root !== null) {
      if (earlier.root === null) earlier.root = entry.root;
      else if (!bytesEqual(earlier.root, entry.root))
        this.fail(`state roots differ at height ${entry.height} (nodes ${earlier.node} and ${node})`);
    }
  }

  /** Runs the seed to its end: every checked node past its target and liveness heights, a failure, or the bound. */
  run(): void {
    const s = this.scenario;
    for (const c of s.crashes) {
      this.queue.push(c.atMs, { kind: 'crash', node: c.node });
      if (c.restartMs !== null) this.queue.push(c.restartMs, { kind: 'restart', node: c.node });
    }
    this.queue.push(s.healMs, { kind: 'heal' });
    this.queue.push(s.healMs + s.livenessBoundMs, { kind: 'livenessCheck' });
    for (const node of this.nodes) node.boot(0, false);
    const deadlineMs = this.endMs();
    while (this.failure === null) {
      const next = this.queue.pop();
      if (!next || next.atMs > deadlineMs) break;
      this.nowMs = next.atMs;
      this.events += 1;
      if (this.events > SIM_LIMITS.eventsMax) {
        this.fail(`more than ${SIM_LIMITS.eventsMax} events`);
        break;
      }
      this.process(next.event);
      if (this.healed && this.finished()) break;
    }
    if (this.failure === null && !this.finished()) {
      this.nowMs = deadlineMs;
      const behind = this.checkedNodes().map((n) => `node ${n.id}: ${n.chain.length}`);
      this.fail(`progress: not every honest node reached height ${s.targetHeight} by ${deadlineMs} ms (${behind.join(', ')})`);
    }
  }

  /** The run's virtual-time cap: the liveness bound after the heal, and the same again per target height. */
  endMs(): number {
    const s = this.scenario;
    return s.healMs + s.livenessBoundMs * (1 + s.targetHeight);
  }

  private process(e: SimEvent): void {
    switch (e.kind) {
      case 'deliver': {
        const node = this.nodes[e.to] as SimNode;
        this.mix(1, e.from, e.to, e.envelope.kind.length);
        if (!node.alive) {
          this.count('lostToCrash');
          return;
        }
        node.deliver(e.from, e.envelope, this.nowMs);
        return;
      }
      case 'wake':
        this.mix(2, e.node);
        (this.nodes[e.node] as SimNode).wake(e.generation, this.nowMs);
        return;
      case 'validated':
        this.mix(3, e.node, e.ok ? 1 : 0);
        (this.nodes[e.node] as SimNode).validated(e.generation, e.height, e.value, e.ok, this.nowMs);
        return;
      case 'crash': {
        const node = this.nodes[e.node] as SimNode;
        this.mix(4, e.node);
        if (!node.alive) return;
        this.count('crash');
        this.trace(() => `node ${e.node} crashes (disk: ${node.chain.length} blocks)`);
        node.crash();
        return;
      }
      case 'restart': {
        const node = this.nodes[e.node] as SimNode;
        this.mix(5, e.node);
        if (node.alive) return;
        this.trace(() => `node ${e.node} restarts from ${node.chain.length} blocks`);
        node.boot(this.nowMs, true);
        return;
      }
      case 'livenessCheck':
        this.mix(8);
        this.checkLiveness();
        return;
      case 'heal':
        this.healed = true;
        this.mix(6);
        this.trace(() => `the network heals; heights ${this.nodes.map((n) => n.chain.length).join(',')}`);
        for (const node of this.checkedNodes()) this.heightAtHeal[node.id] = node.chain.length;
        return;
    }
  }

  /** True when every checked node has its liveness heights and the target height (noting when each got the former). */
  private finished(): boolean {
    let all = true;
    for (const node of this.checkedNodes()) {
      const live = node.chain.length >= (this.heightAtHeal[node.id] ?? 0) + this.scenario.livenessHeights;
      if (live) this.livenessDoneMs[node.id] ??= this.nowMs;
      if (!live || node.chain.length < this.scenario.targetHeight) all = false;
    }
    return all;
  }

  /** At the bound after the heal: every checked node decided `livenessHeights` heights since the heal. */
  private checkLiveness(): void {
    for (const node of this.checkedNodes()) {
      const atHeal = this.heightAtHeal[node.id] ?? 0;
      if (node.chain.length < atHeal + this.scenario.livenessHeights) {
        this.fail(
          `liveness: node ${node.id} decided ${node.chain.length - atHeal} heights in the ${this.scenario.livenessBoundMs} ms after the heal at ` +
            `${this.scenario.healMs} ms (needed ${this.scenario.livenessHeights})`,
        );
        return;
      }
    }
  }

  /** Virtual ms from the heal until the last checked node reached its liveness heights. */
  recoveryMs(): number {
    const done = this.checkedNodes().map((n) => this.livenessDoneMs[n.id] ?? this.nowMs);
    return Math.max(0, ...done.map((t) => t - this.scenario.healMs));
  }
}
