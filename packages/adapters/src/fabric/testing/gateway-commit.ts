import { status } from '@grpc/grpc-js';
import { common, gateway, orderer, type peer } from '@hyperledger/fabric-protos';
import { transactionsFilter } from './block.ts';
import { checkBroadcast } from './broadcast.ts';
import type { GatewayContext } from './gateway-context.ts';
import { GatewayFailure } from './gateway-failure.ts';
import { chaincodeEventOf, endorsedActions, openEnvelope } from './transaction.ts';

/**
 * The gateway's Submit, CommitStatus and ChaincodeEvents (fabric internal/pkg/gateway: submit.go, commitstatus.go,
 * chaincodeevents.go) over this peer's own orderer and ledger.
 */

/** Fabric's answer when a signed request fails the channel's Readers policy (its default provider's sentence). */
function readersRefusal(channelId: string): GatewayFailure {
  return new GatewayFailure(
    status.PERMISSION_DENIED,
    `Failed evaluating policy on signed data during check policy on channel [${channelId}] with policy [/Channel/Application/Readers]: [implicit policy evaluation failed - 0 sub-policies were satisfied, but this policy requires 1 of the 'Readers' sub-policies to be satisfied]`,
  );
}

export function submit(context: GatewayContext, request: gateway.SubmitRequest): gateway.SubmitResponse {
  const envelope = request.getPreparedTransaction();
  if (!envelope) throw new GatewayFailure(status.INVALID_ARGUMENT, 'a prepared transaction is required');
  if (envelope.getSignature_asU8().length === 0) throw new GatewayFailure(status.INVALID_ARGUMENT, 'prepared transaction must be signed');
  if (request.getChannelId() !== context.channelId)
    throw new GatewayFailure(status.FAILED_PRECONDITION, `channel does not exist: ${request.getChannelId()}`);
  let verdict = checkBroadcast(envelope, context.channelId, context.membership);
  if (verdict.status === 'SUCCESS') {
    const queued = context.orderer.enqueue(envelope.serializeBinary());
    if (!queued.ok) verdict = { status: 'SERVICE_UNAVAILABLE', info: queued.reason };
  }
  if (verdict.status === 'SUCCESS') return new gateway.SubmitResponse();
  const message = `received unsuccessful response from orderer: status=${verdict.status}, info=${verdict.info}`;
  const code = common.Status[verdict.status];
  if (code >= 400 && code < 500) throw new GatewayFailure(status.ABORTED, message);
  throw new GatewayFailure(status.UNAVAILABLE, 'no orderers could successfully process transaction', [
    { address: context.address, mspId: context.mspId, message },
  ]);
}

export async function commitStatus(
  context: GatewayContext,
  signedRequest: gateway.SignedCommitStatusRequest,
  signal: AbortSignal,
): Promise<gateway.CommitStatusResponse> {
  const requestBytes = signedRequest.getRequest_asU8();
  if (requestBytes.length === 0) throw new GatewayFailure(status.INVALID_ARGUMENT, 'a commit status request is required');
  let request: gateway.CommitStatusRequest;
  try {
    request = gateway.CommitStatusRequest.deserializeBinary(requestBytes);
  } catch (error) {
    throw new GatewayFailure(status.INVALID_ARGUMENT, `invalid status request: ${(error as Error).message}`);
  }
  if (request.getIdentity_asU8().length === 0) throw new GatewayFailure(status.INVALID_ARGUMENT, 'no identity provided');
  if (request.getChannelId() === '') throw new GatewayFailure(status.INVALID_ARGUMENT, 'no channel ID provided');
  if (request.getTransactionId() === '') throw new GatewayFailure(status.INVALID_ARGUMENT, 'transaction ID should not be empty');
  if (
    request.getChannelId() !== context.channelId ||
    !context.membership.verify(request.getIdentity_asU8(), requestBytes, signedRequest.getSignature_asU8()).ok
  ) {
    throw readersRefusal(request.getChannelId());
  }
  // As Fabric's commit finder: answer at once if committed, otherwise wait for the block (or the caller's deadline).
  const record = await context.ledger.waitForTransaction(request.getTransactionId(), signal);
  if (!record) throw new GatewayFailure(status.CANCELLED, 'the commit status request was cancelled before the transaction committed');
  const response = new gateway.CommitStatusResponse();
  response.setResult(record.code as peer.TxValidationCodeMap[keyof peer.TxValidationCodeMap]);
  response.setBlockNumber(record.blockNum);
  return response;
}

/** Parses and authorizes a chaincode events request; returns its first block and its event filter. */
export function openChaincodeEvents(
  context: GatewayContext,
  signedRequest: gateway.SignedChaincodeEventsRequest,
): { startBlock: number; matches: (event: peer.ChaincodeEvent) => boolean } {
  const requestBytes = signedRequest.getRequest_asU8();
  if (requestBytes.length === 0) throw new GatewayFailure(status.INVALID_ARGUMENT, 'a chaincode events request is required');
  let request: gateway.ChaincodeEventsRequest;
  try {
    request = gateway.ChaincodeEventsRequest.deserializeBinary(requestBytes);
  } catch (error) {
    throw new GatewayFailure(status.INVALID_ARGUMENT, `invalid chaincode events request: ${(error as Error).message}`);
  }
  if (!context.membership.verify(request.getIdentity_asU8(), requestBytes, signedRequest.getSignature_asU8()).ok) {
    throw readersRefusal(request.getChannelId());
  }
  if (request.getChannelId() !== context.channelId)
    throw new GatewayFailure(status.NOT_FOUND, `channel ${request.getChannelId()} not found`);
  const chaincodeId = request.getChaincodeId();
  const afterTxId = request.getAfterTransactionId();
  const afterRecord = afterTxId === '' ? undefined : context.ledger.transaction(afterTxId);
  let startBlock: number;
  if (afterRecord) startBlock = afterRecord.blockNum;
  else {
    const position = request.getStartPosition();
    const type = position?.getTypeCase() ?? orderer.SeekPosition.TypeCase.TYPE_NOT_SET;
    if (type === orderer.SeekPosition.TypeCase.SPECIFIED) startBlock = position?.getSpecified()?.getNumber() ?? 0;
    else if (type === orderer.SeekPosition.TypeCase.NEXT_COMMIT || type === orderer.SeekPosition.TypeCase.TYPE_NOT_SET)
      startBlock = context.ledger.height();
    else throw new GatewayFailure(status.INVALID_ARGUMENT, `invalid start position type: ${type}`);
  }
  // Resuming after a checkpointed transaction: skip events up to and including it, as Fabric's matcher does.
  let passedAfterTx = afterTxId === '';
  const matches = (event: peer.ChaincodeEvent): boolean => {
    if (!passedAfterTx) {
      if (event.getTxId() === afterTxId) passedAfterTx = true;
      return false;
    }
    return event.getChaincodeId() === chaincodeId;
  };
  return { startBlock, matches };
}

/** The chaincode events of a block's valid transactions, in transaction order. */
export function blockChaincodeEvents(block: common.Block): peer.ChaincodeEvent[] {
  const filter = transactionsFilter(block);
  const events: peer.ChaincodeEvent[] = [];
  block
    .getData()
    ?.getDataList_asU8()
    .forEach((envelopeBytes, txNum) => {
      if (filter[txNum] !== 0) return;
      const { payload, channelHeader } = openEnvelope(envelopeBytes);
      if (channelHeader.getType() !== common.HeaderType.ENDORSER_TRANSACTION) return;
      for (const action of endorsedActions(payload)) {
        const event = chaincodeEventOf(action.chaincodeAction);
        if (event) events.push(event);
      }
    });
  return events;
}
