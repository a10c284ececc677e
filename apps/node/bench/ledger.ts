/**
 * bench:ledger — committed signed transfers per second through the node's real pipeline
 * (admission → signature threads → mempool → block → one database transaction per block), as a
 * ratio over the floor measured in the same run: bare ed25519 verifies per second with node:crypto (what the
 * ledger verifies with) on as many threads as the node verifies with (VERIFY_THREADS). Two ways in:
 * - in-process: the bench calls admission.submit directly (no HTTP, no JSON): the pipeline alone;
 * - HTTP: tx.send over tRPC from a separate load process (ledger-http-load.ts, keep-alive), as clients would.
 * Only transactions committed in a block count toward tx/s (a rejected one is reported, not counted). Also
 * submit-to-commit latency at half the in-process rate, and the process RSS. `--quick`: the same phases with
 * small counts (a few seconds: the suite runs it). Goals are printed beside the figures and carried in the JSON;
 * the bench exits 0 either way. Last line: one JSON object.
 */
import { execFile } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { didFromPublicKey, encodeTx, type GenesisConfig, keyPairFromSeed, sha3, signTx, utf8 } from '@arc/core';
import { goal, goalText, verdict } from '../../../scripts/bench-goals.ts';
import { ECONOMY_PARAMS_DEFAULT } from '../src/config/genesis.ts';
import { installNodeCrypto } from '../src/ledger/node-crypto.ts';
import type { RunningNode } from '../src/node.ts';
import { startTestNode, type TestDriver } from '../src/testing.ts';
import { type LoadPlan, LoadResultSchema } from './ledger-http-load.ts';

const quick = process.argv.includes('--quick');
const SENDERS = quick ? 100 : 500;
const TXS_PER_SENDER = quick ? 6 : 80;
/** Transfers per sender sent over HTTP (after the in-process ones). */
const HTTP_TXS_PER_SENDER = quick ? 4 : 30;
/** Requests the HTTP load process keeps in flight. */
const HTTP_CONCURRENCY = 32;
const HTTP_LOAD_FILE = fileURLToPath(new URL('./ledger-http-load.ts', import.meta.url));
/** The HTTP load process is hung, not slow, past this. */
const HTTP_LOAD_TIMEOUT_MS = quick ? 60_000 : 300_000;
const LATENCY_SECONDS = quick ? 1 : 8;
const FLOOR_SECONDS = quick ? 0.5 : 3;
const ABT = 10n ** 18n;
/** The node's default VERIFY_THREADS (config/env.ts): the node under test and the floor both use this many. */
const VERIFY_THREADS = 2;
/** The goal: committed tx/s at least this share of the all-threads verify floor (half the machine verifies). */
const RATIO_GOAL = 0.5;
/** The goal for submit-to-commit p99 at half the maximum rate. */
const LATENCY_P99_GOAL_MS = 1000;

/** Bare ed25519 verifies per second on `threads` worker threads at once (the sum), node:crypto, cached KeyObject. */
async function measureVerifyFloor(threads: number): Promise<number> {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const message = randomBytes(180);
  const signature = sign(null, message, privateKey);
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  const script = `
    const { createPublicKey, verify } = require('node:crypto');
    const { parentPort, workerData } = require('node:worker_threads');
    const key = createPublicKey({ key: Buffer.from(workerData.spki), format: 'der', type: 'spki' });
    const message = Buffer.from(workerData.message);
    const signature = Buffer.from(workerData.signature);
    let count = 0;
    const start = performance.now();
    while (performance.now() - start < workerData.ms) {
      for (let i = 0; i < 200; i++) verify(null, message, key, signature);
      count += 200;
    }
    parentPort.postMessage(count / ((performance.now() - start) / 1000));`;
  const rates = await Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise<number>((resolve, reject) => {
          const worker = new Worker(script, { eval: true, workerData: { spki, message, signature, ms: FLOOR_SECONDS * 1000 } });
          worker.once('message', (rate: number) => void worker.terminate().then(() => resolve(rate)));
          worker.once('error', reject);
        }),
    ),
  );
  // Sanity check on the main thread: the floor's signature really verifies.
  if (!verify(null, message, createPublicKey({ key: spki, format: 'der', type: 'spki' }), signature)) throw new Error('floor signature');
  return rates.reduce((a, b) => a + b, 0);
}

const senders = Array.from({ length: SENDERS }, (_, i) => {
  const key = keyPairFromSeed(sha3(utf8(`bench:${i}`)));
  return { ...key, did: didFromPublicKey(key.publicKey) };
});

function benchGenesis(): GenesisConfig {
  return {
    chainId: 'arc-bench',
    timeMs: Date.UTC(2026, 0, 1),
    nativeToken: { symbol: 'ABT', name: 'ArcBlock Token', decimals: 18 },
    params: {
      minFee: 10n ** 14n,
      maxTxBytes: 16384,
      maxTxsPerBlock: 5000,
      maxBlockBytes: 4 * 1024 * 1024,
      market: { moderators: [], usageReporters: [] },
      economy: { ...ECONOMY_PARAMS_DEFAULT, publishStake: 0n },
    },
    allocations: senders.map((s) => ({ did: s.did, amount: 1_000_000n * ABT })),
  };
}

/** Signs `perSender` transfers for every sender, nonces from `firstNonce`, interleaved across senders. */
function signTransfers(chainId: string, firstNonce: number, perSender: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let n = 0; n < perSender; n++) {
    for (let i = 0; i < senders.length; i++) {
      const s = senders[i] as (typeof senders)[number];
      const to = (senders[(i + 1 + n) % senders.length] as (typeof senders)[number]).did;
      const tx = signTx(
        {
          chainId,
          from: s.did,
          publicKey: s.publicKey,
          nonce: firstNonce + n,
          fee: 10n ** 14n,
          feePayer: null,
          itx: { type: 'transfer', to, amount: 1n + BigInt(n), tokens: [], assets: [], memo: '' },
        },
        s.secretKey,
      );
      out.push(encodeTx(tx));
    }
  }
  return out;
}

const hashOf = (bytes: Uint8Array) => Buffer.from(sha3(bytes)).toString('hex');

/** Resolves when every hash is in a block or rejected: how many committed, and when the last one did. */
function waitCommitted(
  node: RunningNode,
  hashes: Set<string>,
  onCommit?: (hash: string, atMs: number) => void,
): Promise<{ committed: number; lastCommitMs: number }> {
  return new Promise((resolve) => {
    const left = new Set(hashes);
    let committed = 0;
    let lastCommitMs = performance.now();
    const onBlock = (b: {
      txHashes: string[];
      failed: { hashHex: string; code: string; message: string }[];
      rejected: { hashHex: string; code: string; message: string }[];
    }) => {
      const at = performance.now();
      // A failed one still settles its wait (it is in the block), but the run should never have one: say so.
      for (const f of b.failed) if (left.has(f.hashHex)) console.error(`  failed ${f.code}: ${f.message}`);
      for (const h of b.txHashes)
        if (left.delete(h)) {
          committed += 1;
          lastCommitMs = at;
          onCommit?.(h, at);
        }
      for (const r of b.rejected) if (left.delete(r.hashHex)) console.error(`  rejected ${r.code}: ${r.message}`);
      if (left.size === 0) {
        node.services.ledger.events.off('block', onBlock);
        resolve({ committed, lastCommitMs });
      }
    };
    node.services.ledger.events.on('block', onBlock);
  });
}

/** In-process: admission.submit for every transfer at once; committed transfers per second. */
async function throughput(node: RunningNode, txs: Uint8Array[]): Promise<number> {
  const done = waitCommitted(node, new Set(txs.map(hashOf)));
  const start = performance.now();
  const submits = txs.map((bytes) => node.services.admission.submit(bytes));
  await Promise.all(submits);
  const { committed, lastCommitMs } = await done;
  return committed / ((lastCommitMs - start) / 1000);
}

/**
 * HTTP: a separate process (ledger-http-load.ts) posts every transfer to tx.send over tRPC (HTTP_CONCURRENCY in
 * flight, keep-alive, each account's transfers in nonce order); committed transfers per second from its first
 * request to the last commit, and the refusals it retried by code.
 */
async function httpThroughput(node: RunningNode, txs: Uint8Array[]): Promise<{ txPerSec: number; retries: Record<string, number> }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-ledger-'));
  try {
    // signTransfers interleaves senders: transfer k is sender k % SENDERS's, in nonce order within a sender.
    const lanes: string[][] = senders.map(() => []);
    for (const [k, t] of txs.entries()) (lanes[k % senders.length] as string[]).push(Buffer.from(t).toString('hex'));
    const plan: LoadPlan = { url: `${node.url}/trpc/tx.send`, concurrency: HTTP_CONCURRENCY, lanes };
    const planFile = join(dir, 'plan.json');
    writeFileSync(planFile, JSON.stringify(plan));
    const done = waitCommitted(node, new Set(txs.map(hashOf)));
    const output = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', HTTP_LOAD_FILE, planFile],
        { maxBuffer: 1 << 20, timeout: HTTP_LOAD_TIMEOUT_MS, killSignal: 'SIGKILL' },
        (error, stdout, stderr) => {
          if (!error) return resolve(stdout);
          // The child's own words (stderr), not the command line: the suite shows only the end of the output.
          const how = error.killed ? `was killed after ${HTTP_LOAD_TIMEOUT_MS} ms` : `exited with code ${error.code}`;
          reject(new Error(`the HTTP load process (ledger-http-load.ts) ${how}: ${stderr.trim() || '(no stderr)'}`));
        },
      );
    });
    const result = LoadResultSchema.parse(JSON.parse(output.trim().split('\n').pop() as string));
    const { committed, lastCommitMs } = await done;
    const seconds = (performance.timeOrigin + lastCommitMs - result.startEpochMs) / 1000;
    return { txPerSec: committed / seconds, retries: result.retries };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function latency(node: RunningNode, txs: Uint8Array[], ratePerSec: number): Promise<{ p50: number; p99: number }> {
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const done = waitCommitted(node, new Set(txs.map(hashOf)), (h, at) => latencies.push(at - (sentAt.get(h) ?? at)));
  const start = performance.now();
  const submits: Promise<unknown>[] = [];
  for (let i = 0; i < txs.length; i++) {
    const due = start + (i / ratePerSec) * 1000;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const bytes = txs[i] as Uint8Array;
    sentAt.set(hashOf(bytes), performance.now());
    submits.push(node.services.admission.submit(bytes));
  }
  await Promise.all(submits);
  await done;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0) * 10) / 10;
  return { p50: at(0.5), p99: at(0.99) };
}

async function runDriver(driver: TestDriver, verifyPerSec: number) {
  const genesis = benchGenesis();
  const node = await startTestNode({
    driver,
    genesis,
    blockIntervalMs: 5000,
    mempool: { maxTxs: 100_000, ttlMs: 600_000 },
    verifyThreads: VERIFY_THREADS,
  });
  try {
    process.stdout.write(`  ${driver}: signing ${SENDERS * TXS_PER_SENDER} transfers… `);
    const load = signTransfers(genesis.chainId, 1, TXS_PER_SENDER);
    console.log('done');
    // Warm-up: the first block per account loads it from the database.
    const warm = load.splice(0, SENDERS);
    await throughput(node, warm);
    const txPerSec = await throughput(node, load);
    const ratio = Number((txPerSec / verifyPerSec).toFixed(3));
    const ratioGoal = goal(`${driver}.ratio`, ratio, '>=', RATIO_GOAL);
    console.log(
      `  ${driver}: in-process submit (admission.submit, no HTTP): ${load.length} transfers committed at ${Math.round(txPerSec)} tx/s (ratio ${ratio.toFixed(2)} of the floor, ${goalText(ratioGoal)})`,
    );
    const httpLoad = signTransfers(genesis.chainId, TXS_PER_SENDER + 1, HTTP_TXS_PER_SENDER);
    const http = await httpThroughput(node, httpLoad);
    const httpTxPerSec = http.txPerSec;
    const retried = Object.entries(http.retries).map(([code, count]) => `${count} ${code}`);
    console.log(
      `  ${driver}: HTTP (tx.send over tRPC from a separate process, ${HTTP_CONCURRENCY} in flight): ${httpLoad.length} transfers committed at ${Math.round(httpTxPerSec)} tx/s (ratio ${(httpTxPerSec / verifyPerSec).toFixed(2)}; retried: ${retried.join(', ') || 'none'})`,
    );
    const half = txPerSec / 2;
    const perSender = Math.max(1, Math.ceil((half * LATENCY_SECONDS) / SENDERS));
    const paced = signTransfers(genesis.chainId, TXS_PER_SENDER + HTTP_TXS_PER_SENDER + 1, perSender);
    const lat = await latency(node, paced, half);
    const latencyGoal = goal(`${driver}.latencyP99Ms`, lat.p99, '<=', LATENCY_P99_GOAL_MS);
    console.log(`  ${driver}: at ${Math.round(half)} tx/s submit→commit p50 ${lat.p50} ms, p99 ${lat.p99} ms (${goalText(latencyGoal)})`);
    return {
      txPerSec: Math.round(txPerSec),
      ratio,
      httpTxPerSec: Math.round(httpTxPerSec),
      httpRatio: Number((httpTxPerSec / verifyPerSec).toFixed(3)),
      httpRetries: http.retries,
      latencyMs: lat,
      goals: [ratioGoal, latencyGoal],
      height: node.services.ledger.head.height,
    };
  } finally {
    await node.stop();
  }
}

installNodeCrypto();
console.log(
  `bench:ledger${quick ? ' (quick: small counts, figures are rough)' : ''}: ${SENDERS} senders × ${TXS_PER_SENDER} transfers in-process, ${HTTP_TXS_PER_SENDER} over HTTP, per driver`,
);
const verifyPerSec = await measureVerifyFloor(VERIFY_THREADS);
console.log(
  `  floor: ${Math.round(verifyPerSec)} ed25519 verifies/s on ${VERIFY_THREADS} threads, the node's VERIFY_THREADS (node:crypto, cached KeyObject)`,
);
const pglite = await runDriver('pglite', verifyPerSec);
const postgres = process.env.DATABASE_URL ? await runDriver('postgres', verifyPerSec) : null;
const rssMb = Math.round(process.memoryUsage().rss / 1024 / 1024);
console.log(`  rss: ${rssMb} MB`);
const figures = (r: Awaited<ReturnType<typeof runDriver>>) => ({
  txPerSec: r.txPerSec,
  ratio: r.ratio,
  httpTxPerSec: r.httpTxPerSec,
  httpRatio: r.httpRatio,
  httpRetries: r.httpRetries,
});
console.log(
  JSON.stringify({
    bench: 'ledger',
    quick,
    verifyThreads: VERIFY_THREADS,
    verifyPerSec: Math.round(verifyPerSec),
    pglite: figures(pglite),
    postgres: postgres ? figures(postgres) : null,
    latencyMs: {
      p50: pglite.latencyMs.p50,
      p99: pglite.latencyMs.p99,
      ...(postgres ? { postgresP50: postgres.latencyMs.p50, postgresP99: postgres.latencyMs.p99 } : {}),
    },
    rssMb,
    ...verdict([...pglite.goals, ...(postgres?.goals ?? [])]),
  }),
);
process.exit(0);
