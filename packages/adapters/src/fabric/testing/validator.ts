import { common, peer } from '@hyperledger/fabric-protos';
import type { ChannelMembership } from './membership.ts';
import { computeTxId } from './proposal.ts';
import { RANGE_QUERY_RESULTS_MAX } from './simulation.ts';
import { endorsedActions, InvalidTransaction, type NamespaceRwSet, namespaceRwSets, openEnvelope } from './transaction.ts';
import { compareKeys, sameVersion, type Version, type WorldState } from './world-state.ts';

const Code = peer.TxValidationCode;

export interface ValidationContext {
  channelId: string;
  membership: ChannelMembership;
  state: WorldState;
  /** Whether a transaction id is already committed on the channel. */
  isCommitted(txId: string): boolean;
  /** Whether a chaincode is defined on the channel. */
  isDefined(chaincodeName: string): boolean;
}

export interface Validated {
  code: number;
  txId: string;
  rwSets: NamespaceRwSet[];
  timestamp: { seconds: number; nanos: number };
}

/**
 * Judges one transaction of a block the way a Fabric peer's committer does, in its order: the envelope and its
 * headers, the creator's signature, the transaction id, duplicates, the endorsement policy (one valid signature by a
 * peer of the channel's organization over the response payload), then MVCC: every key read must still be at the
 * version read, and every range query must still return the same keys at the same versions (no phantoms). `state`
 * must already hold the writes of the valid transactions before this one in the block.
 */
export function validateTransaction(envelopeBytes: Uint8Array, seenInBlock: Set<string>, context: ValidationContext): Validated {
  let txId = '';
  try {
    const { envelope, payload, channelHeader, signatureHeader } = openEnvelope(envelopeBytes);
    txId = channelHeader.getTxId();
    const timestamp = { seconds: channelHeader.getTimestamp()?.getSeconds() ?? 0, nanos: channelHeader.getTimestamp()?.getNanos() ?? 0 };
    if (channelHeader.getChannelId() !== context.channelId) throw new InvalidTransaction(Code.TARGET_CHAIN_NOT_FOUND, 'another channel');
    if (channelHeader.getType() !== common.HeaderType.ENDORSER_TRANSACTION)
      throw new InvalidTransaction(Code.UNKNOWN_TX_TYPE, 'not an endorser transaction');
    const creator = signatureHeader.getCreator_asU8();
    if (!context.membership.verify(creator, envelope.getPayload_asU8(), envelope.getSignature_asU8()).ok) {
      throw new InvalidTransaction(Code.BAD_CREATOR_SIGNATURE, 'the creator signature does not verify');
    }
    if (txId !== computeTxId(signatureHeader.getNonce_asU8(), creator)) throw new InvalidTransaction(Code.BAD_PROPOSAL_TXID, 'wrong txid');
    if (seenInBlock.has(txId) || context.isCommitted(txId)) throw new InvalidTransaction(Code.DUPLICATE_TXID, 'duplicate txid');
    seenInBlock.add(txId);
    const [action] = endorsedActions(payload);
    if (!action) throw new InvalidTransaction(Code.NIL_TXACTION, 'no action');
    const chaincodeName = action.chaincodeAction.getChaincodeId()?.getName() ?? '';
    if (!context.isDefined(chaincodeName))
      throw new InvalidTransaction(Code.INVALID_CHAINCODE, `chaincode ${chaincodeName} is not defined`);
    if (!endorsementPolicySatisfied(action.responsePayloadBytes, action.endorsements, context.membership)) {
      throw new InvalidTransaction(Code.ENDORSEMENT_POLICY_FAILURE, 'no valid endorsement by a peer of the organization');
    }
    const rwSets = namespaceRwSets(action.chaincodeAction);
    for (const { namespace, kv } of rwSets) {
      if (namespace !== chaincodeName && kv.getWritesList().length > 0)
        throw new InvalidTransaction(Code.ILLEGAL_WRITESET, `writes to ${namespace}`);
    }
    const conflict = mvccConflict(rwSets, context.state);
    return { code: conflict ?? Code.VALID, txId, rwSets, timestamp };
  } catch (error) {
    if (!(error instanceof InvalidTransaction)) throw error;
    return { code: error.code, txId, rwSets: [], timestamp: { seconds: 0, nanos: 0 } };
  }
}

/** Writes a valid transaction's write set into the state at version (block, tx), with each key's history. */
export function applyWrites(state: WorldState, validated: Validated, version: Version): void {
  for (const { namespace, kv } of validated.rwSets) {
    for (const write of kv.getWritesList()) {
      const key = write.getKey();
      const value = write.getValue_asU8();
      if (write.getIsDelete()) state.delete(namespace, key);
      else state.put(namespace, key, value, version);
      state.recordChange(namespace, key, { txId: validated.txId, value, isDelete: write.getIsDelete(), timestamp: validated.timestamp });
    }
  }
}

/** Fabric's default endorsement policy with one organization: a majority (one) of its peers signed prp ‖ endorser. */
function endorsementPolicySatisfied(responsePayload: Uint8Array, endorsements: peer.Endorsement[], membership: ChannelMembership): boolean {
  return endorsements.some((endorsement) => {
    const endorser = endorsement.getEndorser_asU8();
    const check = membership.verify(endorser, Buffer.concat([responsePayload, endorser]), endorsement.getSignature_asU8());
    return check.ok && check.certificate.subject.split('\n').includes('OU=peer');
  });
}

function mvccConflict(rwSets: NamespaceRwSet[], state: WorldState): number | undefined {
  for (const { namespace, kv } of rwSets) {
    for (const read of kv.getReadsList()) {
      if (!sameVersion(state.get(namespace, read.getKey())?.version, versionOf(read))) return Code.MVCC_READ_CONFLICT;
    }
  }
  for (const { namespace, kv } of rwSets) {
    for (const range of kv.getRangeQueriesInfoList()) {
      const reads = range.getRawReads()?.getKvReadsList() ?? [];
      const lastRead = reads[reads.length - 1];
      let current = state.range(namespace, range.getStartKey(), range.getEndKey(), RANGE_QUERY_RESULTS_MAX);
      // An iterator the chaincode left before its end only vouches for the keys up to the last one it saw.
      if (!range.getItrExhausted()) current = lastRead ? current.filter(([key]) => compareKeys(key, lastRead.getKey()) <= 0) : [];
      if (current.length !== reads.length) return Code.PHANTOM_READ_CONFLICT;
      for (let index = 0; index < reads.length; index += 1) {
        const [key, value] = current[index] as [string, { version: Version }];
        const read = reads[index] as (typeof reads)[number];
        if (key !== read.getKey() || !sameVersion(value.version, versionOf(read))) return Code.PHANTOM_READ_CONFLICT;
      }
    }
  }
  return undefined;
}

function versionOf(read: { getVersion(): { getBlockNum(): number; getTxNum(): number } | undefined }): Version | undefined {
  const version = read.getVersion();
  return version ? { blockNum: version.getBlockNum(), txNum: version.getTxNum() } : undefined;
}
