import { isOcapError, OcapError, type OcapErrorCode } from '@arc/core';
import { status as grpcStatus } from '@grpc/grpc-js';
import { CommitError, GatewayError, StatusCode } from '@hyperledger/fabric-gateway';
import { validationName } from './blocks.ts';

/** The codes the token chaincode starts its refusals with ("INSUFFICIENT_FUNDS: account … holds 5, 10 needed."). */
export const CHAINCODE_REFUSAL_CODES = ['INVALID_ARGUMENT', 'INVALID_ADDRESS', 'INSUFFICIENT_FUNDS', 'FORBIDDEN', 'NOT_FOUND'] as const;
const REFUSAL = new RegExp(`\\b(${CHAINCODE_REFUSAL_CODES.join('|')}): `);

/** Where the error happened: the message names it; `lookup` lets "not found" from qscc mean NOT_FOUND. */
export interface ErrorContext {
  /** What the adapter was doing, e.g. "submit Transfer on token" or "qscc GetBlockByNumber". */
  action: string;
  chainId?: string;
  lookup?: boolean;
}

/** Commit-time validation codes with a meaning of their own; every other invalid code is REVERTED. */
const COMMIT_CODES: Partial<Record<number, [OcapErrorCode, string]>> = {
  [StatusCode.MVCC_READ_CONFLICT]: [
    'NONCE_TOO_LOW',
    'another transaction in an earlier or the same block changed a key this one read; endorse it again',
  ],
  [StatusCode.PHANTOM_READ_CONFLICT]: ['NONCE_TOO_LOW', 'another transaction changed a key range this one read; endorse it again'],
  [StatusCode.DUPLICATE_TXID]: ['KNOWN_TRANSACTION', 'the ledger already holds a transaction with this id'],
  [StatusCode.ENDORSEMENT_POLICY_FAILURE]: ['FORBIDDEN', "the endorsements do not satisfy the chaincode's endorsement policy"],
  [StatusCode.BAD_CREATOR_SIGNATURE]: ['FORBIDDEN', "the creator's signature does not verify"],
};

/** The error for a transaction that was ordered but failed validation at commit (its status code names why). */
export function commitFailure(status: { code: number; transactionId: string }, context: ErrorContext, cause?: unknown): OcapError {
  const [code, why] = COMMIT_CODES[status.code] ?? ['REVERTED', 'the validators refused it'];
  return new OcapError(
    code,
    `Transaction ${status.transactionId} was ordered but not committed: ${validationName(status.code)}, ${why} (${context.action}).`,
    {
      cause: cause ?? status,
      chainId: context.chainId,
    },
  );
}

/** The messages of the peers and orderers behind a gateway error (its details), or its own message. */
export function errorDetails(error: unknown): string[] {
  const details = (error as { details?: unknown }).details;
  const messages = Array.isArray(details)
    ? details.map((d) => (d as { message?: unknown }).message).filter((m): m is string => typeof m === 'string' && m.length > 0)
    : [];
  const own = (error as { message?: unknown }).message;
  return messages.length > 0 ? messages : typeof own === 'string' ? [own] : [String(error)];
}

/** The chaincode's own words: what follows "chaincode response 500, " when present. */
export function chaincodeMessage(text: string): string {
  const match = /chaincode response \d+, ([\s\S]*)$/.exec(text);
  return (match?.[1] ?? text).trim();
}

/**
 * Maps anything the gateway client throws (EndorseError, SubmitError, CommitStatusError, CommitError, GatewayError,
 * a plain gRPC error) onto the OCAP taxonomy; the Fabric error is kept as `cause`.
 */
export function toOcapError(error: unknown, context: ErrorContext): OcapError {
  if (isOcapError(error)) return error;
  const options = { cause: error, chainId: context.chainId };
  const make = (code: OcapErrorCode, message: string) => new OcapError(code, message, options);
  if (error instanceof CommitError) return commitFailure(error, context, error);
  const code = (error as { code?: unknown }).code;
  if (!(error instanceof GatewayError) && (typeof code !== 'number' || !(error instanceof Error))) {
    return make('INTERNAL', `Unexpected failure talking to the Fabric gateway (${context.action}): ${String(error)}.`);
  }
  const said = errorDetails(error).join(' | ');
  const [ocapCode, why] = classify(code as number, said, context);
  const txId = (error as { transactionId?: unknown }).transactionId;
  const tx = typeof txId === 'string' && txId ? ` for transaction ${txId}` : '';
  return make(ocapCode, `${why}${tx} (${context.action}): ${said}`);
}

function classify(code: number, said: string, context: ErrorContext): [OcapErrorCode, string] {
  switch (code) {
    case grpcStatus.DEADLINE_EXCEEDED:
      return ['TIMEOUT', 'The Fabric gateway did not answer in time; a write may still commit'];
    case grpcStatus.UNAVAILABLE:
    case grpcStatus.CANCELLED:
    case grpcStatus.RESOURCE_EXHAUSTED:
      return ['UNAVAILABLE', 'The Fabric gateway peer cannot be reached or is busy'];
    case grpcStatus.PERMISSION_DENIED:
    case grpcStatus.UNAUTHENTICATED:
      return ['FORBIDDEN', 'The Fabric network refused this identity (access denied)'];
    case grpcStatus.UNIMPLEMENTED:
      return ['ADAPTER_UNSUPPORTED', 'The peer does not offer this Fabric Gateway call (a peer before v2.4, or the gateway is disabled)'];
    case grpcStatus.NOT_FOUND:
      return ['NOT_FOUND', 'The Fabric network does not know it'];
    case grpcStatus.INVALID_ARGUMENT:
      return ['INVALID_ARGUMENT', 'The Fabric gateway refused the request'];
    case grpcStatus.FAILED_PRECONDITION:
      return classifyPrecondition(said);
    case grpcStatus.ABORTED:
    case grpcStatus.UNKNOWN:
      return classifyChaincode(said, context);
    default:
      return ['INTERNAL', `The Fabric gateway failed (gRPC status ${code})`];
  }
}

/** FAILED_PRECONDITION: an identity the channel refuses, a chaincode or channel the peer lacks, or no peer to ask. */
function classifyPrecondition(said: string): [OcapErrorCode, string] {
  if (/access denied|creator org unknown|creator certificate is not valid|identity is not valid|signature/i.test(said)) {
    return ['FORBIDDEN', 'The Fabric network refused this identity (access denied)'];
  }
  if (
    /no metadata was found for chaincode|no peers available to (evaluate|endorse) chaincode|chaincode .* not found|could not find chaincode|not installed|channel .* not found|no such channel/i.test(
      said,
    )
  ) {
    return ['NOT_FOUND', 'The Fabric network has no such chaincode or channel (or no peer of it runs the chaincode)'];
  }
  return ['UNAVAILABLE', 'The Fabric gateway found no peer able to serve this now'];
}

/** A chaincode or endorsement failure (UNKNOWN from evaluate, ABORTED from endorse). */
function classifyChaincode(said: string, context: ErrorContext): [OcapErrorCode, string] {
  const words = chaincodeMessage(said);
  const refusal = REFUSAL.exec(said);
  if (refusal) return [refusal[1] as OcapErrorCode, 'The chaincode refused'];
  if (/access denied/i.test(said)) return ['FORBIDDEN', 'The Fabric network refused this identity (access denied)'];
  if (context.lookup && /not found|no such|does not exist|entry not found/i.test(said))
    return ['NOT_FOUND', 'The ledger holds no such entry'];
  if (/function that does not exist|contract name is not known/i.test(said))
    return ['INVALID_ARGUMENT', 'The chaincode has no such function'];
  if (/Expected \d+ parameters, but \d+ have been supplied/.test(said))
    return ['INVALID_ARGUMENT', 'The chaincode function takes other arguments'];
  if (/ProposalResponsePayloads do not match/i.test(said)) {
    return ['INTERNAL', 'The endorsing peers computed different results (the chaincode is not deterministic)'];
  }
  if (/chaincode stream terminated|could not launch chaincode|timeout expired while executing|failed to connect to chaincode/i.test(said)) {
    return ['UNAVAILABLE', 'The chaincode is not running or did not answer in time'];
  }
  return ['REVERTED', words ? 'The chaincode refused' : 'The endorsement failed'];
}
