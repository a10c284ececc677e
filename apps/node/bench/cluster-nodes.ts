/**
 * The node processes bench:cluster measures, and their cleanup: a consensus network of N nodes from planCluster (as
 * `npm run cluster` runs it) and a one-node chain of the same accounts (the dev genesis without validators), each node
 * the bundle in its own process with a PGlite folder in a temporary directory. Every process is killed and every
 * directory removed when the bench exits, whichever way it exits (finished, an error, Ctrl-C).
 */
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEV_GENESIS_FILE } from '../src/config/node-options.ts';
import { clusterNodeEnv, planCluster } from '../src/consensus/cluster-plan.ts';
import { createPgliteTemplate, PGLITE_TEMPLATE_ENV } from '../src/testing.ts';
import { ChildNode, type ChildNodeEnv, freePort } from '../test/helpers/child-node.ts';
import { nodeClient } from '../test/helpers/client.ts';
import { sleep } from './cluster-http.ts';

/** A stopping node that has not exited this long after SIGTERM is killed. */
const STOP_TIMEOUT_MS = 15_000;
/** The cluster has agreed on its first blocks within this after its nodes listen, or it is broken. */
const FIRST_BLOCKS_TIMEOUT_MS = 90_000;
/** The chain id of the one-node chain (a dev chain, like the cluster's `arc-cluster-dev`). */
const SINGLE_CHAIN_ID = 'arc-single-dev';

export interface Allocation {
  did: string;
  amount: bigint;
}

/** A running chain: its nodes' base URLs (tx.send goes round-robin over them) and processes. */
export interface BenchChain {
  chainId: string;
  urls: string[];
  nodes: ChildNode[];
}

/** Owns every process and directory the bench makes, and removes them all at exit. */
export class BenchFleet {
  private readonly children = new Set<ChildNode>();
  private readonly dirs: string[] = [];
  private template: Promise<string> | null = null;

  constructor() {
    // At exit only synchronous work runs: SIGKILL what is still alive, remove the folders.
    process.once('exit', () => this.killNow());
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(signal === 'SIGINT' ? 130 : 143));
  }

  /** A consensus network of `count` validators on loopback, at height 2 or more on every node. */
  async startCluster(count: number, allocations: Allocation[]): Promise<BenchChain> {
    const dir = await this.tempDir('arc-bench-cluster-');
    const plan = await planCluster({ nodes: count, dir, basePort: 0, allocations });
    for (const node of plan.nodes) {
      node.port = await freePort();
      node.url = `http://127.0.0.1:${node.port}`;
    }
    const nodes = await Promise.all(
      plan.nodes.map(async (node) => {
        await this.seedDatabase(node.dataDir);
        return this.spawn(clusterNodeEnv(plan, node.index), node.port);
      }),
    );
    const urls = plan.nodes.map((n) => n.url);
    await untilHeight(urls, 2, FIRST_BLOCKS_TIMEOUT_MS);
    return { chainId: plan.chainId, urls, nodes };
  }

  /** One node producing its chain alone: the dev genesis (no validators) with the same accounts funded. */
  async startSingle(allocations: Allocation[]): Promise<BenchChain> {
    const dir = await this.tempDir('arc-bench-single-');
    const dev = JSON.parse(await readFile(DEV_GENESIS_FILE, 'utf8')) as { params: unknown; allocations: unknown[] };
    const genesisFile = join(dir, 'genesis.json');
    const genesis = {
      ...dev,
      chainId: SINGLE_CHAIN_ID,
      timeMs: Date.now(),
      allocations: [...dev.allocations, ...allocations.map((a) => ({ did: a.did, amount: a.amount.toString() }))],
    };
    await writeFile(genesisFile, `${JSON.stringify(genesis, null, 2)}\n`);
    const dataDir = join(dir, 'node');
    await this.seedDatabase(dataDir);
    const port = await freePort();
    const env = { DATA_DIR: dataDir, GENESIS_FILE: genesisFile, MQTT_PORT: 'off', SEED_DEMO: 'off', DEV_BRIDGE: 'off' };
    const node = await this.spawn(env, port);
    return { chainId: SINGLE_CHAIN_ID, urls: [node.url], nodes: [node] };
  }

  /** Stops a chain's nodes the way an operator does (SIGTERM), killing any that hang. */
  async stop(chain: BenchChain): Promise<void> {
    await Promise.all(
      chain.nodes.map(async (node) => {
        const timer = setTimeout(() => void node.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await node.kill('SIGTERM');
        clearTimeout(timer);
        this.children.delete(node);
      }),
    );
  }

  /** The last `lines` lines each running node printed (why a phase failed is usually there). */
  outputTails(lines: number): string {
    return [...this.children]
      .map((node) => `--- node on port ${node.port} ---\n${node.output.trimEnd().split('\n').slice(-lines).join('\n')}`)
      .join('\n');
  }

  /** Everything still running is killed and every folder removed (also what exit does). */
  killNow(): void {
    for (const node of this.children) {
      if (node.child.exitCode === null && node.child.signalCode === null) node.child.kill('SIGKILL');
    }
    this.children.clear();
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }

  private async spawn(env: Record<string, string>, port: number): Promise<ChildNode> {
    const node = await ChildNode.spawn(env as unknown as ChildNodeEnv, { port });
    this.children.add(node);
    return node.ready();
  }

  private async tempDir(prefix: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    this.dirs.push(dir);
    return dir;
  }

  /**
   * Gives a node's folder a migrated PGlite database to open (the suite's template when the bench runs under it, else
   * one this bench makes once): a node's first start otherwise spends seconds on initdb and migrations, four at once.
   */
  private async seedDatabase(dataDir: string): Promise<void> {
    this.template ??= this.migratedTemplate();
    mkdirSync(dataDir, { recursive: true });
    cpSync(await this.template, join(dataDir, 'pglite'), { recursive: true });
  }

  private async migratedTemplate(): Promise<string> {
    const shared = process.env[PGLITE_TEMPLATE_ENV];
    if (shared) return shared;
    const template = await createPgliteTemplate();
    this.dirs.push(join(template.dir, '..'));
    return template.dir;
  }
}

/** Waits until every node's chain is at `height` or above. */
async function untilHeight(urls: string[], height: number, timeoutMs: number): Promise<void> {
  const clients = urls.map((url) => nodeClient(url));
  const deadline = performance.now() + timeoutMs;
  let heights: number[] = [];
  while (performance.now() < deadline) {
    heights = await Promise.all(clients.map(async (c) => (await c.chain.info.query()).height));
    if (heights.every((h) => h >= height)) return;
    await sleep(200);
  }
  throw new Error(`the cluster did not reach height ${height} on every node within ${timeoutMs / 1000} s (heights: ${heights.join(', ')})`);
}
