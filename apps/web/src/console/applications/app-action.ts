'use client';

import type { Wallet } from '@arc/client';
import { useCallback } from 'react';
import { useWallet } from '../../wallet/index.ts';
import { accountSigner } from './signing.ts';

/**
 * Runs something the application's key signs (an API key, topic rules, a fee grant), after the developer agrees in the
 * wallet's consent dialog. The application's key is one of the wallet's accounts.
 */
export function useAppAction(appDid: string, appName: string) {
  const wallet = useWallet();
  return useCallback(
    <T>(title: string, details: { label: string; value: string }[], run: (app: Wallet, developer: Wallet) => Promise<T>): Promise<T> =>
      wallet.signWithConsent({
        title,
        origin: 'Arc Console',
        details: [{ label: 'Signed by', value: `${appName}'s key in your wallet (${appDid})` }, ...details],
        sign: async (developer) => run(await accountSigner(wallet, appDid), developer),
      }),
    [wallet, appDid, appName],
  );
}

/** True when the error is the user closing a consent dialog (not worth a message). */
export function isCancelled(error: unknown): boolean {
  return error instanceof Error && 'code' in error && (error as { code: unknown }).code === 'CANCELLED';
}
