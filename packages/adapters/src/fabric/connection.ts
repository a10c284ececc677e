import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { OcapError } from '@arc/core';
import * as grpc from '@grpc/grpc-js';
import { connect, type Gateway, type Network, type Status, type Transaction } from '@hyperledger/fabric-gateway';
import { type FabricConnectionSettings, parseEndpoint } from './config.ts';
import { pemBody } from './der.ts';
import { type ErrorContext, toOcapError } from './errors.ts';
import { type FabricSigner, signingOf } from './identity.ts';

/** Largest gRPC message accepted: the peer's own default (blocks can be large). */
export const FABRIC_MESSAGE_BYTES_MAX = 100 * 1024 * 1024;

/** A chaincode call: the function, its arguments, and optionally transient data and the organisations to endorse. */
export interface ChaincodeCall {
  chaincode: string;
  fn: string;
  args?: Array<string | Uint8Array>;
  transientData?: Record<string, string | Uint8Array>;
  endorsingOrganizations?: string[];
}

/** A transaction the orderer accepted: its id, the chaincode's result at endorsement, and its commit status to come. */
export interface Submitted {
  txId: string;
  result: Uint8Array;
  /** Resolves once the peer committed the block holding it (successfully or not); rejects on a failed status request. */
  commit: Promise<Status>;
}

async function readTlsFile(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new OcapError(
      'INVALID_ARGUMENT',
      `Cannot read the TLS ${what} file ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
      {
        cause: error,
      },
    );
  }
}

/**
 * One gRPC channel to the gateway peer, shared by a Gateway per signer (the gateway client signs every request
 * with its signer's key). Deadlines on every unary call come from the settings; event streams have none.
 */
export class FabricConnection {
  readonly #client: grpc.Client;
  readonly #tlsCertificateHash: Uint8Array | undefined;
  readonly #gateways = new Map<FabricSigner, Gateway>();

  private constructor(
    readonly settings: FabricConnectionSettings,
    client: grpc.Client,
    tlsCertificateHash: Uint8Array | undefined,
  ) {
    this.#client = client;
    this.#tlsCertificateHash = tlsCertificateHash;
  }

  /** Reads the TLS files (when configured) and opens the channel; the first call reaches the peer. */
  static async open(settings: FabricConnectionSettings): Promise<FabricConnection> {
    const endpoint = parseEndpoint(settings);
    const options: grpc.ChannelOptions = {
      'grpc.max_receive_message_length': FABRIC_MESSAGE_BYTES_MAX,
      'grpc.max_send_message_length': FABRIC_MESSAGE_BYTES_MAX,
    };
    if (!endpoint.tls)
      return new FabricConnection(settings, new grpc.Client(endpoint.target, grpc.credentials.createInsecure(), options), undefined);
    const tls = settings.tls ?? {};
    if (Boolean(tls.clientCertPath) !== Boolean(tls.clientKeyPath)) {
      throw new OcapError('INVALID_ARGUMENT', 'Mutual TLS needs both tls.clientCertPath and tls.clientKeyPath.');
    }
    const [root, clientCert, clientKey] = await Promise.all([
      tls.caCertPath ? readTlsFile(tls.caCertPath, 'CA certificate') : null,
      tls.clientCertPath ? readTlsFile(tls.clientCertPath, 'client certificate') : null,
      tls.clientKeyPath ? readTlsFile(tls.clientKeyPath, 'client key') : null,
    ]);
    if (tls.serverNameOverride) {
      options['grpc.ssl_target_name_override'] = tls.serverNameOverride;
      options['grpc.default_authority'] = tls.serverNameOverride;
    }
    const credentials = grpc.credentials.createSsl(root, clientKey, clientCert);
    const clientDer = clientCert ? pemBody(clientCert.toString('utf8'), 'CERTIFICATE') : undefined;
    const hash = clientDer ? createHash('sha256').update(clientDer).digest() : undefined;
    return new FabricConnection(settings, new grpc.Client(endpoint.target, credentials, options), hash);
  }

  /** The gateway of a signer, kept while it is among the `gatewaysMax` most recently used. */
  gateway(signer: FabricSigner): Gateway {
    const existing = this.#gateways.get(signer);
    if (existing) {
      this.#gateways.delete(signer);
      this.#gateways.set(signer, existing);
      return existing;
    }
    const { sign, hash } = signingOf(signer);
    const s = this.settings;
    const deadline = (ms: number) => () => ({ deadline: Date.now() + ms });
    const gateway = connect({
      client: this.#client,
      identity: signer.identity,
      signer: sign,
      hash,
      tlsClientCertificateHash: this.#tlsCertificateHash,
      evaluateOptions: deadline(s.evaluateTimeoutMs),
      endorseOptions: deadline(s.endorseTimeoutMs),
      submitOptions: deadline(s.submitTimeoutMs),
      commitStatusOptions: deadline(s.commitStatusTimeoutMs),
    });
    this.#gateways.set(signer, gateway);
    if (this.#gateways.size > s.gatewaysMax) {
      const [oldest, old] = this.#gateways.entries().next().value as [FabricSigner, Gateway];
      this.#gateways.delete(oldest);
      old.close();
    }
    return gateway;
  }

  network(signer: FabricSigner): Network {
    return this.gateway(signer).getNetwork(this.settings.channel);
  }

  /** Runs the call on one endorsing peer without ordering it. */
  async evaluate(signer: FabricSigner, call: ChaincodeCall, context: ErrorContext): Promise<Uint8Array> {
    try {
      return await this.network(signer)
        .getContract(call.chaincode)
        .evaluate(call.fn, {
          arguments: call.args ?? [],
          transientData: call.transientData,
          endorsingOrganizations: call.endorsingOrganizations,
        });
    } catch (error) {
      throw toOcapError(error, context);
    }
  }

  /** Collects endorsements for the call; the result is signed and ready to submit (or to hand elsewhere as bytes). */
  async endorse(signer: FabricSigner, call: ChaincodeCall, context: ErrorContext): Promise<Transaction> {
    const proposal = this.network(signer)
      .getContract(call.chaincode)
      .newProposal(call.fn, {
        arguments: call.args ?? [],
        transientData: call.transientData,
        endorsingOrganizations: call.endorsingOrganizations,
      });
    try {
      return await proposal.endorse();
    } catch (error) {
      throw toOcapError(error, { ...context, action: `${context.action}, transaction ${proposal.getTransactionId()}` });
    }
  }

  /** Sends an endorsed transaction to the orderer and starts asking for its commit status. */
  async submitEndorsed(transaction: Transaction, context: ErrorContext): Promise<Submitted> {
    const txId = transaction.getTransactionId();
    let submitted: Awaited<ReturnType<Transaction['submit']>>;
    try {
      submitted = await transaction.submit();
    } catch (error) {
      throw toOcapError(error, { ...context, action: `${context.action}, transaction ${txId}` });
    }
    const commit = submitted.getStatus();
    // Whoever waits on `commit` sees its failure; this handler only keeps an unobserved one from crashing the process.
    commit.then(
      () => undefined,
      () => undefined,
    );
    return { txId, result: submitted.getResult(), commit };
  }

  /** Endorses and submits; returns once the orderer accepted it. */
  async submit(signer: FabricSigner, call: ChaincodeCall, context: ErrorContext): Promise<Submitted> {
    return this.submitEndorsed(await this.endorse(signer, call, context), context);
  }

  /** Rebuilds an endorsed, signed transaction from its bytes (Transaction.getBytes()) through `signer`'s gateway. */
  preparedTransaction(signer: FabricSigner, bytes: Uint8Array): Transaction {
    return this.gateway(signer).newTransaction(bytes);
  }

  close(): void {
    for (const gateway of this.#gateways.values()) gateway.close();
    this.#gateways.clear();
    this.#client.close();
  }
}
