/**
 * Runs benches in `--quick` mode and checks their last line (benches.test.ts, benches-more.test.ts): each must exit 0
 * whatever its goals and end with one JSON line naming the bench and carrying a verdict per goal.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const ROOT = fileURLToPath(new URL('../../../..', import.meta.url));
/** One quick bench on a busy 2-core machine: seconds normally; past this it is hung, not slow. */
const BENCH_QUICK_TIMEOUT_MS = 240_000;
/** Output kept from a bench for the failure message. */
const OUTPUT_CHARS_MAX = 4000;

export const BENCHES = {
  ledger: 'apps/node/bench/ledger.ts',
  runtime: 'apps/node/bench/runtime.ts',
  gateway: 'apps/node/bench/gateway.ts',
  market: 'apps/node/bench/market.ts',
  economy: 'apps/node/bench/economy.ts',
  scale: 'apps/node/bench/scale.ts',
  cloud: 'apps/node/bench/cloud.ts',
  adapters: 'packages/adapters/bench/adapters.ts',
} as const;
type BenchName = keyof typeof BENCHES;

const GoalSchema = z.object({
  figure: z.string().min(1),
  value: z.number(),
  op: z.enum(['<=', '>=']),
  target: z.number(),
  met: z.boolean(),
});
const BenchLineSchema = z
  .object({ bench: z.string(), quick: z.literal(true), goals: z.array(GoalSchema).min(1), allGoalsMet: z.boolean() })
  .loose();
/** Figures a bench's line must carry besides the verdict (their values are not judged here: machines vary). */
const FIGURES: Partial<Record<BenchName, z.ZodType>> = {
  cloud: z
    .object({
      invocationsPerSec: z.array(z.number().positive()).min(2),
      readsPerSec: z.array(z.number().positive()).min(2),
      txPerSec: z.array(z.number().positive()).min(2),
      failoverP50Ms: z.number().positive(),
      failoverMaxMs: z.number().positive(),
      // Each phase's connections per serving process: every one got some (the phase measured as many as it says).
      connections: z
        .array(
          z.object({
            invocations: z.record(z.string(), z.number().int().positive()),
            reads: z.record(z.string(), z.number().int().positive()),
          }),
        )
        .min(2),
    })
    .loose(),
  scale: z
    .object({
      accounts: z.number().int().positive(),
      restartMs: z.number().positive(),
      rssMb: z.number().positive(),
      txPerSecAt1M: z.number().positive(),
      txPerSecAt1k: z.number().positive(),
      ratio: z.number().positive(),
      proofP99Ms: z.number().positive(),
      verifyBlocksPerSec: z.number().positive(),
    })
    .loose(),
  economy: z
    .object({
      settle10kAppsMs: z.number().positive(),
      feePayerTxPerSec: z.number().positive(),
      feePayerBatchTxPerSec: z.number().positive(),
      plainTxPerSec: z.number().positive(),
      // null until the bridge service's figure is added.
      bridgePerMin: z.number().nullable(),
    })
    .loose(),
};

function runQuick(file: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', file, '--quick'],
      { cwd: ROOT, timeout: BENCH_QUICK_TIMEOUT_MS, maxBuffer: 16 << 20, killSignal: 'SIGKILL' },
      (error, stdout, stderr) =>
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          stdout,
          stderr: error?.killed ? `${stderr}\n(killed: still running after ${BENCH_QUICK_TIMEOUT_MS} ms)` : stderr,
        }),
    );
  });
}

/** The suite of these benches (a file holds a few, so that two files run them two at a time). */
export function quickBenches(names: BenchName[]): void {
  describe('every bench runs in --quick mode', () => {
    for (const name of names) {
      quickBench(name);
    }
  });
}

function quickBench(name: BenchName): void {
  it(
    `bench:${name} exits 0 and its last line is one JSON object with a verdict per goal`,
    async () => {
      const { code, stdout, stderr } = await runQuick(BENCHES[name]);
      const context = `${stdout.slice(-OUTPUT_CHARS_MAX)}\n--- stderr ---\n${stderr.slice(-OUTPUT_CHARS_MAX)}`;
      expect(code, context).toBe(0);
      const last = stdout.trim().split('\n').pop() ?? '';
      let parsed: unknown;
      expect(() => {
        parsed = JSON.parse(last);
      }, context).not.toThrow();
      const line = BenchLineSchema.parse(parsed);
      expect(line.bench).toBe(name);
      FIGURES[name]?.parse(parsed);
      expect(line.allGoalsMet).toBe(line.goals.every((g) => g.met));
      // Each goal's verdict is the comparison it states, and the figure it judges is in the line as well.
      for (const g of line.goals) expect(g.met).toBe(g.op === '<=' ? g.value <= g.target : g.value >= g.target);
    },
    BENCH_QUICK_TIMEOUT_MS + 10_000,
  );
}
