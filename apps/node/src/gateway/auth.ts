import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { challengeMessage, didMatchesPublicKey, fromHex, isValidDid, verifyAdmin, verifySignature } from '@arc/core';
import { REPLAYED_MESSAGE, ReplayGuard } from '../admin/replay-guard.ts';
import type { Database } from '../db/client.ts';
import { isPattern, topicFamily } from './topics.ts';
import { type ConnectionPrincipal, type GatewayAuth, GatewayError, type GatewayLimits, type Principal } from './types.ts';

export { challengeMessage };

/** Who a topic rule lets in: the application itself, any logged-in DID or app, or anyone. */
export type Audience = 'owner' | 'authenticated' | 'anyone';
export interface TopicRule {
  name: string;
  publish: Audience;
  subscribe: Audience;
}

/** Applied to `app:<appDid>:<name>` when the application set no rule for the name (nor `*`). */
export const DEFAULT_APP_RULE: Omit<TopicRule, 'name'> = { publish: 'owner', subscribe: 'authenticated' };

export const AUTH_LIMITS = {
  /** Rules per application. */
  rulesPerAppMax: 100,
  /** API keys per application. */
  apiKeysPerAppMax: 20,
  /** Rules are cached this long (a rule set on another node is seen within it). */
  ruleCacheMs: 5_000,
  ruleCacheEntriesMax: 10_000,
} as const;

const SESSION_PREFIX = 'st_';
const API_KEY_PREFIX = 'ak_';

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A signed request from the owner of an application DID (signAdmin over op, appDid, params, time). */
export interface SignedAppRequest {
  publicKey: string;
  timeMs: number;
  signature: string;
}

export interface AuthDeps {
  db: Database;
  limits: GatewayLimits;
  now: () => number;
  /** The DID that owns a blocklet, or null when there is none. */
  blockletOwner: (name: string) => Promise<string | null>;
  /**
   * A cloud node's processes share this secret (cloud/README.md): a challenge one process gave is answered on another
   * (the nonce carries its own MAC), and each is used once across all of them (recorded in the database).
   */
  challengeSecret?: Uint8Array;
}

/**
 * Challenges, sessions, API keys and the topic rules. Challenges live in memory (a restart only voids
 * unanswered ones); sessions, keys and rules live in the database so they survive restarts.
 */
export class GatewayAuthService implements GatewayAuth {
  /** Outstanding challenges by nonce, in the order handed out: with one TTL, that is also the order they expire. */
  readonly #challenges = new Map<string, { expiresAtMs: number; client: string }>();
  /** Outstanding challenges per client address (clientKeyOf). */
  readonly #challengesByClient = new Map<string, number>();
  readonly #rules = new Map<string, { rule: Omit<TopicRule, 'name'>; atMs: number }>();
  readonly #replays: ReplayGuard;

  constructor(readonly deps: AuthDeps) {
    this.#replays = new ReplayGuard(deps.db, deps.now);
  }

  /**
   * A challenge to sign. One address may hold `challengesPerIpMax` unanswered (RATE_LIMITED past it), so one client
   * cannot take the table; when the table holds `challengesMax`, the oldest challenge is voided to make room.
   */
  challenge(client?: { ip: string }): { nonce: string; timeMs: number; expiresAtMs: number } {
    const { challengeTtlMs, challengesPerIpMax, challengesMax } = this.deps.limits;
    const timeMs = this.deps.now();
    this.#dropExpiredChallenges(timeMs);
    const key = clientKeyOf(client?.ip);
    if ((this.#challengesByClient.get(key) ?? 0) >= challengesPerIpMax)
      throw new GatewayError(
        'RATE_LIMITED',
        `${challengesPerIpMax} sign-ins from your address wait for an answer; complete one, or ask again in ${Math.ceil(challengeTtlMs / 1000)} s.`,
        challengeTtlMs,
      );
    while (this.#challenges.size >= challengesMax) {
      const oldest = this.#challenges.keys().next().value;
      if (oldest === undefined) break;
      this.#forgetChallenge(oldest);
    }
    const expiresAtMs = timeMs + challengeTtlMs;
    const random = randomBytes(16).toString('hex');
    const nonce = this.deps.challengeSecret ? random + this.#challengeMac(random, expiresAtMs) : random;
    this.#challenges.set(nonce, { expiresAtMs, client: key });
    this.#challengesByClient.set(key, (this.#challengesByClient.get(key) ?? 0) + 1);
    return { nonce, timeMs, expiresAtMs };
  }

  /** Outstanding challenges, in all and of one client address (for tests and stats). */
  challengeStats(ip?: string): { outstanding: number; ofClient: number } {
    return { outstanding: this.#challenges.size, ofClient: this.#challengesByClient.get(clientKeyOf(ip)) ?? 0 };
  }

  /** Drops the expired challenges: they are the oldest, so the walk stops at the first that is still good. */
  #dropExpiredChallenges(nowMs: number): void {
    for (const [nonce, challenge] of this.#challenges) {
      if (challenge.expiresAtMs > nowMs) return;
      this.#forgetChallenge(nonce);
    }
  }

  #forgetChallenge(nonce: string): { expiresAtMs: number; client: string } | undefined {
    const challenge = this.#challenges.get(nonce);
    if (!challenge) return undefined;
    this.#challenges.delete(nonce);
    const held = (this.#challengesByClient.get(challenge.client) ?? 1) - 1;
    if (held <= 0) this.#challengesByClient.delete(challenge.client);
    else this.#challengesByClient.set(challenge.client, held);
    return challenge;
  }

  /** The MAC a cloud node's challenge nonce carries (32 hex digits), over its random part and its expiry. */
  #challengeMac(random: string, expiresAtMs: number): string {
    return createHmac('sha256', this.deps.challengeSecret as Uint8Array)
      .update(`${random}:${expiresAtMs}`)
      .digest('hex')
      .slice(0, 32);
  }

  /**
   * On a cloud node: a challenge given by another process (its MAC holds), and in every case used once across all
   * processes: the first login that records it in the database wins.
   */
  async #sharedChallenge(nonce: string, timeMs: number, given: number | undefined): Promise<number | undefined> {
    const expiresAtMs = timeMs + this.deps.limits.challengeTtlMs;
    let expiresAt = given;
    if (expiresAt === undefined && /^[0-9a-f]{64}$/.test(nonce)) {
      const mac = Buffer.from(this.#challengeMac(nonce.slice(0, 32), expiresAtMs));
      if (timingSafeEqual(mac, Buffer.from(nonce.slice(32)))) expiresAt = expiresAtMs;
    }
    if (expiresAt === undefined) return undefined;
    const claimed = await this.deps.db.query(
      'INSERT INTO used_signed_requests (request_hash, expires_at_ms) VALUES ($1, $2) ON CONFLICT (request_hash) DO NOTHING RETURNING 1 AS n',
      [sha256Hex(`challenge:${nonce}`), expiresAt],
    );
    return claimed.length === 1 ? expiresAt : undefined;
  }

  async login(input: { did: string; publicKey: string; nonce: string; timeMs: number; signature: string }) {
    const now = this.deps.now();
    // Single use: the nonce goes whether or not the signature holds, so a guess costs a challenge.
    const local = this.#forgetChallenge(input.nonce)?.expiresAtMs;
    const expiresAt = this.deps.challengeSecret ? await this.#sharedChallenge(input.nonce, input.timeMs, local) : local;
    if (expiresAt === undefined) throw new GatewayError('UNAUTHORIZED', 'Unknown or already used challenge; ask for a new one.');
    if (expiresAt <= now) throw new GatewayError('UNAUTHORIZED', 'The challenge expired; ask for a new one.');
    if (expiresAt !== input.timeMs + this.deps.limits.challengeTtlMs)
      throw new GatewayError('UNAUTHORIZED', 'The challenge time does not match the one the node gave; sign the challenge as given.');
    const publicKey = fromHex(input.publicKey);
    if (!didMatchesPublicKey(input.did, publicKey))
      throw new GatewayError('UNAUTHORIZED', `The public key is not the key of ${input.did}.`);
    if (!verifySignature(publicKey, challengeMessage(input.nonce, input.timeMs), fromHex(input.signature)))
      throw new GatewayError('UNAUTHORIZED', 'The signature does not match the challenge.');
    const token = `${SESSION_PREFIX}${randomBytes(32).toString('base64url')}`;
    const expiresAtMs = now + this.deps.limits.sessionTtlMs;
    await this.deps.db.query('DELETE FROM gateway_sessions WHERE expires_at_ms < $1', [now]);
    await this.deps.db.query('INSERT INTO gateway_sessions (token_hash, did, created_at_ms, expires_at_ms) VALUES ($1, $2, $3, $4)', [
      sha256Hex(token),
      input.did,
      now,
      expiresAtMs,
    ]);
    const principal: ConnectionPrincipal = { kind: 'did', did: input.did, sessionId: sha256Hex(token).slice(0, 16), expiresAtMs };
    return { token, principal };
  }

  async resolve(credential: string | null | undefined): Promise<ConnectionPrincipal> {
    if (credential === null || credential === undefined || credential === '') return { kind: 'anonymous' };
    if (credential.startsWith(API_KEY_PREFIX)) return this.#resolveApiKey(credential);
    if (!credential.startsWith(SESSION_PREFIX) || credential.length > 200)
      throw new GatewayError('UNAUTHORIZED', 'Not a session token or API key.');
    const hash = sha256Hex(credential);
    const [row] = await this.deps.db.query<{ did: string; expiresAtMs: number }>(
      'SELECT did, expires_at_ms::float8 AS "expiresAtMs" FROM gateway_sessions WHERE token_hash = $1',
      [hash],
    );
    if (!row) throw new GatewayError('UNAUTHORIZED', 'Unknown session; log in again.');
    if (row.expiresAtMs <= this.deps.now()) throw new GatewayError('SESSION_EXPIRED', 'The session expired; log in again.');
    return { kind: 'did', did: row.did, sessionId: hash.slice(0, 16), expiresAtMs: row.expiresAtMs };
  }

  async #resolveApiKey(credential: string): Promise<ConnectionPrincipal> {
    const [keyId, secret] = credential.slice(API_KEY_PREFIX.length).split('.');
    if (!keyId || !secret || secret.length > 200) throw new GatewayError('UNAUTHORIZED', 'Malformed API key.');
    const [row] = await this.deps.db.query<{ secretHash: string; appDid: string }>(
      'SELECT secret_hash AS "secretHash", app_did AS "appDid" FROM gateway_api_keys WHERE key_id = $1',
      [keyId],
    );
    const given = Buffer.from(sha256Hex(secret), 'hex');
    if (!row || !timingSafeEqual(given, Buffer.from(row.secretHash, 'hex'))) throw new GatewayError('UNAUTHORIZED', 'Unknown API key.');
    return { kind: 'app', appDid: row.appDid, keyId };
  }

  async canSubscribe(principal: Principal, topic: string): Promise<boolean> {
    // The bridge only imports; what it exports it reads as the application itself (mqtt-bridge.ts).
    if (principal.kind === 'bridge') return false;
    const family = topicFamily(topic);
    switch (family.kind) {
      case 'chain':
      case 'account':
      case 'chat':
        return true;
      case 'blockletLogs': {
        const owner = await this.deps.blockletOwner(family.name);
        return owner !== null && principal.kind === 'did' && principal.did === owner;
      }
      case 'inbox':
        return principal.kind === 'did' && principal.did === family.did;
      case 'app':
        // A pattern spans names whose rules may differ: only the application itself may use one.
        if (isPattern(topic)) return isOwner(principal, family.appDid);
        return admits((await this.#rule(family.appDid, family.name)).subscribe, principal, family.appDid);
      case 'other':
        return !isPattern(topic) && principal.kind !== 'anonymous';
    }
  }

  async canPublish(principal: Principal, topic: string): Promise<boolean> {
    if (isPattern(topic)) return false;
    const family = topicFamily(topic);
    if (family.kind === 'chat') return principal.kind !== 'anonymous';
    if (family.kind === 'app') return admits((await this.#rule(family.appDid, family.name)).publish, principal, family.appDid);
    return false;
  }

  async #rule(appDid: string, name: string): Promise<Omit<TopicRule, 'name'>> {
    const key = `${appDid}\n${name}`;
    const cached = this.#rules.get(key);
    const now = this.deps.now();
    if (cached && now - cached.atMs < AUTH_LIMITS.ruleCacheMs) return cached.rule;
    const rows = await this.deps.db.query<TopicRule>(
      `SELECT name, publish, subscribe FROM gateway_topic_rules WHERE app_did = $1 AND name IN ($2, '*') ORDER BY name = '*'`,
      [appDid, name],
    );
    const row = rows[0];
    const rule = row ? { publish: row.publish, subscribe: row.subscribe } : DEFAULT_APP_RULE;
    if (this.#rules.size >= AUTH_LIMITS.ruleCacheEntriesMax) this.#rules.clear();
    this.#rules.set(key, { rule, atMs: now });
    return rule;
  }

  /**
   * Checks that the application DID itself signed the request, and uses the request up: a copy sent again (by
   * anyone, also after a restart) is refused with REPLAYED, so an old setTopicRules cannot revert newer rules.
   */
  async #authorizeApp(op: string, appDid: string, params: unknown, auth: SignedAppRequest): Promise<void> {
    if (!isValidDid(appDid)) throw new GatewayError('BAD_PAYLOAD', `${appDid} is not a DID.`);
    const verified = verifyAdmin(
      { publicKey: fromHex(auth.publicKey), timeMs: auth.timeMs, signature: fromHex(auth.signature) },
      op,
      appDid,
      params,
      this.deps.now(),
    );
    if ('error' in verified) throw new GatewayError('UNAUTHORIZED', `Not authorized: ${verified.error}.`);
    if (verified.did !== appDid) throw new GatewayError('FORBIDDEN', `Only ${appDid} itself may ${op} for it.`);
    if (!(await this.#replays.claim({ did: verified.did, op, name: appDid, params, timeMs: auth.timeMs })))
      throw new GatewayError('REPLAYED', REPLAYED_MESSAGE);
  }

  /**
   * A new API key for an application server, returned once as `ak_<keyId>.<secret>`. The caller picks the key id
   * (it is part of the signed request), so replaying the request hits the existing id instead of minting a key.
   */
  async createApiKey(input: { appDid: string; keyId: string; auth: SignedAppRequest }): Promise<{ keyId: string; apiKey: string }> {
    await this.#authorizeApp('gateway.createApiKey', input.appDid, { keyId: input.keyId }, input.auth);
    const [count] = await this.deps.db.query<{ n: number }>('SELECT count(*)::int AS n FROM gateway_api_keys WHERE app_did = $1', [
      input.appDid,
    ]);
    if ((count?.n ?? 0) >= AUTH_LIMITS.apiKeysPerAppMax)
      throw new GatewayError('RATE_LIMITED', `An application has at most ${AUTH_LIMITS.apiKeysPerAppMax} API keys.`);
    const secret = randomBytes(32).toString('base64url');
    const inserted = await this.deps.db.query(
      'INSERT INTO gateway_api_keys (key_id, secret_hash, app_did, created_at_ms) VALUES ($1, $2, $3, $4) ON CONFLICT (key_id) DO NOTHING RETURNING key_id',
      [input.keyId, sha256Hex(secret), input.appDid, this.deps.now()],
    );
    if (inserted.length === 0) throw new GatewayError('FORBIDDEN', `The key id ${input.keyId} is taken; choose another.`);
    return { keyId: input.keyId, apiKey: `${API_KEY_PREFIX}${input.keyId}.${secret}` };
  }

  /** Called with the key id of each API key revoked on this node (the Socket.io gateway drops its connections). */
  readonly #revokedListeners = new Set<(keyId: string) => void>();

  onApiKeyRevoked(listener: (keyId: string) => void): () => void {
    this.#revokedListeners.add(listener);
    return () => this.#revokedListeners.delete(listener);
  }

  /**
   * Revokes one of the application's API keys: the row goes, so the next connection with it is refused (resolve reads
   * the table every time) and the connections holding it are dropped. NOT_FOUND for a key the application does not have.
   */
  async revokeApiKey(input: { appDid: string; keyId: string; auth: SignedAppRequest }): Promise<{ keyId: string }> {
    await this.#authorizeApp('gateway.revokeApiKey', input.appDid, { keyId: input.keyId }, input.auth);
    const deleted = await this.deps.db.query('DELETE FROM gateway_api_keys WHERE key_id = $1 AND app_did = $2 RETURNING key_id', [
      input.keyId,
      input.appDid,
    ]);
    if (deleted.length === 0)
      throw new GatewayError('NOT_FOUND', `${input.appDid} has no API key ${input.keyId}; it may be revoked already.`);
    for (const listener of this.#revokedListeners) listener(input.keyId);
    return { keyId: input.keyId };
  }

  /** Replaces the rules of an application's topics (names, or `*` for its default). */
  async setTopicRules(input: { appDid: string; rules: TopicRule[]; auth: SignedAppRequest }): Promise<TopicRule[]> {
    await this.#authorizeApp('gateway.setTopicRules', input.appDid, { rules: input.rules }, input.auth);
    if (input.rules.length > AUTH_LIMITS.rulesPerAppMax)
      throw new GatewayError('TOO_LARGE', `An application has at most ${AUTH_LIMITS.rulesPerAppMax} topic rules.`);
    const now = this.deps.now();
    await this.deps.db.transaction(async (sql) => {
      await sql.query('DELETE FROM gateway_topic_rules WHERE app_did = $1', [input.appDid]);
      for (const rule of input.rules)
        await sql.query('INSERT INTO gateway_topic_rules (app_did, name, publish, subscribe, updated_at_ms) VALUES ($1, $2, $3, $4, $5)', [
          input.appDid,
          rule.name,
          rule.publish,
          rule.subscribe,
          now,
        ]);
    });
    for (const key of this.#rules.keys()) if (key.startsWith(`${input.appDid}\n`)) this.#rules.delete(key);
    return this.topicRules(input.appDid);
  }

  async topicRules(appDid: string): Promise<TopicRule[]> {
    return this.deps.db.query<TopicRule>('SELECT name, publish, subscribe FROM gateway_topic_rules WHERE app_did = $1 ORDER BY name', [
      appDid,
    ]);
  }
}

/** The application itself: its DID's session or one of its API keys. Never the bridge, whoever sent through it. */
function isOwner(principal: Principal, appDid: string): boolean {
  return (principal.kind === 'did' && principal.did === appDid) || (principal.kind === 'app' && principal.appDid === appDid);
}

/** `authenticated` admits a DID, an application and the bridge's imports (the operator chose to bridge them). */
function admits(audience: Audience, principal: Principal, appDid: string): boolean {
  if (audience === 'anyone') return true;
  if (audience === 'authenticated') return principal.kind !== 'anonymous';
  return isOwner(principal, appDid);
}

/**
 * The address a challenge is counted against: an IPv4 address (also when IPv4-mapped), or the /64 of an IPv6 one
 * (one host usually holds a whole /64, so counting single IPv6 addresses would bound nothing).
 */
export function clientKeyOf(ip: string | undefined): string {
  if (ip === undefined || ip === '') return 'unknown';
  const bare = ip.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(bare);
  if (mapped) return mapped[1] as string;
  if (!isIPv6(bare)) return bare;
  const [head = '', tail] = bare.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : Array.from({ length: Math.max(0, 8 - headGroups.length - tailGroups.length) }, () => '0');
  const groups = [...headGroups, ...zeros, ...tailGroups].slice(0, 4);
  return `${groups.map((group) => Number.parseInt(group, 16).toString(16)).join(':')}::/64`;
}
