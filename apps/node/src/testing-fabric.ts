import { fileURLToPath } from 'node:url';
import { createFabricAdapter } from '@arc/adapters';
import { type DevPeer, startDevPeer } from '@arc/adapters/testing';
import { type ChainConfig, parseOcapConfig } from './ocap/config.ts';

/** The token chaincode of @arc/adapters (fabric-contract-api, run by the development peer in a child process). */
export const TOKEN_CHAINCODE_DIR = fileURLToPath(new URL('../../../packages/adapters/fabric-chaincode/token', import.meta.url));

/** The coin a test channel starts with, all held by the peer's client identity (the minter). */
export const TEST_FABRIC_COIN = { name: 'Arc Fabric Coin', symbol: 'AFC', decimals: 6, minted: 1_000_000_000n } as const;

/**
 * A Hyperledger Fabric channel for tests outside @arc/adapters (this package's, the web app's end-to-end node): the
 * adapters' development peer running the token chaincode, the token initialised and minted to the peer's client
 * identity, and the OCAP chain (`chain`, parsed as OCAP_CONFIG_FILE would be) through which a node reaches it as that
 * identity, from its MSP folder. Starts in about a second.
 */
export async function startTestFabric(options: { name?: string; blockCutMs?: number; pollMs?: number } = {}): Promise<{
  chain: ChainConfig;
  peer: DevPeer;
  /** The minter's account (the identity the node's adapter reads and signs with). */
  minter: string;
  /** The channel's CAIP-2 id, `fabric:<genesis block hash>`. */
  chainId: string;
  stop(): Promise<void>;
}> {
  const peer = await startDevPeer({ chaincodes: [{ name: 'token', path: TOKEN_CHAINCODE_DIR }], blockCutMs: options.blockCutMs ?? 50 });
  const settings = { endpoint: peer.endpoint, channel: peer.channel, mspId: peer.mspId, identity: { mspDir: peer.identityDir } };
  const setup = createFabricAdapter({ ...settings, pollMs: options.pollMs ?? 50 });
  try {
    const minter = (await setup.native.identity()).address;
    const { name, symbol, decimals, minted } = TEST_FABRIC_COIN;
    await setup.native.submit({ fn: 'Initialize', args: [name, symbol, String(decimals)] });
    await setup.native.submit({ fn: 'Mint', args: [minted.toString()] });
    const { chainId } = await setup.info();
    const [chain] = parseOcapConfig(
      {
        chains: [{ name: options.name ?? 'fabric', adapter: 'fabric', ...settings, ...(options.pollMs ? { pollMs: options.pollMs } : {}) }],
      },
      'the test Fabric chain',
    ).chains;
    return { chain: chain as ChainConfig, peer, minter, chainId, stop: () => peer.stop() };
  } catch (error) {
    await peer.stop();
    throw error;
  } finally {
    await setup.close();
  }
}
