import { createHash } from 'node:crypto';
import { common, peer } from '@hyperledger/fabric-protos';
import type { ChannelMembership } from './membership.ts';

/** A proposal that cannot be read; its message is what Fabric's UnpackProposal would say. */
export class ProposalError extends Error {
  override readonly name = 'ProposalError';
}

/** A signed proposal opened up, as Fabric's endorser holds it (core/endorser/msgvalidation.go). */
export interface UnpackedProposal {
  signedProposal: peer.SignedProposal;
  header: common.Header;
  channelHeader: common.ChannelHeader;
  signatureHeader: common.SignatureHeader;
  /** From the header's ChaincodeHeaderExtension, which is what the endorser runs. */
  chaincodeName: string;
  input: peer.ChaincodeInput;
  proposalPayload: peer.ChaincodeProposalPayload;
  /** SHA-256(channel header ‖ signature header ‖ payload without transient data): bound into the response. */
  proposalHash: Buffer;
  channelId: string;
  txId: string;
}

/** Decodes with a proto class, turning the decoder's exceptions into a ProposalError that names what failed. */
export function decode<T>(what: string, decoder: { deserializeBinary(bytes: Uint8Array): T }, bytes: Uint8Array): T {
  try {
    return decoder.deserializeBinary(bytes);
  } catch (error) {
    throw new ProposalError(`error unmarshalling ${what}: ${(error as Error).message}`);
  }
}

export function unpackProposal(signedProposal: peer.SignedProposal): UnpackedProposal {
  const proposal = decode('Proposal', peer.Proposal, signedProposal.getProposalBytes_asU8());
  const header = decode('Header', common.Header, proposal.getHeader_asU8());
  const channelHeader = decode('ChannelHeader', common.ChannelHeader, header.getChannelHeader_asU8());
  const signatureHeader = decode('SignatureHeader', common.SignatureHeader, header.getSignatureHeader_asU8());
  const extension = decode('ChaincodeHeaderExtension', peer.ChaincodeHeaderExtension, channelHeader.getExtension_asU8());
  const chaincodeId = extension.getChaincodeId();
  if (!chaincodeId) throw new ProposalError('ChaincodeHeaderExtension.ChaincodeId is nil');
  if (chaincodeId.getName() === '') throw new ProposalError('ChaincodeHeaderExtension.ChaincodeId.Name is empty');
  const proposalPayload = decode('ChaincodeProposalPayload', peer.ChaincodeProposalPayload, proposal.getPayload_asU8());
  const invocation = decode('ChaincodeInvocationSpec', peer.ChaincodeInvocationSpec, proposalPayload.getInput_asU8());
  const spec = invocation.getChaincodeSpec();
  if (!spec) throw new ProposalError('chaincode invocation spec did not contain chaincode spec');
  const input = spec.getInput();
  if (!input) throw new ProposalError('chaincode input did not contain any input');
  return {
    signedProposal,
    header,
    channelHeader,
    signatureHeader,
    chaincodeName: chaincodeId.getName(),
    input,
    proposalPayload,
    proposalHash: proposalHash(header, proposalPayload),
    channelId: channelHeader.getChannelId(),
    txId: channelHeader.getTxId(),
  };
}

/** The payload as it goes into the transaction: the input without the transient map. */
export function withoutTransient(payload: peer.ChaincodeProposalPayload): Uint8Array {
  const stripped = new peer.ChaincodeProposalPayload();
  stripped.setInput(payload.getInput_asU8());
  return stripped.serializeBinary();
}

function proposalHash(header: common.Header, payload: peer.ChaincodeProposalPayload): Buffer {
  return createHash('sha256')
    .update(header.getChannelHeader_asU8())
    .update(header.getSignatureHeader_asU8())
    .update(withoutTransient(payload))
    .digest();
}

/** Fabric's transaction id: hex(SHA-256(nonce ‖ creator)). */
export function computeTxId(nonce: Uint8Array, creator: Uint8Array): string {
  return createHash('sha256').update(nonce).update(creator).digest('hex');
}

/**
 * Fabric's UnpackedProposal.Validate: header type, epoch, nonce, creator, transaction id, then the creator's
 * membership and signature. Returns the refusal sentence, or undefined when the proposal is valid.
 */
export function validateProposal(unpacked: UnpackedProposal, membership: ChannelMembership): string | undefined {
  const type = unpacked.channelHeader.getType();
  if (type !== common.HeaderType.ENDORSER_TRANSACTION && type !== common.HeaderType.CONFIG) return `invalid header type ${type}`;
  if (unpacked.channelHeader.getEpoch() !== 0) return 'epoch is non-zero';
  const nonce = unpacked.signatureHeader.getNonce_asU8();
  const creator = unpacked.signatureHeader.getCreator_asU8();
  if (nonce.length === 0) return 'nonce is empty';
  if (creator.length === 0) return 'creator is empty';
  const expectedTxId = computeTxId(nonce, creator);
  if (unpacked.txId !== expectedTxId) return `incorrectly computed txid '${unpacked.txId}' -- expected '${expectedTxId}'`;
  if (unpacked.signedProposal.getSignature_asU8().length === 0) return 'empty signature bytes';
  const check = membership.verify(creator, unpacked.signedProposal.getProposalBytes_asU8(), unpacked.signedProposal.getSignature_asU8());
  if (check.ok) return undefined;
  if (check.problem === 'malformed') return `access denied: channel [${unpacked.channelId}] creator org unknown, creator is malformed`;
  return `access denied: channel [${unpacked.channelId}] creator org [${check.mspId}]`;
}
