'use client';

import { Button, Field, Input } from '@arc/ui';
import Link from 'next/link';
import { type FormEvent, useState } from 'react';
import { PrfUnsupportedError, passkeysAvailable } from '../passkey.ts';
import { WalletError } from '../wallet-error.tsx';
import { useWallet } from '../wallet-provider.tsx';

/** A passphrase long enough to resist guessing on top of scrypt's cost. */
export const MIN_PASSPHRASE_CHARS = 10;

/** What is wrong with a new passphrase typed twice, field by field: first its length, then whether the two agree. */
export function newPassphraseProblems(passphrase: string, repeat: string): { passphrase?: string; repeat?: string } {
  if (passphrase.length < MIN_PASSPHRASE_CHARS)
    return { passphrase: `Use at least ${MIN_PASSPHRASE_CHARS} characters (a few words work well).` };
  if (passphrase !== repeat) return { repeat: 'The two passphrases differ; type the same one twice.' };
  return {};
}

/** A new passphrase typed twice, checked with newPassphraseProblems. */
export function NewPassphraseForm({
  submitLabel,
  onSubmit,
  busy,
}: {
  submitLabel: string;
  onSubmit: (passphrase: string) => void;
  busy: boolean;
}) {
  const [passphrase, setPassphrase] = useState('');
  const [repeat, setRepeat] = useState('');
  const [errors, setErrors] = useState<{ passphrase?: string; repeat?: string }>({});

  function submit(event: FormEvent) {
    event.preventDefault();
    const problems = newPassphraseProblems(passphrase, repeat);
    setErrors(problems);
    if (problems.passphrase || problems.repeat) return;
    onSubmit(passphrase);
  }

  return (
    <form onSubmit={submit} className="space-y-3" noValidate>
      <Field label="New passphrase" error={errors.passphrase} hint="Nobody can reset it: write it down somewhere safe.">
        <Input type="password" autoComplete="new-password" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} />
      </Field>
      <Field label="Type it again" error={errors.repeat}>
        <Input type="password" autoComplete="new-password" value={repeat} onChange={(e) => setRepeat(e.target.value)} />
      </Field>
      <Button type="submit" variant="secondary" className="w-full" loading={busy} disabled={busy}>
        {submitLabel}
      </Button>
    </form>
  );
}

/** The empty wallet: create one with a passkey (first choice) or a passphrase; or restore a backup. */
export function CreatePanel() {
  const wallet = useWallet();
  const [busy, setBusy] = useState<'passkey' | 'passphrase' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [noPrf, setNoPrf] = useState<string | null>(null);

  async function run(kind: 'passkey' | 'passphrase', action: () => Promise<void>) {
    setBusy(kind);
    setError(null);
    try {
      await action();
    } catch (caught) {
      if (caught instanceof PrfUnsupportedError) setNoPrf(caught.message);
      else setError(caught);
    } finally {
      setBusy(null);
    }
  }

  return (
    <section
      aria-labelledby="create-title"
      className="mx-auto max-w-md space-y-5 rounded-xl bg-white p-6 shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800"
    >
      <div>
        <h2 id="create-title" className="text-base font-semibold text-slate-900 dark:text-slate-100">
          Create your wallet
        </h2>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
          Your keys are made in this page and stored encrypted in this browser. They are never sent to the node.
        </p>
      </div>
      {noPrf === null && passkeysAvailable() ? (
        <div className="space-y-2">
          <Button
            className="w-full"
            loading={busy === 'passkey'}
            disabled={busy !== null}
            onClick={() => void run('passkey', () => wallet.create({ method: 'passkey' }))}
          >
            Create with a passkey
          </Button>
          <p className="text-xs text-slate-500 dark:text-slate-400">
            Your fingerprint, face or device PIN unlocks it. No password to remember.
          </p>
        </div>
      ) : (
        <p role="status" className="rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-500/10 dark:text-amber-200">
          This browser cannot unlock a wallet with a passkey{noPrf ? ` (${noPrf})` : ''}. Protect it with a passphrase instead.
        </p>
      )}
      <WalletError error={error} />
      <div className="space-y-3 border-t border-slate-200 pt-4 dark:border-slate-800">
        <h3 className="text-sm font-medium text-slate-800 dark:text-slate-200">Or use a passphrase</h3>
        <NewPassphraseForm
          submitLabel="Create with passphrase"
          busy={busy === 'passphrase'}
          onSubmit={(passphrase) => void run('passphrase', () => wallet.create({ method: 'passphrase', passphrase }))}
        />
      </div>
      <p className="text-center text-sm text-slate-600 dark:text-slate-400">
        Have a backup?{' '}
        <Link href="/wallet/backup" className="font-medium text-indigo-700 underline-offset-2 hover:underline dark:text-indigo-300">
          Restore it
        </Link>
      </p>
    </section>
  );
}
