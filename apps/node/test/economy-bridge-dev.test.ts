import { ArcBridgedAbt } from '@arc/adapters';
import { type AnvilInstance, startAnvil } from '@arc/adapters/testing';
import { Contract, JsonRpcProvider, Network, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEV_BRIDGE_RELAYER_KEY,
  deployDevBridge,
  devBridgeOptions,
  devBridgeSignerDids,
  devBridgeSigners,
  mayDeployDevBridge,
} from '../src/economy/bridge/dev.ts';

/** The development bridge `npm start` runs on anvil: well-known keys, a contract it deploys itself, signer blocklets. */
describe('the DEV-ONLY bridge', () => {
  let anvil: AnvilInstance;
  let provider: JsonRpcProvider;

  beforeAll(async () => {
    anvil = await startAnvil();
    provider = new JsonRpcProvider(anvil.rpcUrl, Network.from(anvil.chainId), { staticNetwork: true });
  }, 60_000);

  afterAll(async () => {
    provider?.destroy();
    await anvil?.stop();
  });

  it('deploys a DEV-ONLY contract for the well-known dev signers (threshold 2), on anvil and dev ledgers only', async () => {
    const address = await deployDevBridge(provider, DEV_BRIDGE_RELAYER_KEY, devBridgeSigners());
    const dev = new Contract(address, ArcBridgedAbt.abi, provider);
    expect(await dev.getFunction('signers').staticCall()).toEqual(devBridgeSigners().map((k) => new Wallet(k.ethKey).address));
    expect(await dev.getFunction('threshold').staticCall()).toBe(2n);
    expect(devBridgeSignerDids()).toHaveLength(3);
    expect(mayDeployDevBridge(true, BigInt(anvil.chainId))).toBe(true);
    expect(mayDeployDevBridge(false, BigInt(anvil.chainId))).toBe(false);
    expect(mayDeployDevBridge(true, 1n)).toBe(false);
  });

  it('runs its three signers as blocklets bridge-signer-1…3, each with its well-known keys', () => {
    expect(devBridgeOptions('anvil').signers.map((s) => [s.blocklet, s.keys?.ethKey])).toEqual(
      devBridgeSigners().map((k, i) => [`bridge-signer-${i + 1}`, k.ethKey]),
    );
  });
});
