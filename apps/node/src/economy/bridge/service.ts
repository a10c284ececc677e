import type { EthereumNative } from '@arc/adapters';
import { type ChainAdapter, didFromPublicKey, isDevChain } from '@arc/core';
import type { Database } from '../../db/client.ts';
import { NodeError } from '../../errors.ts';
import type { Faucet } from '../../faucet/service.ts';
import type { Ledger } from '../../ledger/ledger.ts';
import type { NodeTxQueue } from '../../ledger/node-tx.ts';
import type { LedgerQueries } from '../../ledger/queries.ts';
import type { OcapHub } from '../../ocap/service.ts';
import type { BlockletRuntime } from '../../runtime/service.ts';
import type { BridgeStatus, BridgeStatusQuery } from './api-schemas.ts';
import { BridgeContract } from './contract.ts';
import { deployDevBridge, mayDeployDevBridge } from './dev.ts';
import { BRIDGE_LIMITS, type BridgeFaults, type BridgeOptions } from './options.ts';
import { BridgeRelayer } from './relayer.ts';
import { type BlockletRelayer, RELAYER_COMPONENT, setUpRelayerBlocklet } from './relayer-blocklet.ts';
import { BurnRelay } from './releases.ts';
import { BlockletSigner, setUpSignerBlocklet } from './signer-blocklet.ts';
import { BridgeStatusReader } from './status.ts';
import { BridgeStore } from './store.ts';

/** What the bridge needs of its node. */
export interface BridgeDeps {
  db: Database;
  ledger: Ledger;
  /** The node's own key (queue.key) owns the relayer blocklet. */
  queue: NodeTxQueue;
  ocap: OcapHub;
  /** The signers and the relayer are blocklets of the node. */
  runtime: BlockletRuntime;
  queries: LedgerQueries;
  faucet: Faucet;
  now: () => number;
  log: (line: string) => void;
}

/** Checks what a type cannot: bounds of the confirmations and that the keys are keys. */
function checkOptions(options: BridgeOptions): void {
  const { confirmations } = options;
  if (!Number.isInteger(confirmations) || confirmations < 1 || confirmations > BRIDGE_LIMITS.confirmationsMax) {
    throw new NodeError('BAD_INPUT', `bridge.confirmations must be a whole number from 1 to ${BRIDGE_LIMITS.confirmationsMax}.`);
  }
  for (const [i, key] of [options.relayerKey, ...options.signers.flatMap((s) => (s.keys ? [s.keys.ethKey] : []))].entries()) {
    if (!/^0x[0-9a-fA-F]{64}$/.test(key)) {
      throw new NodeError(
        'BAD_INPUT',
        `${i === 0 ? 'bridge.relayerKey' : `bridge signer #${i}'s Ethereum key`} is not 0x and 64 hex digits.`,
      );
    }
  }
}

/**
 * The ABT ↔ ERC-20 bridge of a node (README.md): the signer blocklets and the relayer blocklet it runs, the passes
 * that tell the relayer what is due and record how far each transfer got, and the status the wallet reads. Started
 * after the node's OCAP chains (it reads Ethereum through them), stopped before them.
 */
export class BridgeService {
  #relayer: BridgeRelayer;

  private constructor(
    readonly deps: BridgeDeps,
    readonly options: BridgeOptions,
    readonly contract: BridgeContract,
    readonly signers: BlockletSigner[],
    readonly store: BridgeStore,
    readonly statusReader: BridgeStatusReader,
    readonly relayerBlocklet: BlockletRelayer,
    /** The signer blocklets the relayer asks: those in both signer sets. */
    readonly members: BlockletSigner[],
  ) {
    this.#relayer = this.#newRelayer(options.faults);
  }

  /**
   * Connects to Ethereum, checks (or, on a dev chain, deploys) the contract, sets up the signer blocklets it is given
   * keys for, asks each signer who it is, and starts the relayer's passes.
   */
  static async start(deps: BridgeDeps, options: BridgeOptions): Promise<BridgeService> {
    checkOptions(options);
    const chain = options.ethereum.chain;
    const adapter = deps.ocap.adapter(chain) as ChainAdapter<EthereumNative>;
    if (adapter.name !== 'ethereum') throw new NodeError('BAD_INPUT', `The bridge needs an ethereum chain; ${chain} is ${adapter.name}.`);
    const provider = await adapter.native.connect();
    let address = options.contract;
    if (!address) {
      const ethChainId = (await provider.getNetwork()).chainId;
      if (!mayDeployDevBridge(isDevChain(deps.ledger.chainId), ethChainId)) {
        throw new NodeError('BAD_INPUT', 'bridge.contract is missing: give the address of the ArcBridgedAbt contract.');
      }
      const keys = options.signers.flatMap((s) => (s.keys ? [s.keys] : []));
      address = await deployDevBridge(provider, options.relayerKey, keys);
      deps.log(`bridge: deployed the DEV-ONLY ArcBridgedAbt at ${address} (well-known dev signer keys, threshold 2)`);
    }
    const contract = new BridgeContract(adapter, address);
    const set = await contract.signerSet();
    const store = new BridgeStore(deps.db, deps.now);
    const settings = { contract: contract.address, confirmations: options.confirmations, ethChain: chain };
    const signers: BlockletSigner[] = [];
    const members: BlockletSigner[] = [];
    for (const signer of options.signers) {
      if (signer.keys) await setUpSignerBlocklet(deps, signer.blocklet, signer.keys, settings);
      const connected = await BlockletSigner.connect(deps.runtime, signer.blocklet);
      const ledgerMember = deps.ledger.params.economy.bridgeSigners.includes(connected.did);
      if (!ledgerMember || !set.addresses.includes(connected.ethAddress)) {
        deps.log(
          `bridge: signer ${signer.blocklet} (${connected.did} / ${connected.ethAddress}) is not in ${ledgerMember ? 'the contract' : "the chain's bridgeSigners"}; it is not asked`,
        );
      } else members.push(connected);
      signers.push(connected);
    }
    // Owned by the node's key as an account (the DID an upload's author signs as).
    const owner = { ...deps.queue.key, did: didFromPublicKey(deps.queue.key.publicKey) };
    const relayer = await setUpRelayerBlocklet({ ...deps, owner }, options.relayer ?? RELAYER_COMPONENT, {
      contract: contract.address,
      ethChain: chain,
      ethKey: options.relayerKey,
      signers: members.map((s) => s.blocklet),
    });
    const statusReader = new BridgeStatusReader({
      db: deps.db,
      ledger: deps.ledger,
      store,
      contract,
      signers,
      relayer,
      confirmations: options.confirmations,
      fromBlock: options.fromBlock ?? 0,
    });
    const service = new BridgeService(deps, options, contract, signers, store, statusReader, relayer, members);
    service.#relayer.start();
    deps.log(
      `bridge: relaying ${contract.address} with ${options.confirmations} confirmations through /b/${relayer.blocklet}/ (fees paid by ${relayer.did}), signers ${signers.map((s) => `/b/${s.blocklet}/`).join(' ')}`,
    );
    return service;
  }

  #newRelayer(faults: BridgeFaults | undefined): BridgeRelayer {
    const { deps, options, contract, store } = this;
    const relayer = this.relayerBlocklet;
    const common = { db: deps.db, store, ledger: deps.ledger, contract, relayer, confirmations: options.confirmations, log: deps.log };
    const fromBlock = options.fromBlock ?? 0;
    const burns = new BurnRelay({
      ...common,
      adapter: contract.adapter,
      fromBlock,
      streamPollMs: options.streamPollMs ?? BRIDGE_LIMITS.streamPollMs,
      ...(faults ? { faults } : {}),
    });
    return new BridgeRelayer({ ...common, burns, fromBlock, ...(faults ? { faults } : {}) }, options.intervalMs);
  }

  /** The relayer in use (tests drive passes and wait for them). */
  get relayer(): BridgeRelayer {
    return this.#relayer;
  }

  /**
   * Stops the passes and starts new ones on the same database, as a restart of the node's process would: they keep
   * nothing in memory, and resume from the stored checkpoints and transfers. Tests may give them fault hooks, or have
   * the relayer ask only some of the signers (a relayer that reaches fewer than the threshold); the relayer blocklet
   * keeps what it sent in its kv (a mint waiting in the Ethereum mempool is not sent twice).
   */
  async restartRelayer(with_: { faults?: BridgeFaults; signers?: BlockletSigner[] } = {}): Promise<void> {
    await this.#relayer.stop();
    await this.relayerBlocklet.askSigners((with_.signers ?? this.members).map((s) => s.blocklet));
    this.#relayer = this.#newRelayer(with_.faults);
    this.#relayer.start();
  }

  status(query: BridgeStatusQuery): Promise<BridgeStatus> {
    return this.statusReader.read(query);
  }

  async stop(): Promise<void> {
    await this.#relayer.stop();
  }
}
