import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { gateway, peer } from '@hyperledger/fabric-protos';
import { ChaincodeSupport } from './chaincode-support.ts';
import { Committer } from './committer.ts';
import { deliverHandlers } from './deliver-service.ts';
import { type DevPeerOptions, parseDevPeerOptions } from './dev-peer-options.ts';
import { Endorser } from './endorser.ts';
import type { GatewayContext } from './gateway-context.ts';
import { gatewayHandlers } from './gateway-service.ts';
import { genesisConfigEnvelope } from './genesis.ts';
import { Ledger } from './ledger.ts';
import { ChannelMembership } from './membership.ts';
import { Orderer } from './orderer.ts';
import { Organization, signingIdentity } from './organization.ts';
import { QSCC } from './qscc.ts';
import { StateLock } from './state-lock.ts';

/** The largest gRPC message the peer reads: above the orderer's largest transaction. */
export const GRPC_MESSAGE_BYTES_MAX = 16 * 1024 * 1024;

export interface DevPeerIdentity {
  /** The MSP folder: `signcerts/cert.pem`, `keystore/<ski>_sk`, `cacerts/ca.pem`. */
  dir: string;
  mspId: string;
  certificatePem: string;
  privateKeyPem: string;
}

export interface DevPeer {
  /** `127.0.0.1:<port>`, plaintext gRPC: Gateway, Deliver and ChaincodeSupport. */
  endpoint: string;
  channel: string;
  mspId: string;
  /** The MSP folder of the client identity `identity`. */
  identityDir: string;
  identity: { mspId: string; certificatePem: string; privateKeyPem: string };
  /** Issues (or, on a reused data folder, loads) another client identity of the organization. */
  newIdentity(name: string): Promise<DevPeerIdentity>;
  /** Blocks on the channel, the genesis block included. */
  height(): number;
  /** Kills the chaincode processes, closes the server and (for a temporary data folder) deletes it. */
  stop(): Promise<void>;
}

/**
 * Starts a development Fabric peer on 127.0.0.1 (a free port): one channel, one organization, a solo orderer and the
 * given chaincodes in child processes. See README.md for what it implements and what it leaves out.
 */
export async function startDevPeer(options: DevPeerOptions = {}): Promise<DevPeer> {
  const settings = parseDevPeerOptions(options);
  const log = settings.log ?? (() => {});
  const temporaryDir = settings.dataDir ? undefined : await mkdtemp(join(tmpdir(), 'fabric-dev-peer-'));
  const dataDir = settings.dataDir ?? (temporaryDir as string);
  // What stop() undoes, newest first; also run when starting fails half-way, so nothing is left behind.
  const undo: Array<() => unknown> = [];
  if (temporaryDir) undo.push(() => rm(temporaryDir, { recursive: true, force: true }));
  const stop = async () => {
    for (const step of undo.splice(0).reverse()) await step();
  };

  try {
    await mkdir(join(dataDir, 'ledger'), { recursive: true });
    const organization = await Organization.open(dataDir, settings.mspId);
    const domain = organization.caName.organization;
    const peerIdentity = signingIdentity(await organization.identity(`peer0.${domain}`, 'peer'));
    const client = await organization.identity(`User1@${domain}`, 'client');
    const membership = new ChannelMembership(settings.mspId, organization.caCertificate());

    const ledger = new Ledger(join(dataDir, 'ledger', `${settings.channel}.blocks`));
    undo.push(() => ledger.close());
    const lock = new StateLock();
    const chaincodes = new ChaincodeSupport(log, settings.log !== undefined);
    const isDefined = (name: string) => name === QSCC.name || chaincodes.definition(name) !== undefined;
    const committer = new Committer(ledger, lock, peerIdentity, settings.channel, membership, isDefined);
    ledger.load((block) => committer.replay(block));
    if (ledger.height() === 0) {
      await committer.commitGenesis(genesisConfigEnvelope(settings.channel, settings.mspId, organization.caCertificatePem, peerIdentity));
    }
    const cutting = { blockMaxTxs: settings.blockMaxTxs, blockCutMs: settings.blockCutMs };
    const orderer = new Orderer(cutting, (envelopes) => committer.commit(envelopes), log);
    const endorser = new Endorser({ channelId: settings.channel, membership, ledger, lock, chaincodes, signer: peerIdentity });

    // The address in error details is known once bound; the services are added before, as grpc-js expects.
    const context: GatewayContext = {
      channelId: settings.channel,
      mspId: settings.mspId,
      address: '',
      endorser,
      membership,
      ledger,
      orderer,
      isDefined,
    };
    const server = new Server({ 'grpc.max_receive_message_length': GRPC_MESSAGE_BYTES_MAX });
    server.addService(gateway.GatewayService, gatewayHandlers(context, log));
    server.addService(peer.DeliverService, deliverHandlers(context, log));
    server.addService(peer.ChaincodeSupportService, { register: chaincodes.register });
    undo.push(() => server.forceShutdown());
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, boundPort) =>
        error ? reject(error) : resolve(boundPort),
      );
    });
    const endpoint = `127.0.0.1:${port}`;
    context.address = endpoint;
    undo.push(() => chaincodes.stop());
    undo.push(() => orderer.stop());
    for (const chaincode of settings.chaincodes) await chaincodes.launch(chaincode, endpoint);
    log(`development peer on ${endpoint}: channel ${settings.channel}, ${settings.mspId}, height ${ledger.height()}, data in ${dataDir}`);

    return {
      endpoint,
      channel: settings.channel,
      mspId: settings.mspId,
      identityDir: client.dir,
      identity: { mspId: client.mspId, certificatePem: client.certificatePem, privateKeyPem: client.privateKeyPem },
      newIdentity: (name) => organization.identity(name, 'client'),
      height: () => ledger.height(),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
