import { toHex, utf8 } from '../bytes.ts';
import { signMessage } from '../crypto/keys.ts';
import { sha3, verifySignature } from '../crypto/provider.ts';
import { didFromPublicKey } from '../did/did.ts';
import { canonicalJson } from './manifest.ts';

/** How far a signed admin request's time may be from the node's clock. */
export const ADMIN_AUTH_SKEW_MS = 5 * 60_000;

/** A request signed by a DID: its public key, the time it was signed and the ed25519 signature, hex. */
export interface AdminAuth {
  publicKey: string;
  timeMs: number;
  signature: string;
}

/** The bytes an owner signs to manage a blocklet: the operation, the blocklet, the time and the parameters. */
export function adminMessage(op: string, name: string, params: unknown, timeMs: number): Uint8Array {
  return utf8(`arc-admin/v1\n${op}\n${name}\n${timeMs}\n${canonicalJson(params)}`);
}

/** Signs an admin request with an ed25519 key pair. */
export function signAdmin(
  key: { publicKey: Uint8Array; secretKey: Uint8Array },
  op: string,
  name: string,
  params: unknown,
  timeMs: number,
): AdminAuth {
  return { publicKey: toHex(key.publicKey), timeMs, signature: toHex(signMessage(key.secretKey, adminMessage(op, name, params, timeMs))) };
}

/** The DID that signed the request, or a sentence saying why the signature does not hold. */
export function verifyAdmin(
  auth: { publicKey: Uint8Array; timeMs: number; signature: Uint8Array },
  op: string,
  name: string,
  params: unknown,
  nowMs: number,
): { did: string } | { error: string } {
  if (Math.abs(nowMs - auth.timeMs) > ADMIN_AUTH_SKEW_MS)
    return { error: `the request was signed at ${auth.timeMs}, more than 5 minutes from the node's clock; sign it again` };
  if (!verifySignature(auth.publicKey, adminMessage(op, name, params, auth.timeMs), auth.signature)) {
    return { error: 'the signature does not match the request; sign exactly this operation, blocklet, time and parameters' };
  }
  return { did: didFromPublicKey(auth.publicKey) };
}

/** An upload as blocklet.upload takes it: the manifest file and the source files by relative path. */
export interface UploadContent {
  manifest: { file: string; text: string };
  files: Record<string, string>;
}

/** What an upload's signature covers: sha3 (hex) of the manifest (file name and text) and every source file, as canonical JSON. */
export function uploadDigest(upload: UploadContent): string {
  return toHex(sha3(utf8(canonicalJson({ manifest: upload.manifest, files: upload.files }))));
}

/** The signed parameters of blocklet.upload: the admin operation `upload` on the manifest's name. */
export function uploadParams(upload: UploadContent): { digest: string } {
  return { digest: uploadDigest(upload) };
}

/** Signs blocklet.upload as the manifest's author (`name` is the manifest's name). */
export function signUpload(
  key: { publicKey: Uint8Array; secretKey: Uint8Array },
  name: string,
  upload: UploadContent,
  timeMs: number,
): AdminAuth {
  return signAdmin(key, 'upload', name, uploadParams(upload), timeMs);
}
