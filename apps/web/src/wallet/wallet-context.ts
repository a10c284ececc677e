'use client';

import type { ScryptParams, VaultAccount } from '@arc/client/keystore';
import type { Wallet } from '@arc/client/wallet';
import { createContext, useContext } from 'react';
import type { ConsentRequest } from './consent-dialog.tsx';
import type { PublicAccount } from './vault-store.ts';

/** Lock after this long without a key press or a click, unless the provider is told otherwise. */
export const DEFAULT_AUTO_LOCK_MS = 15 * 60_000;

export type WalletStatus = 'loading' | 'empty' | 'locked' | 'unlocked';

export interface SignRequest<T> extends ConsentRequest {
  sign: (signer: Wallet) => Promise<T>;
}

export type CreateMethod = { method: 'passkey' } | { method: 'passphrase'; passphrase: string };

export interface WalletContextValue {
  status: WalletStatus;
  accounts: PublicAccount[];
  active: PublicAccount | null;
  /** The ways this wallet unlocks. */
  methods: { passkey: boolean; passphrase: boolean };
  select(did: string): void;
  lock(): void;
  /** Opens the unlock dialog; rejects with CANCELLED when it is closed. */
  unlock(): Promise<void>;
  unlockWithPasskey(): Promise<void>;
  unlockWithPassphrase(passphrase: string): Promise<void>;
  /** Shows what will be signed, unlocking first if needed; rejects with CANCELLED when the user declines. */
  signWithConsent<T>(request: SignRequest<T>): Promise<T>;
  /**
   * Signs without a dialog (routine signatures of a signed-in session); WALLET_LOCKED when locked. With `account`, that
   * account of the wallet signs (an application's key) and the active one stays active; NOT_FOUND when it holds no such
   * account.
   */
  signSilently<T>(sign: (signer: Wallet) => Promise<T>, account?: string): Promise<T>;
  /** A new wallet with one new account (or the given ones), protected by a passkey or a passphrase. */
  create(method: CreateMethod, accounts?: VaultAccount[]): Promise<void>;
  /** A new account in the unlocked wallet, made the active one unless `select` is false (an application's key). */
  addAccount(label?: string, options?: { select?: boolean }): Promise<PublicAccount>;
  renameAccount(did: string, label: string): Promise<void>;
  /** Adds accounts (from a backup file or a phrase) to the unlocked wallet; ones already in it are kept. */
  importAccounts(accounts: VaultAccount[]): Promise<number>;
  /** The encrypted backup file's text (after the user confirms with the passkey or passphrase). */
  exportBackup(passphrase: string, scrypt?: ScryptParams): Promise<string>;
  /** The 24 recovery words of one account, after the user confirms with the passkey or passphrase. */
  revealPhrase(did: string): Promise<string>;
  /** Forgets this browser's wallet. */
  forget(): Promise<void>;
  /** Registers a passkey (PRF) that opens this wallet from now on, beside its passphrase. */
  addPasskey(): Promise<void>;
}

export const WalletContext = createContext<WalletContextValue | null>(null);

/** The wallet of the page: keys encrypted in IndexedDB, unlocked with a passkey (PRF) or a passphrase. */
export function useWallet(): WalletContextValue {
  const value = useContext(WalletContext);
  if (!value) throw new Error('useWallet() needs a <WalletProvider> above it');
  return value;
}
