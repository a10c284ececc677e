import { createEthereumAdapter, type EthereumNative } from '@arc/adapters';
import { type ChainAdapter, isDevChain } from '@arc/core';
import { Wallet } from 'ethers';
import type { Database } from '../../db/client.ts';
import { NodeError } from '../../errors.ts';
import type { Ledger } from '../../ledger/ledger.ts';
import type { NodeTxQueue } from '../../ledger/node-tx.ts';
import type { OcapHub } from '../../ocap/service.ts';
import type { BridgeStatus, BridgeStatusQuery } from './api-schemas.ts';
import { BridgeContract } from './contract.ts';
import { deployDevBridge, mayDeployDevBridge } from './dev.ts';
import { BRIDGE_LIMITS, type BridgeFaults, type BridgeOptions } from './options.ts';
import { BridgeRelayer } from './relayer.ts';
import { BurnRelay } from './releases.ts';
import { BridgeSigner, type BridgeSignerApi } from './signer.ts';
import { BridgeStatusReader } from './status.ts';
import { BridgeStore } from './store.ts';

/** What the bridge needs of its node. */
export interface BridgeDeps {
  db: Database;
  ledger: Ledger;
  /** The node's own transactions (bridgeRelease is sent with the node key: the node pays the fee). */
  queue: NodeTxQueue;
  ocap: OcapHub;
  now: () => number;
  log: (line: string) => void;
}

/** Checks what a type cannot: bounds of the confirmations and that the keys are keys. */
function checkOptions(options: BridgeOptions): void {
  const { confirmations } = options;
  if (!Number.isInteger(confirmations) || confirmations < 1 || confirmations > BRIDGE_LIMITS.confirmationsMax) {
    throw new NodeError('BAD_INPUT', `bridge.confirmations must be a whole number from 1 to ${BRIDGE_LIMITS.confirmationsMax}.`);
  }
  for (const [i, key] of [options.relayerKey, ...options.signers.map((s) => s.ethKey)].entries()) {
    if (!/^0x[0-9a-fA-F]{64}$/.test(key)) {
      throw new NodeError(
        'BAD_INPUT',
        `${i === 0 ? 'bridge.relayerKey' : `bridge signer #${i}'s Ethereum key`} is not 0x and 64 hex digits.`,
      );
    }
  }
}

/**
 * The ABT ↔ ERC-20 bridge of a node (README.md): the signers it runs, the relayer's passes, and the status the
 * wallet reads. Started after the node's OCAP chains (it reads Ethereum through them), stopped before them.
 */
export class BridgeService {
  #relayer: BridgeRelayer;

  private constructor(
    readonly deps: BridgeDeps,
    readonly options: BridgeOptions,
    readonly contract: BridgeContract,
    readonly signers: BridgeSigner[],
    readonly store: BridgeStore,
    readonly statusReader: BridgeStatusReader,
    readonly wallet: Wallet,
    /** An adapter the bridge created for itself (an rpcUrl, not an OCAP chain of the node): closed with it. */
    readonly ownAdapter: ChainAdapter<EthereumNative> | null,
  ) {
    this.#relayer = this.#newRelayer(options.faults, signers);
  }

  /** Connects to Ethereum, checks (or, on a dev chain, deploys) the contract, and starts the relayer's passes. */
  static async start(deps: BridgeDeps, options: BridgeOptions): Promise<BridgeService> {
    checkOptions(options);
    const own = 'rpcUrl' in options.ethereum ? createEthereumAdapter({ ...options.ethereum }) : null;
    try {
      const adapter = own ?? (deps.ocap.adapter((options.ethereum as { chain: string }).chain) as ChainAdapter<EthereumNative>);
      if (adapter.name !== 'ethereum') throw new NodeError('BAD_INPUT', `The bridge needs an ethereum chain; this one is ${adapter.name}.`);
      const provider = await adapter.native.connect();
      let address = options.contract;
      if (!address) {
        const ethChainId = (await provider.getNetwork()).chainId;
        if (!mayDeployDevBridge(isDevChain(deps.ledger.chainId), ethChainId)) {
          throw new NodeError('BAD_INPUT', 'bridge.contract is missing: give the address of the ArcBridgedAbt contract.');
        }
        address = await deployDevBridge(provider, options.relayerKey, options.signers);
        deps.log(`bridge: deployed the DEV-ONLY ArcBridgedAbt at ${address} (well-known dev signer keys, threshold 2)`);
      }
      const contract = new BridgeContract(adapter, address);
      const set = await contract.signerSet();
      const store = new BridgeStore(deps.db, deps.now);
      const ledger = { db: deps.db, chainId: deps.ledger.chainId };
      const signers = options.signers.map(
        (keys) => new BridgeSigner(ledger, new BridgeContract(adapter, address), options.confirmations, keys),
      );
      for (const s of signers) {
        const ledgerMember = deps.ledger.params.economy.bridgeSigners.includes(s.did);
        if (!ledgerMember || !set.addresses.includes(s.ethAddress)) {
          deps.log(
            `bridge: signer ${s.did} / ${s.ethAddress} is not in ${ledgerMember ? 'the contract' : "the chain's bridgeSigners"}; it is not asked`,
          );
        }
      }
      const statusReader = new BridgeStatusReader({
        db: deps.db,
        ledger: deps.ledger,
        store,
        contract,
        signers,
        confirmations: options.confirmations,
        fromBlock: options.fromBlock ?? 0,
      });
      const wallet = new Wallet(options.relayerKey, provider);
      const service = new BridgeService(deps, options, contract, signers, store, statusReader, wallet, own);
      service.#relayer.start();
      deps.log(`bridge: relaying ${contract.address} with ${options.confirmations} confirmations, ${signers.length} local signers`);
      return service;
    } catch (error) {
      await own?.close();
      throw error;
    }
  }

  #newRelayer(faults: BridgeFaults | undefined, signers: BridgeSignerApi[]): BridgeRelayer {
    const { deps, options, contract, store } = this;
    const common = { db: deps.db, store, ledger: deps.ledger, contract, signers, confirmations: options.confirmations, log: deps.log };
    const fromBlock = options.fromBlock ?? 0;
    const burns = new BurnRelay({
      ...common,
      queue: deps.queue,
      adapter: contract.adapter,
      fromBlock,
      streamPollMs: options.streamPollMs ?? BRIDGE_LIMITS.streamPollMs,
      ...(faults ? { faults } : {}),
    });
    return new BridgeRelayer({ ...common, wallet: this.wallet, burns, fromBlock, ...(faults ? { faults } : {}) }, options.intervalMs);
  }

  /** The relayer in use (tests drive passes and wait for them). */
  get relayer(): BridgeRelayer {
    return this.#relayer;
  }

  /**
   * Stops the relayer and starts a new one on the same database, as a restart of the relayer's process would: it
   * keeps nothing in memory, and resumes from the stored checkpoints and transfers. Tests may give it fault hooks,
   * or only some of the signers (a relayer that reaches fewer than the threshold).
   */
  async restartRelayer(with_: { faults?: BridgeFaults; signers?: BridgeSignerApi[] } = {}): Promise<void> {
    await this.#relayer.stop();
    this.#relayer = this.#newRelayer(with_.faults, with_.signers ?? this.signers);
    this.#relayer.start();
  }

  status(query: BridgeStatusQuery): Promise<BridgeStatus> {
    return this.statusReader.read(query);
  }

  async stop(): Promise<void> {
    await this.#relayer.stop();
    await this.ownAdapter?.close();
  }
}
