import { clientError } from './client-error.ts';

/**
 * WebAuthn passkeys with the PRF extension: the passkey evaluates a pseudo-random function on a salt the wallet
 * keeps, and the 32-byte output (never stored) opens the vault. The relying party is this page's host name.
 */

const PRF_BYTES = 32;
/** How long the browser's passkey prompt may stay open. */
const PROMPT_TIMEOUT_MS = 120_000;

export interface NewPasskey {
  credentialId: string;
  prfOutput: Uint8Array;
}

/** Raised when the browser or the authenticator has no PRF: the wallet falls back to a passphrase. */
export class PrfUnsupportedError extends Error {
  override name = 'PrfUnsupportedError';
}

function base64url(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let text = '';
  for (const byte of view) text += String.fromCharCode(byte);
  return btoa(text).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const copy = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(bytes);

/** True when this browser can make passkeys at all (PRF support is only known after trying). */
export function passkeysAvailable(): boolean {
  return typeof window !== 'undefined' && window.isSecureContext && typeof window.PublicKeyCredential === 'function';
}

/** A refused or dismissed prompt (NotAllowedError, AbortError) is CANCELLED; anything else keeps its message. */
async function promptError(error: unknown): Promise<Error> {
  if (error instanceof DOMException && (error.name === 'NotAllowedError' || error.name === 'AbortError')) {
    return clientError('CANCELLED', 'The passkey prompt was closed or refused, so nothing changed; try again when ready.');
  }
  if (error instanceof DOMException && error.name === 'SecurityError') {
    return new PrfUnsupportedError(`passkeys cannot be used on ${location.hostname} (${error.message})`);
  }
  return error instanceof Error ? error : new Error(String(error));
}

function prfFirst(credential: PublicKeyCredential): Uint8Array | null {
  const results = credential.getClientExtensionResults() as { prf?: { enabled?: boolean; results?: { first?: BufferSource } } };
  const first = results.prf?.results?.first;
  if (!first) return null;
  const bytes = first instanceof ArrayBuffer ? new Uint8Array(first) : new Uint8Array(first.buffer, first.byteOffset, first.byteLength);
  return bytes.length === PRF_BYTES ? new Uint8Array(bytes) : null;
}

/** Registers a new passkey for this wallet and evaluates its PRF on `salt`; PrfUnsupportedError when it cannot. */
export async function createPasskey(salt: Uint8Array): Promise<NewPasskey> {
  if (!passkeysAvailable()) throw new PrfUnsupportedError('this browser has no passkeys');
  let credential: PublicKeyCredential | null;
  try {
    credential = (await navigator.credentials.create({
      publicKey: {
        rp: { id: location.hostname, name: 'Arc wallet' },
        user: { id: crypto.getRandomValues(new Uint8Array(16)), name: 'Arc wallet', displayName: 'Arc wallet' },
        // Nothing is verified by a server: the passkey only unlocks keys in this page.
        challenge: crypto.getRandomValues(new Uint8Array(32)),
        pubKeyCredParams: [
          { type: 'public-key', alg: -8 },
          { type: 'public-key', alg: -7 },
          { type: 'public-key', alg: -257 },
        ],
        authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
        timeout: PROMPT_TIMEOUT_MS,
        extensions: { prf: { eval: { first: copy(salt) } } } as AuthenticationExtensionsClientInputs,
      },
    })) as PublicKeyCredential | null;
  } catch (error) {
    throw await promptError(error);
  }
  if (!credential) throw await clientError('CANCELLED', 'No passkey was made; try again when ready.');
  const credentialId = base64url(credential.rawId);
  const results = credential.getClientExtensionResults() as { prf?: { enabled?: boolean } };
  if (results.prf?.enabled === false) throw new PrfUnsupportedError('this passkey has no PRF');
  // Some authenticators evaluate the PRF only when the passkey is used, not when it is made.
  const prfOutput = prfFirst(credential) ?? (await evaluatePasskey([credentialId], salt)).prfOutput;
  return { credentialId, prfOutput };
}

/** Asks one of the wallet's passkeys for its PRF output on `salt` (the browser shows its prompt). */
export async function evaluatePasskey(credentialIds: string[], salt: Uint8Array): Promise<NewPasskey> {
  if (!passkeysAvailable()) throw new PrfUnsupportedError('this browser has no passkeys');
  let credential: PublicKeyCredential | null;
  try {
    credential = (await navigator.credentials.get({
      publicKey: {
        rpId: location.hostname,
        challenge: crypto.getRandomValues(new Uint8Array(32)),
        allowCredentials: credentialIds.map((id) => ({ type: 'public-key' as const, id: fromBase64url(id) })),
        userVerification: 'required',
        timeout: PROMPT_TIMEOUT_MS,
        extensions: { prf: { eval: { first: copy(salt) } } } as AuthenticationExtensionsClientInputs,
      },
    })) as PublicKeyCredential | null;
  } catch (error) {
    throw await promptError(error);
  }
  if (!credential) throw await clientError('CANCELLED', 'No passkey was chosen; try again when ready.');
  const prfOutput = prfFirst(credential);
  if (!prfOutput) throw new PrfUnsupportedError('the passkey gave no PRF output');
  return { credentialId: base64url(credential.rawId), prfOutput };
}
