/**
 * The gossip transport's errors. A refusal closes the socket with its own WebSocket close code (4001…) and a
 * sentence as the close reason, so the other side (and its operator) learns why; `retriable` says whether dialing
 * again unchanged can succeed (a peer on another genesis never will: it is redialed at the slowest pace only).
 */
export const GOSSIP_ERRORS = {
  BAD_HANDSHAKE: { closeCode: 4001, retriable: false, sentence: 'The handshake frame is not a valid hello or auth.' },
  PROTOCOL_VERSION: { closeCode: 4002, retriable: false, sentence: 'The peer speaks another gossip protocol version.' },
  WRONG_CHAIN: { closeCode: 4003, retriable: false, sentence: 'The peer is on another chain.' },
  WRONG_GENESIS: { closeCode: 4004, retriable: false, sentence: 'The peer has another genesis block.' },
  DID_KEY_MISMATCH: { closeCode: 4005, retriable: false, sentence: "The peer's DID does not name its public key." },
  BAD_SIGNATURE: { closeCode: 4006, retriable: false, sentence: "The peer's auth signature does not verify with its key." },
  SELF_CONNECTION: { closeCode: 4007, retriable: false, sentence: 'The peer claims our own DID.' },
  NOT_ALLOWED: { closeCode: 4008, retriable: false, sentence: "The peer's DID is not on the allow-list." },
  DUPLICATE_CONNECTION: { closeCode: 4009, retriable: true, sentence: 'Another connection with this peer is kept instead.' },
  HANDSHAKE_TIMEOUT: { closeCode: 4010, retriable: true, sentence: 'The handshake did not complete in time.' },
  BINARY_BEFORE_AUTH: { closeCode: 4011, retriable: false, sentence: 'A payload arrived before the handshake completed.' },
  TEXT_AFTER_AUTH: { closeCode: 4012, retriable: false, sentence: 'A text frame arrived after the handshake; payloads are binary.' },
  PEER_SILENT: { closeCode: 4013, retriable: true, sentence: 'The peer was silent past the timeout.' },
  CLOCK_SKEW: { closeCode: 4014, retriable: true, sentence: "The peer's clock differs from ours by more than allowed." },
  INTERNAL: { closeCode: 4015, retriable: true, sentence: 'The connection failed on a bug of this node; see its log.' },
  BAD_OPTIONS: { closeCode: null, retriable: false, sentence: 'The gossip options are invalid; fix the configuration.' },
  ALREADY_STARTED: { closeCode: null, retriable: false, sentence: 'The gossip node is already started; stop it first.' },
  LISTEN_FAILED: { closeCode: null, retriable: true, sentence: 'Gossip cannot listen on its address; free the port or pick another.' },
  MESSAGE_TOO_LARGE: { closeCode: null, retriable: false, sentence: 'The payload is larger than the gossip message limit.' },
} as const satisfies Record<string, { closeCode: number | null; retriable: boolean; sentence: string }>;

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
