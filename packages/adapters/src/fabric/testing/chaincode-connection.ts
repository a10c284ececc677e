import type { ServerDuplexStream } from '@grpc/grpc-js';
import { peer } from '@hyperledger/fabric-protos';
import { answerChaincodeRequest } from './chaincode-requests.ts';
import type { TxSimulation } from './simulation.ts';

const Type = peer.ChaincodeMessage.Type;

/** How long a chaincode may take for one transaction (Fabric's `chaincode.executetimeout` default). */
export const CHAINCODE_EXECUTE_TIMEOUT_MS = 30_000;
/** Transactions one chaincode may be running at once. */
export const CHAINCODE_EXECUTIONS_IN_FLIGHT_MAX = 1_000;
/** Fabric's message when the chaincode's stream ends mid-transaction; its gateway matches on this suffix. */
export const CHAINCODE_STREAM_TERMINATED = 'chaincode stream terminated';

export interface ExecutionResult {
  response: peer.Response;
  /** The event the chaincode set, with its chaincode id and transaction id filled in as Fabric does. */
  event?: peer.ChaincodeEvent;
}

interface Execution {
  simulation: TxSimulation;
  namespace: string;
  resolve: (result: ExecutionResult) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * The peer's side of one chaincode's `ChaincodeSupport.Register` stream: the REGISTER → REGISTERED → READY handshake,
 * then TRANSACTION/INIT messages out, ledger requests answered against the transaction's simulation, COMPLETED or
 * ERROR back. Anything the chaincode sends out of turn gets an ERROR message, never an exception in the peer.
 */
export class ChaincodeConnection {
  #chaincodeId: string | undefined;
  #closed = false;
  readonly #executions = new Map<string, Execution>();

  constructor(
    private readonly call: ServerDuplexStream<peer.ChaincodeMessage, peer.ChaincodeMessage>,
    /** Accepts or refuses a registering chaincode id (refusal: the sentence to send back). */
    private readonly register: (chaincodeId: string, connection: ChaincodeConnection) => string | undefined,
    private readonly onClose: (connection: ChaincodeConnection) => void,
    private readonly log: (line: string) => void,
  ) {
    call.on('data', (message: peer.ChaincodeMessage) => this.#receive(message));
    call.on('end', () => this.close());
    call.on('error', () => this.close());
    call.on('cancelled', () => this.close());
  }

  get chaincodeId(): string | undefined {
    return this.#chaincodeId;
  }

  /** Runs one transaction (or Init) in the chaincode and settles with its COMPLETED response or its failure. */
  execute(
    kind: 'INIT' | 'TRANSACTION',
    channelId: string,
    txId: string,
    input: peer.ChaincodeInput,
    signedProposal: peer.SignedProposal,
    simulation: TxSimulation,
    namespace: string,
  ): Promise<ExecutionResult> {
    const contextId = `${channelId}${txId}`;
    if (this.#closed) return Promise.reject(new Error(CHAINCODE_STREAM_TERMINATED));
    if (this.#executions.has(contextId)) return Promise.reject(new Error(`txid: ${txId}(${channelId}) exists`));
    if (this.#executions.size >= CHAINCODE_EXECUTIONS_IN_FLIGHT_MAX) {
      return Promise.reject(new Error(`chaincode ${namespace} is already running ${CHAINCODE_EXECUTIONS_IN_FLIGHT_MAX} transactions`));
    }
    return new Promise<ExecutionResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#executions.delete(contextId);
        reject(new Error('timeout expired while executing transaction'));
      }, CHAINCODE_EXECUTE_TIMEOUT_MS);
      this.#executions.set(contextId, { simulation, namespace, resolve, reject, timer });
      const message = new peer.ChaincodeMessage();
      message.setType(kind === 'INIT' ? Type.INIT : Type.TRANSACTION);
      message.setPayload(input.serializeBinary());
      message.setTxid(txId);
      message.setChannelId(channelId);
      message.setProposal(signedProposal);
      this.#send(message);
    });
  }

  /** Ends the stream and fails whatever was still running in it. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const [contextId, execution] of this.#executions) {
      clearTimeout(execution.timer);
      execution.reject(new Error(CHAINCODE_STREAM_TERMINATED));
      this.#executions.delete(contextId);
    }
    try {
      this.call.end();
    } catch (error) {
      this.log(`chaincode stream: closing failed: ${(error as Error).message}`);
    }
    this.onClose(this);
  }

  #receive(message: peer.ChaincodeMessage): void {
    try {
      if (this.#chaincodeId === undefined) this.#handshake(message);
      else this.#handle(message);
    } catch (error) {
      this.#reply(message, Type.ERROR, Buffer.from((error as Error).message));
    }
  }

  #handshake(message: peer.ChaincodeMessage): void {
    if (message.getType() !== Type.REGISTER) {
      throw new Error(`chaincode has not registered yet: the first message must be REGISTER, not ${message.getType()}`);
    }
    const chaincodeId = peer.ChaincodeID.deserializeBinary(message.getPayload_asU8()).getName();
    const refusal = this.register(chaincodeId, this);
    if (refusal) {
      this.#reply(message, Type.ERROR, Buffer.from(refusal));
      this.close();
      return;
    }
    this.#chaincodeId = chaincodeId;
    this.log(`chaincode ${chaincodeId} registered`);
    this.#reply(message, Type.REGISTERED, new Uint8Array());
    this.#reply(message, Type.READY, new Uint8Array());
  }

  #handle(message: peer.ChaincodeMessage): void {
    const type = message.getType();
    if (type === Type.KEEPALIVE) return;
    const contextId = `${message.getChannelId()}${message.getTxid()}`;
    const execution = this.#executions.get(contextId);
    if (!execution) throw new Error(`[${message.getTxid()}] failed to get transaction context`);
    if (type === Type.COMPLETED || type === Type.ERROR) {
      this.#executions.delete(contextId);
      clearTimeout(execution.timer);
      if (type === Type.ERROR) {
        execution.reject(new Error(`transaction returned with failure: ${Buffer.from(message.getPayload_asU8()).toString()}`));
        return;
      }
      let response: peer.Response;
      try {
        response = peer.Response.deserializeBinary(message.getPayload_asU8());
      } catch (error) {
        execution.reject(new Error(`chaincode sent a COMPLETED message that is not a Response: ${(error as Error).message}`));
        return;
      }
      const event = message.getChaincodeEvent();
      if (event) {
        event.setChaincodeId(execution.namespace);
        event.setTxId(message.getTxid());
      }
      execution.resolve(event ? { response, event } : { response });
      return;
    }
    this.#reply(message, Type.RESPONSE, answerChaincodeRequest(message, execution.simulation, execution.namespace));
  }

  #reply(to: peer.ChaincodeMessage, type: number, payload: Uint8Array): void {
    const message = new peer.ChaincodeMessage();
    message.setType(type as peer.ChaincodeMessage.TypeMap[keyof peer.ChaincodeMessage.TypeMap]);
    message.setPayload(payload);
    message.setTxid(to.getTxid());
    message.setChannelId(to.getChannelId());
    this.#send(message);
  }

  #send(message: peer.ChaincodeMessage): void {
    if (this.#closed) return;
    this.call.write(message);
  }
}
