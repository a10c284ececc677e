import { common, ledger, peer } from '@hyperledger/fabric-protos';

const Code = peer.TxValidationCode;
type ValidationCode = peer.TxValidationCodeMap[keyof peer.TxValidationCodeMap];

/** A transaction envelope that fails a structural check, with the validation code Fabric's committer would give it. */
export class InvalidTransaction extends Error {
  override readonly name = 'InvalidTransaction';
  constructor(
    readonly code: ValidationCode,
    message: string,
  ) {
    super(message);
  }
}

/** An envelope opened down to its headers. */
export interface EnvelopeHeaders {
  envelope: common.Envelope;
  payload: common.Payload;
  channelHeader: common.ChannelHeader;
  signatureHeader: common.SignatureHeader;
}

/** One endorsed chaincode action of an endorser transaction. */
export interface EndorsedAction {
  /** The ProposalResponsePayload bytes the endorsers signed. */
  responsePayloadBytes: Uint8Array;
  responsePayload: peer.ProposalResponsePayload;
  chaincodeAction: peer.ChaincodeAction;
  endorsements: peer.Endorsement[];
}

/** One namespace's read-write set. */
export interface NamespaceRwSet {
  namespace: string;
  kv: ledger.rwset.kvrwset.KVRWSet;
}

function decodeAs<T>(code: ValidationCode, what: string, decoder: { deserializeBinary(bytes: Uint8Array): T }, bytes: Uint8Array): T {
  try {
    return decoder.deserializeBinary(bytes);
  } catch (error) {
    throw new InvalidTransaction(code, `${what} does not decode: ${(error as Error).message}`);
  }
}

export function openEnvelope(envelopeBytes: Uint8Array): EnvelopeHeaders {
  if (envelopeBytes.length === 0) throw new InvalidTransaction(Code.NIL_ENVELOPE, 'the envelope is empty');
  const envelope = decodeAs(Code.BAD_PAYLOAD, 'envelope', common.Envelope, envelopeBytes);
  return openEnvelopeMessage(envelope);
}

export function openEnvelopeMessage(envelope: common.Envelope): EnvelopeHeaders {
  const payload = decodeAs(Code.BAD_PAYLOAD, 'payload', common.Payload, envelope.getPayload_asU8());
  const header = payload.getHeader();
  if (!header) throw new InvalidTransaction(Code.BAD_COMMON_HEADER, 'the payload has no header');
  const channelHeader = decodeAs(Code.BAD_CHANNEL_HEADER, 'channel header', common.ChannelHeader, header.getChannelHeader_asU8());
  const signatureHeader = decodeAs(Code.BAD_COMMON_HEADER, 'signature header', common.SignatureHeader, header.getSignatureHeader_asU8());
  return { envelope, payload, channelHeader, signatureHeader };
}

/** The endorsed actions of an ENDORSER_TRANSACTION payload (Fabric accepts exactly one). */
export function endorsedActions(payload: common.Payload): EndorsedAction[] {
  const transaction = decodeAs(Code.BAD_PAYLOAD, 'transaction', peer.Transaction, payload.getData_asU8());
  const actions = transaction.getActionsList();
  if (actions.length !== 1)
    throw new InvalidTransaction(Code.NIL_TXACTION, `an endorser transaction has exactly one action, not ${actions.length}`);
  return actions.map((action) => {
    const actionPayload = decodeAs(Code.BAD_PAYLOAD, 'chaincode action payload', peer.ChaincodeActionPayload, action.getPayload_asU8());
    const endorsed = actionPayload.getAction();
    if (!endorsed) throw new InvalidTransaction(Code.NIL_TXACTION, 'the action has no endorsed action');
    const responsePayloadBytes = endorsed.getProposalResponsePayload_asU8();
    const responsePayload = decodeAs(
      Code.BAD_RESPONSE_PAYLOAD,
      'proposal response payload',
      peer.ProposalResponsePayload,
      responsePayloadBytes,
    );
    const chaincodeAction = decodeAs(
      Code.BAD_RESPONSE_PAYLOAD,
      'chaincode action',
      peer.ChaincodeAction,
      responsePayload.getExtension_asU8(),
    );
    return { responsePayloadBytes, responsePayload, chaincodeAction, endorsements: endorsed.getEndorsementsList() };
  });
}

/** The action's read-write sets, one per namespace. */
export function namespaceRwSets(action: peer.ChaincodeAction): NamespaceRwSet[] {
  const results = action.getResults_asU8();
  if (results.length === 0) return [];
  const txRwSet = decodeAs(Code.BAD_RWSET, 'read-write set', ledger.rwset.TxReadWriteSet, results);
  return txRwSet.getNsRwsetList().map((ns) => ({
    namespace: ns.getNamespace(),
    kv: decodeAs(Code.BAD_RWSET, `read-write set of ${ns.getNamespace()}`, ledger.rwset.kvrwset.KVRWSet, ns.getRwset_asU8()),
  }));
}

/** The action's chaincode event, if it carries a complete one (Fabric skips events without id, name or tx id). */
export function chaincodeEventOf(action: peer.ChaincodeAction): peer.ChaincodeEvent | undefined {
  const bytes = action.getEvents_asU8();
  if (bytes.length === 0) return undefined;
  try {
    const event = peer.ChaincodeEvent.deserializeBinary(bytes);
    return event.getChaincodeId() && event.getEventName() && event.getTxId() ? event : undefined;
  } catch {
    // A committed transaction whose event bytes do not decode simply has no event, as in Fabric's event iterator.
    return undefined;
  }
}
