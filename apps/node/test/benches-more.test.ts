/** The other half of benches.test.ts (see there), and bench:cluster, whose line carries the figures. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { quickBenches } from './helpers/bench-quick.ts';

quickBenches(['runtime', 'market', 'economy', 'cloud']);

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
/** bench:cluster --quick takes under a minute on an idle 2-core machine; past this it is hung, not slow. */
const CLUSTER_QUICK_TIMEOUT_MS = 240_000;

const ClusterLineSchema = z
  .object({
    bench: z.literal('cluster'),
    nodes: z.literal(4),
    finalityP50Ms: z.number().positive(),
    finalityP99Ms: z.number().positive(),
    txPerSec: z.number().positive(),
    singleNodeTxPerSec: z.number().positive(),
    simSeedsPerSec: z.number().positive(),
    quick: z.literal(true),
    simFailed: z.number().int().min(0),
    goals: z
      .array(z.object({ figure: z.string(), value: z.number(), op: z.enum(['<=', '>=']), target: z.number(), met: z.boolean() }))
      .min(3),
    allGoalsMet: z.boolean(),
  })
  .loose();

describe('bench:cluster runs in --quick mode', () => {
  it(
    'exits 0, leaves no node running, and its last line carries finality, tx/s beside one node, and seeds/s',
    async () => {
      const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          ['--import', 'tsx', 'apps/node/bench/cluster.ts', '--quick'],
          { cwd: ROOT, timeout: CLUSTER_QUICK_TIMEOUT_MS, maxBuffer: 16 << 20, killSignal: 'SIGKILL' },
          (error, out, err) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout: out, stderr: err }),
        );
      });
      const context = `${stdout.slice(-4000)}\n--- stderr ---\n${stderr.slice(-4000)}`;
      expect(code, context).toBe(0);
      const raw: unknown = JSON.parse(stdout.trim().split('\n').pop() ?? '');
      const line = ClusterLineSchema.parse(raw);
      // The fields lead the line, in its order.
      expect(Object.keys(raw as object).slice(0, 7)).toEqual([
        'bench',
        'nodes',
        'finalityP50Ms',
        'finalityP99Ms',
        'txPerSec',
        'singleNodeTxPerSec',
        'simSeedsPerSec',
      ]);
      expect(line.finalityP99Ms).toBeGreaterThanOrEqual(line.finalityP50Ms);
      expect(line.goals.map((g) => g.figure)).toEqual(['finalityP50Ms', 'finalityP99Ms', 'txPerSec']);
      for (const g of line.goals) expect(g.met).toBe(g.op === '<=' ? g.value <= g.target : g.value >= g.target);
      expect(line.allGoalsMet).toBe(line.goals.every((g) => g.met));
      // The nodes it printed (four and the one alone) are gone with it.
      const urls = [...new Set(stdout.match(/http:\/\/127\.0\.0\.1:\d+/g) ?? [])];
      expect(urls.length, context).toBe(5);
      for (const url of urls) await expect(fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) }), url).rejects.toThrow();
    },
    CLUSTER_QUICK_TIMEOUT_MS + 10_000,
  );
});
