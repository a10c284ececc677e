/**
 * The Fabric rows of bench:adapters. On one development peer running the token chaincode, the same calls with the
 * same identity over the same gRPC endpoint through `@hyperledger/fabric-gateway` used directly and through the OCAP
 * Fabric adapter's level 3 (`native`), interleaved round by round: evaluate `BalanceOf`, and submit `Transfer` waiting
 * for its commit status (both sides wait for the commit, and both pay the peer's block cut). The goal is on OCAP time
 * / direct time (geometric mean of the two, ≤ 1.10). Then chaincode events per second through the adapter's event
 * stream, read back from blocks already committed (fabric-gateway's own chaincode event stream for information: it
 * reads no blocks, the adapter reads each event's block once for its hash and the transaction's position).
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { OcapSigner } from '@arc/core';
import type { ChaincodeEvent, CloseableAsyncIterable } from '@hyperledger/fabric-gateway';
import { connectDevPeer, startDevPeer } from '../src/fabric/testing/index.ts';
import { createFabricAdapter, fabricSecretKey, StreamReader } from '../src/index.ts';
import { type Goal, geomean, goalAtMost, type Op, timeInterleaved } from './rounds.ts';

const TOKEN_CHAINCODE_DIR = fileURLToPath(new URL('../fabric-chaincode/token', import.meta.url));
/** The peer cuts a block this long after its first transaction arrived: small, and the same for both sides. */
const BLOCK_CUT_MS = 20;
/** The adapter's polling (waits, the head for confirmations). */
const ADAPTER_POLL_MS = 50;
/** The goal: OCAP time per call over fabric-gateway's on the same peer (geometric mean of evaluate and submit+commit). */
const OVERHEAD_RATIO_GOAL = 1.1;
/**
 * Members sending the stream's transfers side by side, each to its own receiver: one member's transfers commit one
 * per block (each simulates against the committed balance), so this many make blocks of several events (the peer
 * cuts at 10 transactions or 20 ms).
 */
const STREAM_SENDERS_MAX = 20;
/** How long reading the stream's events back may take before the bench fails instead of hanging. */
const STREAM_TIMEOUT_MS = 120_000;
/** How long the stream's transfers may take to commit. */
const COMMIT_TIMEOUT_MS = 120_000;

export interface FabricBenchOptions {
  quick: boolean;
  rounds: number;
}

/** The figures of one row: median time per call of each side in µs and OCAP / direct. */
export interface FabricRow {
  directUs: number;
  ocapUs: number;
  ratio: number;
}

export interface FabricBenchResult {
  blockCutMs: number;
  evaluate: FabricRow;
  submitCommit: FabricRow;
  overheadRatio: number;
  events: number;
  eventBlocks: number;
  eventsPerSec: number;
  directEventsPerSec: number;
  goal: Goal;
}

const us = (x: number) => x.toFixed(0).padStart(6);

async function timeRow(label: string, sides: { direct: Op; ocap: Op }, options: { count: number; rounds: number }) {
  const times = await timeInterleaved(sides, options);
  const row: FabricRow = { directUs: times.direct, ocapUs: times.ocap, ratio: times.ocap / times.direct };
  console.log(
    `  ${label.padEnd(13)} fabric-gateway ${us(row.directUs)} µs   ocap ${us(row.ocapUs)} µs   ocap/direct ${row.ratio.toFixed(3)}`,
  );
  return row;
}

/** Reads `count` events from a fabric-gateway event stream, closing it after `timeoutMs` if they do not all come. */
async function takeDirect(events: CloseableAsyncIterable<ChaincodeEvent>, count: number, timeoutMs: number): Promise<number> {
  const timer = setTimeout(() => events.close(), timeoutMs);
  let read = 0;
  try {
    for await (const _ of events) {
      read += 1;
      if (read === count) break;
    }
  } finally {
    clearTimeout(timer);
    events.close();
  }
  if (read < count) throw new Error(`expected ${count} chaincode events within ${timeoutMs} ms, got ${read}`);
  return read;
}

/** Starts a development peer, runs the Fabric rows and events, prints them, and stops everything it started. */
export async function benchFabric({ quick, rounds }: FabricBenchOptions): Promise<FabricBenchResult> {
  const evaluatesPerRound = quick ? 5 : 50;
  const submitsPerRound = quick ? 1 : 10;
  const streamTxs = quick ? 16 : 1000;
  const streamSenders = quick ? 4 : STREAM_SENDERS_MAX;
  console.log(
    `  fabric: OCAP adapter over @hyperledger/fabric-gateway on a development peer (token chaincode, ${BLOCK_CUT_MS} ms block cut), ` +
      `${rounds} interleaved rounds`,
  );
  const peer = await startDevPeer({ chaincodes: [{ name: 'token', path: TOKEN_CHAINCODE_DIR }], blockCutMs: BLOCK_CUT_MS });
  // Both sides: the peer's client identity, the same endpoint, each its own gRPC channel.
  const adapter = createFabricAdapter({
    endpoint: peer.endpoint,
    channel: peer.channel,
    mspId: peer.mspId,
    identity: { mspDir: peer.identityDir },
    pollMs: ADAPTER_POLL_MS,
  });
  const direct = connectDevPeer(peer);
  try {
    await adapter.native.submit({ fn: 'Initialize', args: ['Arc Fabric Coin', 'AFC', '0'] });
    await adapter.native.submit({ fn: 'Mint', args: [String(10n ** 15n)] });
    const network = direct.gateway.getNetwork(peer.channel);
    const contract = network.getContract('token');
    const receiver = randomBytes(32).toString('hex');
    const sides = {
      evaluate: {
        direct: () => contract.evaluate('BalanceOf', { arguments: [receiver] }),
        ocap: () => adapter.native.evaluate({ fn: 'BalanceOf', args: [receiver] }),
      },
      submitCommit: {
        direct: async () => {
          const submitted = await contract.submitAsync('Transfer', { arguments: [receiver, '1'] });
          const status = await submitted.getStatus();
          if (!status.successful) throw new Error(`Transfer ${status.transactionId} did not commit: validation code ${status.code}`);
        },
        ocap: () => adapter.native.submit({ fn: 'Transfer', args: [receiver, '1'] }),
      },
    };
    // Warm-up, not timed: both gRPC channels open, the chaincode and both signing paths run once.
    for (const side of ['direct', 'ocap'] as const) {
      await sides.evaluate[side]();
      await sides.submitCommit[side]();
    }
    const evaluate = await timeRow('evaluate', sides.evaluate, { count: evaluatesPerRound, rounds });
    const submitCommit = await timeRow('submit+commit', sides.submitCommit, { count: submitsPerRound, rounds });
    const overheadRatio = geomean([evaluate.ratio, submitCommit.ratio]);
    const goal = goalAtMost('fabricOverheadRatio', Number(overheadRatio.toFixed(3)), OVERHEAD_RATIO_GOAL);
    console.log(
      `  overhead ratio over fabric-gateway on the same peer (geometric mean of the two): ${overheadRatio.toFixed(3)}  ` +
        `(goal ≤ ${OVERHEAD_RATIO_GOAL}: ${goal.met ? 'met' : 'MISSED'})`,
    );

    // Events: members funded by the minter send transfers side by side through the adapter, then the blocks are read back.
    const senders: OcapSigner[] = [];
    for (let i = 0; i < streamSenders; i += 1) senders.push(adapter.signer(fabricSecretKey(await peer.newIdentity(`bench${i}`))));
    for (const sender of senders) await adapter.native.submit({ fn: 'Transfer', args: [sender.address, String(streamTxs)] });
    const receivers = senders.map(() => randomBytes(32).toString('hex'));
    const fromHeight = (await adapter.native.chainInfo()).height;
    const sent = await Promise.all(
      Array.from({ length: streamTxs }, (_, i) =>
        adapter.transfer(senders[i % streamSenders] as OcapSigner, {
          to: receivers[i % streamSenders] as string,
          amount: 1n,
        }),
      ),
    );
    // Each member's transfers commit in order: its last one committed, all did.
    await Promise.all(sent.slice(-streamSenders).map((tx) => adapter.waitForTransaction(tx.hash, { timeoutMs: COMMIT_TIMEOUT_MS })));
    let start = performance.now();
    await takeDirect(await network.getChaincodeEvents('token', { startBlock: BigInt(fromHeight) }), streamTxs, STREAM_TIMEOUT_MS);
    const directEventsPerSec = streamTxs / ((performance.now() - start) / 1000);

    const reader = new StreamReader(adapter.events({ fromHeight, filter: { kinds: ['transfer'] } }));
    start = performance.now();
    const events = await reader.take(streamTxs, STREAM_TIMEOUT_MS).finally(() => reader.close());
    const eventsPerSec = streamTxs / ((performance.now() - start) / 1000);
    const eventBlocks = new Set(events.map((event) => event.blockHeight)).size;
    console.log(
      `  events: ${streamTxs} Transfer events (${eventBlocks} blocks) at ${eventsPerSec.toFixed(0)} events/s through the adapter's stream ` +
        `(for information: fabric-gateway's chaincode events ${directEventsPerSec.toFixed(0)} events/s)`,
    );
    return {
      blockCutMs: BLOCK_CUT_MS,
      evaluate,
      submitCommit,
      overheadRatio,
      events: streamTxs,
      eventBlocks,
      eventsPerSec,
      directEventsPerSec,
      goal,
    };
  } finally {
    direct.close();
    await adapter.close();
    await peer.stop();
  }
}
