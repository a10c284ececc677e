import type { Wallet } from '@arc/client';
import { adminMessage, toHex } from '@arc/core';
import type { WalletContextValue } from '../../wallet/index.ts';

/** The op both keys sign to link an application to its developer (apps/node/src/console/api-schemas.ts). */
export const REGISTER_APPLICATION_OP = 'console.registerApplication';

/** ABT's decimals: amounts in the form are ABT, the ledger counts its smallest unit. */
export const ABT_DECIMALS = 18;

export interface SignedRequest {
  publicKey: string;
  timeMs: number;
  signature: string;
}

/** signAdmin from @arc/core with a wallet that keeps its secret: the same bytes, signed by the Wallet. */
export function signRequest(signer: Wallet, op: string, name: string, params: unknown, timeMs = Date.now()): SignedRequest {
  return { publicKey: signer.publicKeyHex, timeMs, signature: toHex(signer.sign(adminMessage(op, name, params, timeMs))) };
}

/** The developer's statement "I own this application", and the application key's countersignature of it. */
export function ownershipStatement(developer: Wallet, app: Wallet, name: string, timeMs = Date.now()) {
  const params = { owner: developer.did, name };
  return {
    appDid: app.did,
    name,
    ownerAuth: signRequest(developer, REGISTER_APPLICATION_OP, app.did, params, timeMs),
    appAuth: signRequest(app, REGISTER_APPLICATION_OP, app.did, params, timeMs),
  };
}

/**
 * The key of one of the wallet's accounts (an application's), for the signatures an application makes; the active
 * account stays active (selecting it meant a write to the browser's store per signature, which on a loaded machine
 * could outlast the wait for it).
 */
export function accountSigner(wallet: WalletContextValue, did: string): Promise<Wallet> {
  return wallet.signSilently(async (w) => w, did);
}

/** A fresh API key id: the request names it, so sending the same request twice cannot mint two keys. */
export function newKeyId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(9));
  return `key_${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
