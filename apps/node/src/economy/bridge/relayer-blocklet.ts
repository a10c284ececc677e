import type { BlockletRuntime } from '../../runtime/service.ts';
import type { MintRequest, ReleaseRequest } from './options.ts';
import { ask, deployBridgeBlocklet, payableDeployer, type SignerSetupDeps } from './signer-blocklet.ts';

/** The built-in component the bridge's relayer runs (apps/node/src/runtime/components/bridge-relayer). */
export const RELAYER_COMPONENT = 'bridge-relayer';

/** What the relayer blocklet answers to a mint: minted already, or the mint transaction in flight (waiting: sent before). */
export interface MintSent {
  minted: boolean;
  ethTxHash: string | null;
  waiting?: boolean;
}

/**
 * The bridge's relayer, a blocklet of this node: the bridge service tells it what is due, one transfer at a time, and
 * it collects the signers' signatures (ctx.blocklets.call) and sends the mint on Ethereum (ctx.keys ETH_KEY pays the
 * gas, ctx.ocap.send broadcasts) or the release on the ledger (ctx.ledger.submit: its own DID pays the fee). A
 * refusal (too few signatures, a mint the contract would revert) is a NodeError, UNAVAILABLE when it may pass later.
 */
export class BlockletRelayer {
  constructor(
    readonly runtime: BlockletRuntime,
    readonly blocklet: string,
    /** Its DID, which pays the releases' fees. */
    readonly did: string,
    /** Its Ethereum address (ETH_KEY), which pays the mints' gas. */
    readonly ethAddress: string,
  ) {}

  mint(request: MintRequest): Promise<MintSent> {
    const input = { op: 'mint', lockId: request.lockId, to: request.to, amount: request.amount.toString() };
    return ask<MintSent>(this.runtime, this.blocklet, input, 'relayer');
  }

  async release(request: ReleaseRequest, threshold: number): Promise<{ ledgerTxHash: string }> {
    const input = { op: 'release', ...request, amount: request.amount.toString(), threshold };
    const sent = await ask<{ ledgerTxHash: string }>(this.runtime, this.blocklet, input, 'relayer');
    return { ledgerTxHash: sent.ledgerTxHash.replace(/^0x/, '') };
  }

  /** Which signers it asks, in order (blocklet names of this node, or base URLs). */
  async askSigners(signers: string[]): Promise<void> {
    await this.runtime.setEnv(this.blocklet, 'SIGNERS', signers.join(','), false);
  }
}

/** What the relayer blocklet is set up with. */
export interface RelayerSettings {
  contract: string;
  /** The node's OCAP chain name of Ethereum. */
  ethChain: string;
  /** Its Ethereum key (0x hex): pays the mints' gas. */
  ethKey: string;
  signers: string[];
}

/**
 * Deploys the relayer component as `blocklet` (unless live), owned by `owner` (the node's key as an account: it pays
 * the deploy fee; on a development chain the faucet tops it up), and seals its Ethereum key into its environment with
 * its settings.
 * Its own DID pays the fees of the releases it sends: on a development chain the faucet funds it too; elsewhere the
 * operator does (its DID is in the log line at start and in `arc blocklet`).
 */
export async function setUpRelayerBlocklet(
  deps: SignerSetupDeps & { owner: { did: string; publicKey: Uint8Array; secretKey: Uint8Array } },
  blocklet: string,
  settings: RelayerSettings,
): Promise<BlockletRelayer> {
  const { runtime, owner: deployer } = deps;
  await deployBridgeBlocklet(deps, blocklet, deployer, RELAYER_COMPONENT, settings.ethChain, "this node's key");
  await runtime.setEnv(blocklet, 'ETH_KEY', settings.ethKey, true);
  await runtime.setEnv(blocklet, 'BRIDGE_CONTRACT', settings.contract, false);
  await runtime.setEnv(blocklet, 'ETH_CHAIN', settings.ethChain, false);
  await runtime.setEnv(blocklet, 'SIGNERS', settings.signers.join(','), false);
  const id = await ask<{ did: string; ethAddress: string }>(runtime, blocklet, { op: 'identity' }, 'relayer');
  const relayer = new BlockletRelayer(runtime, blocklet, id.did, id.ethAddress);
  // On a development chain the faucet funds its fees; elsewhere the operator does (a release it cannot pay is refused).
  if (deps.faucet.enabled && BigInt((await deps.queries.account(relayer.did)).balance) < deps.ledger.params.minFee) {
    await payableDeployer(deps, relayer.did);
  }
  return relayer;
}
