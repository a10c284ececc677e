import { fromHex, fromUtf8, toHex, utf8 } from '@arc/core';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { randomBytes } from '@noble/hashes/utils.js';

/**
 * End-to-end encrypted application topics: members share a topic key; messages are sealed with
 * XChaCha20-Poly1305 under it, so the gateway relays only ciphertext. The topic key reaches each member sealed to
 * their DID key (ed25519, converted to x25519) with an ephemeral x25519 key: an anonymous sealed box.
 */

/** A sealed message as it travels through the gateway. */
export interface SealedMessage {
  e2e: 1;
  /** 24-byte nonce, hex. */
  nonce: string;
  /** Ciphertext with its 16-byte tag, hex. */
  ciphertext: string;
}

/** A topic key sealed to one member. */
export interface SealedTopicKey {
  e2e: 1;
  /** The sender's ephemeral x25519 public key, hex. */
  ephemeral: string;
  nonce: string;
  ciphertext: string;
}

/** Thrown when a message or key does not open: tampered with, or sealed for someone else. */
export class E2eError extends Error {
  override name = 'E2eError';
}

const KEY_INFO = utf8('arc-e2e/topic-key/v1');

/** A fresh 32-byte topic key. */
export function createTopicKey(): Uint8Array {
  return randomBytes(32);
}

/** Seals a JSON-serialisable value under the topic key; `topic` is bound as associated data. */
export function sealMessage(topicKey: Uint8Array, topic: string, value: unknown): SealedMessage {
  const nonce = randomBytes(24);
  const ciphertext = xchacha20poly1305(topicKey, nonce, utf8(topic)).encrypt(utf8(JSON.stringify(value)));
  return { e2e: 1, nonce: toHex(nonce), ciphertext: toHex(ciphertext) };
}

/** Opens a sealed message of `topic`; throws E2eError when it was tampered with or sealed under another key or topic. */
export function openMessage(topicKey: Uint8Array, topic: string, sealed: SealedMessage): unknown {
  try {
    const plain = xchacha20poly1305(topicKey, fromHex(sealed.nonce), utf8(topic)).decrypt(fromHex(sealed.ciphertext));
    return JSON.parse(fromUtf8(plain));
  } catch (error) {
    throw new E2eError(`the message does not open with this topic key: ${(error as Error).message}`);
  }
}

/** True for values shaped like a sealed message (what a subscriber of an encrypted topic receives). */
export function isSealedMessage(value: unknown): value is SealedMessage {
  const v = value as Partial<SealedMessage> | null;
  return typeof v === 'object' && v !== null && v.e2e === 1 && typeof v.nonce === 'string' && typeof v.ciphertext === 'string';
}

function boxKey(shared: Uint8Array, ephemeral: Uint8Array, recipient: Uint8Array): Uint8Array {
  return hkdf(sha256, shared, new Uint8Array([...ephemeral, ...recipient]), KEY_INFO, 32);
}

/** Seals the topic key to a member's ed25519 public key (their DID key). */
export function sealTopicKey(topicKey: Uint8Array, recipientEd25519PublicKey: Uint8Array): SealedTopicKey {
  const recipient = ed25519.utils.toMontgomery(recipientEd25519PublicKey);
  const ephemeralSecret = x25519.utils.randomSecretKey();
  const ephemeral = x25519.getPublicKey(ephemeralSecret);
  const key = boxKey(x25519.getSharedSecret(ephemeralSecret, recipient), ephemeral, recipient);
  const nonce = randomBytes(24);
  return { e2e: 1, ephemeral: toHex(ephemeral), nonce: toHex(nonce), ciphertext: toHex(xchacha20poly1305(key, nonce).encrypt(topicKey)) };
}

/** Opens a topic key sealed to us with our ed25519 secret key (the 32-byte seed a Wallet holds). */
export function openTopicKey(sealed: SealedTopicKey, ed25519SecretKey: Uint8Array): Uint8Array {
  try {
    const secret = ed25519.utils.toMontgomerySecret(ed25519SecretKey);
    const ours = x25519.getPublicKey(secret);
    const ephemeral = fromHex(sealed.ephemeral);
    const key = boxKey(x25519.getSharedSecret(secret, ephemeral), ephemeral, ours);
    return xchacha20poly1305(key, fromHex(sealed.nonce)).decrypt(fromHex(sealed.ciphertext));
  } catch (error) {
    throw new E2eError(`the topic key was not sealed to this key, or was tampered with: ${(error as Error).message}`);
  }
}
