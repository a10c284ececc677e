'use client';

import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { useWallet } from '../wallet/wallet-provider.tsx';
import { applicationScope, CONSOLE_SCOPE, requestSession, type SessionGrant } from './sign-in.ts';
import { setSessionToken } from './token.ts';

/** sessionStorage key: the session lasts as long as the tab (never localStorage: a token is a credential). */
const STORAGE_KEY = 'arc.session.v1';

export interface SessionValue {
  status: 'signed-out' | 'signed-in';
  did: string | null;
  token: string | null;
  expiresAtMs: number | null;
  /** Signs in with the wallet's active account (to the console, or to the named application). */
  signIn(appName?: string): Promise<void>;
  signOut(): void;
}

const SessionContext = createContext<SessionValue | null>(null);

function readStored(nowMs: number): SessionGrant | null {
  try {
    const raw = window.sessionStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as Partial<SessionGrant>;
    if (typeof parsed.token !== 'string' || typeof parsed.did !== 'string' || typeof parsed.expiresAtMs !== 'number') return null;
    return parsed.expiresAtMs > nowMs ? (parsed as SessionGrant) : null;
  } catch (error) {
    // Storage disabled (private mode) or a foreign value: start signed out, say why in the console.
    console.warn('session: could not read the stored session', error);
    return null;
  }
}

function store(grant: SessionGrant | null): void {
  try {
    if (grant) window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(grant));
    else window.sessionStorage.removeItem(STORAGE_KEY);
  } catch (error) {
    console.warn('session: could not store the session; it lasts until the page reloads', error);
  }
}

/** The signed-in session of this tab: sign in with the wallet, the token kept in sessionStorage, signed out at expiry. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const wallet = useWallet();
  const [grant, setGrant] = useState<SessionGrant | null>(null);

  const apply = useCallback((next: SessionGrant | null) => {
    setSessionToken(next?.token ?? null);
    store(next);
    setGrant(next);
  }, []);

  // After hydration: the tab's stored session, when it has not expired.
  useEffect(() => {
    const stored = readStored(Date.now());
    if (stored) apply(stored);
  }, [apply]);

  // At expiry the session ends by itself; the console's gate then asks to sign in again.
  useEffect(() => {
    if (!grant) return;
    const left = grant.expiresAtMs - Date.now();
    if (left <= 0) {
      apply(null);
      return;
    }
    const timer = setTimeout(() => apply(null), Math.min(left, 2 ** 31 - 1));
    return () => clearTimeout(timer);
  }, [grant, apply]);

  // Another account selected in the wallet: the session spoke for the old one, so it ends.
  const activeDid = wallet.active?.did ?? null;
  useEffect(() => {
    if (grant && activeDid && activeDid !== grant.did && wallet.accounts.every((a) => a.did !== grant.did)) apply(null);
  }, [activeDid, grant, wallet.accounts, apply]);

  const signIn = useCallback(
    async (appName?: string) => {
      const next = await requestSession(wallet, appName ? applicationScope(appName) : CONSOLE_SCOPE);
      apply(next);
    },
    [wallet, apply],
  );
  const signOut = useCallback(() => apply(null), [apply]);

  const value = useMemo<SessionValue>(
    () => ({
      status: grant ? 'signed-in' : 'signed-out',
      did: grant?.did ?? null,
      token: grant?.token ?? null,
      expiresAtMs: grant?.expiresAtMs ?? null,
      signIn,
      signOut,
    }),
    [grant, signIn, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/** The tab's session; inside SessionProvider (the root layout has it). */
export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession needs <SessionProvider> (see app/layout.tsx)');
  return value;
}
