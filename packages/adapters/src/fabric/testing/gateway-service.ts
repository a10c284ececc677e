import type { ServerUnaryCall, ServerWritableStream, sendUnaryData, UntypedServiceImplementation } from '@grpc/grpc-js';
import { gateway } from '@hyperledger/fabric-protos';
import { blockChaincodeEvents, commitStatus, openChaincodeEvents, submit } from './gateway-commit.ts';
import type { GatewayContext } from './gateway-context.ts';
import { endorse, evaluate } from './gateway-endorse.ts';
import { GatewayFailure, serviceError } from './gateway-failure.ts';
import { writeMessage } from './stream-write.ts';

/** The handlers of `gateway.Gateway`, for `server.addService(gateway.GatewayService, …)`. */
export function gatewayHandlers(context: GatewayContext, log: (line: string) => void): UntypedServiceImplementation {
  /** Runs a unary call; a GatewayFailure is the answer, anything else is a peer bug answered as INTERNAL and logged. */
  function unary<Request, Response>(work: (request: Request, signal: AbortSignal) => Response | Promise<Response>) {
    return (call: ServerUnaryCall<Request, Response>, callback: sendUnaryData<Response>) => {
      const abort = new AbortController();
      call.on('cancelled', () => abort.abort());
      Promise.resolve()
        .then(() => work(call.request, abort.signal))
        .then(
          (response) => callback(null, response),
          (error: unknown) => {
            if (!(error instanceof GatewayFailure)) log(`gateway: ${call.getPath()} failed: ${(error as Error)?.stack ?? error}`);
            callback(serviceError(error));
          },
        );
    };
  }

  const chaincodeEvents = (call: ServerWritableStream<gateway.SignedChaincodeEventsRequest, gateway.ChaincodeEventsResponse>) => {
    const abort = new AbortController();
    call.on('cancelled', () => abort.abort());
    const stream = async () => {
      const { startBlock, matches } = openChaincodeEvents(context, call.request);
      for await (const block of context.ledger.blocksFrom(startBlock, abort.signal)) {
        const events = blockChaincodeEvents(block).filter(matches);
        if (events.length === 0) continue;
        const response = new gateway.ChaincodeEventsResponse();
        response.setEventsList(events);
        response.setBlockNumber(block.getHeader()?.getNumber() ?? 0);
        await writeMessage(call, response, abort.signal);
      }
    };
    stream().catch((error: unknown) => {
      if (abort.signal.aborted) return;
      if (!(error instanceof GatewayFailure)) log(`gateway: ChaincodeEvents failed: ${(error as Error)?.stack ?? error}`);
      call.emit('error', serviceError(error));
    });
  };

  return {
    evaluate: unary((request: gateway.EvaluateRequest) => evaluate(context, request)),
    endorse: unary((request: gateway.EndorseRequest) => endorse(context, request)),
    submit: unary((request: gateway.SubmitRequest) => submit(context, request)),
    commitStatus: unary((request: gateway.SignedCommitStatusRequest, signal) => commitStatus(context, request, signal)),
    chaincodeEvents,
  };
}
