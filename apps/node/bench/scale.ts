/**
 * bench:scale — the ledger with many accounts (issue 21), on PGlite in a data folder:
 * - the first ~1,000 accounts are made through real transactions (funded senders transfer to new DIDs); then
 *   txPerSecAt1k: committed transfers per second from the senders to random existing accounts, after a warm-up not counted;
 * - the rest come by a state import (scale-snapshot.ts): that node's snapshot with the missing accounts added, sealed
 *   on top of its head, started from by a second node on its own folder (snapshotImportMs), which then measures
 *   txPerSecAtScale the same way (ratio = the second over the first): the state's size shows in each block's reads
 *   and trie paths;
 * - restartMs: the node stopped (its memory collected: it ran in this process), then started again as its own
 *   process (as an operator runs it, from the bundle built beforehand) on the same folder, until it listens; rssMb: that process's resident memory after the proofs below;
 * - proofP99Ms: account.get (the value and its Merkle proof, over HTTP) for random accounts, p99, after a short
 *   warm-up of the new process: the time until the client has the answer, from a client process of its own
 *   (scale-proofs.ts: the bench's large heap's collections are not the node's); each proof is checked against the
 *   root it names, outside the timing;
 * - verifyBlocksPerSec: `arc node verify --snapshot --json` (the CLI, run as a user runs it) over the blocks after the
 *   import, from the snapshot's state.
 * `--accounts N` (default 1,000,000); `--quick`: 3,000 accounts and small phases (the suite runs it); `--keep`: the
 * data folders are kept and their path printed; `--driver postgres`: on DATABASE_URL's server instead. Goals are
 * printed beside the figures and carried in the JSON; the bench exits 0 either way. Last line: one JSON object.
 */

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { didFromPublicKey, genesisFileJson, keyPairFromSeed } from '@arc/core';
import { z } from 'zod';
import { goal, goalText, quantile, round, verdict } from '../../../scripts/bench-goals.ts';
import { installNodeCrypto } from '../src/ledger/node-crypto.ts';
import { createTestDatabase, startTestNode } from '../src/testing.ts';
import { ChildNode } from '../test/helpers/child-node.ts';
import { ABT, benchGenesis, commitAll, type Signer, sign, signer } from './economy-seed.ts';
import { scaledSnapshot } from './scale-snapshot.ts';

const quick = process.argv.includes('--quick');
/** `--keep`: the data folders stay (their path is printed) for a later look at the node on a large state. */
const keep = process.argv.includes('--keep');
const accountsArg = process.argv.indexOf('--accounts');
const ACCOUNTS = accountsArg > 0 ? Number(process.argv[accountsArg + 1]) : quick ? 3_000 : 1_000_000;
const driverArg = process.argv.indexOf('--driver');
/** `--driver postgres`: both nodes and the restarted process on the PostgreSQL server of DATABASE_URL, each on a new database. */
const DRIVER = z.enum(['pglite', 'postgres']).parse(driverArg > 0 ? process.argv[driverArg + 1] : 'pglite');
if (DRIVER === 'postgres' && !process.env.DATABASE_URL) throw new Error('--driver postgres needs DATABASE_URL (a PostgreSQL server)');
if (!Number.isSafeInteger(ACCOUNTS) || ACCOUNTS < 1_000) throw new Error('--accounts takes a whole number of at least 1000');
const SENDERS = quick ? 50 : 500;
/** Transfers of each throughput phase. */
const PHASE_TRANSFERS = quick ? 1_000 : 20_000;
/**
 * Transfers before each throughput phase, not counted: the node at 1M has just started from the snapshot (its trie
 * cache empty), the one at 1k has made every account (its cache full); both are timed warm, as a node that runs is.
 */
const WARM_UP_TRANSFERS = quick ? 200 : 10_000;
/** New accounts signed and committed per round while growing (bounds the bench's own memory). */
const GROW_ROUND = 50_000;
const PROOFS = quick ? 100 : 1_000;
const PROOF_WARMUP = 20;
const ARC_BIN = fileURLToPath(new URL('../../cli/bin/arc.mjs', import.meta.url));
const run = promisify(execFile);
const GOALS = { restartMs: 3_000, rssMb: 1_024, ratio: 0.8, proofP99Ms: 20 } as const;

/** A DID nobody holds a key of: an account that only receives. */
function receiverDid(): string {
  return didFromPublicKey(randomBytes(32));
}

const VerifyReport = z.object({
  blocks: z.number(),
  txs: z.number(),
  ms: z.number(),
  blocksPerSec: z.number(),
  mismatch: z.object({ height: z.number(), code: z.string() }).nullable(),
});

/** `arc node verify --json` against the node, as its own process; the report it prints. */
async function verifyWithCli(nodeUrl: string, snapshot: string): Promise<z.infer<typeof VerifyReport>> {
  const { stdout } = await run(process.execPath, [ARC_BIN, 'node', 'verify', '--snapshot', snapshot, '--json', '--node', nodeUrl], {
    maxBuffer: 1 << 20,
    timeout: 3_600_000,
  }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
    throw new Error(`arc node verify failed: ${error.stderr || error.stdout || error.message}`);
  });
  const report = VerifyReport.parse(JSON.parse(stdout));
  if (report.mismatch) throw new Error(`the chain does not verify: ${report.mismatch.code} at ${report.mismatch.height}`);
  return report;
}

const PROOFS_SCRIPT = fileURLToPath(new URL('./scale-proofs.ts', import.meta.url));

/**
 * account.get with proof for each DID, from scale-proofs.ts as its own process (each proof checked there after its
 * timing); the latencies in ms of all but the first PROOF_WARMUP (the new node's first calls compile its code paths).
 */
async function proofLatencies(nodeUrl: string, dids: string[], dir: string): Promise<number[]> {
  const file = join(dir, 'proof-dids.txt');
  writeFileSync(file, `${dids.join('\n')}\n`);
  const { stdout } = await run(process.execPath, ['--import', 'tsx', PROOFS_SCRIPT, nodeUrl, file, '--warmup', String(PROOF_WARMUP)], {
    maxBuffer: 1 << 20,
    timeout: 600_000,
  }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
    throw new Error(`the proof client failed: ${error.stderr || error.stdout || error.message}`);
  });
  return z.object({ ms: z.array(z.number()) }).parse(JSON.parse(stdout)).ms;
}

async function main() {
  installNodeCrypto();
  console.log(
    `bench:scale${quick ? ' (quick: small counts, figures are rough)' : ''}: ${ACCOUNTS} accounts, ${DRIVER === 'pglite' ? 'PGlite in a data folder' : 'PostgreSQL (DATABASE_URL)'}`,
  );
  const senders = Array.from({ length: SENDERS }, (_, i) => signer(`bench-scale sender ${i}`));
  const nonces = new Map(senders.map((s) => [s.did, 0]));
  const config = benchGenesis('arc-bench-scale', senders, 1_000_000_000n * ABT);
  const dir = mkdtempSync(join(tmpdir(), 'arc-bench-scale-'));
  const genesisFile = join(dir, 'genesis.json');
  writeFileSync(genesisFile, JSON.stringify(genesisFileJson(config)));
  const db = await createTestDatabase(DRIVER, join(dir, 'pglite'));
  const node = await startTestNode({
    driver: DRIVER,
    database: db.target,
    genesis: config,
    blockIntervalMs: 1000,
    mempool: { maxTxs: 100_000, ttlMs: 3_600_000, maxPerAccount: 2_000 },
    verifyThreads: 2,
    seedDemo: false,
  });
  const accounts: string[] = senders.map((s) => s.did);
  /** The node the transfers go to: the first, then the one started from the scaled snapshot. */
  let current = node;
  /** Transfers from the senders in turn: to `to(i)`, 1 unit each. */
  const transfers = (count: number, to: (i: number) => string) =>
    Array.from({ length: count }, (_, i) => {
      const from = senders[i % SENDERS] as Signer;
      const nonce = (nonces.get(from.did) ?? 0) + 1;
      nonces.set(from.did, nonce);
      return sign(node.chainId, from, nonce, { type: 'transfer', to: to(i), amount: 1n, tokens: [], assets: [], memo: '' });
    });
  const grow = async (target: number) => {
    const startMs = performance.now();
    while (accounts.length < target) {
      const fresh = Array.from({ length: Math.min(GROW_ROUND, target - accounts.length) }, receiverDid);
      const done = await commitAll(
        node,
        transfers(fresh.length, (i) => fresh[i] as string),
      );
      if (done.refused > 0) throw new Error(`${done.refused} account-making transfers were refused`);
      accounts.push(...fresh);
      if (!quick) console.log(`    ${accounts.length} accounts (${round((performance.now() - startMs) / 1000)} s)`);
    }
  };
  const rate = async (what: string) => {
    const randomAccount = () => accounts[Math.floor(Math.random() * accounts.length)] as string;
    const warm = await commitAll(current, transfers(WARM_UP_TRANSFERS, randomAccount));
    if (warm.refused > 0) throw new Error(`${warm.refused} of the ${what} warm-up transfers were refused`);
    const txs = transfers(PHASE_TRANSFERS, randomAccount);
    const done = await commitAll(current, txs);
    if (done.refused > 0) throw new Error(`${done.refused} of the ${what} transfers were refused`);
    const perSec = Math.round(done.committed / (done.ms / 1000));
    console.log(
      `  ${what}: ${done.committed} transfers to random accounts in ${round(done.ms)} ms, ${done.blocks} blocks: ${perSec} tx/s (after ${WARM_UP_TRANSFERS} not counted)`,
    );
    return perSec;
  };

  let child: ChildNode | null = null;
  let scaledNode: Awaited<ReturnType<typeof startTestNode>> | null = null;
  let scaledDb: Awaited<ReturnType<typeof createTestDatabase>> | null = null;
  const scaledDir = join(dir, 'scaled');
  try {
    await grow(1_000);
    const at1k = await rate(`at ${accounts.length} accounts`);

    // The rest of the accounts by a state import: this node's snapshot, scaled, started from by a second node.
    const source = join(dir, 'source.snapshot.gz');
    writeFileSync(source, Buffer.from(await (await fetch(`${node.url}/snapshot`)).arrayBuffer()));
    await node.stop();
    const scaledFile = join(dir, 'scaled.snapshot.gz');
    const importer = keyPairFromSeed(randomBytes(32));
    const makeStart = performance.now();
    const scaled = await scaledSnapshot(source, ACCOUNTS, { ...importer, did: didFromPublicKey(importer.publicKey, 'node') }, scaledFile);
    // Not splice(...): a million arguments overflow the stack.
    accounts.length = 0;
    for (const did of scaled.accounts) accounts.push(did);
    console.log(
      `  a snapshot of ${scaled.entries} state entries (${accounts.length} accounts) in ${round((performance.now() - makeStart) / 1000)} s`,
    );
    const importStart = performance.now();
    scaledDb = await createTestDatabase(DRIVER, join(scaledDir, 'pglite'));
    scaledNode = await startTestNode({
      driver: DRIVER,
      database: scaledDb.target,
      genesis: config,
      snapshotFile: scaledFile,
      blockIntervalMs: 1000,
      mempool: { maxTxs: 100_000, ttlMs: 3_600_000, maxPerAccount: 2_000 },
      verifyThreads: 2,
      seedDemo: false,
    });
    const snapshotImportMs = round(performance.now() - importStart);
    console.log(`  a new node started from it in ${round(snapshotImportMs / 1000)} s (height ${scaledNode.services.ledger.head.height})`);
    current = scaledNode;
    const atScale = await rate(`at ${accounts.length} accounts`);
    // The node's bundle is built before the timing (the first spawn of a process builds it: about a second).
    await ChildNode.prepare();
    await scaledNode.stop();
    // The stopped node's memory (a million accounts' worth) is this process's garbage now, which V8 would collect on
    // both cores while the new node starts; an operator's stopped node leaves with its process. Collected first
    // (the npm script runs the bench with --expose-gc).
    (globalThis as { gc?: () => void }).gc?.();

    const startMs = performance.now();
    const scaledTarget = scaledDb.target;
    child = await ChildNode.spawn({
      DATA_DIR: scaledDir,
      GENESIS_FILE: genesisFile,
      DEV_BRIDGE: 'off',
      BLOCK_INTERVAL_MS: '60000',
      ...(scaledTarget.kind === 'postgres' ? { DATABASE_URL: scaledTarget.url } : {}),
    });
    await child.ready(120_000);
    const restartMs = round(performance.now() - startMs);
    console.log(`  restart: a new node process on the same folder listened after ${restartMs} ms`);

    const randomAccount = () => accounts[Math.floor(Math.random() * accounts.length)] as string;
    // From a client process of its own: this one holds a million DIDs, and its collections are not the node's.
    const proofMs = await proofLatencies(child.url, Array.from({ length: PROOF_WARMUP + PROOFS }, randomAccount), dir);
    const proofP99Ms = round(quantile(proofMs, 0.99) ?? 0, 2);
    const rssMb = Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);
    console.log(
      `  account.get with proof (HTTP, verified): p50 ${round(quantile(proofMs, 0.5) ?? 0, 2)} ms, p99 ${proofP99Ms} ms; node RSS ${rssMb} MB`,
    );

    const running = child;
    const verify = await verifyWithCli(running.url, scaledFile).catch((error: Error) => {
      throw new Error(`${error.message}\nthe node printed (last 3000 characters):\n${running.output.slice(-3000)}`);
    });
    console.log(
      `  arc node verify --snapshot: ${verify.blocks} blocks, ${verify.txs} transactions in ${round(verify.ms)} ms (${verify.blocksPerSec} blocks/s)`,
    );

    const ratio = round(atScale / at1k, 3);
    const goals = [
      goal('restartMs', restartMs, '<=', GOALS.restartMs),
      goal('rssMb', rssMb, '<=', GOALS.rssMb),
      goal('ratio', ratio, '>=', GOALS.ratio),
      goal('proofP99Ms', proofP99Ms, '<=', GOALS.proofP99Ms),
    ];
    const [restartGoal, rssGoal, ratioGoal, proofGoal] = goals as [
      (typeof goals)[number],
      (typeof goals)[number],
      (typeof goals)[number],
      (typeof goals)[number],
    ];
    console.log('');
    console.log(`scale, ${accounts.length} accounts${quick ? ' (quick)' : ''}:`);
    console.log(`  restartMs: ${restartMs} (${goalText(restartGoal)}), rssMb: ${rssMb} (${goalText(rssGoal)})`);
    console.log(`  txPerSecAt1k: ${at1k}, txPerSecAtScale: ${atScale}, ratio ${ratio} (${goalText(ratioGoal)})`);
    console.log(`  proofP99Ms: ${proofP99Ms} (${goalText(proofGoal)}), verifyBlocksPerSec: ${verify.blocksPerSec}`);
    console.log(`  snapshotImportMs: ${snapshotImportMs} (the state of ${accounts.length} accounts written and its trie built)`);
    console.log(
      JSON.stringify({
        bench: 'scale',
        driver: DRIVER,
        accounts: accounts.length,
        restartMs,
        rssMb,
        txPerSecAt1M: atScale,
        txPerSecAt1k: at1k,
        ratio,
        proofP99Ms,
        verifyBlocksPerSec: verify.blocksPerSec,
        blocks: verify.blocks,
        snapshotImportMs,
        warmUpTransfers: WARM_UP_TRANSFERS,
        ...(quick ? { quick: true } : {}),
        ...verdict(goals),
      }),
    );
  } finally {
    await child?.kill();
    await node.stop().catch(() => undefined);
    await scaledNode?.stop().catch(() => undefined);
    // A PostgreSQL database is dropped (kept with --keep); a PGlite one goes with the folder.
    if (DRIVER === 'postgres' && !keep) {
      await db.drop().catch(() => undefined);
      await scaledDb?.drop().catch(() => undefined);
    }
    if (keep) console.log(`  kept: ${dir} (the scaled node's folder: ${scaledDir}, its genesis: ${genesisFile})`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
