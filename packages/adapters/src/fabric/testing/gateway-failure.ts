import { Metadata, type ServerErrorResponse, status } from '@grpc/grpc-js';
import { gateway, google } from '@hyperledger/fabric-protos';
import { TooManyWaiters } from './ledger.ts';

/** Which endpoint said what: a `gateway.ErrorDetail`, as Fabric's gateway attaches per endorser or orderer. */
export interface EndpointError {
  address: string;
  mspId: string;
  message: string;
}

/**
 * A refusal the gateway answers with a gRPC status, a message and, like Fabric's gateway (newRpcError), the
 * endpoints' errors as `gateway.ErrorDetail`s packed in a `google.rpc.Status` in the `grpc-status-details-bin`
 * trailer: what fabric-gateway's clients decode into GatewayError/EndorseError/SubmitError/CommitStatusError.details.
 */
export class GatewayFailure extends Error {
  override readonly name = 'GatewayFailure';
  constructor(
    readonly code: status,
    message: string,
    readonly details: EndpointError[] = [],
  ) {
    super(message);
  }

  toServiceError(): ServerErrorResponse {
    const metadata = new Metadata();
    if (this.details.length > 0) {
      const rpcStatus = new google.rpc.Status();
      rpcStatus.setCode(this.code);
      rpcStatus.setMessage(this.message);
      for (const detail of this.details) {
        const errorDetail = new gateway.ErrorDetail();
        errorDetail.setAddress(detail.address);
        errorDetail.setMspId(detail.mspId);
        errorDetail.setMessage(detail.message);
        const any = rpcStatus.addDetails();
        any.setTypeUrl('type.googleapis.com/gateway.ErrorDetail');
        any.setValue(errorDetail.serializeBinary());
      }
      metadata.set('grpc-status-details-bin', Buffer.from(rpcStatus.serializeBinary()));
    }
    return Object.assign(new Error(this.message), { code: this.code, details: this.message, metadata });
  }
}

/** Any error as what a unary handler or stream ends with: a GatewayFailure as built, anything else as INTERNAL. */
export function serviceError(error: unknown): ServerErrorResponse {
  if (error instanceof GatewayFailure) return error.toServiceError();
  if (error instanceof TooManyWaiters) return new GatewayFailure(status.RESOURCE_EXHAUSTED, error.message).toServiceError();
  return new GatewayFailure(status.INTERNAL, `development peer failure: ${(error as Error)?.message ?? String(error)}`).toServiceError();
}
