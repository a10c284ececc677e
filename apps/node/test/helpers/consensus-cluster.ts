import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GenesisConfig, keyPairFromSeed, parseGenesisJson } from '@arc/core';
import { type ClusterPlan, planCluster } from '../../src/consensus/cluster-plan.ts';
import { startTestNode, type TestNode } from '../../src/testing.ts';
import { freePort } from './child-node.ts';

/** A consensus network of `count` nodes in this process (each its own PGlite), BA* timing from `timing`. */
export async function inProcessCluster(
  count: number,
  timing: { proposalWaitMs?: number; stepWaitMs?: number; blockWaitMs?: number } = {},
): Promise<{ plan: ClusterPlan; genesis: GenesisConfig; nodes: TestNode[]; stop(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'arc-consensus-'));
  const ports: number[] = [];
  for (let i = 0; i < count; i += 1) ports.push(await freePort());
  const plan = await planCluster({ nodes: count, dir, basePort: 0, timing });
  plan.nodes.forEach((n, i) => {
    n.port = ports[i] as number;
    n.url = `http://127.0.0.1:${n.port}`;
  });
  const genesis = parseGenesisJson(JSON.parse(await readFile(plan.genesisFile, 'utf8')), plan.genesisFile);
  const nodes = await Promise.all(
    plan.nodes.map((n) =>
      startTestNode({
        genesis,
        nodeKey: keyPairFromSeed(n.key.secretKey),
        port: n.port,
        consensus: { peers: plan.nodes.filter((p) => p !== n).map((p) => p.url), faultInjection: true },
        ...(process.env.TEST_NODE_LOG ? { log: (line: string) => console.log(`[node-${n.index + 1}] ${line}`) } : {}),
      }),
    ),
  );
  return {
    plan,
    genesis,
    nodes,
    stop: async () => {
      await Promise.all(nodes.map((n) => n.stop()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
