import { challengeMessage, signAdmin, signMessage, toHex } from '@arc/core';
import { io, type Socket } from 'socket.io-client';
import type { NodeClient } from './client.ts';
import type { Signer } from './wallet.ts';

/** Logs a DID in through gateway.challenge / gateway.login (tRPC) and answers its session token. */
export async function gatewayLogin(client: NodeClient, signer: Signer): Promise<string> {
  const { nonce, timeMs } = await client.gateway.challenge.mutate();
  const signature = toHex(signMessage(signer.secretKey, challengeMessage(nonce, timeMs)));
  const { token } = await client.gateway.login.mutate({ did: signer.did, publicKey: toHex(signer.publicKey), nonce, timeMs, signature });
  return token;
}

/** A new API key of the application `app` (its own DID signs the request). */
export async function gatewayApiKey(client: NodeClient, app: Signer, keyId: string): Promise<string> {
  const auth = signAdmin(app, 'gateway.createApiKey', app.did, { keyId }, Date.now());
  return (await client.gateway.createApiKey.mutate({ appDid: app.did, keyId, auth })).apiKey;
}

/** Sets the application's topic rules (its own DID signs the request). */
export async function gatewayTopicRules(
  client: NodeClient,
  app: Signer,
  rules: { name: string; publish: 'owner' | 'authenticated' | 'anyone'; subscribe: 'owner' | 'authenticated' | 'anyone' }[],
): Promise<void> {
  const auth = signAdmin(app, 'gateway.setTopicRules', app.did, { rules }, Date.now());
  await client.gateway.setTopicRules.mutate({ appDid: app.did, rules, auth });
}

/** A connected Socket.io client of the node's gateway (websocket only). */
export async function socketClient(url: string, token?: string): Promise<Socket> {
  const socket = io(url, { path: '/socket.io', transports: ['websocket'], reconnection: false, auth: token ? { token } : {} });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

/** Emits with an ack and answers the ack (the gateway acks `{ ok, … }`). */
export function emitAck(socket: Socket, event: string, body: unknown): Promise<Record<string, unknown>> {
  return socket.timeout(10_000).emitWithAck(event, body) as Promise<Record<string, unknown>>;
}
