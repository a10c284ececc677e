import { peer } from '@hyperledger/fabric-protos';
import type { ExecutionResult } from './chaincode-connection.ts';
import type { ChaincodeSupport } from './chaincode-support.ts';
import type { Ledger } from './ledger.ts';
import type { ChannelMembership } from './membership.ts';
import type { SigningIdentity } from './organization.ts';
import { ProposalError, type UnpackedProposal, unpackProposal, validateProposal } from './proposal.ts';
import { invokeQscc, QSCC } from './qscc.ts';
import { TxSimulation } from './simulation.ts';
import type { StateLock } from './state-lock.ts';

/**
 * What Fabric's `Endorser.ProcessProposal` returns: a ProposalResponse, and an error when the proposal failed
 * validation (Fabric returns both then; its gateway turns that pair into FAILED_PRECONDITION).
 */
export interface ProcessedProposal {
  response: peer.ProposalResponse;
  error?: string;
}

export interface EndorserDependencies {
  channelId: string;
  membership: ChannelMembership;
  ledger: Ledger;
  lock: StateLock;
  chaincodes: ChaincodeSupport;
  signer: SigningIdentity;
}

function failed(message: string, error?: string): ProcessedProposal {
  const response = new peer.Response();
  response.setStatus(500);
  response.setMessage(message);
  const proposalResponse = new peer.ProposalResponse();
  proposalResponse.setResponse(response);
  return error === undefined ? { response: proposalResponse } : { response: proposalResponse, error };
}

/**
 * The peer's endorser (core/endorser/endorser.go): unpacks and validates the signed proposal, simulates it (the
 * chaincode in its process, or qscc natively) under the shared state lock, and signs the ProposalResponsePayload
 * (proposal hash, read-write set, event, response, chaincode id) with the peer's identity, as Fabric's default ESCC.
 */
export class Endorser {
  constructor(private readonly deps: EndorserDependencies) {}

  async processProposal(signedProposal: peer.SignedProposal): Promise<ProcessedProposal> {
    let unpacked: UnpackedProposal;
    try {
      unpacked = unpackProposal(signedProposal);
    } catch (error) {
      if (!(error instanceof ProposalError)) throw error;
      return failed(error.message, error.message);
    }
    if (unpacked.channelId !== this.deps.channelId) return failed(`channel '${unpacked.channelId}' not found`);
    const invalid = validateProposal(unpacked, this.deps.membership);
    if (invalid) return failed(`error validating proposal: ${invalid}`, `error validating proposal: ${invalid}`);
    if (this.deps.ledger.transaction(unpacked.txId)) {
      const creator = Buffer.from(unpacked.signatureHeader.getCreator_asU8()).toString('hex');
      const message = `duplicate transaction found [${unpacked.txId}]. Creator [${creator}]`;
      return failed(message, message);
    }
    const version = unpacked.chaincodeName === QSCC.name ? QSCC.version : this.deps.chaincodes.definition(unpacked.chaincodeName)?.version;
    if (version === undefined) {
      return failed(
        `make sure the chaincode ${unpacked.chaincodeName} has been successfully defined on channel ${unpacked.channelId} and try again: chaincode definition for '${unpacked.chaincodeName}' cannot be found`,
      );
    }

    let simulated: { result: ExecutionResult; readWriteSet: Uint8Array };
    try {
      simulated = await this.deps.lock.shared(() => this.#simulate(unpacked));
    } catch (error) {
      return failed(`error in simulation: ${(error as Error).message}`);
    }
    const { result, readWriteSet } = simulated;
    const payload = responsePayload(unpacked, result, readWriteSet, version);
    const status = result.response.getStatus();
    const proposalResponse = new peer.ProposalResponse();
    proposalResponse.setResponse(result.response);
    if (status >= 500) {
      proposalResponse.setPayload(payload);
      return { response: proposalResponse };
    }
    if (status >= 400) return { response: proposalResponse };
    const endorsement = new peer.Endorsement();
    endorsement.setEndorser(this.deps.signer.serialized);
    endorsement.setSignature(this.deps.signer.sign(Buffer.concat([payload, this.deps.signer.serialized])));
    proposalResponse.setVersion(1);
    proposalResponse.setEndorsement(endorsement);
    proposalResponse.setPayload(payload);
    return { response: proposalResponse };
  }

  async #simulate(unpacked: UnpackedProposal): Promise<{ result: ExecutionResult; readWriteSet: Uint8Array }> {
    const simulation = new TxSimulation(this.deps.ledger.state, unpacked.txId);
    let result: ExecutionResult;
    if (unpacked.chaincodeName === QSCC.name) {
      result = { response: invokeQscc(unpacked.input.getArgsList_asU8(), this.deps.ledger, this.deps.channelId) };
    } else {
      result = await this.deps.chaincodes.execute(
        unpacked.chaincodeName,
        unpacked.input.getIsInit() ? 'INIT' : 'TRANSACTION',
        unpacked.channelId,
        unpacked.txId,
        unpacked.input,
        unpacked.signedProposal,
        simulation,
      );
    }
    return { result, readWriteSet: simulation.readWriteSet() };
  }
}

function responsePayload(unpacked: UnpackedProposal, result: ExecutionResult, readWriteSet: Uint8Array, version: string): Uint8Array {
  const chaincodeId = new peer.ChaincodeID();
  chaincodeId.setName(unpacked.chaincodeName);
  chaincodeId.setVersion(version);
  const action = new peer.ChaincodeAction();
  action.setResults(readWriteSet);
  action.setEvents(result.event ? result.event.serializeBinary() : new Uint8Array());
  action.setResponse(result.response);
  action.setChaincodeId(chaincodeId);
  const payload = new peer.ProposalResponsePayload();
  payload.setProposalHash(unpacked.proposalHash);
  payload.setExtension$(action.serializeBinary());
  return payload.serializeBinary();
}
