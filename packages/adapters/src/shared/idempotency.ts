import { OcapError, type SendResult } from '@arc/core';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/** Where an adapter remembers the first result of each idempotency key. The node backs it with its database. */
export interface IdempotencyStore {
  get(key: string): Promise<{ payloadHash: string; result: SendResult } | undefined>;
  put(key: string, payloadHash: string, result: SendResult): Promise<void>;
}

/** Longest idempotency key accepted. */
export const MAX_IDEMPOTENCY_KEY_CHARS = 200;

/** Bound on remembered keys in the in-memory store; the oldest are forgotten first. */
export const MEMORY_IDEMPOTENCY_KEYS_MAX = 100_000;

/** An in-memory store for library use (the mock, tests, scripts); bounded, oldest forgotten first. */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly #entries = new Map<string, { payloadHash: string; result: SendResult }>();

  constructor(readonly maxKeys: number = MEMORY_IDEMPOTENCY_KEYS_MAX) {}

  async get(key: string) {
    return this.#entries.get(key);
  }

  async put(key: string, payloadHash: string, result: SendResult) {
    this.#entries.set(key, { payloadHash, result });
    if (this.#entries.size > this.maxKeys) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }
}

/** A stable hash of a send's payload: JSON with sorted keys and bigints as strings. */
export function payloadHash(payload: unknown): string {
  return bytesToHex(sha256(utf8ToBytes(stableJson(payload))));
}

function stableJson(value: unknown): string {
  if (typeof value === 'bigint') return JSON.stringify(`${value}n`);
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value instanceof Uint8Array) return JSON.stringify(bytesToHex(value));
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
}

/**
 * Runs sends under idempotency keys: the same key and payload returns the first result (also while the first
 * is still in flight); the same key with another payload is IDEMPOTENCY_CONFLICT. A send that fails is not
 * remembered, so retrying with the same key tries again.
 */
export class Idempotency {
  readonly #inFlight = new Map<string, { payloadHash: string; promise: Promise<SendResult> }>();

  constructor(
    readonly store: IdempotencyStore,
    /** Keys are scoped by this prefix (adapter + chain), so two chains never share a key. */
    readonly scope: string,
  ) {}

  async run(key: string | undefined, payload: unknown, send: () => Promise<SendResult>): Promise<SendResult> {
    if (key === undefined) return send();
    if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_CHARS) {
      throw new OcapError('INVALID_ARGUMENT', `An idempotency key must be 1 to ${MAX_IDEMPOTENCY_KEY_CHARS} characters.`);
    }
    const scoped = `${this.scope}/${key}`;
    const hash = payloadHash(payload);
    const running = this.#inFlight.get(scoped);
    if (running) {
      if (running.payloadHash !== hash) throw conflict(key);
      return running.promise;
    }
    const promise = this.#runOnce(scoped, key, hash, send);
    this.#inFlight.set(scoped, { payloadHash: hash, promise });
    try {
      return await promise;
    } finally {
      this.#inFlight.delete(scoped);
    }
  }

  async #runOnce(scoped: string, key: string, hash: string, send: () => Promise<SendResult>): Promise<SendResult> {
    const seen = await this.store.get(scoped);
    if (seen) {
      if (seen.payloadHash !== hash) throw conflict(key);
      return seen.result;
    }
    const result = await send();
    await this.store.put(scoped, hash, result);
    return result;
  }
}

function conflict(key: string): OcapError {
  return new OcapError(
    'IDEMPOTENCY_CONFLICT',
    `Idempotency key "${key}" was already used for a different payload; use a new key for a new send.`,
  );
}
