import { randomBytes } from 'node:crypto';
import { deployBridgedAbt } from '@arc/adapters';
import { startAnvil } from '@arc/adapters/testing';
import { didFromPublicKey, keyPairFromSeed } from '@arc/core';
import { JsonRpcProvider, Network, Wallet } from 'ethers';
import type { BridgeOptions } from './economy/bridge/options.ts';
import type { ChainConfig } from './ocap/config.ts';

/** The OCAP chain name under which a test node reaches the bridge's anvil (add `chain` to its ocapChains). */
export const TEST_BRIDGE_CHAIN = 'bridge-anvil';

/**
 * A bridge for tests outside this package (the web app's end-to-end node): anvil mining a block a second, the
 * ArcBridgedAbt contract deployed for fresh signers, the genesis economy fields that name them, the OCAP chain through
 * which the node (its relayer and its signer blocklets) reaches anvil, and the node's bridge options: the signers are
 * blocklets the node deploys for itself, `bridge-signer-1`…, with the fresh keys sealed into their environment.
 */
export async function startTestBridge(shape: { signers: number; threshold: number; confirmations: number }): Promise<{
  economy: { bridgeSigners: string[]; bridgeThreshold: number };
  bridge: BridgeOptions;
  /** Add to the node's ocapChains: the bridge reads and writes Ethereum through it. */
  chain: ChainConfig;
  /** The chain itself, for callers that reach it through an OCAP chain of the node or hold ERC-20 on it. */
  anvil: { rpcUrl: string; chainId: number; accounts: readonly string[] };
  stop(): Promise<void>;
}> {
  const anvil = await startAnvil({ blockTimeSeconds: 1 });
  const signers = Array.from({ length: shape.signers }, () => ({
    seed: new Uint8Array(randomBytes(32)),
    ethKey: Wallet.createRandom().privateKey,
  }));
  const provider = new JsonRpcProvider(anvil.rpcUrl, Network.from(anvil.chainId), { staticNetwork: true });
  try {
    const contract = await deployBridgedAbt(
      new Wallet(anvil.accounts[0] as string, provider),
      signers.map((k) => new Wallet(k.ethKey).address),
      shape.threshold,
    );
    return {
      economy: { bridgeSigners: signers.map((k) => didFromPublicKey(keyPairFromSeed(k.seed).publicKey)), bridgeThreshold: shape.threshold },
      bridge: {
        ethereum: { chain: TEST_BRIDGE_CHAIN },
        contract: contract.address,
        confirmations: shape.confirmations,
        signers: signers.map((keys, i) => ({ blocklet: `bridge-signer-${i + 1}`, keys })),
        relayerKey: anvil.accounts[5] as string,
      },
      chain: { name: TEST_BRIDGE_CHAIN, adapter: 'ethereum', rpcUrl: anvil.rpcUrl, chainId: anvil.chainId },
      anvil: { rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, accounts: anvil.accounts },
      stop: () => anvil.stop(),
    };
  } catch (error) {
    await anvil.stop();
    throw error;
  } finally {
    provider.destroy();
  }
}
