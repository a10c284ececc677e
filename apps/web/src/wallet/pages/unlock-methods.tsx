'use client';

import { Button } from '@arc/ui';
import { useState } from 'react';
import { PrfUnsupportedError, passkeysAvailable } from '../passkey.ts';
import { WalletError } from '../wallet-error.tsx';
import { useWallet } from '../wallet-provider.tsx';

/**
 * The ways this wallet unlocks, said plainly, and a passkey added to a passphrase wallet: the passkey's PRF key wraps
 * the vault's key beside the passphrase, so either one opens it from then on.
 */
export function UnlockMethods() {
  const wallet = useWallet();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [noPrf, setNoPrf] = useState<string | null>(null);
  const [added, setAdded] = useState(false);
  const { passkey, passphrase } = wallet.methods;

  async function addPasskey() {
    setBusy(true);
    setError(null);
    setAdded(false);
    try {
      await wallet.addPasskey();
      setAdded(true);
    } catch (caught) {
      if (caught instanceof PrfUnsupportedError) setNoPrf(caught.message);
      else setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section
      aria-labelledby="unlock-methods-title"
      className="space-y-3 rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800"
    >
      <h2 id="unlock-methods-title" className="text-sm font-semibold text-slate-900 dark:text-slate-100">
        Ways to unlock
      </h2>
      <ul aria-label="Unlock methods" className="space-y-1 text-sm text-slate-700 dark:text-slate-300">
        <li data-testid="unlock-method-passkey">
          <span className="font-medium">Passkey:</span> {passkey ? 'yes, your fingerprint, face or device PIN opens it' : 'none yet'}
        </li>
        <li data-testid="unlock-method-passphrase">
          <span className="font-medium">Passphrase:</span> {passphrase ? 'yes, it still opens the wallet' : 'none'}
        </li>
      </ul>
      {noPrf === null && passkeysAvailable() ? (
        <div className="space-y-2">
          <Button variant={passkey ? 'secondary' : 'primary'} loading={busy} onClick={() => void addPasskey()}>
            {passkey ? 'Add another passkey' : 'Add a passkey'}
          </Button>
          <p className="text-xs text-slate-500 dark:text-slate-400">
            {passphrase
              ? 'A new passkey opens the same accounts as your passphrase, which keeps working.'
              : 'A new passkey opens the same accounts as the passkey you have.'}{' '}
            Nothing is sent to the node.
          </p>
        </div>
      ) : (
        <p role="status" className="rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-500/10 dark:text-amber-200">
          This browser cannot unlock a wallet with a passkey{noPrf ? ` (${noPrf})` : ''}; your {passkey ? 'passkey' : 'passphrase'} keeps
          working.
        </p>
      )}
      {added ? (
        <p role="status" className="text-sm text-emerald-700 dark:text-emerald-300">
          Passkey added: next time, unlock with the passkey{passphrase ? ' or the passphrase' : ''}.
        </p>
      ) : null}
      <WalletError error={error} />
    </section>
  );
}
