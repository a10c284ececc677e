/**
 * A local consensus network on one machine (`npm run cluster -- --nodes 4`, the real-process tests, bench:cluster):
 * a key per node, one genesis that lists them all as validators with equal stake, a data folder each, ports, and the
 * environment each node process runs with. Keys and the genesis are written once into the cluster's folder and
 * reused, so a restarted cluster resumes its chain.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { didFromPublicKey, fromHex, type KeyPair, keyPairFromSeed, toHex } from '@arc/core';
import { z } from 'zod';
import { DEV_GENESIS_FILE } from '../config/node-options.ts';

export const CLUSTER_LIMITS = { nodesMin: 1, nodesMax: 50 };
/** Each validator's genesis stake: 1,000 ABT (sortition weighs whole ABT, so all weigh 1,000). */
export const CLUSTER_STAKE = 1000n * 10n ** 18n;
/** Each validator's own spendable ABT (its faucet and fees). */
const CLUSTER_BALANCE = 1_000_000n * 10n ** 18n;

export interface ClusterNode {
  index: number;
  key: KeyPair;
  did: string;
  port: number;
  url: string;
  dataDir: string;
  keyFile: string;
}

export interface ClusterPlan {
  dir: string;
  genesisFile: string;
  chainId: string;
  nodes: ClusterNode[];
}

export interface ClusterOptions {
  nodes: number;
  dir: string;
  basePort: number;
  /** BA*'s waits in the genesis (consensus/params.ts); the small-network defaults when absent. */
  timing?: { proposalWaitMs?: number; stepWaitMs?: number; blockWaitMs?: number };
  /** More allocations (bench accounts), amounts in the smallest unit. */
  allocations?: { did: string; amount: bigint }[];
  chainId?: string;
}

const KeyFile = z.object({ secretKey: z.string().regex(/^[0-9a-f]{64}$/) });

async function keyAt(file: string): Promise<KeyPair> {
  if (existsSync(file)) return keyPairFromSeed(fromHex(KeyFile.parse(JSON.parse(await readFile(file, 'utf8'))).secretKey));
  const key = keyPairFromSeed(new Uint8Array(randomBytes(32)));
  await writeFile(file, `${JSON.stringify({ secretKey: toHex(key.secretKey) })}\n`, { mode: 0o600 });
  return key;
}

/** Makes (or reads back) the cluster's keys and genesis under `dir`. */
export async function planCluster(options: ClusterOptions): Promise<ClusterPlan> {
  const { nodes: count, dir, basePort } = options;
  if (!Number.isInteger(count) || count < CLUSTER_LIMITS.nodesMin || count > CLUSTER_LIMITS.nodesMax) {
    throw new Error(`--nodes takes ${CLUSTER_LIMITS.nodesMin} to ${CLUSTER_LIMITS.nodesMax}`);
  }
  await mkdir(dir, { recursive: true });
  const nodes: ClusterNode[] = [];
  for (let index = 0; index < count; index += 1) {
    const dataDir = join(dir, `node-${index + 1}`);
    await mkdir(dataDir, { recursive: true });
    const keyFile = join(dataDir, 'node-key.json');
    const key = await keyAt(keyFile);
    const port = basePort + index;
    nodes.push({ index, key, did: didFromPublicKey(key.publicKey, 'node'), port, url: `http://127.0.0.1:${port}`, dataDir, keyFile });
  }
  const genesisFile = join(dir, 'genesis.json');
  const chainId = options.chainId ?? 'arc-cluster-dev';
  if (!existsSync(genesisFile)) {
    const dev = JSON.parse(await readFile(DEV_GENESIS_FILE, 'utf8')) as { params: Record<string, unknown>; allocations: unknown[] };
    const genesis = {
      chainId,
      timeMs: Date.now(),
      params: {
        ...dev.params,
        consensus: {
          validators: nodes.map((n) => ({ did: n.did, publicKey: toHex(n.key.publicKey), stake: CLUSTER_STAKE.toString() })),
          ...options.timing,
        },
      },
      allocations: [
        ...dev.allocations,
        ...nodes.map((n) => ({ did: didFromPublicKey(n.key.publicKey, 'account'), amount: CLUSTER_BALANCE.toString() })),
        ...(options.allocations ?? []).map((a) => ({ did: a.did, amount: a.amount.toString() })),
      ],
    };
    await writeFile(genesisFile, `${JSON.stringify(genesis, null, 2)}\n`);
  }
  return { dir, genesisFile, chainId, nodes };
}

/** The environment of node `index`'s process: its port, folder, key, the genesis and every other node as a peer. */
export function clusterNodeEnv(plan: ClusterPlan, index: number, extra: Record<string, string> = {}): Record<string, string> {
  const node = plan.nodes[index];
  if (!node) throw new Error(`the cluster has no node ${index + 1}`);
  return {
    PORT: String(node.port),
    HOST: '127.0.0.1',
    DATA_DIR: node.dataDir,
    GENESIS_FILE: plan.genesisFile,
    NODE_KEY_FILE: node.keyFile,
    CONSENSUS_PEERS: plan.nodes
      .filter((n) => n.index !== index)
      .map((n) => n.url)
      .join(','),
    MQTT_PORT: 'off',
    SEED_DEMO: 'off',
    DEV_BRIDGE: 'off',
    ...extra,
  };
}
