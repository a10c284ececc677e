import { createNativeAdapter, type NativeAdapter } from '@arc/adapters';
import { type ConformanceHarness, runConformance } from '@arc/adapters/conformance';
import { ArcClient, nodeApiOverHttp } from '@arc/client';
import { assetAddress, fromHex, type NodeApi, type OcapSigner, sha3, toHex, tokenAddress, utf8 } from '@arc/core';
import { afterAll } from 'vitest';
import { devKey } from '../src/config/dev-keys.ts';
import { inProcessNodeApi } from '../src/ocap/node-api.ts';
import { startTestNode, type TestNode } from '../src/testing.ts';

/**
 * The native adapter held to the OCAP conformance suite against a real node, through both implementations of the
 * node's API: the node's own in-process one (what its OCAP hub uses) and @arc/client's over HTTP. The adapters
 * package cannot run this itself: it imports neither the node nor the client (DESIGN.md, Dependency direction).
 */

/** Blocks come this often when idle (and at once when a transaction arrives). */
const BLOCK_INTERVAL_MS = 50;
const POLL_MS = 25;
const MINE_TIMEOUT_MS = 30_000;
const ABT = 10n ** 18n;
const TOKEN_SUPPLY = 1_000_000n * 10n ** 6n;

/** One node for the whole file: both runs share it, each sending from a funded dev account of its own. */
let started: Promise<TestNode> | undefined;
const nodeOnce = () => {
  started ??= startTestNode({ blockIntervalMs: BLOCK_INTERVAL_MS, ocapChains: [] });
  return started;
};

afterAll(async () => {
  await (await started)?.stop();
}, 60_000);

/** Waits until the chain is `n` blocks higher (the node makes blocks on its own). */
async function waitForBlocks(api: NodeApi, n: number): Promise<void> {
  const target = (await api.chainInfo()).height + n;
  const deadline = Date.now() + MINE_TIMEOUT_MS;
  while ((await api.chainInfo()).height < target) {
    if (Date.now() > deadline) throw new Error(`the node made no ${n} blocks within ${MINE_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const randomKey = () => crypto.getRandomValues(new Uint8Array(32));
const committed = (adapter: NativeAdapter, hash: string) => adapter.waitForTransaction(hash, { timeoutMs: MINE_TIMEOUT_MS });

/** The harness of one NodeApi: a token held by a signer of its own (so `funded`'s nonces stay the suite's), assets, raw transfers. */
async function nativeHarness(api: NodeApi, fundedSeed: Uint8Array): Promise<ConformanceHarness<NativeAdapter>> {
  const adapter = createNativeAdapter({ api }, { pollMs: POLL_MS });
  const funded = adapter.signer(fundedSeed);
  const holder: OcapSigner = adapter.signer(randomKey());
  await committed(adapter, (await adapter.transfer(funded, { to: holder.address, amount: 10n * ABT })).hash);
  const symbol = `OC${toHex(randomKey()).slice(0, 6).toUpperCase()}`;
  const itx = { type: 'createToken', symbol, name: 'Conformance token', decimals: 6, totalSupply: TOKEN_SUPPLY } as const;
  await committed(adapter, (await adapter.native.submit(holder, itx)).hash);
  return {
    adapter,
    funded,
    transferAmount: 10n ** 15n,
    unknownTxHash: toHex(sha3(utf8('a transaction nobody sent'))),
    mine: (n) => waitForBlocks(api, n),
    token: { address: tokenAddress(symbol), holder, amount: TOKEN_SUPPLY },
    mintAsset: async (owner) => {
      const asset = {
        type: 'createAsset',
        moniker: 'conformance asset',
        data: utf8('ipfs://conformance'),
        transferable: true,
        readonly: false,
      } as const;
      const sent = await adapter.native.submit(owner, asset);
      await committed(adapter, sent.hash);
      return assetAddress(fromHex(sent.hash));
    },
    signTransfer: (signer, { to, amount }) =>
      adapter.native.sign(signer, { type: 'transfer', to, amount, tokens: [], assets: [], memo: '' }),
  };
}

runConformance(
  'native, in process (the node calls its own services)',
  async () => {
    const node = await nodeOnce();
    return nativeHarness(inProcessNodeApi(node.services), fromHex(node.funded.secretKey));
  },
  { pollMs: POLL_MS },
);

runConformance(
  'native, over HTTP (@arc/client)',
  async () => {
    const node = await nodeOnce();
    return nativeHarness(nodeApiOverHttp(new ArcClient({ url: node.url })), devKey('alice').secretKey);
  },
  { pollMs: POLL_MS },
);
