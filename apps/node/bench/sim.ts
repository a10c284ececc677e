/**
 * sim — BA* under faults (packages/core/src/consensus/sim): N seeds, each a simulated network of 4–7 nodes in this
 * process with delays, losses, duplicates, partitions, crashes and restarts, clock skew and Byzantine nodes, checked for
 * safety (no two blocks at one height, equal state roots) and liveness (progress within the bound after the heal).
 *
 *   npm run sim -- --seeds 200            200 seeds from 1 (CI runs this many; `npm run bench:sim` runs 10,000)
 *   npm run sim -- --seeds 500 --from 9000
 *   npm run sim -- --seed 1234 --verbose  one seed with its trace (how a failing seed is replayed)
 *   --workers W                           worker threads (default: up to 2 for --seeds, 1 for --seed)
 *
 * Prints a summary and every failing seed; the last line is one JSON object. Exits 1 when any seed fails.
 */
import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { cryptoProvider, SMALL_NETWORK_PARAMS, useCryptoProvider } from '@arc/core';
import { replayCommand, runSeed, type SeedResult, scenarioOf, VrfMemo, withSignatureMemo } from '@arc/core/consensus-sim';
import { installNodeCrypto } from '../src/ledger/node-crypto.ts';

/** A bound on the seeds one run may ask for (10,000 is the bench; more is a typo). */
const SEEDS_MAX = 1_000_000;
const WORKERS_MAX = 16;

interface Options {
  from: number;
  count: number;
  single: boolean;
  verbose: boolean;
  workers: number;
}

/** What a worker sends back per seed: the result without its trace. */
type Outcome = Omit<SeedResult, 'trace'>;

function intFlag(args: string[], name: string): number | null {
  const at = args.indexOf(name);
  if (at < 0) return null;
  const value = Number(args[at + 1]);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} takes a non-negative integer, not ${args[at + 1]}`);
  return value;
}

function parseOptions(args: string[]): Options {
  const seed = intFlag(args, '--seed');
  const count = seed === null ? (intFlag(args, '--seeds') ?? 200) : 1;
  if (count < 1 || count > SEEDS_MAX) throw new Error(`--seeds is 1..${SEEDS_MAX}`);
  const workers = intFlag(args, '--workers') ?? (seed === null ? Math.min(2, availableParallelism()) : 1);
  return {
    from: seed ?? intFlag(args, '--from') ?? 1,
    count,
    single: seed !== null,
    verbose: args.includes('--verbose'),
    workers: Math.max(1, Math.min(WORKERS_MAX, workers, count)),
  };
}

/** Runs every `stride`-th seed from `first` up to `end` with one VRF memo, reporting each outcome. */
function runShare(first: number, end: number, stride: number, report: (o: Outcome) => void): void {
  const vrf = new VrfMemo();
  for (let seed = first; seed < end; seed += stride) {
    const { trace: _trace, ...outcome } = runSeed(seed, { vrf });
    report(outcome);
  }
}

function line(r: Outcome): string {
  const s = r.scenario;
  const faults = `${s.nodes} nodes, ${s.byzantine} byzantine, ${s.partitions} partitions, ${s.crashes} crashes, drop ${s.dropChance}`;
  return `seed ${r.seed}: ${r.ok ? 'ok' : 'FAILED'} — ${faults}; height ${r.heights}, ${r.virtualMs} ms virtual, recovery ${r.recoveryMs} ms`;
}

async function runAll(o: Options): Promise<Outcome[]> {
  const end = o.from + o.count;
  const outcomes: Outcome[] = [];
  const onOutcome = (r: Outcome) => {
    outcomes.push(r);
    if (o.verbose || !r.ok) console.log(`  ${line(r)}`);
    if (!r.ok) console.log(`    ${r.failure}`);
  };
  if (o.workers === 1) {
    runShare(o.from, end, 1, onOutcome);
    return outcomes;
  }
  // A worker runs this file as TypeScript: it registers tsx's loader first (execArgv's --import does not reach a
  // worker's entry module on Node 20), then imports this file.
  const bootstrap = new URL(
    `data:text/javascript,${encodeURIComponent(
      `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))}; register(); await import(${JSON.stringify(import.meta.url)});`,
    )}`,
  );
  await Promise.all(
    Array.from(
      { length: o.workers },
      (_, k) =>
        new Promise<void>((resolve, reject) => {
          const worker = new Worker(bootstrap, { workerData: { first: o.from + k, end, stride: o.workers } });
          worker.on('message', onOutcome);
          worker.once('error', reject);
          worker.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`a simulator worker exited with ${code}`))));
        }),
    ),
  );
  return outcomes.sort((a, b) => a.seed - b.seed);
}

function runOne(seed: number, verbose: boolean): Outcome {
  const result = runSeed(seed, { verbose });
  if (verbose) for (const traceLine of result.trace ?? []) console.log(traceLine);
  const { trace: _trace, ...outcome } = result;
  console.log(`  ${line(outcome)}`);
  console.log(`  events: ${JSON.stringify(outcome.events)}`);
  if (!outcome.ok) console.log(`    ${outcome.failure}`);
  return outcome;
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const boundMs = scenarioOf(o.from, SMALL_NETWORK_PARAMS).livenessBoundMs;
  console.log(
    `sim: ${o.single ? `seed ${o.from}` : `${o.count} seeds from ${o.from}`} on ${o.workers} thread(s); liveness: ` +
      `2 heights within ${boundMs} ms of virtual time after the last fault heals`,
  );
  const started = performance.now();
  const outcomes = o.single ? [runOne(o.from, o.verbose)] : await runAll(o);
  const seconds = (performance.now() - started) / 1000;
  const failed = outcomes.filter((r) => !r.ok);
  const recoveryMsMax = Math.max(0, ...outcomes.map((r) => r.recoveryMs));
  const total = (kind: string) => outcomes.reduce((sum, r) => sum + (r.events[kind] ?? 0), 0);
  const seedsPerSec = Math.round((outcomes.length / seconds) * 100) / 100;
  console.log(
    `  ${outcomes.length - failed.length}/${outcomes.length} seeds passed in ${seconds.toFixed(1)} s (${seedsPerSec} seeds/s); ` +
      `longest recovery after a heal ${recoveryMsMax} ms (bound ${boundMs} ms)`,
  );
  console.log(
    `  decisions: ${total('final')} final, ${total('tentative')} tentative; ${total('empty')} empty attempts; ` +
      `${total('equivocation')} equivocations seen; messages: ${total('sent')} sent, ${total('dropped')} dropped, ${total('cut')} cut by partitions`,
  );
  for (const r of failed) console.log(`  FAILED ${r.failure ?? `seed ${r.seed} — replay: ${replayCommand(r.seed)}`}`);
  console.log(
    JSON.stringify({
      bench: 'sim',
      seeds: outcomes.length,
      from: o.from,
      failed: failed.length,
      failedSeeds: failed.map((r) => r.seed).slice(0, 100),
      seedsPerSec,
      workers: o.workers,
      recoveryMsMax,
      livenessBoundMs: boundMs,
    }),
  );
  process.exit(failed.length > 0 ? 1 : 0);
}

// node:crypto for ed25519 and SHA3, with a memo of signature checks (every simulated node checks every proposal).
installNodeCrypto();
useCryptoProvider(withSignatureMemo(cryptoProvider()));
if (isMainThread) await main();
else {
  const { first, end, stride } = workerData as { first: number; end: number; stride: number };
  runShare(first, end, stride, (outcome) => parentPort?.postMessage(outcome));
}
