import { ERROR_CATALOG, type ErrorCodeOf } from '@arc/core';

/**
 * The gossip transport's errors. A refusal closes the socket with its own WebSocket close code (4001…) and a
 * sentence as the close reason, so the other side (and its operator) learns why; `retriable` says whether dialing
 * again unchanged can succeed (a peer on another genesis never will: it is redialed at the slowest pace only).
 * Retriable flags and sentences are the error catalogue's (packages/core/src/errors/consensus-codes.ts).
 */

/** Each gossip code's WebSocket close code (null: a misuse of the node, which closes no socket). */
const CLOSE_CODES = {
  BAD_HANDSHAKE: 4001,
  PROTOCOL_VERSION: 4002,
  WRONG_CHAIN: 4003,
  WRONG_GENESIS: 4004,
  DID_KEY_MISMATCH: 4005,
  BAD_SIGNATURE: 4006,
  SELF_CONNECTION: 4007,
  NOT_ALLOWED: 4008,
  DUPLICATE_CONNECTION: 4009,
  HANDSHAKE_TIMEOUT: 4010,
  BINARY_BEFORE_AUTH: 4011,
  TEXT_AFTER_AUTH: 4012,
  PEER_SILENT: 4013,
  CLOCK_SKEW: 4014,
  INTERNAL: 4015,
  BAD_OPTIONS: null,
  ALREADY_STARTED: null,
  LISTEN_FAILED: null,
  MESSAGE_TOO_LARGE: null,
} as const satisfies Partial<Record<ErrorCodeOf<'consensus'>, number | null>>;

/** The gossip codes: close code, and the error catalogue's retriable flag and sentence. */
export const GOSSIP_ERRORS = Object.fromEntries(
  Object.entries(CLOSE_CODES).map(([code, closeCode]) => {
    const spec = ERROR_CATALOG[code as keyof typeof CLOSE_CODES];
    return [code, { closeCode, retriable: spec.retriable, sentence: spec.sentence }];
  }),
) as { readonly [C in keyof typeof CLOSE_CODES]: { closeCode: (typeof CLOSE_CODES)[C]; retriable: boolean; sentence: string } };

export type GossipErrorCode = keyof typeof GOSSIP_ERRORS;

/** A refusal of a peer, or a misuse of the node: a stable code, a sentence, and whether a retry can help. */
export class GossipError extends Error {
  override name = 'GossipError';
  readonly retriable: boolean;
  constructor(
    readonly code: GossipErrorCode,
    message: string = GOSSIP_ERRORS[code].sentence,
  ) {
    super(message);
    this.retriable = GOSSIP_ERRORS[code].retriable;
  }
}

/** The code a WebSocket close code stands for, when it is one of ours. */
export function gossipCodeOfClose(closeCode: number): GossipErrorCode | undefined {
  for (const [code, spec] of Object.entries(GOSSIP_ERRORS)) {
    if (spec.closeCode === closeCode) return code as GossipErrorCode;
  }
  return undefined;
}

/** The close code of a refusal; INTERNAL's for codes that never close a socket. */
export function closeCodeOf(code: GossipErrorCode): number {
  return GOSSIP_ERRORS[code].closeCode ?? GOSSIP_ERRORS.INTERNAL.closeCode;
}

/** WebSocket caps a close reason at 123 bytes: cut a longer sentence on a character boundary, marked with '…'. */
export function closeReason(sentence: string): string {
  if (Buffer.byteLength(sentence) <= 123) return sentence;
  const chars = [...sentence];
  while (Buffer.byteLength(chars.join('')) > 120) chars.pop();
  return `${chars.join('')}…`;
}
