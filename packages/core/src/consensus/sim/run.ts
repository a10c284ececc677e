/**
 * Runs the simulator: one seed (`runSeed`) or a range (`runSeeds`). A seed fixes everything — the scenario, the
 * network's every delay and loss, every node's nonce — so a failing seed replays exactly with
 * `npm run sim -- --seed <seed> --verbose`.
 */

import { VrfMemo } from '../crypto-memo.ts';
import { type ConsensusParams, SMALL_NETWORK_PARAMS } from '../params.ts';
import { type Scenario, scenarioOf } from './scenario.ts';
import { SimWorld } from './world.ts';

export interface SeedOptions {
  params?: ConsensusParams;
  /** A VRF memo shared across runs (a fresh one otherwise): answers are pure, so sharing never changes a run. */
  vrf?: VrfMemo;
  /** Keep a trace of the run's events in the result. */
  verbose?: boolean;
  /** Changes the seed's scenario before the run (tests pin a fault this way). */
  scenario?: (drawn: Scenario) => Scenario;
}

export interface SeedResult {
  ok: boolean;
  seed: number;
  /** What went wrong, with the command that replays it. */
  failure?: string;
  /** The lowest chain length among the checked (honest, not down for good) nodes at the end. */
  heights: number;
  /** Virtual time the run lasted. */
  virtualMs: number;
  /** Virtual ms from the heal until every checked node had decided the liveness heights (0 when it had before). */
  recoveryMs: number;
  /** When an honest node first decided a block (null: never). */
  firstDecisionMs: number | null;
  scenario: { nodes: number; byzantine: number; partitions: number; crashes: number; dropChance: number; healMs: number };
  /** Counts of what happened: effects by kind, messages sent, cut, dropped, duplicated. */
  events: Record<string, number>;
  /** A hash of every event in order: two runs with the same digest ran the same. */
  digest: number;
  trace?: string[];
}

/** The command that replays a seed with its trace. */
export function replayCommand(seed: number): string {
  return `npm run sim -- --seed ${seed} --verbose`;
}

/** Runs one seed's scenario and checks safety and liveness. */
export function runSeed(seed: number, options: SeedOptions = {}): SeedResult {
  const params = options.params ?? SMALL_NETWORK_PARAMS;
  const drawn = scenarioOf(seed, params);
  const scenario = options.scenario ? options.scenario(drawn) : drawn;
  const world = new SimWorld(scenario, params, options.vrf ?? new VrfMemo(), options.verbose ?? false);
  world.run();
  const checked = world.checkedNodes();
  const events: Record<string, number> = Object.fromEntries([...world.counts].sort(([a], [b]) => a.localeCompare(b)));
  events.processed = world.events;
  const result: SeedResult = {
    ok: world.failure === null,
    seed,
    heights: Math.min(...checked.map((n) => n.chain.length)),
    virtualMs: world.nowMs,
    recoveryMs: world.recoveryMs(),
    firstDecisionMs: world.firstDecisionMs,
    scenario: {
      nodes: scenario.nodeCount,
      byzantine: scenario.byzantine.filter((b) => b !== null).length,
      partitions: scenario.partitions.length,
      crashes: scenario.crashes.length,
      dropChance: Math.round(scenario.dropChance * 1000) / 1000,
      healMs: scenario.healMs,
    },
    events,
    digest: world.digest,
  };
  if (world.failure !== null) result.failure = `seed ${seed}: ${world.failure} — replay: ${replayCommand(seed)}`;
  if (options.verbose) result.trace = world.traceLines;
  return result;
}

export interface SeedsSummary {
  from: number;
  count: number;
  failed: SeedResult[];
  /** The longest recovery after a heal over the seeds, against the liveness bound. */
  recoveryMsMax: number;
  livenessBoundMs: number;
  /** Totals of every seed's event counts. */
  events: Record<string, number>;
}

/** Runs seeds from..from+count−1 with one shared VRF memo; `onResult` sees each result as it comes. */
export function runSeeds(from: number, count: number, options: SeedOptions = {}, onResult?: (r: SeedResult) => void): SeedsSummary {
  const vrf = options.vrf ?? new VrfMemo();
  const failed: SeedResult[] = [];
  const events: Record<string, number> = {};
  let recoveryMsMax = 0;
  for (let seed = from; seed < from + count; seed += 1) {
    const result = runSeed(seed, { ...options, vrf });
    if (!result.ok) failed.push(result);
    recoveryMsMax = Math.max(recoveryMsMax, result.recoveryMs);
    for (const [kind, n] of Object.entries(result.events)) events[kind] = (events[kind] ?? 0) + n;
    onResult?.(result);
  }
  const params = options.params ?? SMALL_NETWORK_PARAMS;
  return { from, count, failed, recoveryMsMax, livenessBoundMs: scenarioOf(from, params).livenessBoundMs, events };
}
