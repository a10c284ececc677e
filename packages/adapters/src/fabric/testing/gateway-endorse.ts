import { status } from '@grpc/grpc-js';
import { common, gateway, peer } from '@hyperledger/fabric-protos';
import type { ProcessedProposal } from './endorser.ts';
import type { GatewayContext } from './gateway-context.ts';
import { GatewayFailure } from './gateway-failure.ts';
import { decode, withoutTransient } from './proposal.ts';

/**
 * The gateway's Evaluate and Endorse (fabric internal/pkg/gateway: evaluate.go, endorse.go, apiutils.go) with this
 * peer as the only endorser: the same checks in the same order, the same gRPC codes, messages and error details.
 */

interface ProposalTarget {
  channelId: string;
  chaincodeName: string;
  header: common.Header;
  payload: peer.ChaincodeProposalPayload;
}

/** The gateway's own reading of a proposal (getChannelAndChaincodeFromSignedProposal); throws its sentences. */
function proposalTarget(signedProposal: peer.SignedProposal | undefined): ProposalTarget {
  if (!signedProposal || signedProposal.getProposalBytes_asU8().length === 0) throw new Error('a signed proposal is required');
  const proposal = decode('Proposal', peer.Proposal, signedProposal.getProposalBytes_asU8());
  const header = decode('Header', common.Header, proposal.getHeader_asU8());
  const channelHeader = decode('ChannelHeader', common.ChannelHeader, header.getChannelHeader_asU8());
  const payload = decode('ChaincodeProposalPayload', peer.ChaincodeProposalPayload, proposal.getPayload_asU8());
  const spec = decode('ChaincodeInvocationSpec', peer.ChaincodeInvocationSpec, payload.getInput_asU8()).getChaincodeSpec();
  const channelId = channelHeader.getChannelId();
  if (channelId === '') throw new Error('no channel id provided');
  if (!spec) throw new Error(`no chaincode spec is provided, channel id [${channelId}]`);
  const chaincodeId = spec.getChaincodeId();
  if (!chaincodeId) throw new Error(`no chaincode id is provided, channel id [${channelId}]`);
  if (chaincodeId.getName() === '') throw new Error(`no chaincode name is provided, channel id [${channelId}]`);
  return { channelId, chaincodeName: chaincodeId.getName(), header, payload };
}

/**
 * Fabric gateway's responseStatus: how an endorser's answer maps to a gRPC code, and whether another endorser could
 * be tried (there is none here, but it picks the message Fabric uses).
 */
function responseStatus(processed: ProcessedProposal): { code: status; message: string; retry: boolean } {
  if (processed.error !== undefined) return { code: status.FAILED_PRECONDITION, message: processed.error, retry: false };
  const response = processed.response.getResponse();
  const responseStatusCode = response?.getStatus() ?? 0;
  const message = response?.getMessage() ?? '';
  if (responseStatusCode < 200 || responseStatusCode >= 400) {
    if (processed.response.getPayload_asU8().length === 0 && responseStatusCode === 500) {
      // An error made by the peer rather than by the chaincode.
      return { code: status.ABORTED, message, retry: true };
    }
    return { code: status.UNKNOWN, message: `chaincode response ${responseStatusCode}, ${message}`, retry: false };
  }
  return { code: status.OK, message: '', retry: false };
}

export async function evaluate(context: GatewayContext, request: gateway.EvaluateRequest): Promise<gateway.EvaluateResponse> {
  const signedProposal = request.getProposedTransaction();
  let target: ProposalTarget;
  try {
    target = proposalTarget(signedProposal);
  } catch (error) {
    throw new GatewayFailure(status.INVALID_ARGUMENT, `failed to unpack transaction proposal: ${(error as Error).message}`);
  }
  const targets = request.getTargetOrganizationsList();
  if (
    target.channelId !== context.channelId ||
    !context.isDefined(target.chaincodeName) ||
    (targets.length > 0 && !targets.includes(context.mspId))
  ) {
    throw new GatewayFailure(
      status.FAILED_PRECONDITION,
      `no peers available to evaluate chaincode ${target.chaincodeName} in channel ${target.channelId}`,
    );
  }
  const processed = await context.endorser.processProposal(signedProposal as peer.SignedProposal);
  const { code, message, retry } = responseStatus(processed);
  if (code !== status.OK) {
    const details = [{ address: context.address, mspId: context.mspId, message }];
    if (retry) throw new GatewayFailure(code, 'failed to evaluate transaction, see attached details for more info', details);
    throw new GatewayFailure(code, `evaluate call to endorser returned error: ${message}`, details);
  }
  const response = processed.response.getResponse() as peer.Response;
  // Prefer the result from the proposal response payload, as Fabric does: Response.payload need not be the result.
  const action = peer.ChaincodeAction.deserializeBinary(
    peer.ProposalResponsePayload.deserializeBinary(processed.response.getPayload_asU8()).getExtension_asU8(),
  );
  response.setPayload(action.getResponse()?.getPayload_asU8() ?? new Uint8Array());
  const evaluateResponse = new gateway.EvaluateResponse();
  evaluateResponse.setResult(response);
  return evaluateResponse;
}

export async function endorse(context: GatewayContext, request: gateway.EndorseRequest): Promise<gateway.EndorseResponse> {
  const signedProposal = request.getProposedTransaction();
  if (!signedProposal || signedProposal.getProposalBytes_asU8().length === 0) {
    throw new GatewayFailure(status.INVALID_ARGUMENT, 'the proposed transaction must contain a signed proposal');
  }
  let target: ProposalTarget;
  try {
    target = proposalTarget(signedProposal);
  } catch (error) {
    throw new GatewayFailure(status.INVALID_ARGUMENT, (error as Error).message);
  }
  const organizations = request.getEndorsingOrganizationsList();
  const strangers = organizations.filter((organization) => organization !== context.mspId);
  if (strangers.length > 0)
    throw new GatewayFailure(status.UNAVAILABLE, `failed to find any endorsing peers for org(s): ${strangers.join(', ')}`);
  if (target.channelId !== context.channelId || !context.isDefined(target.chaincodeName)) {
    throw new GatewayFailure(
      status.FAILED_PRECONDITION,
      `no combination of peers can be derived which satisfy the endorsement policy: required chaincodes are not installed on sufficient peers`,
    );
  }
  const processed = await context.endorser.processProposal(signedProposal);
  const { code, message } = responseStatus(processed);
  if (code !== status.OK) {
    throw new GatewayFailure(status.ABORTED, 'failed to endorse transaction, see attached details for more info', [
      { address: context.address, mspId: context.mspId, message },
    ]);
  }
  const endorseResponse = new gateway.EndorseResponse();
  endorseResponse.setPreparedTransaction(preparedTransaction(target, processed.response));
  return endorseResponse;
}

/** Fabric gateway's prepareTransaction: the unsigned transaction envelope built from the proposal and endorsement. */
function preparedTransaction(target: ProposalTarget, proposalResponse: peer.ProposalResponse): common.Envelope {
  const endorsedAction = new peer.ChaincodeEndorsedAction();
  endorsedAction.setProposalResponsePayload(proposalResponse.getPayload_asU8());
  endorsedAction.setEndorsementsList([proposalResponse.getEndorsement() as peer.Endorsement]);
  const actionPayload = new peer.ChaincodeActionPayload();
  actionPayload.setChaincodeProposalPayload(withoutTransient(target.payload));
  actionPayload.setAction(endorsedAction);
  const action = new peer.TransactionAction();
  action.setHeader(target.header.getSignatureHeader_asU8());
  action.setPayload(actionPayload.serializeBinary());
  const transaction = new peer.Transaction();
  transaction.setActionsList([action]);
  const payload = new common.Payload();
  payload.setHeader(target.header);
  payload.setData(transaction.serializeBinary());
  const envelope = new common.Envelope();
  envelope.setPayload(payload.serializeBinary());
  return envelope;
}
