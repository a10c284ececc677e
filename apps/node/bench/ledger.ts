/**
 * bench:ledger — committed signed transfers per second through the node's real pipeline
 * (admission → signature threads → mempool → block → one database transaction per block), as a
 * ratio over the floor measured in the same run: bare ed25519 verifies per second on one core with
 * node:crypto (what the ledger verifies with). Also submit-to-commit latency at half the maximum
 * rate, and the process RSS. `--quick` finishes in under a minute. Last line: one JSON object.
 */
import { createPublicKey, generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import { didFromPublicKey, encodeTx, type GenesisConfig, keyPairFromSeed, sha3, signTx, utf8 } from '@arc/core';
import { installNodeCrypto } from '../src/ledger/node-crypto.ts';
import type { RunningNode } from '../src/node.ts';
import { startTestNode, type TestDriver } from '../src/testing.ts';

const quick = process.argv.includes('--quick');
const SENDERS = 500;
const TXS_PER_SENDER = quick ? 30 : 80;
const LATENCY_SECONDS = quick ? 4 : 8;
const FLOOR_SECONDS = quick ? 1.5 : 3;
const ABT = 10n ** 18n;

function measureVerifyFloor(): number {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const key = createPublicKey({ key: publicKey.export({ format: 'der', type: 'spki' }), format: 'der', type: 'spki' });
  const message = randomBytes(180);
  const signature = sign(null, message, privateKey);
  let count = 0;
  const start = performance.now();
  while (performance.now() - start < FLOOR_SECONDS * 1000) {
    for (let i = 0; i < 200; i++) verify(null, message, key, signature);
    count += 200;
  }
  return count / ((performance.now() - start) / 1000);
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
    params: { minFee: 10n ** 14n, maxTxBytes: 16384, maxTxsPerBlock: 5000, maxBlockBytes: 4 * 1024 * 1024 },
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

function waitCommitted(node: RunningNode, hashes: Set<string>, onCommit?: (hash: string, atMs: number) => void): Promise<void> {
  return new Promise((resolve) => {
    const left = new Set(hashes);
    node.services.ledger.events.on('block', (b) => {
      const at = performance.now();
      for (const h of b.txHashes) if (left.delete(h)) onCommit?.(h, at);
      for (const r of b.rejected) if (left.delete(r.hashHex)) console.error(`  rejected ${r.code}: ${r.message}`);
      if (left.size === 0) resolve();
    });
  });
}

async function throughput(node: RunningNode, txs: Uint8Array[]): Promise<number> {
  const hashes = new Set(txs.map((t) => Buffer.from(sha3(t)).toString('hex')));
  const done = waitCommitted(node, hashes);
  const start = performance.now();
  const submits = txs.map((bytes) => node.services.admission.submit(bytes));
  await Promise.all(submits);
  await done;
  return txs.length / ((performance.now() - start) / 1000);
}

async function latency(node: RunningNode, txs: Uint8Array[], ratePerSec: number): Promise<{ p50: number; p99: number }> {
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const hashes = new Set(txs.map((t) => Buffer.from(sha3(t)).toString('hex')));
  const done = waitCommitted(node, hashes, (h, at) => latencies.push(at - (sentAt.get(h) ?? at)));
  const start = performance.now();
  const submits: Promise<unknown>[] = [];
  for (let i = 0; i < txs.length; i++) {
    const due = start + (i / ratePerSec) * 1000;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const bytes = txs[i] as Uint8Array;
    sentAt.set(Buffer.from(sha3(bytes)).toString('hex'), performance.now());
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
    verifyThreads: 2,
  });
  try {
    process.stdout.write(`  ${driver}: signing ${SENDERS * TXS_PER_SENDER} transfers… `);
    const load = signTransfers(genesis.chainId, 1, TXS_PER_SENDER);
    console.log('done');
    // Warm-up: the first block per account loads it from the database.
    const warm = load.splice(0, SENDERS);
    await throughput(node, warm);
    const txPerSec = await throughput(node, load);
    console.log(
      `  ${driver}: ${load.length} transfers committed at ${Math.round(txPerSec)} tx/s (ratio ${(txPerSec / verifyPerSec).toFixed(2)})`,
    );
    const half = txPerSec / 2;
    const perSender = Math.max(1, Math.ceil((half * LATENCY_SECONDS) / SENDERS));
    const paced = signTransfers(genesis.chainId, TXS_PER_SENDER + 1, perSender);
    const lat = await latency(node, paced, half);
    console.log(`  ${driver}: at ${Math.round(half)} tx/s submit→commit p50 ${lat.p50} ms, p99 ${lat.p99} ms`);
    return {
      txPerSec: Math.round(txPerSec),
      ratio: Number((txPerSec / verifyPerSec).toFixed(3)),
      latencyMs: lat,
      height: node.services.ledger.head.height,
    };
  } finally {
    await node.stop();
  }
}

installNodeCrypto();
console.log(`bench:ledger${quick ? ' (quick)' : ''}: ${SENDERS} senders × ${TXS_PER_SENDER} transfers per driver`);
const verifyPerSec = measureVerifyFloor();
console.log(`  floor: ${Math.round(verifyPerSec)} ed25519 verifies/s on one core (node:crypto, cached KeyObject)`);
const pglite = await runDriver('pglite', verifyPerSec);
const postgres = process.env.DATABASE_URL ? await runDriver('postgres', verifyPerSec) : null;
const rssMb = Math.round(process.memoryUsage().rss / 1024 / 1024);
console.log(`  rss: ${rssMb} MB`);
console.log(
  JSON.stringify({
    bench: 'ledger',
    verifyPerSec: Math.round(verifyPerSec),
    pglite: { txPerSec: pglite.txPerSec, ratio: pglite.ratio },
    postgres: postgres ? { txPerSec: postgres.txPerSec, ratio: postgres.ratio } : null,
    latencyMs: {
      p50: pglite.latencyMs.p50,
      p99: pglite.latencyMs.p99,
      ...(postgres ? { postgresP50: postgres.latencyMs.p50, postgresP99: postgres.latencyMs.p99 } : {}),
    },
    rssMb,
  }),
);
process.exit(0);
