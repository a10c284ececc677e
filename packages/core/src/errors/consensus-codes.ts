import type { ErrorSections } from './spec.ts';

/**
 * Consensus: the validators' gossip transport (apps/node/src/consensus/gossip, whose refusals close a WebSocket
 * with a close code of their own and one of these sentences) and the VRF (crypto/ecvrf.ts). None travels over
 * HTTP or tRPC; their statuses are what a status page or a log line would show. WRONG_CHAIN and INTERNAL are the
 * ledger's and the node's, reused as they are.
 */
const refused = (sentence: string) =>
  ({ families: ['consensus'], httpStatus: 400, trpcCode: 'BAD_REQUEST', retriable: false, sentence }) as const;
const later = (sentence: string) =>
  ({ families: ['consensus'], httpStatus: 503, trpcCode: 'SERVICE_UNAVAILABLE', retriable: true, sentence }) as const;

export const CONSENSUS_SECTION = {
  BAD_HANDSHAKE: refused('The gossip handshake frame is not a valid hello or auth; the peer runs other software or a broken build.'),
  PROTOCOL_VERSION: refused('The peer speaks another gossip protocol version; run the same node version on both sides.'),
  WRONG_GENESIS: refused("The peer has another genesis block: it is another network; fix the peer list or the node's genesis file."),
  DID_KEY_MISMATCH: refused("The peer's DID does not name the public key it presented; the peer is misconfigured or lying."),
  BAD_SIGNATURE: refused("The peer's handshake signature does not verify with its key; the peer is misconfigured or lying."),
  SELF_CONNECTION: refused('The peer claims our own DID: the node dialed itself; remove its own address from CONSENSUS_PEERS.'),
  NOT_ALLOWED: refused("The peer's DID is not on the allow-list; add it there if it should connect."),
  DUPLICATE_CONNECTION: later('Another connection with this peer is kept instead; nothing to do.'),
  HANDSHAKE_TIMEOUT: later('The gossip handshake did not complete in time; the peer is slow or unreachable, it is dialed again.'),
  BINARY_BEFORE_AUTH: refused('A gossip payload arrived before the handshake completed; the peer does not follow the protocol.'),
  TEXT_AFTER_AUTH: refused('A text frame arrived after the gossip handshake (payloads are binary); the peer does not follow the protocol.'),
  PEER_SILENT: later('The peer was silent past the timeout and was dropped; it is dialed again.'),
  CLOCK_SKEW: later("The peer's clock differs from ours by more than allowed; sync both clocks (NTP)."),
  BAD_OPTIONS: refused('The gossip options are invalid (the message names the field); fix the configuration.'),
  ALREADY_STARTED: refused('The gossip node is already started; stop it before starting it again.'),
  LISTEN_FAILED: later('Gossip cannot listen on its address; free the port or pick another in the configuration.'),
  MESSAGE_TOO_LARGE: refused('The payload is larger than the gossip message limit; send less at once.'),
  VRF_BAD_SECRET_KEY: refused('A VRF secret key is a 32-byte ed25519 seed; pass the validator key as such.'),
  VRF_BAD_PROOF: refused('The bytes are not an ECVRF-EDWARDS25519-SHA512-TAI proof (80 bytes, canonical values); the sender is faulty.'),
  VRF_ENCODE_FAILED: refused('The VRF input has no try-and-increment point (probability 2^-256); use another input.'),
} as const satisfies ErrorSections;
