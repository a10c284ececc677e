/**
 * bench:economy's bridge phase: ABT locked on the ledger and minted as ERC-20 on anvil, end to end through the bridge
 * service (2 of 3 signers, N confirmations), with anvil mining a block a second as a real chain would. Every lock is
 * sent at once; the figure is locks minted N blocks deep per minute, from the first lock admitted to the last mint
 * recorded done.
 */
import { encodeTx, signTx } from '@arc/core';
import { Wallet } from 'ethers';
import { devKey } from '../src/config/dev-keys.ts';
import { startTestBridge, startTestNode, testGenesis } from '../src/testing.ts';

const CONFIRMATIONS = 2;
const THRESHOLD = 2;
const ABT = 10n ** 18n;
const FEE = 10n ** 14n;
/** How long the phase may take before it gives up (anvil mines a block a second). */
const PHASE_TIMEOUT_MS = 180_000;

export async function bridgePerMinute(locks: number): Promise<{ perMin: number; ms: number; locks: number }> {
  const test = await startTestBridge({ signers: 3, threshold: THRESHOLD, confirmations: CONFIRMATIONS });
  const { anvil } = test;
  const base = await testGenesis();
  const node = await startTestNode({
    genesis: { ...base, params: { ...base.params, economy: { ...base.params.economy, ...test.economy } } },
    blockIntervalMs: 200,
    // The bridge reaches Ethereum through the node's OCAP chain, as a deployment names it.
    ocapChains: [{ name: 'arc', adapter: 'native' }, test.chain],
    bridge: { ...test.bridge, intervalMs: 100, streamPollMs: 100 },
  }).catch(async (error: unknown) => {
    await test.stop();
    throw error;
  });
  try {
    const faucet = devKey('faucet');
    const { ledger, admission } = node.services;
    const holder = new Wallet(anvil.accounts[6] as string).address.toLowerCase();
    const nonce = ledger.cache.peek(`account:${faucet.did}`)?.value as { nonce: number } | undefined;
    let next = (nonce?.nonce ?? 0) + 1;
    const sign = (amount: bigint) =>
      encodeTx(
        signTx(
          {
            chainId: ledger.chainId,
            from: faucet.did,
            publicKey: faucet.publicKey,
            nonce: next++,
            fee: FEE,
            feePayer: null,
            itx: { type: 'bridgeLock', amount, ethAddress: holder },
          },
          faucet.secretKey,
        ),
      );
    const txs = Array.from({ length: locks }, () => sign(ABT));
    const started = performance.now();
    for (const bytes of txs) await admission.submit(bytes);
    const deadline = Date.now() + PHASE_TIMEOUT_MS;
    for (;;) {
      const [row] = await node.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM bridge_transfers WHERE direction = 'toEthereum' AND status = 'minted'",
      );
      if ((row?.n ?? 0) >= locks) break;
      if (Date.now() > deadline) throw new Error(`only ${row?.n ?? 0} of ${locks} locks minted in ${PHASE_TIMEOUT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const ms = performance.now() - started;
    return { perMin: Math.round((locks / ms) * 60_000 * 10) / 10, ms: Math.round(ms), locks };
  } finally {
    await node.stop();
    await test.stop();
  }
}
