import { concatBytes, didMatchesPublicKey, fromHex, type KeyPair, sha3, signMessage, toHex, utf8, verifySignature } from '@arc/core';
import { z } from 'zod';
import type { GossipErrorCode } from './errors.ts';

/**
 * The gossip handshake. Both sides, dialer and listener alike, send a hello as soon as the socket opens, then answer
 * the other's nonce with an auth; a peer is connected once its auth verifies. Frames are JSON text, bounded in size
 * (GOSSIP_LIMITS.helloFrameBytesMax) and parsed with the schemas below; everything after the handshake is binary.
 *
 *   hello = { type: 'hello', version: 1, chainId, genesisHash (hex), did, publicKey (hex, 32 bytes),
 *             nonce (hex, 32 random bytes), timeMs }
 *   auth  = { type: 'auth', signature (hex, 64 bytes) } = ed25519(secretKey, authDigest(...)) — see authDigest.
 */
export const GOSSIP_PROTOCOL_VERSION = 1;

/** The domain of the auth signature, so a signature made here is never valid for any other message of the platform. */
export const GOSSIP_AUTH_DOMAIN = 'arc-gossip-v1';

export const NONCE_BYTES = 32;

const lowerHex = (bytesMin: number, bytesMax: number) =>
  z.string().regex(new RegExp(`^(?:[0-9a-f]{2}){${bytesMin},${bytesMax}}$`), `lower-case hex of ${bytesMin}–${bytesMax} bytes`);

export const HelloFrame = z.object({
  type: z.literal('hello'),
  version: z.number().int(),
  chainId: z.string().min(1).max(64),
  genesisHash: lowerHex(1, 64),
  did: z.string().min(1).max(64),
  publicKey: lowerHex(32, 32),
  nonce: lowerHex(NONCE_BYTES, NONCE_BYTES),
  timeMs: z.number().int().nonnegative(),
});
export type HelloFrame = z.infer<typeof HelloFrame>;

export const AuthFrame = z.object({ type: z.literal('auth'), signature: lowerHex(64, 64) });
export type AuthFrame = z.infer<typeof AuthFrame>;

export const HandshakeFrame = z.discriminatedUnion('type', [HelloFrame, AuthFrame]);
export type HandshakeFrame = z.infer<typeof HandshakeFrame>;

/** What a node knows about itself to say hello and to judge another's. */
export interface HandshakeIdentity {
  key: KeyPair;
  did: string;
  chainId: string;
  /** Lower-case hex without a prefix. */
  genesisHash: string;
  /** When given, the only DIDs accepted. */
  allowedDids: ReadonlySet<string> | null;
}

/** Why a peer is refused: its code and a sentence that fits a close reason. */
export interface Refusal {
  code: GossipErrorCode;
  reason: string;
}

/** Our hello for one connection. */
export function makeHello(identity: HandshakeIdentity, nonce: Uint8Array, timeMs: number): HelloFrame {
  return {
    type: 'hello',
    version: GOSSIP_PROTOCOL_VERSION,
    chainId: identity.chainId,
    genesisHash: identity.genesisHash,
    did: identity.did,
    publicKey: toHex(identity.key.publicKey),
    nonce: toHex(nonce),
    timeMs,
  };
}

/**
 * The 32 bytes an auth signs:
 *
 *   sha3_256( utf8('arc-gossip-v1') || 0x00
 *           || challengeNonce                       (32 bytes: the nonce of the side that verifies)
 *           || signerNonce                          (32 bytes: the nonce of the side that signs)
 *           || u16be(len) || utf8(chainId)
 *           || u16be(len) || genesisHash bytes
 *           || u16be(len) || utf8(signerDid) )
 *
 * The verifier's fresh nonce makes a recorded auth useless on another connection; the signer's own nonce, chain,
 * genesis and DID bind the signature to what its hello claimed. Lengths prefix the variable fields so no two
 * different field lists share an encoding.
 */
export function authDigest(input: {
  challengeNonce: Uint8Array;
  signerNonce: Uint8Array;
  chainId: string;
  genesisHash: string;
  signerDid: string;
}): Uint8Array {
  return sha3(
    concatBytes(
      utf8(GOSSIP_AUTH_DOMAIN),
      new Uint8Array([0]),
      input.challengeNonce,
      input.signerNonce,
      lengthPrefixed(utf8(input.chainId)),
      lengthPrefixed(fromHex(input.genesisHash)),
      lengthPrefixed(utf8(input.signerDid)),
    ),
  );
}

function lengthPrefixed(bytes: Uint8Array): Uint8Array {
  return concatBytes(new Uint8Array([bytes.length >> 8, bytes.length & 0xff]), bytes);
}

/** Our auth answering a peer's hello. */
export function makeAuth(identity: HandshakeIdentity, ownNonce: Uint8Array, peerHello: HelloFrame): AuthFrame {
  const digest = authDigest({
    challengeNonce: fromHex(peerHello.nonce),
    signerNonce: ownNonce,
    chainId: identity.chainId,
    genesisHash: identity.genesisHash,
    signerDid: identity.did,
  });
  return { type: 'auth', signature: toHex(signMessage(identity.key.secretKey, digest)) };
}

/** True when the peer's auth is its hello key's signature over our nonce, its own nonce and DID, and our chain and genesis. */
export function verifyAuth(identity: HandshakeIdentity, ownNonce: Uint8Array, peerHello: HelloFrame, auth: AuthFrame): boolean {
  const digest = authDigest({
    challengeNonce: ownNonce,
    signerNonce: fromHex(peerHello.nonce),
    chainId: identity.chainId,
    genesisHash: identity.genesisHash,
    signerDid: peerHello.did,
  });
  return verifySignature(fromHex(peerHello.publicKey), digest, fromHex(auth.signature));
}

/** Parses one handshake text frame (already within the size bound), or says why it is not one. */
export function parseHandshakeFrame(text: string): { ok: true; frame: HandshakeFrame } | { ok: false; refusal: Refusal } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    return { ok: false, refusal: { code: 'BAD_HANDSHAKE', reason: 'The handshake frame is not JSON.' } };
  }
  const parsed = HandshakeFrame.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? '' : ` (${issue.path.join('.') || 'frame'}: ${issue.message})`;
    return { ok: false, refusal: { code: 'BAD_HANDSHAKE', reason: `The handshake frame is not a valid hello or auth${where}.` } };
  }
  return { ok: true, frame: parsed.data };
}

/** Why a peer's hello is refused, or null when it may go on to auth. Checked before our auth is sent. */
export function checkHello(identity: HandshakeIdentity, hello: HelloFrame, nowMs: number, clockSkewMsMax: number): Refusal | null {
  if (hello.version !== GOSSIP_PROTOCOL_VERSION) {
    return { code: 'PROTOCOL_VERSION', reason: `Gossip protocol version ${hello.version} is not ours (${GOSSIP_PROTOCOL_VERSION}).` };
  }
  if (hello.chainId !== identity.chainId) {
    return { code: 'WRONG_CHAIN', reason: `Chain ${short(hello.chainId)} is not ours (${short(identity.chainId)}).` };
  }
  if (hello.genesisHash !== identity.genesisHash) {
    return {
      code: 'WRONG_GENESIS',
      reason: `Genesis hash ${short(hello.genesisHash)} is not ours (${short(identity.genesisHash)}): another network.`,
    };
  }
  if (hello.did === identity.did) return { code: 'SELF_CONNECTION', reason: 'The peer claims our own DID (a node dialing itself?).' };
  if (!didMatchesPublicKey(hello.did, fromHex(hello.publicKey))) {
    return { code: 'DID_KEY_MISMATCH', reason: `DID ${short(hello.did, 64)} does not name the public key in its hello.` };
  }
  if (identity.allowedDids !== null && !identity.allowedDids.has(hello.did)) {
    return { code: 'NOT_ALLOWED', reason: `DID ${short(hello.did, 64)} is not on the allow-list.` };
  }
  if (Math.abs(hello.timeMs - nowMs) > clockSkewMsMax) {
    return { code: 'CLOCK_SKEW', reason: `The peer's clock is ${Math.round((hello.timeMs - nowMs) / 1000)} s off ours.` };
  }
  return null;
}

/** A value cut for a close reason (which WebSocket caps at 123 bytes). */
function short(value: string, charsMax = 16): string {
  return value.length <= charsMax ? value : `${value.slice(0, charsMax - 2)}…`;
}
