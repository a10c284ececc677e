'use client';

import type { UnlockSecret } from '@arc/client/keystore';
import type { Wallet } from '@arc/client/wallet';
import dynamic from 'next/dynamic';
import { clientError } from './client-error.ts';
import type { ConsentRequest } from './consent-dialog.tsx';
import type { PublicAccount } from './vault-store.ts';
import { useEverTrue } from './wallet-hooks.ts';

// The dialogs (Radix Dialog) are downloaded when the wallet first asks the user something, not with every page.
const UnlockDialog = dynamic(() => import('./unlock-dialog.tsx').then((m) => m.UnlockDialog), { ssr: false });
const ConsentDialog = dynamic(() => import('./consent-dialog.tsx').then((m) => m.ConsentDialog), { ssr: false });

/** The wallet waits for the user's passkey or passphrase: to unlock, or to confirm a sensitive step. */
export interface Prompt {
  mode: 'unlock' | 'confirm';
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** A signature waiting for the user's consent. */
export interface PendingConsent {
  request: ConsentRequest;
  confirm: (signer: Wallet) => Promise<void>;
  cancel: () => void;
}

export const cancelled = (what: string) =>
  clientError('CANCELLED', `${what} was cancelled and nothing was signed; start it again to go on.`);

export interface WalletDialogsProps {
  prompt: Prompt | null;
  setPrompt: (prompt: Prompt | null) => void;
  consent: PendingConsent | null;
  setConsent: (consent: PendingConsent | null) => void;
  methods: { passkey: boolean; passphrase: boolean };
  active: PublicAccount | null;
  /** Opens the vault with a secret (throws when it does not open it); `reopen`: the wallet is unlocked with it. */
  openVault: (secret: UnlockSecret, reopen: boolean) => Promise<void>;
  passkeySecret: () => Promise<UnlockSecret>;
  activeWallet: () => Wallet | null;
}

/** The wallet's two dialogs: unlock (or confirm with the secret) and consent to a signature. */
export function WalletDialogs({
  prompt,
  setPrompt,
  consent,
  setConsent,
  methods,
  active,
  openVault,
  passkeySecret,
  activeWallet,
}: WalletDialogsProps) {
  // In 'confirm' mode the secret must open the vault again; in 'unlock' mode that opens it.
  const settle = async (secret: () => Promise<UnlockSecret>) => {
    await openVault(await secret(), prompt?.mode === 'unlock');
    prompt?.resolve();
    setPrompt(null);
  };
  const unlockAsked = useEverTrue(prompt !== null);
  const consentAsked = useEverTrue(consent !== null);
  return (
    <>
      {unlockAsked ? (
        <UnlockDialog
          open={prompt !== null}
          mode={prompt?.mode ?? 'unlock'}
          passkey={methods.passkey}
          passphrase={methods.passphrase}
          onPasskey={() => settle(passkeySecret)}
          onPassphrase={(passphrase) => settle(async () => ({ kind: 'passphrase', passphrase }))}
          onCancel={() => {
            if (prompt)
              void cancelled(prompt.mode === 'unlock' ? 'Unlocking the wallet' : 'The confirmation').then(prompt.reject, prompt.reject);
            setPrompt(null);
          }}
        />
      ) : null}
      {consentAsked ? (
        <ConsentDialog
          request={consent?.request ?? null}
          signerLabel={active?.label ?? ''}
          signerDid={active?.did ?? ''}
          onConfirm={async () => {
            if (!consent) return;
            const signer = activeWallet();
            if (!signer) throw await clientError('WALLET_LOCKED');
            await consent.confirm(signer);
          }}
          onCancel={() => {
            consent?.cancel();
            setConsent(null);
          }}
        />
      ) : null}
    </>
  );
}
