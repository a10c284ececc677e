import type { AuthenticateError, Client, ConnectPacket } from 'aedes';
import { clientKeyOf } from './auth.ts';
import { CONNACK_V5_UNSUPPORTED_VERSION } from './mqtt-aedes.ts';
import {
  addressOf,
  BAD_USERNAME_OR_PASSWORD,
  type Connection,
  claims,
  IDENTIFIER_REJECTED,
  MQTT_LIMITS,
  NOT_AUTHORIZED,
  refusal,
  samePrincipal,
} from './mqtt-connection.ts';
import { TokenBucket } from './rate-limit.ts';
import { type GatewayAuth, GatewayError, type GatewayLimits, type Principal } from './types.ts';

/** Runs an aedes hook so that a throw ends only that connection (or refuses that message) and is logged (mqtt.ts). */
export type MqttGuard = (hook: string, client: Client | null, run: () => void, refuse: () => void) => void;

export interface MqttSessionsOptions {
  auth: GatewayAuth;
  limits: GatewayLimits;
  now: () => number;
  log: (line: string) => void;
}

/**
 * The broker's logged-in connections: CONNECT (MQTT 5 refused in its own version), login by username and password
 * through the gateway's auth, client ids held by one principal at a time, and each connection closed when its
 * session expires and released when its socket closes.
 */
export class MqttSessions {
  readonly connections = new Map<Client, Connection>();
  /** Who holds each client id, so a client id cannot be taken over by someone else. */
  readonly #byClientId = new Map<string, Connection>();

  constructor(
    readonly options: MqttSessionsOptions,
    readonly guard: MqttGuard,
  ) {}

  /** MQTT 5 is answered in its own version ("unsupported protocol version"), then closed: aedes speaks 3.1.1. */
  preConnect(client: Client, packet: ConnectPacket, done: (error: Error | null, ok: boolean) => void): void {
    if ((packet.protocolVersion as number) === 5) {
      client.conn.end(CONNACK_V5_UNSUPPORTED_VERSION);
      done(null, false);
      return;
    }
    done(null, true);
  }

  authenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
    done: (error: AuthenticateError | null, ok: boolean | null) => void,
  ) {
    const credential = password?.toString('utf8') ?? '';
    if ((username?.length ?? 0) > MQTT_LIMITS.usernameBytesMax || credential.length > MQTT_LIMITS.passwordBytesMax)
      return done(refusal('username or password too long', BAD_USERNAME_OR_PASSWORD), false);
    if (!username && credential) return done(refusal('a password needs a username', BAD_USERNAME_OR_PASSWORD), false);
    if (username && !credential) return done(refusal('a username needs a password', BAD_USERNAME_OR_PASSWORD), false);
    this.options.auth.resolve(credential || null).then(
      (principal) =>
        this.guard(
          'authenticate',
          client,
          () => this.#loggedIn(client, username, principal, done),
          () => done(null, false),
        ),
      (error: unknown) => {
        if (!(error instanceof GatewayError)) this.options.log(`mqtt: login failed: ${(error as Error).stack ?? error}`);
        done(refusal(error instanceof GatewayError ? error.message : 'login failed', BAD_USERNAME_OR_PASSWORD), false);
      },
    );
  }

  /** Forgets a connection whose socket closed (or every one, when the broker closes): its hub subscriptions end. */
  release(connection: Connection): void {
    if (connection.closed) return;
    connection.closed = true;
    if (connection.expiryTimer) clearTimeout(connection.expiryTimer);
    for (const unsubscribe of connection.subscriptions.values()) unsubscribe();
    connection.subscriptions.clear();
    this.connections.delete(connection.client);
    if (this.#byClientId.get(connection.client.id) === connection) this.#byClientId.delete(connection.client.id);
  }

  #loggedIn(
    client: Client,
    username: string | undefined,
    principal: Principal,
    done: (error: AuthenticateError | null, ok: boolean | null) => void,
  ): void {
    if (!claims(username, principal)) {
      done(refusal('the credential is not the username’s', NOT_AUTHORIZED), false);
      return;
    }
    if (client.closed) {
      done(null, false);
      return;
    }
    const address = clientKeyOf(addressOf(client));
    // A client id in use is taken over (MQTT-3.1.4-2) only by the same principal; anyone else is refused.
    const holder = this.#byClientId.get(client.id);
    if (holder && !holder.closed && !samePrincipal(holder, principal, address)) {
      done(refusal('the client id is in use by another user; choose another one', IDENTIFIER_REJECTED), false);
      return;
    }
    this.#open(client, principal, address);
    done(null, true);
  }

  #open(client: Client, principal: Principal, address: string): void {
    const { limits, now } = this.options;
    const connection: Connection = {
      client,
      principal,
      address,
      bucket: new TokenBucket(limits.connectionRatePerSec, limits.connectionBurst, now()),
      subscriptions: new Map(),
      subscribesPending: 0,
      qos2AwaitingRelease: new Set(),
      publishTail: Promise.resolve(),
      publishesInFlight: 0,
      expiryTimer: null,
      closed: false,
    };
    this.connections.set(client, connection);
    this.#byClientId.set(client.id, connection);
    client.conn.once('close', () => this.release(connection));
    if (principal.kind === 'did') this.#closeAtExpiry(connection, principal.expiresAtMs);
  }

  #closeAtExpiry(connection: Connection, expiresAtMs: number): void {
    const waitMs = Math.min(Math.max(0, expiresAtMs - this.options.now()), MQTT_LIMITS.timerMsMax);
    connection.expiryTimer = setTimeout(() => {
      if (this.options.now() >= expiresAtMs) connection.client.close();
      else this.#closeAtExpiry(connection, expiresAtMs);
    }, waitMs);
    connection.expiryTimer.unref();
  }
}
