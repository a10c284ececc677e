import { createPrivateKey } from 'node:crypto';
import { Client, credentials } from '@grpc/grpc-js';
import { type ConnectOptions, connect, type Gateway, hash, type Signer, signers } from '@hyperledger/fabric-gateway';

/** How long a test client waits for each kind of call before giving up. */
export const CLIENT_TIMEOUTS_MS = { evaluate: 10_000, endorse: 30_000, submit: 10_000, commitStatus: 60_000 } as const;

export interface DevPeerConnection {
  gateway: Gateway;
  client: Client;
  /** Closes the gateway and its gRPC connection. */
  close(): void;
}

/**
 * A real fabric-gateway client for a development peer, signing as `identity` (the peer's client identity by default)
 * with ECDSA P-256 over SHA-256, as an application would. `signer` replaces the identity's own key (to test refusals).
 */
export function connectDevPeer(
  target: { endpoint: string; identity: { mspId: string; certificatePem: string; privateKeyPem: string } },
  options: { identity?: { mspId: string; certificatePem: string; privateKeyPem: string }; signer?: Signer } = {},
): DevPeerConnection {
  const identity = options.identity ?? target.identity;
  const client = new Client(target.endpoint, credentials.createInsecure());
  const connectOptions: ConnectOptions = {
    client,
    identity: { mspId: identity.mspId, credentials: Buffer.from(identity.certificatePem) },
    signer: options.signer ?? signers.newPrivateKeySigner(createPrivateKey(identity.privateKeyPem)),
    hash: hash.sha256,
    evaluateOptions: () => ({ deadline: Date.now() + CLIENT_TIMEOUTS_MS.evaluate }),
    endorseOptions: () => ({ deadline: Date.now() + CLIENT_TIMEOUTS_MS.endorse }),
    submitOptions: () => ({ deadline: Date.now() + CLIENT_TIMEOUTS_MS.submit }),
    commitStatusOptions: () => ({ deadline: Date.now() + CLIENT_TIMEOUTS_MS.commitStatus }),
  };
  const gateway = connect(connectOptions);
  return {
    gateway,
    client,
    close: () => {
      gateway.close();
      client.close();
    },
  };
}
