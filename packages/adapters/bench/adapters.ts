/**
 * bench:adapters — what the OCAP layer costs on top of the chain client it wraps. On one anvil node, the same
 * calls through raw ethers and through the Ethereum adapter, interleaved round by round so both see the same
 * machine: getBalance, getBlock, send + receipt. The ratio (adapter time / ethers time per call) is the overhead;
 * goal ≤ 1.10. Then the mock adapter's in-process cost per call (no network: the layer alone), and events per
 * second through an event stream with confirmations, on anvil and on the mock. `--quick` for a short run.
 * Last line: one JSON object.
 */
import { ethers } from 'ethers';
import { createEthereumAdapter, createMockAdapter, StreamReader } from '../src/index.ts';
import { startAnvil } from '../src/testing/anvil.ts';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 5 : 15;
const READS_PER_ROUND = quick ? 100 : 300;
const SENDS_PER_ROUND = quick ? 20 : 50;
const STREAM_TXS = quick ? 300 : 1500;
const STREAM_CONFIRMATIONS = 2;

type Op = () => Promise<unknown>;

/** Median of per-round times per call, in microseconds. */
async function timeRounds(label: string, pairs: { raw: Op; ocap: Op; count: number }) {
  const raw: number[] = [];
  const ocap: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    // Alternate which side goes first so drift does not favour one.
    const order: ['raw' | 'ocap', Op][] = round % 2 === 0 ? [['raw', pairs.raw], ['ocap', pairs.ocap]] : [['ocap', pairs.ocap], ['raw', pairs.raw]];
    for (const [side, op] of order) {
      const start = performance.now();
      for (let i = 0; i < pairs.count; i += 1) await op();
      const us = ((performance.now() - start) * 1000) / pairs.count;
      (side === 'raw' ? raw : ocap).push(us);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const result = { rawUs: median(raw), ocapUs: median(ocap), ratio: median(ocap) / median(raw) };
  console.log(`  ${label.padEnd(14)} ethers ${result.rawUs.toFixed(0).padStart(6)} µs/call   ocap ${result.ocapUs.toFixed(0).padStart(6)} µs/call   ratio ${result.ratio.toFixed(3)}`);
  return result;
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
  const adapter = createEthereumAdapter({ rpcUrl: anvil.rpcUrl, pollMs: 10 });
  const signer = adapter.signer(ethers.getBytes(anvil.accounts[2] as string));
  const target = ethers.Wallet.createRandom().address;
  try {
    const head = await provider.getBlockNumber();
    const balance = await timeRounds('getBalance', {
      raw: () => provider.getBalance(target),
      ocap: () => adapter.getBalance(target),
      count: READS_PER_ROUND,
    });
    const block = await timeRounds('getBlock', {
      raw: () => provider.getBlock(head),
      ocap: () => adapter.getBlock({ height: head }),
      count: READS_PER_ROUND,
    });
    let rawNonce = await provider.getTransactionCount(rawWallet.address, 'pending');
    const send = await timeRounds('send+receipt', {
      raw: async () => {
        const tx = await rawWallet.sendTransaction({ to: target, value: 1n, nonce: rawNonce++ });
        await tx.wait(1);
      },
      ocap: async () => {
        const sent = await adapter.transfer(signer, { to: target, amount: 1n });
        await adapter.waitForTransaction(sent.hash, { confirmations: 1 });
      },
      count: SENDS_PER_ROUND,
    });
    const ratios = [balance.ratio, block.ratio, send.ratio];
    const overheadRatio = Math.exp(ratios.reduce((sum, r) => sum + Math.log(r), 0) / ratios.length);
    console.log(`  overhead ratio (geometric mean of the three): ${overheadRatio.toFixed(3)}  (goal ≤ 1.10)`);

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
    const reader = new StreamReader(adapter.events({ fromHeight, confirmations: STREAM_CONFIRMATIONS, pollMs: 10, filter: { kinds: ['transfer'] } }));
    start = performance.now();
    await reader.take(STREAM_TXS, 120_000);
    const eventsPerSec = STREAM_TXS / ((performance.now() - start) / 1000);
    reader.close();
    console.log(`  events: ${STREAM_TXS} transfer events (${STREAM_TXS / 100} blocks, ${STREAM_CONFIRMATIONS} confirmations) at ${eventsPerSec.toFixed(0)} events/s from anvil`);

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
    console.log(`  rss: ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB`);

    const round = (x: number, digits = 3) => Number(x.toFixed(digits));
    console.log(
      JSON.stringify({
        bench: 'adapters',
        overheadRatio: round(overheadRatio),
        getBalance: { ethersUs: round(balance.rawUs, 0), ocapUs: round(balance.ocapUs, 0), ratio: round(balance.ratio) },
        getBlock: { ethersUs: round(block.rawUs, 0), ocapUs: round(block.ocapUs, 0), ratio: round(block.ratio) },
        sendReceipt: { ethersUs: round(send.rawUs, 0), ocapUs: round(send.ocapUs, 0), ratio: round(send.ratio) },
        mock: { getBalanceUs: round(mockGetBalanceUs, 1), sendConfirmUs: round(mockSendUs, 1) },
        eventsPerSec: Math.round(eventsPerSec),
        mockEventsPerSec: Math.round(mockEventsPerSec),
      }),
    );
  } finally {
    await adapter.close();
    provider.destroy();
    await anvil.stop();
  }
}

await main();
