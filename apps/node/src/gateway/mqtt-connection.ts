import type { AuthenticateError, Client } from 'aedes';
import type { TokenBucket } from './rate-limit.ts';
import type { Principal } from './types.ts';

/** The embedded broker's fixed bounds, its MQTT return codes, and what it knows of one connection. */

export const MQTT_LIMITS = {
  /** Open MQTT connections of one node over TCP, and again over WebSockets. */
  connectionsMax: 10_000,
  /** Publishes of one connection handed to the hub and not yet answered; one more closes the connection. */
  publishesInFlightMax: 100,
  /** QoS 2 publishes of one connection waiting for their PUBREL; one more closes the connection (aedes' bound too). */
  qos2AwaitingReleaseMax: 100,
  /** Bytes of an MQTT packet besides its payload (header, topic, packet id): the packet bound is the message bound plus this. */
  packetOverheadBytes: 4096,
  /** Longest username (a DID, or `app:` and a DID). */
  usernameBytesMax: 200,
  /** Longest password (a session token or an API key). */
  passwordBytesMax: 400,
  /** How long a client has to send CONNECT after opening the socket. */
  connectTimeoutMs: 10_000,
  /** setTimeout's ceiling: sessions expiring later are checked again then. */
  timerMsMax: 2 ** 31 - 1,
  /** Topics holding a retained message, in all. */
  retainedTopicsMax: 10_000,
  /** Bytes of retained payloads and topics, in all. */
  retainedBytesMax: 64 * 1024 * 1024,
  /** Retained messages one SUBSCRIBE is sent (the most recently set). */
  retainedPerSubscribeMax: 1000,
  /** The HTTP path of MQTT over WebSockets. */
  webSocketPath: '/mqtt',
} as const;

/** The CONNACK return codes of MQTT 3.1.1 that a refused login answers with. */
export const IDENTIFIER_REJECTED = 2;
export const BAD_USERNAME_OR_PASSWORD = 4;
export const NOT_AUTHORIZED = 5;
/** SUBACK's failure code (MQTT-3.9.3). */
export const SUBACK_FAILURE = 128;

/** One logged-in MQTT connection: who it is, its subscriptions, its publish state. */
export interface Connection {
  client: Client;
  principal: Principal;
  /** The client address (clientKeyOf form), for budgets and anonymous client-id takeover. */
  address: string;
  bucket: TokenBucket;
  /** MQTT filter → the hub subscription that serves it. */
  subscriptions: Map<string, () => void>;
  /** Subscribes waiting for the hub's rule check: counted against the per-connection bound before the await. */
  subscribesPending: number;
  /** QoS 2 packet ids published to the hub and not yet released (PUBREL): a DUP of one is not published again. */
  qos2AwaitingRelease: Set<number>;
  /** The connection's publishes reach the hub one after the other, so their seqs keep the MQTT order. */
  publishTail: Promise<void>;
  publishesInFlight: number;
  expiryTimer: NodeJS.Timeout | null;
  closed: boolean;
}

/** A CONNACK refusal with the given return code, for aedes' authenticate callback. */
export function refusal(message: string, returnCode: number): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

/** The client's address as the socket (or, over WebSockets, the HTTP request) saw it. */
export function addressOf(client: Client): string {
  return (client.conn as { remoteAddress?: string }).remoteAddress ?? '';
}

/** True when the username names the principal its credential resolved to (anonymous: no username). */
export function claims(username: string | undefined, principal: Principal): boolean {
  if (!username) return principal.kind === 'anonymous';
  if (principal.kind === 'did') return username === principal.did;
  if (principal.kind === 'app') return username === `app:${principal.appDid}`;
  return false;
}

/** Who may take over a client id: the same DID, the same application, or anonymous from the same client address. */
export function samePrincipal(holder: Connection, principal: Principal, address: string): boolean {
  const held = holder.principal;
  if (held.kind === 'did') return principal.kind === 'did' && principal.did === held.did;
  if (held.kind === 'app') return principal.kind === 'app' && principal.appDid === held.appDid;
  return principal.kind === 'anonymous' && holder.address === address;
}
