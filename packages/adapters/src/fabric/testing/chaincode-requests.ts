import { peer } from '@hyperledger/fabric-protos';
import type { TxSimulation } from './simulation.ts';

const Type = peer.ChaincodeMessage.Type;

/**
 * Answers one ledger request a chaincode sends while it runs a transaction (GET_STATE, PUT_STATE, …) against that
 * transaction's simulation: the RESPONSE payload, or a thrown Error whose message becomes the ERROR payload the shim
 * raises to the contract. The sentences follow Fabric's peer where the shim shows them to a contract.
 */
export function answerChaincodeRequest(message: peer.ChaincodeMessage, simulation: TxSimulation, namespace: string): Uint8Array {
  const payload = message.getPayload_asU8();
  switch (message.getType()) {
    case Type.GET_STATE: {
      const request = peer.GetState.deserializeBinary(payload);
      refusePrivateData(request.getCollection(), namespace);
      return simulation.getState(namespace, request.getKey());
    }
    case Type.PUT_STATE: {
      const request = peer.PutState.deserializeBinary(payload);
      refusePrivateData(request.getCollection(), namespace);
      simulation.putState(namespace, checkedKey(request.getKey()), request.getValue_asU8());
      return new Uint8Array();
    }
    case Type.DEL_STATE: {
      const request = peer.DelState.deserializeBinary(payload);
      refusePrivateData(request.getCollection(), namespace);
      simulation.deleteState(namespace, checkedKey(request.getKey()));
      return new Uint8Array();
    }
    case Type.GET_STATE_BY_RANGE: {
      const request = peer.GetStateByRange.deserializeBinary(payload);
      refusePrivateData(request.getCollection(), namespace);
      return simulation.openRange(namespace, request.getStartkey(), request.getEndkey(), request.getMetadata_asU8()).serializeBinary();
    }
    case Type.QUERY_STATE_NEXT:
      return simulation.next(peer.QueryStateNext.deserializeBinary(payload).getId()).serializeBinary();
    case Type.QUERY_STATE_CLOSE:
      return simulation.close(peer.QueryStateClose.deserializeBinary(payload).getId()).serializeBinary();
    case Type.GET_HISTORY_FOR_KEY:
      return simulation.openHistory(namespace, peer.GetHistoryForKey.deserializeBinary(payload).getKey()).serializeBinary();
    case Type.GET_STATE_METADATA: {
      const request = peer.GetStateMetadata.deserializeBinary(payload);
      refusePrivateData(request.getCollection(), namespace);
      // No key ever carries metadata here (no state-based endorsement), which is what an empty result says.
      return new peer.StateMetadataResult().serializeBinary();
    }
    case Type.GET_QUERY_RESULT:
      // Rich queries need CouchDB; a LevelDB peer answers exactly this.
      throw new Error('ExecuteQuery not supported for leveldb');
    case Type.PUT_STATE_METADATA:
      throw new Error('state metadata (state-based endorsement) is not supported by the development peer');
    case Type.GET_PRIVATE_DATA_HASH:
    case Type.PURGE_PRIVATE_DATA:
      throw new Error('private data collections are not supported by the development peer');
    case Type.INVOKE_CHAINCODE:
      throw new Error('chaincode-to-chaincode invocation is not supported by the development peer');
    default:
      throw new Error(`[${message.getTxid()}] Fabric side handler cannot handle message (${message.getType()}) while in ready state`);
  }
}

function refusePrivateData(collection: string, namespace: string): void {
  if (collection !== '') {
    throw new Error(
      `private data collections are not supported by the development peer (collection "${collection}" of chaincode ${namespace})`,
    );
  }
}

/** Fabric's LevelDB state refuses what it cannot store as a key. */
function checkedKey(key: string): string {
  if (key === '') throw new Error('key must not be empty');
  return key;
}
