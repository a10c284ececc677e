import {
  type EventStream,
  eventPosition,
  isOcapError,
  OcapError,
  type OcapEvent,
  type StreamCheckpoint,
  type StreamOptions,
} from '@arc/core';
import type { ChaincodeEvent, CloseableAsyncIterable } from '@hyperledger/fabric-gateway';
import { endOfBlock, matchesFilter, STREAM_POLL_MS_DEFAULT, STREAM_REORG_WINDOW_BLOCKS } from '../shared/event-stream.ts';
import type { FabricBlock } from './blocks.ts';
import type { EventFields } from './tokens.ts';

/** Reconnections in a row after the peer's event stream broke, before the error reaches the reader. */
export const EVENT_STREAM_RECONNECTS_MAX = 5;

/** What the stream needs from the adapter: the peer's chaincode event service, the head, and blocks (for hash and order). */
export interface ChaincodeEventSource {
  /** network.getChaincodeEvents(chaincode, { startBlock }): every event of the chaincode from that block on. */
  open(startBlock: number): Promise<CloseableAsyncIterable<ChaincodeEvent>>;
  /** The number of the newest block. */
  headHeight(): Promise<number>;
  block(height: number): Promise<FabricBlock>;
  /** Maps a failure of `open` or of the iteration onto an OcapError. */
  toOcapError(error: unknown): OcapError;
}

/** Event positions hold 12 height digits. */
const HEIGHT_LIMIT = 10 ** 12;

export type EventDecoder = (name: string, payload: Uint8Array) => EventFields;

interface State {
  /** The last block the stream entered (-1 before any), its hash and parent, and the last event position handed out. */
  height: number;
  hash: string;
  parentHash: string;
  position: string;
}

function invalid(why: string): OcapError {
  return new OcapError(
    'CHECKPOINT_INVALID',
    `This checkpoint was not made by a Fabric event stream (${why}); start a new stream from a height.`,
  );
}

/** Checks a checkpoint's shape (its block is checked against the channel once the stream starts). */
function startState(checkpoint: StreamCheckpoint): State {
  const heightOk = Number.isSafeInteger(checkpoint?.height) && checkpoint.height >= -1 && checkpoint.height < HEIGHT_LIMIT;
  if (checkpoint?.v !== 1 || !heightOk || !Array.isArray(checkpoint.recent)) {
    throw invalid('not version 1');
  }
  if (typeof checkpoint.hash !== 'string' || typeof checkpoint.position !== 'string') throw invalid('no hash or position');
  const last = checkpoint.recent[checkpoint.recent.length - 1];
  if (checkpoint.hash !== '' && (!last || last.height !== checkpoint.height || last.hash !== checkpoint.hash)) {
    throw invalid('its last block is not its height and hash');
  }
  if (
    checkpoint.position !== '' &&
    (checkpoint.height < 0 ||
      checkpoint.position > endOfBlock(checkpoint.height) ||
      checkpoint.position < eventPosition(checkpoint.height, 0))
  ) {
    throw invalid('its position is not in its block');
  }
  return { height: checkpoint.height, hash: checkpoint.hash, parentHash: last?.parentHash ?? '', position: checkpoint.position };
}

/**
 * A chaincode's events as an OCAP EventStream. The peer pushes events through the gateway's ChaincodeEvents service
 * from a start block; each event's block is read (qscc, cached) for its hash and the transaction's index, which makes
 * the position. Fabric blocks are final, so there are no removals; a block's events are held back until it has
 * `confirmations` (the head is polled for that). Resuming from a checkpoint restarts at its block and skips what was
 * handed out; a broken connection is reopened the same way, up to EVENT_STREAM_RECONNECTS_MAX times in a row.
 */
export function createChaincodeEventStream(source: ChaincodeEventSource, decode: EventDecoder, options: StreamOptions = {}): EventStream {
  const confirmations = options.confirmations ?? 1;
  if (!Number.isInteger(confirmations) || confirmations < 1 || confirmations > STREAM_REORG_WINDOW_BLOCKS) {
    throw new OcapError('INVALID_ARGUMENT', `confirmations must be an integer from 1 to ${STREAM_REORG_WINDOW_BLOCKS}.`);
  }
  if (options.fromHeight !== undefined && (!Number.isSafeInteger(options.fromHeight) || options.fromHeight < 0)) {
    throw new OcapError('INVALID_ARGUMENT', 'fromHeight is a block number (a non-negative integer).');
  }
  const pollMs = options.pollMs ?? STREAM_POLL_MS_DEFAULT;
  const resumed = options.checkpoint !== undefined;
  let state: State = options.checkpoint
    ? startState(options.checkpoint)
    : { height: (options.fromHeight ?? 0) - 1, hash: '', parentHash: '', position: '' };
  let started = resumed || options.fromHeight !== undefined;
  const abort = new AbortController();
  let current: CloseableAsyncIterable<ChaincodeEvent> | undefined;
  let head = -1;

  function checkpoint(): StreamCheckpoint {
    const recent = state.hash === '' ? [] : [{ height: state.height, hash: state.hash, parentHash: state.parentHash, events: [] }];
    return { v: 1, height: state.height, hash: state.hash, position: state.position, recent };
  }

  async function sleep(ms: number): Promise<void> {
    if (abort.signal.aborted) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        abort.signal.removeEventListener('abort', done);
        resolve();
      }
      abort.signal.addEventListener('abort', done, { once: true });
    });
  }

  /** A checkpoint names a block: it must be this channel's block, or the checkpoint came from elsewhere. */
  async function verifyCheckpoint(): Promise<void> {
    if (state.hash === '') return;
    let block: FabricBlock;
    try {
      block = await source.block(state.height);
    } catch (error) {
      if (isOcapError(error, 'NOT_FOUND')) throw invalid(`this channel has no block ${state.height}`);
      throw error;
    }
    if (block.hash !== state.hash) throw invalid(`block ${state.height} of this channel has another hash`);
  }

  async function waitForConfirmations(height: number): Promise<void> {
    while (!abort.signal.aborted && head - height + 1 < confirmations) {
      head = await source.headHeight();
      if (head - height + 1 < confirmations) await sleep(pollMs);
    }
  }

  /** Where to (re)open: the block of the last handed-out event (skipping what came before), else the next block. */
  function startBlock(): number {
    const entered = state.position !== '' && state.position !== endOfBlock(state.height);
    return entered ? state.height : state.height + 1;
  }

  function indexOf(block: FabricBlock, txId: string): number {
    const tx =
      block.transactions.find((t) => t.txId === txId && t.validation === 'VALID') ?? block.transactions.find((t) => t.txId === txId);
    if (!tx) throw new OcapError('INTERNAL', `The peer sent an event of transaction ${txId}, which block ${block.number} does not hold.`);
    return tx.index;
  }

  async function* iterate(): AsyncGenerator<OcapEvent> {
    if (resumed) await verifyCheckpoint();
    if (!started) {
      state = { ...state, height: await source.headHeight() };
      started = true;
    }
    let failures = 0;
    while (!abort.signal.aborted) {
      try {
        current = await source.open(startBlock());
        if (abort.signal.aborted) return;
        for await (const raw of current) {
          failures = 0;
          const height = Number(raw.blockNumber);
          const block = await source.block(height);
          const position = eventPosition(height, indexOf(block, raw.transactionId));
          if (height < state.height || (height === state.height && position <= state.position)) continue;
          if (confirmations > 1) await waitForConfirmations(height);
          if (abort.signal.aborted) return;
          state = { height, hash: block.hash, parentHash: block.previousHash, position };
          const event: OcapEvent = {
            ...decode(raw.eventName, raw.payload),
            position,
            blockHeight: height,
            blockHash: block.hash,
            txHash: raw.transactionId,
            removed: false,
          };
          if (matchesFilter(event, options.filter)) yield event;
        }
        // The peer ended the stream without an error: open it again where we are.
      } catch (error) {
        if (abort.signal.aborted) return;
        const mapped = isOcapError(error) ? error : source.toOcapError(error);
        failures += 1;
        if (!mapped.retriable || failures > EVENT_STREAM_RECONNECTS_MAX) throw mapped;
        await sleep(pollMs * failures);
      } finally {
        current?.close();
        current = undefined;
      }
    }
  }

  const iterator = iterate();
  return {
    [Symbol.asyncIterator]: () => iterator,
    checkpoint,
    close: () => {
      abort.abort();
      current?.close();
    },
  };
}
