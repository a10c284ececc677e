'use client';

import { useSession } from '../../session/index.ts';
import { useWallet } from '../../wallet/index.ts';

/** The developer whose blocklets the console shows: the signed-in DID (the wallet's active account before sign-in). */
export function useOwnerDid(): string | null {
  const session = useSession();
  const wallet = useWallet();
  return session.did ?? wallet.active?.did ?? null;
}
