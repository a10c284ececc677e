'use client';

import { Button, Field, Input } from '@arc/ui';
import { type FormEvent, useState } from 'react';
import { WalletError } from '../wallet-error.tsx';
import { useWallet } from '../wallet-provider.tsx';

/** The locked wallet, in the page: unlock with the passkey, or the passphrase. */
export function UnlockPanel() {
  const wallet = useWallet();
  const [passphrase, setPassphrase] = useState('');
  const [busy, setBusy] = useState<'passkey' | 'passphrase' | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function run(kind: 'passkey' | 'passphrase', action: () => Promise<void>) {
    setBusy(kind);
    setError(null);
    try {
      await action();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(null);
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (passphrase) void run('passphrase', () => wallet.unlockWithPassphrase(passphrase));
  }

  return (
    <section
      aria-labelledby="unlock-title"
      className="mx-auto max-w-md space-y-4 rounded-xl bg-white p-6 shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800"
    >
      <div>
        <h2 id="unlock-title" className="text-base font-semibold text-slate-900 dark:text-slate-100">
          Your wallet is locked
        </h2>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
          Its keys are encrypted in this browser. {wallet.methods.passkey ? 'Use your passkey' : 'Type your passphrase'} to open it.
        </p>
      </div>
      {wallet.methods.passkey ? (
        <Button
          className="w-full"
          loading={busy === 'passkey'}
          disabled={busy !== null}
          onClick={() => void run('passkey', wallet.unlockWithPasskey)}
        >
          Unlock with passkey
        </Button>
      ) : null}
      {wallet.methods.passphrase ? (
        <form onSubmit={submit} className="space-y-3">
          <Field label="Passphrase">
            <Input type="password" autoComplete="current-password" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} />
          </Field>
          <Button
            type="submit"
            className="w-full"
            variant={wallet.methods.passkey ? 'secondary' : 'primary'}
            loading={busy === 'passphrase'}
            disabled={busy !== null || passphrase.length === 0}
          >
            Unlock with passphrase
          </Button>
        </form>
      ) : null}
      <WalletError error={error} />
    </section>
  );
}
