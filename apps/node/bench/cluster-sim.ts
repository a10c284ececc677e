/**
 * bench:cluster's simulator figure: seeds of BA* under faults (packages/core/src/consensus/sim) per second on worker
 * threads, and the failing seeds by number (replay one with `npm run sim -- --seed <seed> --verbose`). Threads take
 * the next seed from one shared counter, so the seeds run are always 1..N whatever the threads' speeds. A run may have
 * a time budget: past it, no thread starts another seed, and N is the largest count that fitted (the bench's default:
 * up to 10,000 seeds within about ten minutes).
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { runSeed, VrfMemo } from '@arc/core/consensus-sim';
import { installNodeCrypto } from '../src/ledger/node-crypto.ts';

/** The issue's count: "the bench runs 10,000 seeds". */
export const SIM_SEEDS_GOAL = 10_000;
/** The time the default run may take: about ten minutes on the 2-core machine. */
export const SIM_BUDGET_MS = 600_000;

/** Slots of the shared counters: the next seed to take, and 1 once the budget is spent. */
const NEXT_SEED = 0;
const STOP = 1;

interface Share {
  /** Int32Array over this: [next seed, stop]. */
  counters: SharedArrayBuffer;
  end: number;
}

interface Outcome {
  seed: number;
  ok: boolean;
}

export interface SimRun {
  /** Seeds 1..seeds ran (all of them). */
  seeds: number;
  seconds: number;
  failedSeeds: number[];
  /** True when the budget ended the run before `count`. */
  stoppedByBudget: boolean;
}

/** Runs seeds 1..count on `workers` threads, starting no seed after `budgetMs` (when given). */
export async function runSimSeeds(count: number, workers: number, budgetMs?: number): Promise<SimRun> {
  const threads = Math.max(1, Math.min(workers, count));
  const counters = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
  const shared = new Int32Array(counters);
  Atomics.store(shared, NEXT_SEED, 1);
  // A worker runs this file as TypeScript: it registers tsx's loader first (execArgv's --import does not reach a
  // worker's entry module on Node 20), then imports this file, whose last lines run its share.
  const bootstrap = new URL(
    `data:text/javascript,${encodeURIComponent(
      `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))}; register(); await import(${JSON.stringify(import.meta.url)});`,
    )}`,
  );
  const failedSeeds: number[] = [];
  let seeds = 0;
  const started = performance.now();
  const budget = budgetMs === undefined ? null : setTimeout(() => Atomics.store(shared, STOP, 1), budgetMs);
  try {
    await Promise.all(
      Array.from(
        { length: threads },
        () =>
          new Promise<void>((resolve, reject) => {
            const share: Share = { counters, end: count + 1 };
            const worker = new Worker(bootstrap, { workerData: { clusterSimShare: share } });
            worker.on('message', (outcome: Outcome) => {
              seeds += 1;
              if (!outcome.ok) failedSeeds.push(outcome.seed);
            });
            worker.once('error', reject);
            worker.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`a simulator thread exited with code ${code}`))));
          }),
      ),
    );
  } finally {
    if (budget) clearTimeout(budget);
  }
  // Every seed taken ran to its end: they are 1..taken.
  const taken = Math.min(count, Atomics.load(shared, NEXT_SEED) - 1);
  if (seeds !== taken) throw new Error(`the simulator threads reported ${seeds} seeds of the ${taken} they took`);
  return {
    seeds,
    seconds: (performance.now() - started) / 1000,
    failedSeeds: failedSeeds.sort((a, b) => a - b),
    stoppedByBudget: seeds < count,
  };
}

/** A thread's loop: take the next seed until none is left or the budget is spent. */
function runShare({ counters, end }: Share): void {
  installNodeCrypto();
  const shared = new Int32Array(counters);
  const vrf = new VrfMemo();
  while (Atomics.load(shared, STOP) === 0) {
    const seed = Atomics.add(shared, NEXT_SEED, 1);
    if (seed >= end) return;
    const result = runSeed(seed, { vrf });
    parentPort?.postMessage({ seed, ok: result.ok } satisfies Outcome);
  }
}

if (!isMainThread && (workerData as { clusterSimShare?: Share } | null)?.clusterSimShare) {
  runShare((workerData as { clusterSimShare: Share }).clusterSimShare);
}
