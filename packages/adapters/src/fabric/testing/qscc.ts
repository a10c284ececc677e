import { peer } from '@hyperledger/fabric-protos';
import type { Ledger } from './ledger.ts';

/** The system chaincode's name and the version Fabric reports for system chaincodes. */
export const QSCC = { name: 'qscc', version: 'syscc' } as const;

function success(payload: Uint8Array): peer.Response {
  const response = new peer.Response();
  response.setStatus(200);
  response.setPayload(payload);
  return response;
}

function failure(message: string): peer.Response {
  const response = new peer.Response();
  response.setStatus(500);
  response.setMessage(message);
  return response;
}

/**
 * Fabric's query system chaincode (core/scc/qscc/query.go), answered from the ledger: args are the function, the
 * channel name, then the function's argument. Responses carry the same proto bytes and error sentences as Fabric's.
 */
export function invokeQscc(args: Uint8Array[], ledger: Ledger, channelId: string): peer.Response {
  if (args.length < 2) return failure(`Incorrect number of arguments, ${args.length}`);
  const text = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? []).toString('utf8');
  const name = text(args[0]);
  const channel = text(args[1]);
  if (name !== 'GetChainInfo' && args.length < 3) return failure(`missing 3rd argument for ${name}`);
  if (channel !== channelId) return failure(`Invalid chain ID, ${channel}`);
  const argument = args[2] ?? new Uint8Array();
  switch (name) {
    case 'GetChainInfo':
      return success(ledger.blockchainInfo().serializeBinary());
    case 'GetBlockByNumber': {
      const digits = text(argument);
      if (!/^\d{1,20}$/.test(digits) || BigInt(digits) > 0xffffffffffffffffn) {
        return failure(`Failed to parse block number with error strconv.ParseUint: parsing "${digits}": invalid syntax`);
      }
      const block = ledger.block(Number(digits));
      return block
        ? success(block.serializeBinary())
        : failure(`Failed to get block number ${digits}, error no such block number [${digits}] in index`);
    }
    case 'GetBlockByHash': {
      const block = ledger.blockByHash(argument);
      return block
        ? success(block.serializeBinary())
        : failure(
            `Failed to get block hash ${text(argument)}, error no such block hash [${Buffer.from(argument).toString('hex')}] in index`,
          );
    }
    case 'GetTransactionByID': {
      const txId = text(argument);
      const processed = ledger.processedTransaction(txId);
      return processed
        ? success(processed.serializeBinary())
        : failure(`Failed to get transaction with id ${txId}, error no such transaction ID [${txId}] in index`);
    }
    case 'GetBlockByTxID': {
      const txId = text(argument);
      const record = ledger.transaction(txId);
      const block = record && ledger.block(record.blockNum);
      return block
        ? success(block.serializeBinary())
        : failure(`Failed to get block for txID ${txId}, error no such transaction ID [${txId}] in index`);
    }
    default:
      return failure(`Requested function ${name} not found.`);
  }
}
