/**
 * bench:web is part of the product: the suite runs it in `--quick` mode here, against this run's node and web server
 * (the build the end-to-end tests just made, so the suite builds the web app once), as apps/node/test/benches.test.ts
 * runs the node's benches. It must exit 0 whatever its goals (a missed goal is a finding, not a crash) and end with one
 * JSON line naming the bench, carrying its figures and a verdict per goal.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { z } from 'zod';

const repoDir = join(import.meta.dirname, '..', '..', '..');
/** The quick bench: a few blocks and sends and three routes, seconds normally; past this it is hung, not slow. */
const BENCH_QUICK_TIMEOUT_MS = 150_000;
const OUTPUT_CHARS_MAX = 4000;

const figure = z.number().nullable();
const BenchLineSchema = z
  .object({
    bench: z.literal('web'),
    quick: z.literal(true),
    homeFirstLoadKbGz: figure,
    consoleFirstLoadKbGz: figure,
    sendToCommittedP50Ms: figure,
    sendToCommittedP99Ms: figure,
    blockToScreenP99Ms: figure,
    unmeasured: z.array(z.string()),
    goals: z.array(z.object({ figure: z.string(), value: z.number(), op: z.enum(['<=', '>=']), target: z.number(), met: z.boolean() })),
    allGoalsMet: z.boolean(),
  })
  .loose();

test('bench:web --quick exits 0 and its last line is one JSON object with the figures and a verdict per goal', async ({ baseURL }) => {
  test.setTimeout(BENCH_QUICK_TIMEOUT_MS + 10_000);
  const nodeUrl = `http://127.0.0.1:${process.env.ARC_E2E_NODE_PORT}`;
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'apps/web/bench/web.ts', '--quick', '--web-url', String(baseURL), '--node-url', nodeUrl],
      {
        cwd: repoDir,
        env: { ...process.env, ARC_WEB_DIST_DIR: process.env.ARC_WEB_DIST_DIR || '.next' },
        timeout: BENCH_QUICK_TIMEOUT_MS,
        maxBuffer: 16 << 20,
        killSignal: 'SIGKILL',
      },
      (error, out, err) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout: out, stderr: err }),
    );
  });
  const context = `${stdout.slice(-OUTPUT_CHARS_MAX)}\n--- stderr ---\n${stderr.slice(-OUTPUT_CHARS_MAX)}`;
  expect(code, context).toBe(0);
  const last = stdout.trim().split('\n').pop() ?? '';
  const line = BenchLineSchema.parse(JSON.parse(last));
  expect(line.allGoalsMet, context).toBe(line.goals.every((g) => g.met));
  for (const g of line.goals) {
    // Each verdict is the comparison it states, about the figure the line carries.
    expect(g.met).toBe(g.op === '<=' ? g.value <= g.target : g.value >= g.target);
    expect(line[g.figure as keyof typeof line]).toBe(g.value);
  }
  // The home page's first load and its block → screen time are always measured (the app always has a home).
  expect(line.homeFirstLoadKbGz, context).toBeGreaterThan(0);
  expect(line.blockToScreenP99Ms, context).not.toBeNull();
});
