/**
 * bench:economy — the token economy through the real node (startTestNode on PGlite: admission, signature threads,
 * mempool, blocks produced and committed). Seeded through real transactions, not timed: 50 published components
 * with 1–4 beneficiaries each and 10,000 applications with billing open and a deposit (economy-seed.ts). Then:
 * - settle10kAppsMs: one billing period settled for every application, 50 component lines and a node line per
 *   bill, in settle transactions the bench builds and signs with a settler key of the genesis (not the node's
 *   SettlementJob: it bills from metered economy_usage rows, which the bench would have to write first), packed up
 *   to the chain's maxTxBytes; from the first submission to the last commit. Its floor, measured in the same run:
 *   the same transactions applied by core's rules to a state view in memory (no admission, no database).
 * - plainTxPerSec and feePayerTxPerSec: committed ABT transfers per second between funded accounts, and as many
 *   whose fee an application with billing open pays (the fee accrues to its bill), same node, same block interval,
 *   in interleaved, mirrored rounds (TRANSFER_ROUNDS each, the figure their mean); the goal is on their ratio. The
 *   paying application co-signs each transfer alone, as the fee-relayer blocklet does (a second ed25519 verification
 *   per transfer, on the signature threads). feePayerBatchTxPerSec is the same with SPONSOR_BATCH transfers co-signed
 *   with one signature (batch sponsorship, core's sponsor.ts): a fifth of the signature work, but each transfer carries
 *   its proof (~100 bytes more), and on this 2-core machine bytes cost the ledger's thread more than the signature
 *   thread saves (~0.15 µs a byte: decoding, hashing, the row and its WAL, garbage). Beside them the CPU per transfer,
 *   every thread and the ledger's own (Linux): on a machine whose cores the phases fill, the throughput ratio cannot
 *   pass theirs. Each
 *   phase starts on a vacuumed database (the job's pass runs between phases, untimed). Before the
 *   rounds, untimed, plain transfers fill the gateway's retained store to its cap (a node that has run a while): below
 *   it the first phases paid nothing for dropping old topics and the later ones did.
 * - bridgePerMin: locks minted N blocks deep per minute through the bridge service on anvil (economy-bridge.ts).
 * `--quick`: 300 applications, 10 components, 1,000 transfers per phase (the suite runs it). Goals are printed beside
 * the figures and carried in the JSON; the bench exits 0 either way. Last line: one JSON object.
 */
import { readFileSync } from 'node:fs';
import { applyTxs, type CheckedTx, checkTxStatic, ECONOMY_LIMITS, LedgerError } from '@arc/core';
import { goal, goalText, quantile, round, verdict } from '../../../scripts/bench-goals.ts';
import { viewForTxs } from '../src/ledger/keys.ts';
import type { BlockCommitted } from '../src/ledger/ledger.ts';
import { installNodeCrypto } from '../src/ledger/node-crypto.ts';
import { emptyStateKeys } from '../src/ledger/store.ts';
import { SignaturePool } from '../src/ledger/verify-pool.ts';
import { startTestNode, type TestNode } from '../src/testing.ts';
import { bridgePerMinute } from './economy-bridge.ts';
import {
  APPLICATIONS,
  bills,
  COMPONENTS,
  commitAll,
  FEE_PAYERS,
  genesis,
  Keys,
  quick,
  SENDERS,
  type Signer,
  SPONSOR_BATCH,
  type Sponsorship,
  seed,
  settleTxs,
  TRANSFERS,
  transfers,
} from './economy-seed.ts';

/** The producer makes blocks back to back while transactions wait; this is only the idle chain's heartbeat. */
const BLOCK_INTERVAL_MS = 1000;
const GOALS = { settle10kAppsMs: 10_000, feePayerRatio: 0.8 } as const;

/** The same settle transactions applied in memory by core's rules, on a view of every entry they read. */
/** Locks the bridge phase sends at once. */
const BRIDGE_LOCKS = quick ? 5 : 40;

async function applyFloorMs(node: TestNode, txs: Uint8Array[]): Promise<number> {
  const ledger = node.services.ledger;
  const params = ledger.params;
  const checked = txs.map((bytes) => {
    const c = checkTxStatic(bytes, { chainId: ledger.chainId, params });
    if (c instanceof LedgerError) throw new Error(`a settle transaction does not check: ${c.message}`);
    return c;
  });
  const keys = emptyStateKeys();
  keys.accounts.add(ledger.nodeDid);
  keys.accounts.add(params.economy.treasury);
  const view = await viewForTxs(ledger.cache, keys, checked);
  // One block that holds them all: the floor is the rules' cost, not the block bounds'.
  const ctx = {
    chainId: ledger.chainId,
    height: ledger.head.height + 1,
    timeMs: Date.now(),
    proposer: ledger.nodeDid,
    params: { ...params, maxTxsPerBlock: Number.MAX_SAFE_INTEGER, maxBlockBytes: Number.MAX_SAFE_INTEGER },
  };
  const start = performance.now();
  const result = applyTxs(view, checked as CheckedTx[], ctx);
  const ms = performance.now() - start;
  // Left out of the block, or in it as failed (fee charged, nothing settled): either way they did not apply.
  const failed = result.rejected[0]?.error ?? result.included.find((i) => i.ok.failed)?.ok.failed;
  if (failed) throw new Error(`the settle transactions do not apply: ${failed.code} ${failed.message}`);
  return ms;
}

/** Settles one ended period for every application; times it and prints what the blocks held. */
async function settle(node: TestNode, keys: Keys) {
  const ledger = node.services.ledger;
  const { billingPeriodMs } = ledger.params.economy;
  const period = Math.floor(Date.now() / billingPeriodMs) - 1;
  const all = bills(keys, ledger.nodeDid);
  const txs = settleTxs(node.chainId, keys.settler, 1, period, all, ledger.params.maxTxBytes, ECONOMY_LIMITS.billsMax);
  const lines = all.reduce((n, b) => n + b.lines.length, 0);
  console.log(
    `  ${all.length} bills of ${lines / all.length} lines (${lines} lines) in ${txs.length} settle transactions of ≤ ${ledger.params.maxTxBytes} bytes (${round(all.length / txs.length)} bills each)`,
  );
  const floorMs = round(await applyFloorMs(node, txs));
  console.log(`  floor: core's rules apply them in memory in ${floorMs} ms (one view, no admission, no database)`);

  const perBlock: { height: number; txs: number; gapMs: number }[] = [];
  let previousMs = performance.now();
  const done = await commitAll(node, txs, (block: BlockCommitted, atMs: number) => {
    perBlock.push({ height: block.header.height, txs: block.txHashes.length, gapMs: atMs - previousMs });
    previousMs = atMs;
  });
  if (done.refused > 0 || done.committed !== txs.length) {
    throw new Error(`${done.committed} of ${txs.length} settle transactions committed (${done.refused} refused or rejected)`);
  }
  const settleBlocks = perBlock.filter((b) => b.txs > 0);
  const gaps = settleBlocks.map((b) => b.gapMs);
  console.log(
    `  settled ${all.length} applications in ${round(done.ms)} ms: ${txs.length} settle transactions in ${done.blocks} blocks (${settleBlocks
      .map((b) => b.txs)
      .join(
        ', ',
      )} transactions); a block every ${round(quantile(gaps, 0.5) ?? 0)} ms at the median, the longest ${round(Math.max(0, ...gaps))} ms`,
  );
  return { settleMs: round(done.ms), floorMs, txs: txs.length, blocks: done.blocks, bills: all.length, lines };
}

/** USER_HZ, the unit of /proc's CPU times (100 on every Linux the node runs on). */
const CLOCK_TICKS_PER_SEC = 100;

/**
 * CPU time of the ledger's own thread (Linux: /proc), or null elsewhere. Beside process.cpuUsage() (every thread)
 * it splits a phase's CPU into the ledger's thread and the rest: signature workers, GC and I/O helpers.
 */
function mainThreadCpuMs(): number | null {
  if (process.platform !== 'linux') return null;
  const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? ticks * (1000 / CLOCK_TICKS_PER_SEC) : null;
}

interface Rate {
  perSec: number;
  /** CPU per committed transfer, every thread of the process. */
  cpuUsPerTx: number;
  /** Of which on the ledger's thread (null where /proc is missing). */
  mainCpuUsPerTx: number | null;
}

/** Committed transfers per second of `txs` (submitted in windows, counted from the first submission to the last commit). */
async function throughput(node: TestNode, txs: Uint8Array[], what: string): Promise<Rate> {
  const cpuBefore = process.cpuUsage();
  const mainBefore = mainThreadCpuMs();
  const done = await commitAll(node, txs);
  const cpu = process.cpuUsage(cpuBefore);
  const mainAfter = mainThreadCpuMs();
  if (done.refused > 0) throw new Error(`${done.refused} of the ${what} transfers were refused or rejected`);
  const perSec = done.committed / (done.ms / 1000);
  const cpuUsPerTx = (cpu.user + cpu.system) / done.committed;
  const mainCpuUsPerTx = mainBefore === null || mainAfter === null ? null : ((mainAfter - mainBefore) * 1000) / done.committed;
  const split = mainCpuUsPerTx === null ? '' : ` (${Math.round(mainCpuUsPerTx)} on the ledger's thread)`;
  console.log(
    `  ${what}: ${done.committed} transfers committed in ${round(done.ms)} ms, ${done.blocks} blocks: ${Math.round(perSec)} tx/s; CPU ${Math.round(cpuUsPerTx)} µs/tx${split}`,
  );
  return { perSec, cpuUsPerTx, mainCpuUsPerTx };
}

/**
 * The signature checks alone, on a pool like the node's (two threads) in a process with nothing else running, for the
 * three kinds of transfer the phases send: CPU per transaction (every thread). What batch sponsorship saves shows here
 * whatever else a paid transfer costs the node.
 */
async function signatureCosts(keys: Keys) {
  const pool = new SignaturePool(2);
  const { chainId, params } = genesis(keys);
  const nonce = 1;
  const payers = keys.applications.slice(0, FEE_PAYERS);
  const perSender = TRANSFERS / SENDERS / TRANSFER_ROUNDS;
  const cpuPerTx = async (txs: Uint8Array[]) => {
    const checked = txs.map((bytes) => {
      const c = checkTxStatic(bytes, { chainId, params });
      if (c instanceof LedgerError) throw new Error(`a transfer does not check: ${c.message}`);
      return c;
    });
    const cpu = process.cpuUsage();
    const refused = (await Promise.all(checked.map((c) => pool.check(c)))).filter((e) => e !== null);
    const used = process.cpuUsage(cpu);
    if (refused.length > 0) throw new Error(`${refused.length} signatures did not verify: ${refused[0]?.message}`);
    return Math.round((used.user + used.system) / txs.length);
  };
  try {
    // Warm-up, untimed: the workers start and compile, and learn the senders' keys.
    await cpuPerTx(transfers(chainId, keys, nonce, perSender, payers, 'single'));
    const plain = await cpuPerTx(transfers(chainId, keys, nonce, perSender));
    const batch = await cpuPerTx(transfers(chainId, keys, nonce, perSender, payers, 'batch'));
    const single = await cpuPerTx(transfers(chainId, keys, nonce, perSender, payers, 'single'));
    console.log(
      `  signature checks alone (2 threads): plain ${plain} µs/tx, fee payer co-signing each alone ${single} µs/tx, ${SPONSOR_BATCH} at a time ${batch} µs/tx`,
    );
    return { sigPlainCpuUsPerTx: plain, sigFeePayerCpuUsPerTx: single, sigFeePayerBatchCpuUsPerTx: batch };
  } finally {
    await pool.close();
  }
}

/**
 * Rounds of each transfer phase, interleaved and mirrored: a phase never runs only on a warmer or a fuller node. An
 * even number, so that the mirrored order gives every kind the same mean position; four, not two: run to run a phase's figure moves by up to a fifth (a block boundary, a collection), and the ratio with it.
 */
const TRANSFER_ROUNDS = 4;
/** Transfers per sender of each untimed warm-up pass. */
const WARM_UP_PER_SENDER = 20;

async function transferPhases(node: TestNode, keys: Keys) {
  const chainId = node.chainId;
  const perSender = TRANSFERS / SENDERS / TRANSFER_ROUNDS;
  const payers = keys.applications.slice(0, FEE_PAYERS);
  // Warm-up, untimed: the senders' and the paying applications' first reads come from the database.
  await commitAll(node, transfers(chainId, keys, 1, 1));
  await commitAll(node, transfers(chainId, keys, 2, 1, payers));
  let nonce = 3;
  // Steady state, untimed: each committed transfer adds topics to the gateway's retained store (its status, its
  // accounts'), and once the store holds retainedTopicsMax each new one drops the oldest. Filled first, no phase runs
  // below the cap while a later one pays for dropping.
  const hub = node.services.gateway?.hub;
  const topicsMax = hub?.deps.limits.retainedTopicsMax ?? 0;
  // (--quick stays below the cap throughout: its phases are too short to reach it.)
  while (!quick && hub && hub.stats().topics < topicsMax) {
    await commitAll(node, transfers(chainId, keys, nonce, WARM_UP_PER_SENDER));
    nonce += WARM_UP_PER_SENDER;
  }
  if (!quick) console.log(`  warmed up to the gateway's ${topicsMax} retained topics (steady state): the phases start at nonce ${nonce}`);
  const plain: Rate[] = [];
  const paid: Rate[] = [];
  const batched: Rate[] = [];
  const phase = async (into: Rate[], what: string, payersOf?: Signer[], sponsorship?: Sponsorship) => {
    // The vacuum job (every 15 s on PGlite) cleans up after the phases before: run now, untimed, and its next pass put
    // 15 s away, it lands in no phase (a pass inside one cost it up to a fifth of its time, whichever phase it fell in;
    // before settle() moved the schedule, one landed in a random phase of about three in four).
    await node.services.vacuum?.settle();
    into.push(await throughput(node, transfers(chainId, keys, nonce, perSender, payersOf, sponsorship), what));
    nonce += perSender;
  };
  const batchPhase = (round: number) =>
    phase(
      batched,
      `round ${round}, fee payer (one of ${FEE_PAYERS} applications pays, co-signing ${SPONSOR_BATCH} at a time)`,
      payers,
      'batch',
    );
  const singlePhase = (round: number) =>
    phase(paid, `round ${round}, fee payer (one of ${FEE_PAYERS} applications pays, co-signing each alone)`, payers, 'single');
  // Mirrored rounds (plain, alone, batch; batch, alone, plain; …): each kind's mean position in the run is the same, so
  // none gains from running on a smaller database or a fresher process (plain always first had a head start).
  const plainPhase = (round: number) => phase(plain, `round ${round}, plain (the sender pays its fee)`);
  const order = [plainPhase, singlePhase, batchPhase];
  for (let round = 1; round <= TRANSFER_ROUNDS; round += 1) {
    for (const run of round % 2 === 1 ? order : [...order].reverse()) await run(round);
  }
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const perSec = (rates: Rate[]) => Math.round(mean(rates.map((r) => r.perSec)));
  const cpu = (rates: Rate[]) => Math.round(mean(rates.map((r) => r.cpuUsPerTx)));
  const mainCpu = (rates: Rate[]) =>
    rates.some((r) => r.mainCpuUsPerTx === null) ? null : Math.round(mean(rates.map((r) => r.mainCpuUsPerTx ?? 0)));
  return {
    plainTxPerSec: perSec(plain),
    feePayerTxPerSec: perSec(paid),
    feePayerBatchTxPerSec: perSec(batched),
    plainCpuUsPerTx: cpu(plain),
    feePayerCpuUsPerTx: cpu(paid),
    feePayerBatchCpuUsPerTx: cpu(batched),
    plainMainCpuUsPerTx: mainCpu(plain),
    feePayerMainCpuUsPerTx: mainCpu(paid),
    feePayerBatchMainCpuUsPerTx: mainCpu(batched),
  };
}

async function main() {
  installNodeCrypto();
  console.log(
    `bench:economy${quick ? ' (quick: small counts, figures are rough)' : ''}: ${APPLICATIONS} applications, ${COMPONENTS} components, ${TRANSFERS} transfers per phase, PGlite`,
  );
  const keys = new Keys();
  // Before the node starts, so that nothing else runs in the process meanwhile.
  const signatures = await signatureCosts(keys);
  const node = await startTestNode({
    driver: 'pglite',
    genesis: genesis(keys),
    blockIntervalMs: BLOCK_INTERVAL_MS,
    // The settler has every settle transaction waiting at once (~1,000 in the full run).
    mempool: { maxTxs: 100_000, ttlMs: 3_600_000, maxPerAccount: 2_000 },
    verifyThreads: 2,
    seedDemo: false,
  });
  try {
    console.log('  seeding through transactions (not timed)…');
    await seed(node, keys);
    // The vacuum job runs every 15 s; after a seed this size it is due: run it now rather than inside a timed phase.
    await node.services.vacuum?.settle();
    const settled = await settle(node, keys);
    const rates = await transferPhases(node, keys);
    const feePayerRatio = round(rates.feePayerTxPerSec / rates.plainTxPerSec, 3);
    const feePayerBatchRatio = round(rates.feePayerBatchTxPerSec / rates.plainTxPerSec, 3);
    console.log('  the bridge: locks on the ledger minted on anvil (a block a second)…');
    const bridge = await bridgePerMinute(BRIDGE_LOCKS);
    const goals = [
      goal('settle10kAppsMs', settled.settleMs, '<=', GOALS.settle10kAppsMs),
      goal('feePayerRatio', feePayerRatio, '>=', GOALS.feePayerRatio),
    ];
    console.log('');
    console.log(`economy, ${APPLICATIONS} applications × ${COMPONENTS} components${quick ? ' (quick)' : ''}:`);
    console.log(
      `  settle10kAppsMs: ${settled.settleMs} (${goalText(goals[0] as (typeof goals)[number])}; ${settled.txs} settle txs, ${settled.blocks} blocks; floor ${settled.floorMs} ms)`,
    );
    console.log(
      `  feePayerTxPerSec: ${rates.feePayerTxPerSec} (each co-signed alone, as the fee-relayer blocklet does), plainTxPerSec: ${rates.plainTxPerSec}, ratio ${feePayerRatio} (${goalText(goals[1] as (typeof goals)[number])})`,
    );
    console.log(
      `  feePayerBatchTxPerSec: ${rates.feePayerBatchTxPerSec} (co-signed ${SPONSOR_BATCH} at a time with one signature), ratio ${feePayerBatchRatio}`,
    );
    // On a machine whose cores the phases fill, the ratio cannot pass what the CPU per transfer allows.
    const cpuRatio = round(rates.plainCpuUsPerTx / rates.feePayerCpuUsPerTx, 3);
    console.log(
      `  CPU per transfer: plain ${rates.plainCpuUsPerTx} µs (${rates.plainMainCpuUsPerTx ?? '?'} on the ledger's thread), fee payer ${rates.feePayerCpuUsPerTx} µs (${rates.feePayerMainCpuUsPerTx ?? '?'}), co-signed in batches ${rates.feePayerBatchCpuUsPerTx} µs (${rates.feePayerBatchMainCpuUsPerTx ?? '?'}): a CPU-bound ratio of ${cpuRatio}`,
    );
    console.log(`  bridgePerMin: ${bridge.perMin} (${bridge.locks} locks minted ${2} blocks deep in ${bridge.ms} ms, 2 of 3 signers)`);
    console.log(
      JSON.stringify({
        bench: 'economy',
        settle10kAppsMs: settled.settleMs,
        feePayerTxPerSec: rates.feePayerTxPerSec,
        plainTxPerSec: rates.plainTxPerSec,
        bridgePerMin: bridge.perMin,
        feePayerRatio,
        feePayerBatchTxPerSec: rates.feePayerBatchTxPerSec,
        feePayerBatchRatio,
        sponsorBatch: SPONSOR_BATCH,
        plainCpuUsPerTx: rates.plainCpuUsPerTx,
        feePayerCpuUsPerTx: rates.feePayerCpuUsPerTx,
        feePayerBatchCpuUsPerTx: rates.feePayerBatchCpuUsPerTx,
        plainMainCpuUsPerTx: rates.plainMainCpuUsPerTx,
        feePayerMainCpuUsPerTx: rates.feePayerMainCpuUsPerTx,
        feePayerBatchMainCpuUsPerTx: rates.feePayerBatchMainCpuUsPerTx,
        feePayerCpuRatio: cpuRatio,
        ...signatures,
        settleTxs: settled.txs,
        settleBlocks: settled.blocks,
        settleFloorMs: settled.floorMs,
        applications: APPLICATIONS,
        components: COMPONENTS,
        ...(quick ? { quick: true } : {}),
        ...verdict(goals),
      }),
    );
  } finally {
    await node.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
