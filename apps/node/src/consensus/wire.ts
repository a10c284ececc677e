/**
 * What travels in a gossip frame between consensus nodes: a kind byte, then a consensus message (core's
 * encodeMessage), a transaction's canonical bytes, or several transactions (a count, then each length-prefixed: the
 * transactions one node admitted in one turn go out in one frame). Anything else is dropped unrelayed.
 */
import {
  type BlockCandidate,
  type ConsensusMessage,
  decodeHeader,
  decodeMessage,
  decodeSeal,
  encodeHeader,
  encodeMessage,
  encodeSeal,
  Reader,
  TX_LIMITS,
  Writer,
} from '@arc/core';

const FRAME = { consensus: 1, tx: 2, executor: 3, txs: 4 } as const;

/** Transactions in one frame at most, and their bytes (a sender splits what it has into frames within both). */
export const TXS_FRAME_LIMITS = { txsMax: 512, bytesMax: 1024 * 1024 } as const;

/** The largest executor-election message (a claim or a result digest with its proof). */
const EXECUTOR_FRAME_BYTES_MAX = 64 * 1024;

/** The most transactions a block payload may carry when decoded (the chain's own bound is checked on validation). */
const PAYLOAD_TXS_MAX = 100_000;

export type Frame =
  | { kind: 'consensus'; message: ConsensusMessage }
  /** One transaction: what nodes before batched transaction gossip send (still taken). */
  | { kind: 'tx'; bytes: Uint8Array }
  /** `direct`: the sender reaches every validator itself, so that nobody relays the frame. */
  | { kind: 'txs'; list: Uint8Array[]; direct: boolean }
  /** Blocklet executor election (runtime/executors): claims and results, decoded by their own module. */
  | { kind: 'executor'; bytes: Uint8Array };

export function consensusFrame(message: ConsensusMessage): Uint8Array {
  const body = encodeMessage(message);
  const frame = new Uint8Array(body.length + 1);
  frame[0] = FRAME.consensus;
  frame.set(body, 1);
  return frame;
}

/**
 * Several transactions in one frame (at most TXS_FRAME_LIMITS: the caller splits). `direct` when the sender has a link
 * to every validator: in a full mesh a relay only sends each peer copies it already has.
 */
export function txsFrame(list: Uint8Array[], direct: boolean): Uint8Array {
  const w = new Writer()
    .u8(FRAME.txs)
    .u8(direct ? 1 : 0)
    .uint(list.length);
  for (const bytes of list) w.bytes(bytes);
  return w.finish();
}

function decodeTxs(body: Uint8Array): { list: Uint8Array[]; direct: boolean } | null {
  if (body.length > TXS_FRAME_LIMITS.bytesMax) return null;
  const r = new Reader(body);
  const flags = r.u8();
  if (flags > 1) return null;
  const count = r.count(TXS_FRAME_LIMITS.txsMax);
  const list: Uint8Array[] = [];
  for (let i = 0; i < count; i += 1) {
    const bytes = r.bytes(TX_LIMITS.txBytesHardMax);
    if (bytes.length === 0) return null;
    list.push(bytes);
  }
  r.end();
  return count > 0 ? { list, direct: flags === 1 } : null;
}

export function executorFrame(bytes: Uint8Array): Uint8Array {
  return tagged(FRAME.executor, bytes);
}

function tagged(kind: number, bytes: Uint8Array): Uint8Array {
  const frame = new Uint8Array(bytes.length + 1);
  frame[0] = kind;
  frame.set(bytes, 1);
  return frame;
}

/** A frame's content, or null for bytes that are no frame (they are dropped and not relayed). */
export function decodeFrame(frame: Uint8Array): Frame | null {
  const body = frame.subarray(1);
  try {
    if (frame[0] === FRAME.consensus) return { kind: 'consensus', message: decodeMessage(body) };
    if (frame[0] === FRAME.tx && body.length > 0 && body.length <= TX_LIMITS.txBytesHardMax) return { kind: 'tx', bytes: body };
    if (frame[0] === FRAME.txs) {
      const txs = decodeTxs(body);
      return txs ? { kind: 'txs', ...txs } : null;
    }
    if (frame[0] === FRAME.executor && body.length > 0 && body.length <= EXECUTOR_FRAME_BYTES_MAX) return { kind: 'executor', bytes: body };
  } catch (error) {
    if (error instanceof Error) return null;
    throw error;
  }
  return null;
}

/** A block as a proposal's payload: header, seal and transactions, canonical. */
export function encodeCandidate(c: BlockCandidate): Uint8Array {
  const w = new Writer().bytes(encodeHeader(c.header)).bytes(encodeSeal(c.seal)).uint(c.txs.length);
  for (const tx of c.txs) w.bytes(tx);
  return w.finish();
}

/** Decodes a payload; throws CodecError when it is not one. */
export function decodeCandidate(payload: Uint8Array): BlockCandidate {
  const r = new Reader(payload);
  const header = decodeHeader(r.bytes(4096));
  const seal = decodeSeal(r.bytes(256));
  const count = r.count(PAYLOAD_TXS_MAX);
  const txs: Uint8Array[] = [];
  for (let i = 0; i < count; i += 1) txs.push(r.bytes(TX_LIMITS.txBytesHardMax));
  r.end();
  return { header, seal, txs };
}
