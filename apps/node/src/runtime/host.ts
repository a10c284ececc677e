import { decodeMockTx } from '@arc/adapters';
import { BLOCKLET_NAME, type BlockletManifest, decodeTx, fromHex, type Itx, toHex, txHash } from '@arc/core';
import type { Database } from '../db/client.ts';
import { QueryIn } from '../ocap/api-schemas.ts';
import { toJson } from '../ocap/json.ts';
import { nativeRead } from '../ocap/native-reads.ts';
import { QUERY_LEVELS, runQuery } from '../ocap/query.ts';
import type { OcapHub } from '../ocap/service.ts';
import { BlockletItx } from './blocklet-itx.ts';
import { type KeyHostDeps, keyCalls } from './host-keys.ts';
import { HOST_LIMITS } from './host-limits.ts';
import { outboundFetch, type PrivateTargets } from './outbound.ts';
import { HostCallError } from './sandbox/types.ts';
import { isStorableText, storableText, unstorableJson } from './storable.ts';
import { topicMatches } from './topics.ts';

export { BlockletItx } from './blocklet-itx.ts';
export { HOST_LIMITS } from './host-limits.ts';
export { isStorableText, storableText, unstorableJson } from './storable.ts';

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  message: string;
  atMs: number;
}

/** What the runtime needs from the node to serve host calls (the key calls' needs: host-keys.ts). */
export interface HostDeps extends KeyHostDeps {
  db: Database;
  ocap: OcapHub;
  now: () => number;
  /** Signs an inner transaction with the blocklet's own key (nonce reserved now); returns its hash and a submit step. */
  signAsBlocklet(name: string, itx: Itx): Promise<{ hash: string }>;
  blockletDid(name: string): string;
  /** Whether the blocklet may publish on a concrete topic: the gateway's rules for a client, as the blocklet's DID. */
  mayPublish(name: string, topic: string): Promise<boolean>;
  /** Which non-public addresses ctx.fetch may reach (the operator's BLOCKLET_FETCH_ALLOW_PRIVATE). */
  privateTargets: PrivateTargets;
  /**
   * ctx.blocklets.call: runs another blocklet's `call` handler on this node as its own invocation and answers its
   * output (a refusal or failure as a HostCallError). Absent: the call is refused.
   */
  callBlocklet?(callee: string, input: unknown): Promise<unknown>;
}

/** A chain write held until the invocation's record commits (see README: "Chain writes"). */
export interface ChainSend {
  chain: string;
  rawTx: string;
  /** The transaction's hash when the chain's encoding lets the node compute it before broadcasting. */
  hash: string | null;
}

/** Everything an invocation did that is committed only if it succeeds. */
export interface Effects {
  kv: Map<string, unknown | undefined>;
  publishes: { topic: string; message: unknown }[];
  /** Hashes of the ledger transactions signed (submitted by the runtime on success). */
  submits: string[];
  /** ctx.ocap.send calls, broadcast by the runtime only after the invocation's record commits. */
  chainSends: ChainSend[];
  logs: LogLine[];
}

function deny(message: string): never {
  throw new HostCallError('PERMISSION_DENIED', message);
}

function bad(message: string): never {
  throw new HostCallError('BAD_INPUT', message);
}

/** A chain's refusal keeps its code and whether a retry helps; anything else is UNAVAILABLE. */
async function chainCall<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const { code, retriable } = error as { code?: unknown; retriable?: unknown };
    throw new HostCallError(
      typeof code === 'string' ? code : 'UNAVAILABLE',
      (error as Error).message,
      typeof retriable === 'boolean' ? retriable : undefined,
    );
  }
}

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value ?? null));
}

/** True when the manifest lets the blocklet reach `url` (a host without a port allows any port). */
export function hostAllowed(manifest: BlockletManifest, url: URL): boolean {
  return manifest.permissions.hosts.some((allowed) => (allowed.includes(':') ? allowed === url.host : allowed === url.hostname));
}

/** The hash a raw transaction will have on a chain of this adapter kind, when the node can compute it up front. */
function rawTxHash(adapter: string | undefined, rawTx: string): string | null {
  try {
    if (adapter === 'native') {
      const bytes = fromHex(rawTx.replace(/^0x/, '').toLowerCase());
      decodeTx(bytes);
      return toHex(txHash(bytes));
    }
    if (adapter === 'mock') return decodeMockTx(rawTx).hash;
  } catch (error) {
    bad(`ctx.ocap.send: the raw transaction does not decode: ${(error as Error).message}`);
  }
  // Ethereum and Bitcoin: the chain checks the encoding when it is broadcast, after the invocation.
  return null;
}

/**
 * The host side of one invocation: every ctx call the blocklet makes, checked against its manifest. Writes
 * (kv, topic publishes, ledger submissions, chain sends) are held in `effects` and applied by the runtime only
 * when the invocation succeeds; reads see the invocation's own writes. Every string that would reach the
 * database is checked here, so a bad value fails only the call that made it (BAD_INPUT). `end()` is called when
 * the invocation ends: outstanding fetches are aborted and later host calls refused.
 */
export function createHost(deps: HostDeps, name: string, manifest: BlockletManifest) {
  const effects: Effects = { kv: new Map(), publishes: [], submits: [], chainSends: [], logs: [] };
  const ended = new AbortController();
  let logBytes = 0;
  let logTruncated = false;
  let fetches = 0;
  let blockletCalls = 0;
  const keys = keyCalls(deps, name, manifest);

  const str = (value: unknown, what: string, max: number): string => {
    if (typeof value !== 'string' || value.length === 0 || value.length > max) bad(`${what} must be a string of 1 to ${max} characters`);
    if (!isStorableText(value)) bad(`${what} must not hold NUL characters or unpaired surrogates`);
    return value;
  };

  const storableJson = (value: unknown, what: string) => {
    const problem = unstorableJson(value, what);
    if (problem !== null) bad(problem);
  };

  async function kvGet(key: string): Promise<unknown> {
    if (effects.kv.has(key)) return effects.kv.get(key) ?? null;
    const [row] = await deps.db.query<{ value: unknown }>('SELECT value FROM blocklet_kv WHERE name = $1 AND key = $2', [name, key]);
    return row ? row.value : null;
  }

  function kvWrite(key: string, value: unknown | undefined) {
    if (!effects.kv.has(key) && effects.kv.size >= HOST_LIMITS.kvWritesMax) {
      throw new HostCallError('LIMIT_EXCEEDED', `an invocation writes at most ${HOST_LIMITS.kvWritesMax} kv keys`);
    }
    effects.kv.set(key, value);
  }

  async function kvList(options: { prefix?: unknown; limit?: unknown; cursor?: unknown } = {}) {
    const prefix = typeof options.prefix === 'string' ? options.prefix : '';
    const limit = typeof options.limit === 'number' ? Math.max(1, Math.min(HOST_LIMITS.kvListMax, Math.floor(options.limit))) : 20;
    const cursor = typeof options.cursor === 'string' ? options.cursor : '';
    if (!isStorableText(prefix) || !isStorableText(cursor))
      bad('kv.list: prefix and cursor must not hold NUL characters or unpaired surrogates');
    const rows = await deps.db.query<{ key: string; value: unknown }>(
      `SELECT key, value FROM blocklet_kv WHERE name = $1 AND starts_with(key, $2) AND key > $3 ORDER BY key LIMIT $4`,
      [name, prefix, cursor, limit + 1],
    );
    const merged = new Map(rows.map((r) => [r.key, r.value as unknown]));
    for (const [key, value] of effects.kv) if (key.startsWith(prefix) && key > cursor) merged.set(key, value);
    const items = [...merged.entries()]
      .filter(([, value]) => value !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .slice(0, limit + 1)
      .map(([key, value]) => ({ key, value }));
    const page = items.slice(0, limit);
    return { items: page, nextCursor: items.length > limit ? (page[page.length - 1]?.key ?? null) : null };
  }

  async function fetchHost(urlText: unknown, init: { method?: unknown; headers?: unknown; body?: unknown } = {}) {
    let url: URL;
    try {
      url = new URL(str(urlText, 'the URL', 2048));
    } catch {
      bad('ctx.fetch takes an absolute http(s) URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') bad('ctx.fetch reaches http and https only');
    if (url.username !== '' || url.password !== '') bad('ctx.fetch takes no credentials in the URL; send an authorization header');
    if (!hostAllowed(manifest, url)) deny(`${url.host} is not among the hosts this blocklet's manifest allows (permissions.hosts)`);
    fetches += 1;
    if (fetches > HOST_LIMITS.fetchesMax)
      throw new HostCallError('LIMIT_EXCEEDED', `an invocation makes at most ${HOST_LIMITS.fetchesMax} fetches`);
    const method = init.method === undefined ? 'GET' : str(init.method, 'the method', 16).toUpperCase();
    if (!/^[A-Z]+$/.test(method)) bad('ctx.fetch: the method is a word such as GET or POST');
    const headers: Record<string, string> = {};
    if (init.headers !== undefined && init.headers !== null) {
      if (typeof init.headers !== 'object' || Array.isArray(init.headers)) bad('ctx.fetch: headers is an object of strings');
      for (const [key, value] of Object.entries(init.headers as Record<string, unknown>)) {
        if (typeof value !== 'string') bad(`ctx.fetch: the header ${key.slice(0, 64)} must be a string`);
        headers[key] = value;
      }
    }
    if (init.body !== undefined && typeof init.body !== 'string') bad('ctx.fetch: body is a string');
    return outboundFetch({ url, method, headers, body: init.body }, deps.privateTargets, ended.signal);
  }

  function chainPermission(chain: string, level: number, send: boolean) {
    const permitted = manifest.permissions.chains.find((c) => c.chain === chain);
    if (!permitted) deny(`this blocklet's manifest does not permit the chain "${chain}" (permissions.chains)`);
    if (permitted.level < level) deny(`the manifest permits OCAP level ${permitted.level} on ${chain}; this call needs level ${level}`);
    if (send && !permitted.send) deny(`the manifest does not permit sending on ${chain} (permissions.chains[].send)`);
  }

  async function call(method: string, a: unknown[]): Promise<unknown> {
    switch (method) {
      case 'kv.get':
        return kvGet(str(a[0], 'a kv key', HOST_LIMITS.kvKeyChars));
      case 'kv.set': {
        const key = str(a[0], 'a kv key', HOST_LIMITS.kvKeyChars);
        if (a[1] === undefined) bad('kv.set needs a value (use kv.delete to remove a key)');
        if (jsonBytes(a[1]) > HOST_LIMITS.kvValueBytes)
          throw new HostCallError('LIMIT_EXCEEDED', `a kv value is at most ${HOST_LIMITS.kvValueBytes} bytes of JSON`);
        storableJson(a[1], 'the kv value');
        kvWrite(key, a[1]);
        return null;
      }
      case 'kv.delete':
        kvWrite(str(a[0], 'a kv key', HOST_LIMITS.kvKeyChars), undefined);
        return null;
      case 'kv.list':
        return kvList((a[0] ?? {}) as Record<string, unknown>);
      case 'publish': {
        const topic = str(a[0], 'a topic', 128);
        if (!manifest.permissions.topics.publish.some((p) => topicMatches(p, topic))) {
          deny(`this blocklet's manifest does not permit publishing to "${topic}" (permissions.topics.publish)`);
        }
        if (!(await deps.mayPublish(name, topic)))
          deny(
            `a blocklet publishes as its own DID (${deps.blockletDid(name)}) under the gateway's rules for clients, and they do not let it publish on "${topic}"`,
          );
        if (jsonBytes(a[1]) > HOST_LIMITS.messageBytes)
          throw new HostCallError('LIMIT_EXCEEDED', `a message is at most ${HOST_LIMITS.messageBytes} bytes`);
        storableJson(a[1], 'the message');
        if (effects.publishes.length >= HOST_LIMITS.publishesMax)
          throw new HostCallError('LIMIT_EXCEEDED', `at most ${HOST_LIMITS.publishesMax} publishes`);
        effects.publishes.push({ topic, message: a[1] ?? null });
        return null;
      }
      case 'fetch':
        return fetchHost(a[0], (a[1] ?? {}) as Record<string, unknown>);
      case 'ocap.query': {
        const chain = str(a[0], 'a chain', 32);
        const parsed = QueryIn.safeParse({ ...((a[2] ?? {}) as object), chain, method: a[1] });
        if (!parsed.success)
          bad(`ctx.ocap.query: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')}`);
        chainPermission(chain, QUERY_LEVELS[parsed.data.method], false);
        return chainCall(async () => toJson(await runQuery(deps.ocap.adapter(chain), parsed.data)));
      }
      case 'ocap.native': {
        const chain = str(a[0], 'a chain', 32);
        const method = str(a[1], 'a native method', 64);
        if (a[2] !== undefined && !Array.isArray(a[2])) bad('ctx.ocap.native: params are an array');
        chainPermission(chain, 3, false);
        return chainCall(() => nativeRead(deps.ocap.adapter(chain), method, (a[2] ?? []) as unknown[]));
      }
      case 'ocap.send': {
        const chain = str(a[0], 'a chain', 32);
        chainPermission(chain, 1, true);
        const rawTx = str(a[1], 'a raw transaction', HOST_LIMITS.rawTxChars);
        const adapter = deps.ocap.configs.find((c) => c.name === chain)?.adapter;
        if (adapter === undefined) bad(`this node has no chain named "${chain}"`);
        if (effects.chainSends.length >= HOST_LIMITS.chainSendsMax)
          throw new HostCallError('LIMIT_EXCEEDED', `an invocation sends at most ${HOST_LIMITS.chainSendsMax} chain transactions`);
        const hash = rawTxHash(adapter, rawTx);
        effects.chainSends.push({ chain, rawTx, hash });
        // Held: broadcast only after the invocation succeeds and its record commits.
        return { hash, status: 'held' };
      }
      case 'ledger.did':
        return deps.blockletDid(name);
      case 'blocklets.call': {
        const callee = a[0];
        if (typeof callee !== 'string' || !BLOCKLET_NAME.test(callee))
          bad('ctx.blocklets.call takes a blocklet name (lower-case letters, digits, dashes)');
        if (jsonBytes(a[1]) > HOST_LIMITS.messageBytes)
          bad(`ctx.blocklets.call: the input is at most ${HOST_LIMITS.messageBytes} bytes of JSON`);
        storableJson(a[1] ?? null, 'ctx.blocklets.call: the input');
        if (blockletCalls >= HOST_LIMITS.blockletCallsMax)
          throw new HostCallError('LIMIT_EXCEEDED', `an invocation makes at most ${HOST_LIMITS.blockletCallsMax} blocklet calls`);
        if (!deps.callBlocklet) deny('this node does not let blocklets call each other here');
        blockletCalls += 1;
        return deps.callBlocklet(callee, a[1] ?? null);
      }
      case 'ledger.submit': {
        if (!manifest.permissions.ledger.submit)
          deny("this blocklet's manifest does not permit ledger submissions (permissions.ledger.submit)");
        if (effects.submits.length >= HOST_LIMITS.ledgerSubmitsMax)
          throw new HostCallError('LIMIT_EXCEEDED', `at most ${HOST_LIMITS.ledgerSubmitsMax} submissions`);
        const parsed = BlockletItx.safeParse(a[0]);
        if (!parsed.success)
          bad(`ctx.ledger.submit: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'itx'}: ${i.message}`).join('; ')}`);
        const signed = await deps.signAsBlocklet(name, parsed.data as Itx);
        effects.submits.push(signed.hash);
        return { hash: signed.hash };
      }
      case 'keys.info':
      case 'keys.sign':
      case 'keys.signTypedData':
      case 'keys.signEthereumTransaction':
      case 'keys.approve':
      case 'keys.cosign':
      case 'abi.encode':
      case 'abi.decode':
      case 'abi.keccak256':
        return keys.call(method, a);
      case 'log': {
        const level = a[0] === 'warn' || a[0] === 'error' ? a[0] : 'info';
        // The node's own record: made storable rather than refused (the guest never sees a log call's answer).
        const message = storableText(typeof a[1] === 'string' ? a[1] : JSON.stringify(a[1] ?? null));
        if (logTruncated) return null;
        if (effects.logs.length >= HOST_LIMITS.logLinesMax || logBytes + message.length > HOST_LIMITS.logBytesMax) {
          logTruncated = true;
          effects.logs.push({
            level: 'warn',
            message: `[log truncated: at most ${HOST_LIMITS.logLinesMax} lines or ${HOST_LIMITS.logBytesMax} bytes per invocation]`,
            atMs: deps.now(),
          });
          return null;
        }
        logBytes += message.length;
        effects.logs.push({ level, message, atMs: deps.now() });
        return null;
      }
      default:
        bad(`there is no ctx call "${method}"`);
    }
  }

  async function host(method: string, args: unknown): Promise<unknown> {
    if (ended.signal.aborted) {
      // A late log line has no record left to join.
      if (method === 'log') return null;
      throw new HostCallError('BLOCKLET_ENDED', `ctx.${method} was called after the invocation ended; await every ctx call`);
    }
    return call(method, Array.isArray(args) ? args : []);
  }

  /** The invocation is over: abort outstanding fetches; later calls are refused (their effects would be lost). */
  function end(): void {
    ended.abort();
  }

  return { host, effects, end };
}
