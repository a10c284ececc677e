import { challengeMessage, toHex } from '@arc/core';
import { clientError } from '../wallet/client-error.ts';
import type { WalletContextValue } from '../wallet/wallet-provider.tsx';

/** A gateway session: its token (sent as `authorization: Bearer`), the DID it speaks for, and when it ends. */
export interface SessionGrant {
  token: string;
  did: string;
  expiresAtMs: number;
}

/** What a sign-in lets the application do, said to the user before they sign. */
export interface SignInScope {
  /** Who asks: "Arc Console" or a third-party application's name. */
  appName: string;
  /** What it will be able to do, in words. */
  allows: string[];
  /** What it cannot do, in words. */
  forbids: string[];
}

export const CONSOLE_SCOPE: SignInScope = {
  appName: 'Arc Console',
  allows: ['deploy and manage your blocklets', 'manage your applications'],
  forbids: ['move your funds'],
};

/** What any application gets from a sign-in: your DID, proven; nothing to sign for you. */
export function applicationScope(appName: string): SignInScope {
  return {
    appName,
    allows: ['know your DID (your account address)', 'open live connections to the node as you'],
    forbids: ['move your funds', 'sign anything else for you'],
  };
}

/**
 * Signs in with the wallet's active account by the gateway's challenge: the user sees who asks and what it may do, the
 * wallet signs challengeMessage(nonce, timeMs), the node answers a session token. CANCELLED when the user declines.
 */
export async function requestSession(wallet: WalletContextValue, scope: SignInScope): Promise<SessionGrant> {
  const did = wallet.active?.did ?? 'your account';
  return wallet.signWithConsent({
    title: `Sign in to ${scope.appName}`,
    origin: scope.appName,
    details: [
      { label: 'Sign in as', value: did },
      { label: 'It will be able to', value: scope.allows.join('; ') },
      { label: 'It cannot', value: scope.forbids.join('; ') },
    ],
    sign: async (signer) => {
      // The node's client (tRPC, proofs, tx builders) is loaded with the first sign-in, not with every page.
      const { nodeClient } = await import('../wallet/node-client.ts');
      const trpc = nodeClient().trpc;
      // Asked only now, after the user agreed, so the challenge cannot expire while they read.
      const { nonce, timeMs } = await trpc.gateway.challenge.mutate();
      const signature = toHex(signer.sign(challengeMessage(nonce, timeMs)));
      const login = await trpc.gateway.login.mutate({ did: signer.did, publicKey: signer.publicKeyHex, nonce, timeMs, signature });
      if (login.did !== signer.did) throw await clientError('UNAUTHORIZED', 'The node signed in another account; sign in again.');
      return { token: login.token, did: login.did, expiresAtMs: login.expiresAtMs };
    },
  });
}
