/**
 * bench:adapters — what the OCAP layer costs on top of the chain client it wraps. On one anvil node, the same
 * calls through a bare JSON-RPC call on ethers' own HTTP transport (the floor: no queue, no formatting, no
 * checks), through the Ethereum adapter, and through raw ethers, interleaved round by round so all see the same
 * machine: getBalance, getBlock, send + receipt. The goal is on OCAP time / bare JSON-RPC time on the same
 * transport (geometric mean of the three, ≤ 1.10): what the layer itself costs per call. The ethers column is
 * for information only (ethers' own request queue makes "faster than ethers" say nothing about the layer). Then
 * the mock adapter's in-process cost per call (no network: the layer alone), and events per second through an
 * event stream with confirmations, on anvil and on the mock. Then Fabric (`fabric.ts`): the Fabric adapter against
 * `@hyperledger/fabric-gateway` used directly on one development peer, evaluate and submit + commit interleaved the
 * same way (goal: OCAP time / direct time ≤ 1.10, geometric mean of the two), and chaincode events per second
 * through the adapter's stream. `--quick`: the same phases with small counts (a few seconds: the suite runs it).
 * Goals are printed beside the figures and carried in the JSON; the bench exits 0 either way. Last line: one JSON
 * object.
 */
import { ethers } from 'ethers';
import { createEthereumAdapter, createMockAdapter, StreamReader } from '../src/index.ts';
import { startAnvil } from '../src/testing/anvil.ts';
import { benchFabric, type FabricRow } from './fabric.ts';
import { geomean, goalAtMost, type Op, timeInterleaved } from './rounds.ts';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 3 : 15;
const READS_PER_ROUND = quick ? 30 : 300;
const SENDS_PER_ROUND = quick ? 5 : 50;
const STREAM_TXS = quick ? 200 : 1500;
const STREAM_CONFIRMATIONS = 2;
/** The goal: OCAP time per call over the bare JSON-RPC floor on the same transport (geometric mean). */
const OVERHEAD_RATIO_GOAL = 1.1;
/** How long the ethers column waits for one receipt before the bench fails instead of hanging. */
const ETHERS_WAIT_TIMEOUT_MS = 60_000;

/** Median of per-round times per call, in microseconds, for each side; sides take turns going first. */
async function timeRounds(label: string, sides: { ethers: Op; transport: Op; ocap: Op; count: number }) {
  const { count, ...ops } = sides;
  const times = await timeInterleaved(ops, { count, rounds: ROUNDS });
  const result = {
    rawUs: times.ethers,
    transportUs: times.transport,
    ocapUs: times.ocap,
    ratio: times.ocap / times.ethers,
    transportRatio: times.ocap / times.transport,
  };
  const us = (x: number) => x.toFixed(0).padStart(6);
  console.log(
    `  ${label.padEnd(13)} bare JSON-RPC ${us(result.transportUs)} µs   ocap ${us(result.ocapUs)} µs   ocap/bare ${result.transportRatio.toFixed(3)}   ` +
      `(for information: ethers ${us(result.rawUs)} µs, ocap/ethers ${result.ratio.toFixed(3)})`,
  );
  return result;
}

/** A bare JSON-RPC call over ethers' own HTTP transport: no request queue, no formatting, no checks. */
function bareRpc(provider: ethers.JsonRpcProvider) {
  let id = 1;
  return async (method: string, params: unknown[]) => {
    const [response] = await provider._send({ jsonrpc: '2.0', id: id++, method, params });
    if (!response || 'error' in response) throw new Error(`${method} failed: ${JSON.stringify(response)}`);
    return response.result as unknown;
  };
}

async function main() {
  console.log(`bench:adapters${quick ? ' (quick)' : ''}: OCAP over ethers 6 on anvil, ${ROUNDS} interleaved rounds`);
  const anvil = await startAnvil();
  // The floor: ethers tuned for a fair race — no result cache (it would answer repeated reads without an RPC),
  // no batch stall (it would add 10 ms per request), one request per HTTP call.
  const provider = new ethers.JsonRpcProvider(anvil.rpcUrl, anvil.chainId, {
    staticNetwork: true,
    batchMaxCount: 1,
    batchStallTime: 0,
    cacheTimeout: -1,
  });
  const rawWallet = new ethers.Wallet(anvil.accounts[1] as string, provider);
  const bareProvider = new ethers.JsonRpcProvider(anvil.rpcUrl, anvil.chainId, { staticNetwork: true });
  const bare = bareRpc(bareProvider);
  const bareWallet = new ethers.Wallet(anvil.accounts[3] as string);
  const adapter = createEthereumAdapter({ rpcUrl: anvil.rpcUrl, pollMs: 10 });
  const signer = adapter.signer(ethers.getBytes(anvil.accounts[2] as string));
  const target = ethers.Wallet.createRandom().address;
  try {
    const head = await provider.getBlockNumber();
    const balance = await timeRounds('getBalance', {
      ethers: () => provider.getBalance(target),
      transport: () => bare('eth_getBalance', [target, 'latest']),
      ocap: () => adapter.getBalance(target),
      count: READS_PER_ROUND,
    });
    const block = await timeRounds('getBlock', {
      ethers: () => provider.getBlock(head),
      transport: () => bare('eth_getBlockByNumber', [ethers.toQuantity(head), false]),
      ocap: () => adapter.getBlock({ height: head }),
      count: READS_PER_ROUND,
    });
    let rawNonce = await provider.getTransactionCount(rawWallet.address, 'pending');
    let bareNonce = await provider.getTransactionCount(bareWallet.address, 'pending');
    const fee = await provider.getFeeData();
    const send = await timeRounds('send+receipt', {
      ethers: async () => {
        const tx = await rawWallet.sendTransaction({ to: target, value: 1n, nonce: rawNonce++ });
        // Bounded: ethers' wait has no timeout of its own, and under load it was seen to hang the whole bench.
        await tx.wait(1, ETHERS_WAIT_TIMEOUT_MS);
      },
      transport: async () => {
        const raw = await bareWallet.signTransaction({
          to: target,
          value: 1n,
          nonce: bareNonce++,
          chainId: anvil.chainId,
          gasLimit: 21_000n,
          maxFeePerGas: fee.maxFeePerGas,
          maxPriorityFeePerGas: fee.maxPriorityFeePerGas,
          type: 2,
        });
        const hash = await bare('eth_sendRawTransaction', [raw]);
        // Until the receipt exists (anvil mines right after answering), asking again at once.
        for (let i = 0; i < 10_000 && (await bare('eth_getTransactionReceipt', [hash])) === null; i += 1);
      },
      ocap: async () => {
        const sent = await adapter.transfer(signer, { to: target, amount: 1n });
        await adapter.waitForTransaction(sent.hash, { confirmations: 1 });
      },
      count: SENDS_PER_ROUND,
    });
    const overheadRatio = geomean([balance.ratio, block.ratio, send.ratio]);
    const transportOverheadRatio = geomean([balance.transportRatio, block.transportRatio, send.transportRatio]);
    const overheadGoal = goalAtMost('transportOverheadRatio', Number(transportOverheadRatio.toFixed(3)), OVERHEAD_RATIO_GOAL);
    console.log(
      `  overhead ratio over bare JSON-RPC on the same transport (geometric mean of the three): ${transportOverheadRatio.toFixed(3)}  ` +
        `(goal ≤ ${OVERHEAD_RATIO_GOAL}: ${overheadGoal.met ? 'met' : 'MISSED'})`,
    );
    console.log(`  overhead ratio over raw ethers (for information, no goal): ${overheadRatio.toFixed(3)}`);

    // The layer alone: the mock answers in-process, so this is what OCAP itself costs per call.
    const mock = createMockAdapter({ automine: true });
    const mockSigner = mock.signer(crypto.getRandomValues(new Uint8Array(32)));
    mock.native.setBalance(mockSigner.address, 10n ** 30n);
    const mockTarget = mock.signer(crypto.getRandomValues(new Uint8Array(32))).address;
    const mockReads = READS_PER_ROUND * 10;
    let start = performance.now();
    for (let i = 0; i < mockReads; i += 1) await mock.getBalance(mockTarget);
    const mockGetBalanceUs = ((performance.now() - start) * 1000) / mockReads;
    start = performance.now();
    for (let i = 0; i < SENDS_PER_ROUND * 10; i += 1) {
      const sent = await mock.transfer(mockSigner, { to: mockTarget, amount: 1n });
      await mock.waitForTransaction(sent.hash, { confirmations: 1 });
    }
    const mockSendUs = ((performance.now() - start) * 1000) / (SENDS_PER_ROUND * 10);
    console.log(`  mock (in-process): getBalance ${mockGetBalanceUs.toFixed(1)} µs/call, send+confirm ${mockSendUs.toFixed(1)} µs/call`);

    // Events per second: STREAM_TXS transfers mined into blocks of 100, read back with confirmations.
    await provider.send('evm_setAutomine', [false]);
    const fromHeight = (await provider.getBlockNumber()) + 1;
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < STREAM_TXS; i += 1) {
      sends.push(adapter.transfer(signer, { to: target, amount: 1n }));
      if ((i + 1) % 100 === 0) {
        await Promise.all(sends.splice(0));
        await provider.send('evm_mine', []);
      }
    }
    await Promise.all(sends);
    await provider.send('evm_mine', []);
    await provider.send('anvil_mine', ['0x' + STREAM_CONFIRMATIONS.toString(16)]);
    const reader = new StreamReader(
      adapter.events({ fromHeight, confirmations: STREAM_CONFIRMATIONS, pollMs: 10, filter: { kinds: ['transfer'] } }),
    );
    start = performance.now();
    await reader.take(STREAM_TXS, 120_000);
    const eventsPerSec = STREAM_TXS / ((performance.now() - start) / 1000);
    reader.close();
    console.log(
      `  events: ${STREAM_TXS} transfer events (${STREAM_TXS / 100} blocks, ${STREAM_CONFIRMATIONS} confirmations) at ${eventsPerSec.toFixed(0)} events/s from anvil`,
    );

    const mockEvents = STREAM_TXS * 5;
    const mockFrom = (await mock.getLatestBlock()).height + 1;
    for (let i = 0; i < mockEvents; i += 1) await mock.transfer(mockSigner, { to: mockTarget, amount: 1n });
    mock.native.mine(STREAM_CONFIRMATIONS);
    const mockReader = new StreamReader(mock.events({ fromHeight: mockFrom, confirmations: STREAM_CONFIRMATIONS, pollMs: 10 }));
    start = performance.now();
    await mockReader.take(mockEvents, 120_000);
    const mockEventsPerSec = mockEvents / ((performance.now() - start) / 1000);
    mockReader.close();
    await mock.close();
    console.log(`  events: ${mockEvents} transfer events at ${mockEventsPerSec.toFixed(0)} events/s from the mock`);

    const fabric = await benchFabric({ quick, rounds: ROUNDS });
    console.log(`  rss: ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB`);

    const round = (x: number, digits = 3) => Number(x.toFixed(digits));
    const figures = (r: Awaited<ReturnType<typeof timeRounds>>) => ({
      ethersUs: round(r.rawUs, 0),
      bareUs: round(r.transportUs, 0),
      ocapUs: round(r.ocapUs, 0),
      ratio: round(r.ratio),
      bareRatio: round(r.transportRatio),
    });
    const fabricFigures = (r: FabricRow) => ({ directUs: round(r.directUs, 0), ocapUs: round(r.ocapUs, 0), ratio: round(r.ratio) });
    const goals = [overheadGoal, fabric.goal];
    console.log(
      JSON.stringify({
        bench: 'adapters',
        quick,
        transportOverheadRatio: round(transportOverheadRatio),
        overheadRatio: round(overheadRatio),
        getBalance: figures(balance),
        getBlock: figures(block),
        sendReceipt: figures(send),
        mock: { getBalanceUs: round(mockGetBalanceUs, 1), sendConfirmUs: round(mockSendUs, 1) },
        eventsPerSec: Math.round(eventsPerSec),
        mockEventsPerSec: Math.round(mockEventsPerSec),
        fabricOverheadRatio: round(fabric.overheadRatio),
        fabric: {
          blockCutMs: fabric.blockCutMs,
          evaluate: fabricFigures(fabric.evaluate),
          submitCommit: fabricFigures(fabric.submitCommit),
          events: fabric.events,
          eventBlocks: fabric.eventBlocks,
          eventsPerSec: Math.round(fabric.eventsPerSec),
          directEventsPerSec: Math.round(fabric.directEventsPerSec),
        },
        goals,
        allGoalsMet: goals.every((goal) => goal.met),
      }),
    );
  } finally {
    await adapter.close();
    provider.destroy();
    bareProvider.destroy();
    await anvil.stop();
  }
}

await main();
// Exits 0 whatever the goals (the JSON line carries the verdict); a thrown error above exits non-zero.
process.exit(0);
