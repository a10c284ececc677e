import { signMint } from '@arc/adapters';
import {
  type Approval,
  approvalDigest,
  type BridgeReleaseTx,
  didFromPublicKey,
  fromHex,
  isValidDid,
  type KeyPair,
  keyPairFromSeed,
  OcapError,
  signMessage,
} from '@arc/core';
import { Wallet } from 'ethers';
import type { Database } from '../../db/client.ts';
import { NodeError } from '../../errors.ts';
import type { BridgeContract } from './contract.ts';
import type { BridgeSignerKeys, MintRequest, ReleaseRequest } from './options.ts';

const HASH = /^0x[0-9a-f]{64}$/;

interface LockedEvent {
  type: string;
  lockId?: string;
  amount?: string;
  ethAddress?: string;
}

/** What one signer needs of its own node: the ledger's committed transactions and the chain id approvals bind to. */
export interface SignerLedger {
  db: Database;
  chainId: string;
}

/**
 * One bridge signer. It signs nothing on the relayer's word: a mint only for a lock committed on its ledger (read from
 * its own database) with exactly that amount and Ethereum address; a release only for a BridgeBurned log of the bridge
 * contract that it reads from Ethereum itself, at least `confirmations` deep on the canonical chain, naming a valid
 * DID. Each refusal is a NodeError; UNAVAILABLE (retriable) when the burn is not deep enough yet.
 */
export class BridgeSigner {
  readonly did: string;
  readonly ethAddress: string;
  readonly #key: KeyPair;
  readonly #wallet: Wallet;

  constructor(
    readonly ledger: SignerLedger,
    readonly contract: BridgeContract,
    readonly confirmations: number,
    keys: BridgeSignerKeys,
  ) {
    this.#key = keyPairFromSeed(keys.seed);
    this.did = didFromPublicKey(this.#key.publicKey);
    this.#wallet = new Wallet(keys.ethKey);
    this.ethAddress = this.#wallet.address;
  }

  /** The EIP-712 signature of a mint for a lock committed on the ledger; refuses any other. */
  async signMint(request: MintRequest): Promise<string> {
    if (!HASH.test(request.lockId))
      throw new NodeError('BAD_INPUT', `A lock id is 0x and 64 lower-case hex digits, not ${request.lockId}.`);
    const [tx] = await this.ledger.db.query<{ type: string; events: LockedEvent[] | string }>(
      "SELECT type, events FROM txs WHERE hash = decode($1, 'hex')",
      [request.lockId.slice(2)],
    );
    // UNAVAILABLE: a signer's own node may be a block behind the relayer's; a lock that never was stays unsigned.
    if (!tx) throw new NodeError('UNAVAILABLE', `No committed transaction ${request.lockId} on this signer's ledger (yet): not signed.`);
    const events = typeof tx.events === 'string' ? (JSON.parse(tx.events) as LockedEvent[]) : tx.events;
    const locked = events.find((e) => e.type === 'bridgeLocked' && e.lockId === request.lockId.slice(2));
    if (tx.type !== 'bridgeLock' || !locked) throw new NodeError('FORBIDDEN', `Transaction ${request.lockId} is not a bridge lock.`);
    if (BigInt(locked.amount ?? -1) !== request.amount || locked.ethAddress !== request.to.toLowerCase()) {
      throw new NodeError(
        'CONFLICT',
        `Lock ${request.lockId} is ${locked.amount} to ${locked.ethAddress}, not ${request.amount} to ${request.to}: not signed.`,
      );
    }
    return signMint(this.#wallet, await this.contract.chainId(), this.contract.address, request);
  }

  /** This signer's approval of a release for a burn it found on Ethereum itself, deep enough; refuses any other. */
  async approveRelease(request: ReleaseRequest): Promise<Approval> {
    if (!HASH.test(request.ethTxHash)) throw new NodeError('BAD_INPUT', `A burn's hash is 0x and 64 lower-case hex digits.`);
    const receipt = await this.contract.canonicalReceipt(request.ethTxHash);
    if (!receipt) throw new NodeError('NOT_FOUND', `Transaction ${request.ethTxHash} is not on the canonical Ethereum chain.`);
    if (BigInt(receipt.status) !== 1n) throw new NodeError('FORBIDDEN', `Transaction ${request.ethTxHash} failed: it burned nothing.`);
    const burned = this.contract.burnsOf(receipt).find((b) => b.logIndex === request.logIndex);
    if (!burned) {
      throw new NodeError(
        'FORBIDDEN',
        `Log ${request.logIndex} of ${request.ethTxHash} is not a BridgeBurned of ${this.contract.address}.`,
      );
    }
    const depth = await this.contract.depth(burned.blockNumber);
    if (depth < this.confirmations) {
      throw new NodeError('UNAVAILABLE', `The burn has ${depth} of ${this.confirmations} confirmations; ask again later.`);
    }
    if (!isValidDid(burned.arcDid))
      throw new NodeError('FORBIDDEN', `The burn names ${burned.arcDid}, which is not a DID: never released.`);
    if (burned.arcDid !== request.to || burned.amount !== request.amount) {
      throw new NodeError(
        'CONFLICT',
        `The burn is ${burned.amount} to ${burned.arcDid}, not ${request.amount} to ${request.to}: not approved.`,
      );
    }
    return this.#approve(releaseItx(request));
  }

  #approve(itx: BridgeReleaseTx): Approval {
    return {
      did: this.did,
      publicKey: this.#key.publicKey,
      signature: signMessage(this.#key.secretKey, approvalDigest(this.ledger.chainId, itx)),
    };
  }
}

/** The release transaction of a burn, without approvals (what the signers approve). */
export function releaseItx(request: ReleaseRequest, approvals: Approval[] = []): BridgeReleaseTx {
  return {
    type: 'bridgeRelease',
    ethTxHash: fromHex(request.ethTxHash),
    logIndex: request.logIndex,
    to: request.to,
    amount: request.amount,
    approvals,
  };
}

/** What the relayer reaches of a signer (in process here; over the network when each signer runs on its own machine). */
export type BridgeSignerApi = Pick<BridgeSigner, 'did' | 'ethAddress' | 'signMint' | 'approveRelease'>;

/**
 * What asking the signers gave: the signatures, and a sentence per refusal. `retriable`: no signer refused for good
 * (not deep enough yet, a node behind, or simply too few signers reachable): asking again later may succeed.
 */
export interface Collected<T> {
  got: T[];
  refusals: string[];
  retriable: boolean;
}

/** Why `collected` is short of `threshold`, in a sentence for the transfer's reason. */
export function shortOf(collected: Collected<unknown>, threshold: number, what: string): string {
  const why = collected.refusals.length > 0 ? collected.refusals.join('; ') : 'no other signer of the set is reachable';
  return `${collected.got.length} of ${threshold} ${what}: ${why}`;
}

/** Asks the signers one after the other until `threshold` of them signed; a refusal is noted and the next is asked. */
export async function collect<T>(
  signers: BridgeSignerApi[],
  threshold: number,
  ask: (signer: BridgeSignerApi) => Promise<T>,
): Promise<Collected<T>> {
  const got: T[] = [];
  const refusals: string[] = [];
  let retriable = true;
  for (const signer of signers) {
    if (got.length >= threshold) break;
    try {
      got.push(await ask(signer));
    } catch (error) {
      // A signer's refusal is an answer, not a failure of the pass: it is recorded on the transfer.
      if (!isCoded(error)) throw error;
      refusals.push(`${signer.did}: ${error.message}`);
      retriable &&= error.retriable;
    }
  }
  return { got, refusals, retriable };
}

/** A coded refusal (a signer's, the contract's, the ledger's) is recorded on its transfer; anything else stops the pass. */
export function isCoded(error: unknown): error is NodeError | OcapError {
  return error instanceof NodeError || error instanceof OcapError;
}
