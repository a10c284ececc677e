import { deployBridgedAbt } from '@arc/adapters';
import { ANVIL_CHAIN_ID_DEFAULT, ANVIL_DEFAULT_KEYS } from '@arc/adapters/testing';
import { didFromPublicKey, keyPairFromSeed, sha3, toHex, utf8 } from '@arc/core';
import { type JsonRpcProvider, Wallet } from 'ethers';
import type { BridgeOptions, BridgeSignerKeys } from './options.ts';

/**
 * DEVELOPMENT ONLY. Well-known bridge keys for development chains: their seeds are derived from public strings, so
 * anyone can sign as these signers. A dev genesis lists their DIDs as bridgeSigners (threshold 2); on anvil the
 * bridge deploys its contract for their Ethereum addresses when no contract address is configured. Never list
 * these DIDs or addresses on a chain that holds value.
 */

export const DEV_BRIDGE_SIGNERS_COUNT = 3;
export const DEV_BRIDGE_THRESHOLD = 2;
/** anvil's last well-known account pays the dev relayer's gas. */
export const DEV_BRIDGE_RELAYER_KEY: string = ANVIL_DEFAULT_KEYS[9];
/** Dev chains confirm quickly: anvil mines a block every 2 s in `npm start`. */
export const DEV_BRIDGE_CONFIRMATIONS = 2;

/** The dev signers' keys: ed25519 seeds for ledger approvals, secp256k1 keys for mint signatures. */
export function devBridgeSigners(): BridgeSignerKeys[] {
  return Array.from({ length: DEV_BRIDGE_SIGNERS_COUNT }, (_, i) => ({
    seed: sha3(utf8(`arc-dev:bridge-signer-${i + 1}`)),
    ethKey: `0x${toHex(sha3(utf8(`arc-dev:bridge-eth-signer-${i + 1}`)))}`,
  }));
}

/** The dev signers' DIDs, as a dev genesis lists them in params.economy.bridgeSigners. */
export function devBridgeSignerDids(): string[] {
  return devBridgeSigners().map((s) => didFromPublicKey(keyPairFromSeed(s.seed).publicKey));
}

/** The dev bridge on an OCAP chain (anvil): no contract address, so one is deployed at start. */
export function devBridgeOptions(chain: string): BridgeOptions {
  return {
    ethereum: { chain },
    confirmations: DEV_BRIDGE_CONFIRMATIONS,
    signers: devBridgeSigners().map((keys, i) => ({ blocklet: `bridge-signer-${i + 1}`, keys })),
    relayerKey: DEV_BRIDGE_RELAYER_KEY,
    devOnly: true,
  };
}

/** Whether a chain may get a dev contract: a development ledger and anvil's chain id. */
export function mayDeployDevBridge(ledgerIsDev: boolean, ethChainId: bigint): boolean {
  return ledgerIsDev && ethChainId === BigInt(ANVIL_CHAIN_ID_DEFAULT);
}

/** Deploys ArcBridgedAbt for the signers' Ethereum addresses (threshold 2) from the relayer's key; answers its address. */
export async function deployDevBridge(provider: JsonRpcProvider, relayerKey: string, signers: BridgeSignerKeys[]): Promise<string> {
  const deployer = new Wallet(relayerKey, provider);
  const addresses = signers.map((s) => new Wallet(s.ethKey).address);
  const { address } = await deployBridgedAbt(deployer, addresses, Math.min(DEV_BRIDGE_THRESHOLD, addresses.length));
  return address;
}
