import { type Approval, type BridgeReleaseTx, fromHex, OcapError } from '@arc/core';
import { NodeError } from '../../errors.ts';
import type { MintRequest, ReleaseRequest } from './options.ts';

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

/**
 * What the relayer reaches of a signer: a signer blocklet of this node (signer-blocklet.ts), or one on another
 * machine over HTTP. A signer signs nothing on the relayer's word: a mint only for a lock committed on its ledger with
 * exactly that amount and address; a release only for a burn of the bridge contract it reads from Ethereum itself,
 * deep enough, to a DID. Each refusal is a NodeError; UNAVAILABLE (retriable) when asking again later may pass.
 */
export interface BridgeSignerApi {
  /** The DID the ledger counts (in the chain's bridgeSigners). */
  readonly did: string;
  /** The address the contract counts (in its signer set). */
  readonly ethAddress: string;
  /** The EIP-712 signature of a mint. */
  signMint(request: MintRequest): Promise<string>;
  /** This signer's approval of a release. */
  approveRelease(request: ReleaseRequest): Promise<Approval>;
}

/** A coded refusal (a signer's, the contract's, the ledger's) is recorded on its transfer; anything else stops the pass. */
export function isCoded(error: unknown): error is NodeError | OcapError {
  return error instanceof NodeError || error instanceof OcapError;
}
