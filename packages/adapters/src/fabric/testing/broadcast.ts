import { common } from '@hyperledger/fabric-protos';
import type { ChannelMembership } from './membership.ts';
import { InvalidTransaction, openEnvelopeMessage } from './transaction.ts';

/** The largest transaction the orderer takes (Fabric's BatchSize.AbsoluteMaxBytes default is 10 MB). */
export const TX_BYTES_MAX = 10 * 1024 * 1024;

type StatusName = keyof common.StatusMap;

export interface BroadcastVerdict {
  status: StatusName;
  info: string;
}

/**
 * What Fabric's orderer checks on Broadcast before it orders a normal transaction (the StandardChannel message
 * processor's filters): not empty, not too large, addressed to its channel, and signed by a member allowed to write
 * (the channel's Writers policy). Anything else is for the committing peers to judge.
 */
export function checkBroadcast(envelope: common.Envelope, channelId: string, membership: ChannelMembership): BroadcastVerdict {
  const payloadBytes = envelope.getPayload_asU8();
  if (payloadBytes.length === 0) return { status: 'BAD_REQUEST', info: 'message was empty' };
  if (payloadBytes.length > TX_BYTES_MAX) {
    return {
      status: 'BAD_REQUEST',
      info: `message payload is ${payloadBytes.length} bytes and exceeds maximum allowed ${TX_BYTES_MAX} bytes`,
    };
  }
  let opened: ReturnType<typeof openEnvelopeMessage>;
  try {
    opened = openEnvelopeMessage(envelope);
  } catch (error) {
    if (!(error instanceof InvalidTransaction)) throw error;
    return { status: 'BAD_REQUEST', info: error.message };
  }
  const { channelHeader, signatureHeader } = opened;
  if (channelHeader.getChannelId() !== channelId) return { status: 'NOT_FOUND', info: `channel ${channelHeader.getChannelId()} not found` };
  if (channelHeader.getType() !== common.HeaderType.ENDORSER_TRANSACTION) {
    return {
      status: 'BAD_REQUEST',
      info: `the development peer orders endorser transactions only, not header type ${channelHeader.getType()}`,
    };
  }
  if (!membership.verify(signatureHeader.getCreator_asU8(), payloadBytes, envelope.getSignature_asU8()).ok) {
    return {
      status: 'FORBIDDEN',
      info: "implicit policy evaluation failed - 0 sub-policies were satisfied, but this policy requires 1 of the 'Writers' sub-policies to be satisfied: permission denied",
    };
  }
  return { status: 'SUCCESS', info: '' };
}
