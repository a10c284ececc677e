import type { ServerDuplexStream } from '@grpc/grpc-js';
import type { peer } from '@hyperledger/fabric-protos';
import { ChaincodeConnection, type ExecutionResult } from './chaincode-connection.ts';
import { CHAINCODE_START_TIMEOUT_MS, type ChaincodeProcess, checkChaincodeFolder, spawnChaincode } from './chaincode-process.ts';
import type { TxSimulation } from './simulation.ts';

/** A chaincode installed and approved on the channel: its name, the definition's version and its code folder. */
export interface ChaincodeDefinition {
  name: string;
  version: string;
  path: string;
}

/** Chaincode streams open at once (registered or still handshaking): a bound on what a stranger can open. */
export const CHAINCODE_STREAMS_MAX = 64;

/**
 * The peer's chaincode side: launches each defined chaincode as a child process, accepts its `Register` stream (only
 * for the ids it launched), and runs transactions in it.
 */
export class ChaincodeSupport {
  readonly #definitions = new Map<string, ChaincodeDefinition>();
  readonly #processes = new Map<string, ChaincodeProcess>();
  readonly #connections = new Map<string, ChaincodeConnection>();
  readonly #awaiting = new Map<string, (connection: ChaincodeConnection) => void>();
  readonly #streams = new Set<ChaincodeConnection>();

  constructor(
    private readonly log: (line: string) => void,
    private readonly verbose: boolean,
  ) {}

  /** The gRPC handler of `protos.ChaincodeSupport/Register`. */
  readonly register = (call: ServerDuplexStream<peer.ChaincodeMessage, peer.ChaincodeMessage>): void => {
    if (this.#streams.size >= CHAINCODE_STREAMS_MAX) {
      call.end();
      return;
    }
    const connection = new ChaincodeConnection(
      call,
      (chaincodeId, registering) => this.#accept(chaincodeId, registering),
      (closed) => this.#closed(closed),
      this.log,
    );
    this.#streams.add(connection);
  };

  definition(name: string): ChaincodeDefinition | undefined {
    return this.#definitions.get(name);
  }

  /** Starts the chaincode's process and waits until it has registered. */
  async launch(definition: ChaincodeDefinition, peerAddress: string): Promise<void> {
    const chaincodeId = `${definition.name}:${definition.version}`;
    if (this.#definitions.has(definition.name)) throw new Error(`chaincode ${definition.name} is defined twice`);
    await checkChaincodeFolder(definition.path);
    this.#definitions.set(definition.name, definition);
    const registered = new Promise<ChaincodeConnection>((resolve) => this.#awaiting.set(chaincodeId, resolve));
    const child = spawnChaincode({ chaincodeId, path: definition.path, peerAddress, log: this.log, verbose: this.verbose });
    this.#processes.set(definition.name, child);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`no registration within ${CHAINCODE_START_TIMEOUT_MS} ms`), CHAINCODE_START_TIMEOUT_MS);
    });
    const outcome = await Promise.race([registered, child.exited, timedOut]);
    clearTimeout(timer);
    if (typeof outcome === 'string') {
      this.#awaiting.delete(chaincodeId);
      await child.stop();
      throw new Error(`chaincode ${chaincodeId} at ${definition.path} did not start (${outcome}):\n${child.outputTail()}`);
    }
  }

  /** Runs a transaction in a running chaincode; rejects with Fabric-like sentences when it cannot. */
  async execute(
    name: string,
    kind: 'INIT' | 'TRANSACTION',
    channelId: string,
    txId: string,
    input: peer.ChaincodeInput,
    signedProposal: peer.SignedProposal,
    simulation: TxSimulation,
  ): Promise<ExecutionResult> {
    const connection = this.#connections.get(name);
    const definition = this.#definitions.get(name);
    if (!connection || !definition) throw new Error(`could not launch chaincode ${name}: chaincode is not running`);
    return connection.execute(kind, channelId, txId, input, signedProposal, simulation, name);
  }

  /** Kills every chaincode process and closes their streams. */
  async stop(): Promise<void> {
    for (const connection of this.#streams) connection.close();
    await Promise.all([...this.#processes.values()].map((child) => child.stop()));
  }

  #accept(chaincodeId: string, connection: ChaincodeConnection): string | undefined {
    const resolve = this.#awaiting.get(chaincodeId);
    if (!resolve) return `chaincode ${chaincodeId} was not launched by this peer`;
    this.#awaiting.delete(chaincodeId);
    const name = chaincodeId.slice(0, chaincodeId.lastIndexOf(':'));
    this.#connections.set(name, connection);
    resolve(connection);
    return undefined;
  }

  #closed(connection: ChaincodeConnection): void {
    this.#streams.delete(connection);
    const id = connection.chaincodeId;
    if (id === undefined) return;
    const name = id.slice(0, id.lastIndexOf(':'));
    if (this.#connections.get(name) === connection) {
      this.#connections.delete(name);
      this.log(`chaincode ${id} disconnected`);
    }
  }
}
