import {
  ArcTestAsset,
  ArcTestToken,
  type ContractArtifact,
  createEthereumAdapter,
  type RegtestNode,
  startRegtestChain,
} from '@arc/adapters';
import { type AnvilInstance, startAnvil } from '@arc/adapters/testing';

/**
 * The local chains `npm start` runs beside the node, so a fresh machine reaches four live chains: a real EVM
 * (anvil from @foundry-rs/anvil, the ERC-20 and ERC-721 test contracts deployed) and the Bitcoin regtest chain
 * (the adapters' in-process development peer behind bitcoind's JSON-RPC). The node reaches them through the
 * environment shortcuts of ocap/config.ts (ETHEREUM_RPC_URL, BITCOIN_RPC_URL…); the mock chain is a default.
 */

export const DEV_CHAIN_LIMITS = {
  /** Seconds between anvil's blocks, so its head moves like a real chain's even when idle. */
  anvilBlockTimeSeconds: 2,
  /** How often the regtest chain mines a block to its rich address (bitcoind's regtest only mines on request). */
  regtestBlockIntervalMs: 10_000,
  /** How long one contract deployment may take to be mined. */
  deployTimeoutMs: 30_000,
  deployPollMs: 100,
} as const;

/** The ERC-20 the EVM chain starts with: 1 000 000 ATT (18 decimals), all held by the deployer (anvil account 0). */
export const DEV_TOKEN = { name: 'Arc Test Token', symbol: 'ATT', supply: 1_000_000n * 10n ** 18n } as const;
/** The ERC-721 the EVM chain starts with; token 1 is minted to the deployer. */
export const DEV_ASSET = { name: 'Arc Test Asset', symbol: 'ATA', baseUri: 'ipfs://arc-test/' } as const;

export interface DevEthereum {
  rpcUrl: string;
  chainId: number;
  /** Anvil account 0: deployed the contracts, holds the tokens (its key is anvil's well-known first key). */
  deployer: string;
  tokenAddress: string;
  assetAddress: string;
}

export interface DevBitcoin {
  rpcUrl: string;
  user: string;
  password: string;
  /** The bcrt1q… address holding the initial coinbases. */
  richAddress: string;
}

export interface DevChains {
  ethereum: DevEthereum | null;
  bitcoin: DevBitcoin | null;
  /** One sentence per chain that was asked for and could not start (the rest run). */
  problems: { chain: 'ethereum' | 'bitcoin'; error: string }[];
  /** The node's environment shortcuts for the chains that run (ocap/config.ts). */
  nodeEnv: Record<string, string>;
  /** Stops every chain (anvil: SIGTERM, then SIGKILL after a bound). Safe to call twice. */
  stop(): Promise<void>;
}

export interface DevChainsOptions {
  anvil: boolean;
  regtest: boolean;
  log?: (line: string) => void;
}

const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';

/** Starts the local chains asked for; a chain that cannot start is reported in `problems`, never thrown. */
export async function startDevChains(options: DevChainsOptions): Promise<DevChains> {
  const problems: DevChains['problems'] = [];
  const stops: (() => Promise<void>)[] = [];
  const [ethereum, bitcoin] = await Promise.all([
    options.anvil
      ? startEvm(stops).catch((error: unknown) => {
          problems.push({ chain: 'ethereum', error: oneLine(error) });
          return null;
        })
      : null,
    options.regtest
      ? startBitcoin(stops).catch((error: unknown) => {
          problems.push({ chain: 'bitcoin', error: oneLine(error) });
          return null;
        })
      : null,
  ]);
  let stopping: Promise<void> | null = null;
  return {
    ethereum,
    bitcoin,
    problems,
    nodeEnv: nodeEnvOf(ethereum, bitcoin),
    stop: () => {
      stopping ??= Promise.allSettled(stops.map((stop) => stop())).then(() => undefined);
      return stopping;
    },
  };
}

/** The node's environment for these chains: the shortcuts ocap/config.ts turns into `ethereum` and `bitcoin` chains. */
export function nodeEnvOf(ethereum: DevEthereum | null, bitcoin: DevBitcoin | null): Record<string, string> {
  return {
    ...(ethereum ? { ETHEREUM_RPC_URL: ethereum.rpcUrl } : {}),
    ...(bitcoin
      ? {
          BITCOIN_RPC_URL: bitcoin.rpcUrl,
          BITCOIN_RPC_USER: bitcoin.user,
          BITCOIN_RPC_PASSWORD: bitcoin.password,
          BITCOIN_NETWORK: 'regtest',
        }
      : {}),
  };
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s+/g, ' ').trim().slice(0, 500);
}

async function startEvm(stops: (() => Promise<void>)[]): Promise<DevEthereum> {
  const anvil: AnvilInstance = await startAnvil({ blockTimeSeconds: DEV_CHAIN_LIMITS.anvilBlockTimeSeconds });
  stops.push(() => anvil.stop());
  const adapter = createEthereumAdapter({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId });
  try {
    const [deployer] = await adapter.native.call<string[]>('eth_accounts');
    if (!deployer) throw new Error('anvil has no unlocked account to deploy the test contracts from');
    const deploy = async (artifact: ContractArtifact, args: unknown[]) => {
      const encodedArgs = adapter.native.contract(ZERO_ADDRESS, artifact.abi).interface.encodeDeploy(args);
      const hash = await adapter.native.call<string>('eth_sendTransaction', [
        { from: deployer, data: artifact.bytecode + encodedArgs.slice(2) },
      ]);
      const receipt = await minedReceipt(adapter.native.call, hash);
      if (!receipt.contractAddress) throw new Error(`deploying ${artifact.contractName} created no contract (tx ${hash})`);
      return receipt.contractAddress;
    };
    // One after the other: anvil gives concurrent eth_sendTransaction calls of one sender the same pending nonce.
    const tokenAddress = await deploy(ArcTestToken, [DEV_TOKEN.name, DEV_TOKEN.symbol, DEV_TOKEN.supply]);
    const assetAddress = await deploy(ArcTestAsset, [DEV_ASSET.name, DEV_ASSET.symbol, DEV_ASSET.baseUri]);
    const mintData = adapter.native.contract(assetAddress, ArcTestAsset.abi).interface.encodeFunctionData('mint', [deployer]);
    await minedReceipt(
      adapter.native.call,
      await adapter.native.call<string>('eth_sendTransaction', [{ from: deployer, to: assetAddress, data: mintData }]),
    );
    return { rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, deployer, tokenAddress, assetAddress };
  } finally {
    await adapter.close();
  }
}

/** Polls for a transaction's receipt until it is mined (anvil mines every few seconds) or the bound passes. */
async function minedReceipt(
  call: <T>(method: string, params?: unknown[]) => Promise<T>,
  hash: string,
): Promise<{ status: string; contractAddress: string | null }> {
  const deadline = Date.now() + DEV_CHAIN_LIMITS.deployTimeoutMs;
  for (;;) {
    const receipt = await call<{ status: string; contractAddress: string | null } | null>('eth_getTransactionReceipt', [hash]);
    if (receipt) {
      if (receipt.status !== '0x1') throw new Error(`transaction ${hash} reverted`);
      return receipt;
    }
    if (Date.now() > deadline) throw new Error(`transaction ${hash} was not mined within ${DEV_CHAIN_LIMITS.deployTimeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, DEV_CHAIN_LIMITS.deployPollMs));
  }
}

async function startBitcoin(stops: (() => Promise<void>)[]): Promise<DevBitcoin> {
  const node: RegtestNode = await startRegtestChain();
  const timer = setInterval(() => {
    node.mineTo(node.richAddress, 1).catch((error: unknown) => console.error(`regtest: mining a block failed: ${oneLine(error)}`));
  }, DEV_CHAIN_LIMITS.regtestBlockIntervalMs);
  timer.unref();
  stops.push(async () => {
    clearInterval(timer);
    await node.stop();
  });
  return { rpcUrl: node.rpcUrl, user: node.user, password: node.password, richAddress: node.richAddress };
}
