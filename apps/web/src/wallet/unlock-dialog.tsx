'use client';

import { Button, Dialog, Field, Input } from '@arc/ui';
import { type FormEvent, useState } from 'react';
import { WalletError } from './wallet-error.tsx';

export interface UnlockDialogProps {
  open: boolean;
  /** 'unlock' opens the wallet; 'confirm' asks again before showing a secret (recovery phrase, backup). */
  mode: 'unlock' | 'confirm';
  passkey: boolean;
  passphrase: boolean;
  onPasskey: () => Promise<void>;
  onPassphrase: (passphrase: string) => Promise<void>;
  onCancel: () => void;
}

/** Asks for the wallet's passkey or passphrase; a wrong one or a closed prompt is said in words, the dialog stays. */
export function UnlockDialog({ open, mode, passkey, passphrase, onPasskey, onPassphrase, onCancel }: UnlockDialogProps) {
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState<'passkey' | 'passphrase' | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function run(kind: 'passkey' | 'passphrase', action: () => Promise<void>) {
    setBusy(kind);
    setError(null);
    try {
      await action();
      setValue('');
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(null);
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (value.length > 0) void run('passphrase', () => onPassphrase(value));
  }

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        if (!next && busy === null) {
          setError(null);
          onCancel();
        }
      }}
      dismissible={busy === null}
      title={mode === 'unlock' ? 'Unlock your wallet' : 'Confirm it is you'}
      description={
        mode === 'unlock'
          ? 'Your keys are encrypted in this browser. Unlock them to see balances and sign.'
          : 'Showing a secret needs your passkey or passphrase again.'
      }
    >
      {passkey ? (
        <Button className="w-full" loading={busy === 'passkey'} disabled={busy !== null} onClick={() => void run('passkey', onPasskey)}>
          {mode === 'unlock' ? 'Unlock with passkey' : 'Confirm with passkey'}
        </Button>
      ) : null}
      {passkey && passphrase ? <p className="text-center text-xs text-slate-500 dark:text-slate-400">or</p> : null}
      {passphrase ? (
        <form onSubmit={submit} className="space-y-3">
          <Field label="Passphrase">
            <Input
              type="password"
              autoComplete="current-password"
              value={value}
              onChange={(e) => setValue(e.target.value)}
              autoFocus={!passkey}
            />
          </Field>
          <Button
            type="submit"
            variant={passkey ? 'secondary' : 'primary'}
            className="w-full"
            loading={busy === 'passphrase'}
            disabled={busy !== null || value.length === 0}
          >
            {mode === 'unlock' ? 'Unlock with passphrase' : 'Confirm with passphrase'}
          </Button>
        </form>
      ) : null}
      <WalletError error={error} />
      <Button
        variant="ghost"
        className="w-full"
        disabled={busy !== null}
        onClick={() => {
          setError(null);
          onCancel();
        }}
      >
        Cancel
      </Button>
    </Dialog>
  );
}
