import { OcapError, type OcapErrorCode } from '@arc/core';
import { BitcoinRpcError, BitcoinTransportError } from './rpc.ts';

/** Bitcoin Core RPC error codes the adapter tells apart (src/rpc/protocol.h). */
export const CORE_RPC = {
  INVALID_ADDRESS_OR_KEY: -5,
  INVALID_PARAMETER: -8,
  DESERIALIZATION_ERROR: -22,
  VERIFY_ERROR: -25,
  VERIFY_REJECTED: -26,
  VERIFY_ALREADY_IN_CHAIN: -27,
  IN_WARMUP: -28,
  METHOD_NOT_FOUND: -32601,
} as const;

/**
 * What the failed call was about, which decides what a -5 or -8 means: an unknown block or transaction
 * (NOT_FOUND), an address the node refused (INVALID_ADDRESS), or a transaction sent for relay.
 */
export type RpcContext = 'lookup' | 'address' | 'send';

/** Maps a node or transport failure onto an OcapError, keeping the original as `cause`. */
export function toOcapError(error: unknown, context: RpcContext, chainId?: string): OcapError {
  if (error instanceof OcapError) return error;
  const options = { cause: error, chainId };
  if (error instanceof BitcoinTransportError) {
    if (error.kind === 'timeout') return new OcapError('TIMEOUT', `The Bitcoin node did not answer in time: ${error.message}.`, options);
    if (error.status === 401 || error.status === 403) {
      return new OcapError(
        'UNAVAILABLE',
        `The Bitcoin node refused the RPC credentials (HTTP ${error.status}); check user and password.`,
        options,
      );
    }
    return new OcapError('UNAVAILABLE', `The Bitcoin node is unavailable: ${error.message}.`, options);
  }
  if (!(error instanceof BitcoinRpcError))
    return new OcapError('INTERNAL', `Unexpected failure talking to the Bitcoin node: ${String(error)}.`, options);
  const [code, message] = classify(error, context);
  return new OcapError(code, message, options);
}

function classify(error: BitcoinRpcError, context: RpcContext): [OcapErrorCode, string] {
  const said = `${error.method}: ${error.message} (${error.code})`;
  switch (error.code) {
    case CORE_RPC.INVALID_ADDRESS_OR_KEY:
      if (context === 'address') return ['INVALID_ADDRESS', `The Bitcoin node refused the address: ${said}.`];
      return ['NOT_FOUND', `The Bitcoin node does not know it: ${said}.`];
    case CORE_RPC.INVALID_PARAMETER:
      if (context === 'lookup' && /out of range/i.test(error.message)) return ['NOT_FOUND', `No such block: ${said}.`];
      if (/already in progress/i.test(error.message))
        return ['UNAVAILABLE', `The Bitcoin node is busy with another UTXO scan; retry: ${said}.`];
      return ['INVALID_ARGUMENT', `The Bitcoin node refused a parameter: ${said}.`];
    case CORE_RPC.DESERIALIZATION_ERROR:
      return ['INVALID_ARGUMENT', `The Bitcoin node cannot decode the transaction: ${said}.`];
    case CORE_RPC.VERIFY_ALREADY_IN_CHAIN:
      return ['KNOWN_TRANSACTION', `The chain already holds this transaction: ${said}.`];
    case CORE_RPC.VERIFY_ERROR:
    case CORE_RPC.VERIFY_REJECTED:
      return classifyRejection(error.message, said);
    case CORE_RPC.IN_WARMUP:
      return ['UNAVAILABLE', `The Bitcoin node is still starting: ${said}.`];
    case CORE_RPC.METHOD_NOT_FOUND:
      return ['ADAPTER_UNSUPPORTED', `The Bitcoin node does not offer ${error.method}; the adapter needs it (${said}).`];
    default:
      return ['INTERNAL', `The Bitcoin node failed: ${said}.`];
  }
}

/** A transaction the node would not relay, by its reject reason. */
function classifyRejection(reason: string, said: string): [OcapErrorCode, string] {
  if (/missingorspent|txn-mempool-conflict|missing inputs/i.test(reason)) {
    return ['NONCE_TOO_LOW', `An input of the transaction is already spent (the UTXO form of a used nonce): ${said}.`];
  }
  if (/fee/i.test(reason) && !/exceeds maximum/i.test(reason))
    return ['FEE_TOO_LOW', `The fee is below what the node accepts now: ${said}.`];
  if (/in-belowout|premature-spend-of-coinbase/i.test(reason)) return ['INSUFFICIENT_FUNDS', `The inputs cannot pay the outputs: ${said}.`];
  if (/too-long-mempool-chain/i.test(reason)) {
    return ['UNAVAILABLE', `The node holds too many unconfirmed ancestors of this transaction; retry after the next block: ${said}.`];
  }
  return ['INVALID_ARGUMENT', `The Bitcoin node rejected the transaction: ${said}.`];
}
