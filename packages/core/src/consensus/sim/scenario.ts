/**
 * A seed's scenario: how many nodes with what stake, which of them are Byzantine and how, and every fault the network
 * suffers — all drawn from the seed within the named bounds of SIM_LIMITS. Faults happen before `healMs`; from then on
 * the network only delays (within [delayMinMs, delayMaxMs]), every crashed node is back, and liveness is measured.
 */
import type { ConsensusParams } from '../params.ts';
import { Prng } from './prng.ts';

/** Every bound of the simulator: nodes, stakes, faults, run length, queues. */
export const SIM_LIMITS = {
  nodesMin: 4,
  nodesMax: 7,
  /** Stake per node when stakes are unequal: 1..stakeMax. */
  stakeMax: 4,
  delayMinMs: 1,
  delayMaxMs: 200,
  /** Before the heal, a message is slow with this probability: delayMaxMs..delayTailMaxMs. */
  delayTailChanceMax: 0.05,
  delayTailMaxMs: 1_500,
  /** Before the heal, each message is lost with a probability up to this. */
  dropChanceMax: 0.2,
  /** Before the heal, each message is delivered twice with a probability up to this. */
  duplicateChanceMax: 0.1,
  partitionsMax: 2,
  partitionMsMax: 6_000,
  crashesMax: 2,
  crashDownMsMax: 6_000,
  /** A node's clock: virtual time + an offset of up to ±skewMsMax + a drift of up to ±driftPpmMax. */
  skewMsMax: 2_000,
  driftPpmMax: 20_000,
  /** A node answers a `validate` after up to this long. */
  validateDelayMsMax: 50,
  /** The last fault ends by this time. */
  faultWindowMsMax: 10_000,
  /** Heights every honest node reaches in a run (more when liveness asks for more). */
  targetHeight: 6,
  /** Heights every honest live node decides after the heal, within the liveness bound. */
  livenessHeights: 2,
  /** Certified blocks in one catch-up answer. */
  syncBatchMax: 16,
  /** Events one seed may process, and events pending at once: past either the run is a bug. */
  eventsMax: 3_000_000,
  queueMax: 200_000,
  /** Trace lines kept with --verbose. */
  traceLinesMax: 200_000,
};

export type ByzantineKind = 'equivocate' | 'doubleVote' | 'both';

/** Nodes on `side` cannot reach the others (nor the others them) from `fromMs` until `toMs`. */
export interface Partition {
  fromMs: number;
  toMs: number;
  side: number[];
}

/** `node` loses its memory at `atMs` and starts again from its disk at `restartMs` (never when null). */
export interface Crash {
  node: number;
  atMs: number;
  restartMs: number | null;
}

export interface Scenario {
  seed: number;
  nodeCount: number;
  stakes: number[];
  /** Per node: null for an honest node. */
  byzantine: (ByzantineKind | null)[];
  /** Per Byzantine node, the peers that get its first message; the others get its second. */
  byzantineHalf: number[][];
  skewMs: number[];
  driftPpm: number[];
  delayTailChance: number;
  dropChance: number;
  duplicateChance: number;
  partitions: Partition[];
  crashes: Crash[];
  /** When every fault has ended (0 with none). */
  healMs: number;
  targetHeight: number;
  livenessHeights: number;
  livenessBoundMs: number;
}

/**
 * The liveness bound: after the heal, every honest live node decides `livenessHeights` new heights within this long.
 * Recovery (every node hears the others' re-sent votes and fetches the blocks it lacks: one re-send period and a few
 * message delays), then per height up to four attempts of a proposal wait, a validation and six steps that time out
 * (the reduction's two, the binary loop's three, the final count) — an attempt can fail to a Byzantine, equivocating
 * or unselected proposer, or to nodes still one attempt apart when the heal comes.
 */
export function livenessBoundMs(params: ConsensusParams, heights: number): number {
  const recoveryMs = params.resendEveryMs + 4 * SIM_LIMITS.delayMaxMs;
  const attemptMs = params.proposalWaitMs + SIM_LIMITS.validateDelayMsMax + 6 * params.stepWaitMs;
  return recoveryMs + heights * 4 * attemptMs;
}

/** The sum of `stakes` over `nodes`. */
function stakeOf(stakes: number[], nodes: number[]): number {
  return nodes.reduce((sum, i) => sum + (stakes[i] as number), 0);
}

/** Draws the Byzantine nodes: any number while their stake stays below a third of the total (f < n/3 by stake). */
function drawByzantine(rng: Prng, stakes: number[]): (ByzantineKind | null)[] {
  const total = stakeOf(
    stakes,
    stakes.map((_, i) => i),
  );
  const chosen: number[] = [];
  for (const i of rng.shuffle(stakes.map((_, k) => k))) {
    if (!rng.chance(0.6)) break;
    if (3 * stakeOf(stakes, [...chosen, i]) >= total) continue;
    chosen.push(i);
  }
  const kinds: ByzantineKind[] = ['equivocate', 'doubleVote', 'both'];
  return stakes.map((_, i) => (chosen.includes(i) ? rng.pick(kinds) : null));
}

/** The scenario of a seed. */
export function scenarioOf(seed: number, params: ConsensusParams): Scenario {
  const rng = new Prng(seed);
  const n = rng.int(SIM_LIMITS.nodesMin, SIM_LIMITS.nodesMax);
  const nodes = Array.from({ length: n }, (_, i) => i);
  const stakes = rng.chance(0.5) ? nodes.map(() => 1) : nodes.map(() => rng.int(1, SIM_LIMITS.stakeMax));
  const byzantine = rng.chance(0.45) ? drawByzantine(rng.fork('byzantine'), stakes) : nodes.map(() => null);
  const byzantineHalf = nodes.map((i) => rng.shuffle(nodes.filter((k) => k !== i)).slice(0, Math.floor((n - 1) / 2)));
  const skewMs = nodes.map(() => rng.int(-SIM_LIMITS.skewMsMax, SIM_LIMITS.skewMsMax));
  const driftPpm = nodes.map(() => rng.int(-SIM_LIMITS.driftPpmMax, SIM_LIMITS.driftPpmMax));
  const lossy = rng.chance(0.6);
  const window = SIM_LIMITS.faultWindowMsMax;
  const partitions: Partition[] = [];
  if (rng.chance(0.4)) {
    for (let k = rng.int(1, SIM_LIMITS.partitionsMax); k > 0; k -= 1) {
      const lengthMs = rng.int(500, SIM_LIMITS.partitionMsMax);
      const fromMs = rng.int(0, window - lengthMs);
      const side = rng.shuffle(nodes).slice(0, rng.int(1, Math.floor(n / 2)));
      partitions.push({ fromMs, toMs: fromMs + lengthMs, side: side.sort((a, b) => a - b) });
    }
  }
  const crashes: Crash[] = [];
  if (rng.chance(0.4)) {
    for (let k = rng.int(1, SIM_LIMITS.crashesMax); k > 0; k -= 1) {
      const downMs = rng.int(100, SIM_LIMITS.crashDownMsMax);
      const atMs = rng.int(0, window - downMs);
      crashes.push({ node: rng.pick(nodes), atMs, restartMs: atMs + downMs });
    }
  }
  const ends = [...partitions.map((p) => p.toMs), ...crashes.map((c) => c.restartMs ?? 0)];
  const lossEndMs = lossy ? rng.int(1_000, window) : 0;
  const healMs = Math.max(0, lossEndMs, ...ends);
  return {
    seed,
    nodeCount: n,
    stakes,
    byzantine,
    byzantineHalf,
    skewMs,
    driftPpm,
    delayTailChance: lossy ? rng.float() * SIM_LIMITS.delayTailChanceMax : 0,
    dropChance: lossy ? rng.float() * SIM_LIMITS.dropChanceMax : 0,
    duplicateChance: lossy ? rng.float() * SIM_LIMITS.duplicateChanceMax : 0,
    partitions,
    crashes,
    healMs,
    targetHeight: SIM_LIMITS.targetHeight,
    livenessHeights: SIM_LIMITS.livenessHeights,
    livenessBoundMs: livenessBoundMs(params, SIM_LIMITS.livenessHeights),
  };
}

/** A scenario with no fault at all: `nodeCount` equal nodes on a network that only delays. */
export function calmScenario(seed: number, nodeCount: number, params: ConsensusParams): Scenario {
  const nodes = Array.from({ length: nodeCount }, (_, i) => i);
  return {
    seed,
    nodeCount,
    stakes: nodes.map(() => 1),
    byzantine: nodes.map(() => null),
    byzantineHalf: nodes.map((i) => nodes.filter((k) => k !== i).slice(0, Math.floor((nodeCount - 1) / 2))),
    skewMs: nodes.map(() => 0),
    driftPpm: nodes.map(() => 0),
    delayTailChance: 0,
    dropChance: 0,
    duplicateChance: 0,
    partitions: [],
    crashes: [],
    healMs: 0,
    targetHeight: SIM_LIMITS.targetHeight,
    livenessHeights: SIM_LIMITS.livenessHeights,
    livenessBoundMs: livenessBoundMs(params, SIM_LIMITS.livenessHeights),
  };
}
