import {
  type ChainAdapter,
  type EventStream,
  isOcapError,
  type OcapEvent,
  type OcapTx,
  type StreamCheckpoint,
  type StreamOptions,
} from '@arc/core';
import { endOfBlock } from '../shared/event-stream.ts';

/**
 * Deliberately broken adapters for the suite's own tests: each wraps a working adapter and reproduces one bug an
 * adapter author could realistically write. The suite must fail every one of them.
 */
export type Breakage = (adapter: ChainAdapter) => Partial<Record<keyof ChainAdapter, unknown>>;

/** The adapter with some members replaced; everything else is the working adapter's own. */
export function broken(adapter: ChainAdapter, breakage: Breakage): ChainAdapter {
  const overrides = breakage(adapter);
  return new Proxy(adapter, {
    get(target, property) {
      if (Object.hasOwn(overrides, property)) return overrides[property as keyof ChainAdapter];
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** A stream whose events pass through `transform`; checkpoint and close are the inner stream's. */
function mapStream(inner: EventStream, transform: (events: AsyncIterator<OcapEvent>) => AsyncGenerator<OcapEvent>): EventStream {
  return {
    checkpoint: () => inner.checkpoint(),
    close: () => inner.close(),
    [Symbol.asyncIterator]: () => transform(inner[Symbol.asyncIterator]()),
  };
}

async function* rest(events: AsyncIterator<OcapEvent>): AsyncGenerator<OcapEvent> {
  for (let next = await events.next(); !next.done; next = await events.next()) yield next.value;
}

/** A checkpoint the broken resume logic acts on; anything else goes to the working adapter, which refuses it. */
const wellFormed = (checkpoint: StreamCheckpoint | undefined): checkpoint is StreamCheckpoint =>
  checkpoint?.v === 1 && Number.isInteger(checkpoint.height) && typeof checkpoint.position === 'string';

/** True when the checkpoint stopped inside a block (some of its events delivered, not all). */
const midBlock = (checkpoint: StreamCheckpoint | undefined): checkpoint is StreamCheckpoint =>
  wellFormed(checkpoint) && checkpoint.position !== '' && checkpoint.position !== endOfBlock(checkpoint.height);

/** Resuming mid-block drops the first remaining event of that block (an off-by-one in the skip). */
export const dropsOnMidBlockResume: Breakage = (a) => ({
  events: (options: StreamOptions = {}) => {
    const checkpoint = options.checkpoint;
    const inner = a.events(options);
    if (!midBlock(checkpoint)) return inner;
    return mapStream(inner, async function* (events) {
      const first = await events.next();
      if (first.done) return;
      if (first.value.blockHeight !== checkpoint.height) yield first.value;
      yield* rest(events);
    });
  },
});

/** Resuming mid-block delivers the rest of that block with its first two events swapped (re-sorted wrongly). */
export const reordersOnMidBlockResume: Breakage = (a) => ({
  events: (options: StreamOptions = {}) => {
    const checkpoint = options.checkpoint;
    const inner = a.events(options);
    if (!midBlock(checkpoint)) return inner;
    return mapStream(inner, async function* (events) {
      const first = await events.next();
      if (first.done) return;
      if (first.value.blockHeight !== checkpoint.height) {
        yield first.value;
        yield* rest(events);
        return;
      }
      const second = await events.next();
      if (!second.done && second.value.blockHeight === checkpoint.height) yield second.value;
      yield first.value;
      if (!second.done && second.value.blockHeight !== checkpoint.height) yield second.value;
      yield* rest(events);
    });
  },
});

/** A checkpoint that passed its block's end resumes at that block's height again, re-delivering it. */
export const redeliversFinishedBlock: Breakage = (a) => ({
  events: (options: StreamOptions = {}) => {
    const checkpoint = options.checkpoint;
    if (!wellFormed(checkpoint) || checkpoint.position !== endOfBlock(checkpoint.height)) return a.events(options);
    return a.events({ ...options, checkpoint: undefined, fromHeight: checkpoint.height });
  },
});

/** Counts confirmations from 0 instead of 1 (delivers one block early), or one too many (late). */
export const confirmationsOffBy =
  (offset: 1 | -1): Breakage =>
  (a) => ({
    events: (options: StreamOptions = {}) => a.events({ ...options, confirmations: Math.max(1, (options.confirmations ?? 1) + offset) }),
  });

/** Resumes from the height after the checkpoint without comparing block hashes: a reorg while closed goes unseen. */
export const ignoresReorgWhileClosed: Breakage = (a) => ({
  events: (options: StreamOptions = {}) => {
    const checkpoint = options.checkpoint;
    if (!wellFormed(checkpoint)) return a.events(options);
    return a.events({ ...options, checkpoint: undefined, fromHeight: checkpoint.height + 1 });
  },
});

/** Skips input validation on a write path, so bad input comes back as the node's raw error instead of an OcapError code. */
export const unmappedErrors =
  (method: 'transferToken' | 'transferAsset' | 'broadcast'): Breakage =>
  (a) => ({
    [method]: async (...args: unknown[]) => {
      try {
        return await (a[method] as (...xs: unknown[]) => Promise<unknown>).apply(a, args);
      } catch (error) {
        if (!isOcapError(error) || (error.code !== 'INVALID_ADDRESS' && error.code !== 'INVALID_ARGUMENT')) throw error;
        throw new Error(`rpc error: ${error.message}`);
      }
    },
  });

/** Forgets the idempotency key on a write path (sends again on every retry). */
export const ignoresIdempotencyKey =
  (method: 'transferToken' | 'transferAsset' | 'broadcast'): Breakage =>
  (a) => ({
    [method]: (...args: unknown[]) => {
      const call = (a[method] as (...xs: unknown[]) => Promise<unknown>).bind(a);
      if (method === 'broadcast') return call(args[0]);
      const [signer, request] = args as [unknown, Record<string, unknown>];
      return call(signer, { ...request, idempotencyKey: undefined });
    },
  });

/** Fee estimates as numbers (a JSON-RPC quantity converted with Number). */
export const numberFeeEstimates: Breakage = (a) => ({
  estimateFee: async (request: { from: string; to: string; amount: bigint }) => {
    const estimate = await a.estimateFee(request);
    return { ...estimate, fee: Number(estimate.fee), rate: Number(estimate.rate) };
  },
});

/** Transaction fees as numbers (a receipt's gasUsed × price converted with Number). */
export const numberTxFees: Breakage = (a) => {
  const withNumberFee = (tx: OcapTx) => ({ ...tx, fee: tx.fee === null ? null : Number(tx.fee) }) as unknown as OcapTx;
  return {
    getTransaction: async (hash: string) => withNumberFee(await a.getTransaction(hash)),
    waitForTransaction: async (hash: string, options?: { confirmations?: number; timeoutMs?: number }) =>
      withNumberFee(await a.waitForTransaction(hash, options)),
  };
};

/** Answers a wait for an unknown hash with a made-up pending transaction instead of NOT_FOUND or TIMEOUT. */
export const inventsUnknownTransaction: Breakage = (a) => ({
  waitForTransaction: async (hash: string, options?: { confirmations?: number; timeoutMs?: number }) => {
    try {
      return await a.waitForTransaction(hash, options);
    } catch (error) {
      if (!isOcapError(error) || (error.code !== 'NOT_FOUND' && error.code !== 'TIMEOUT')) throw error;
      const invented: OcapTx = {
        hash,
        status: 'pending',
        from: '',
        to: null,
        value: 0n,
        fee: null,
        blockHeight: null,
        blockHash: null,
        confirmations: 0,
      };
      return invented;
    }
  },
});

/** Claims the native capability but exposes `native` as `empty` (undefined or an object with no methods). */
export const claimsNativeWithout =
  (empty: undefined | Record<string, never>): Breakage =>
  (a) => ({
    capabilities: () => ({ ...a.capabilities(), native: 'native' as const }),
    native: empty,
  });
