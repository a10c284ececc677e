import { randomBytes } from 'node:crypto';
import { deployBridgedAbt } from '@arc/adapters';
import { startAnvil } from '@arc/adapters/testing';
import { didFromPublicKey, keyPairFromSeed } from '@arc/core';
import { JsonRpcProvider, Network, Wallet } from 'ethers';
import type { BridgeOptions } from './economy/bridge/options.ts';

/**
 * A bridge for tests outside this package (the web app's end-to-end node): anvil mining a block a second, the
 * ArcBridgedAbt contract deployed for fresh signers, the genesis economy fields that name them, and the node's bridge
 * options. The bridge talks to anvil by its RPC URL, so the node's OCAP chains stay as the caller sets them.
 */
export async function startTestBridge(shape: { signers: number; threshold: number; confirmations: number }): Promise<{
  economy: { bridgeSigners: string[]; bridgeThreshold: number };
  bridge: BridgeOptions;
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
        ethereum: { rpcUrl: anvil.rpcUrl, chainId: anvil.chainId },
        contract: contract.address,
        confirmations: shape.confirmations,
        signers,
        relayerKey: anvil.accounts[5] as string,
      },
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
