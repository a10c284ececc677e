'use client';

import { ClientError, importBackup, type VaultAccount, walletFromPhrase } from '@arc/client';
import { Button, Field, Input, Select, Skeleton, Tabs, Textarea } from '@arc/ui';
import { type FormEvent, type ReactNode, useState } from 'react';
import { WalletError } from '../wallet-error.tsx';
import { useWallet } from '../wallet-provider.tsx';
import { NewPassphraseForm } from './create-panel.tsx';
import { RequireUnlocked, WalletFrame } from './wallet-frame.tsx';

/** The largest backup file read: a hundred accounts fit in a few KiB. */
const MAX_BACKUP_BYTES = 256 * 1024;

/** /wallet/backup: download an encrypted backup file, show an account's recovery phrase, restore from either. */
export function WalletBackup() {
  const wallet = useWallet();
  return (
    <WalletFrame title="Backup" description="Keep a copy of your keys outside this browser, and restore them anywhere.">
      {wallet.status === 'loading' ? (
        <Skeleton className="h-64 w-full rounded-xl" />
      ) : (
        <div className="space-y-6">
          {wallet.status === 'empty' ? null : (
            <RequireUnlocked>
              <ExportFile />
              <div className="h-6" />
              <RecoveryPhrase />
            </RequireUnlocked>
          )}
          <Restore />
        </div>
      )}
    </WalletFrame>
  );
}

function Card({ title, description, children }: { title: string; description: ReactNode; children: ReactNode }) {
  return (
    <section
      aria-label={title}
      className="space-y-4 rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800"
    >
      <div>
        <h2 className="text-base font-semibold text-slate-900 dark:text-slate-100">{title}</h2>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">{description}</p>
      </div>
      {children}
    </section>
  );
}

/** Hands the browser a file to save. */
function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const quietCancel = (error: unknown) => (error instanceof ClientError && error.code === 'CANCELLED' ? null : error);

function ExportFile() {
  const wallet = useWallet();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<string | null>(null);

  async function run(passphrase: string) {
    setBusy(true);
    setError(null);
    setSaved(null);
    try {
      const text = await wallet.exportBackup(passphrase);
      const name = `arc-wallet-backup-${new Date().toISOString().slice(0, 10)}.json`;
      download(name, text);
      setSaved(name);
    } catch (caught) {
      setError(quietCancel(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card
      title="Download a backup file"
      description={`All ${wallet.accounts.length} account${wallet.accounts.length === 1 ? '' : 's'}, encrypted with a passphrase you choose now. It restores them in any browser, without your passkey.`}
    >
      <NewPassphraseForm submitLabel="Download backup" busy={busy} onSubmit={(passphrase) => void run(passphrase)} />
      {saved ? (
        <p role="status" className="text-sm text-emerald-700 dark:text-emerald-400">
          Saved {saved}. Keep it with its passphrase somewhere safe.
        </p>
      ) : null}
      <WalletError error={error} />
    </Card>
  );
}

function RecoveryPhrase() {
  const wallet = useWallet();
  const [did, setDid] = useState(wallet.active?.did ?? '');
  const [words, setWords] = useState<{ n: number; word: string }[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function reveal() {
    setBusy(true);
    setError(null);
    try {
      setWords((await wallet.revealPhrase(did)).split(' ').map((word, i) => ({ n: i + 1, word })));
    } catch (caught) {
      setError(quietCancel(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card
      title="Recovery phrase"
      description="24 words that are one account's key. Anyone who reads them controls the account: write them on paper, never in a chat or a photo."
    >
      <Field label="Account">
        {(props) => (
          <Select
            {...props}
            options={wallet.accounts.map((a) => ({ value: a.did, label: a.label }))}
            value={did}
            onValueChange={(next) => {
              setDid(next);
              setWords(null);
            }}
          />
        )}
      </Field>
      {words ? (
        <>
          <ol aria-label="Recovery phrase" className="grid grid-cols-2 gap-2 sm:grid-cols-4">
            {words.map(({ n, word }) => (
              <li key={n} className="rounded-md bg-slate-50 px-2 py-1.5 font-mono text-sm dark:bg-slate-800">
                <span className="mr-1.5 text-xs text-slate-500 dark:text-slate-400">{n}.</span>
                {word}
              </li>
            ))}
          </ol>
          <Button variant="secondary" onClick={() => setWords(null)}>
            Hide the words
          </Button>
        </>
      ) : (
        <Button variant="secondary" loading={busy} disabled={!did} onClick={() => void reveal()}>
          Show recovery phrase
        </Button>
      )}
      <WalletError error={error} />
    </Card>
  );
}

/** Restores accounts: into a new wallet on an empty browser, or added to the unlocked one. */
function Restore() {
  const wallet = useWallet();
  const [done, setDone] = useState<string | null>(null);

  async function restore(accounts: VaultAccount[], newPassphrase: string | null) {
    setDone(null);
    if (wallet.status === 'empty') {
      if (!newPassphrase) throw new ClientError('BAD_INPUT', 'Choose a passphrase for this browser’s wallet.');
      await wallet.create({ method: 'passphrase', passphrase: newPassphrase }, accounts);
      setDone(`Restored ${accounts.length} account${accounts.length === 1 ? '' : 's'}.`);
    } else {
      const added = await wallet.importAccounts(accounts);
      setDone(added === 0 ? 'These accounts are in this wallet already.' : `Added ${added} account${added === 1 ? '' : 's'}.`);
    }
  }

  return (
    <Card
      title="Restore"
      description={
        wallet.status === 'empty'
          ? 'Bring your accounts to this browser from a backup file or a recovery phrase.'
          : 'Add accounts from a backup file or a recovery phrase to this wallet.'
      }
    >
      <Tabs
        label="Restore from"
        items={[
          { value: 'file', label: 'Backup file', content: <RestoreFile restore={restore} /> },
          { value: 'phrase', label: 'Recovery phrase', content: <RestorePhrase restore={restore} empty={wallet.status === 'empty'} /> },
        ]}
      />
      {done ? (
        <p role="status" className="text-sm font-medium text-emerald-700 dark:text-emerald-400">
          {done}
        </p>
      ) : null}
    </Card>
  );
}

type RestoreFn = (accounts: VaultAccount[], newPassphrase: string | null) => Promise<void>;

function RestoreFile({ restore }: { restore: RestoreFn }) {
  const [file, setFile] = useState<File | null>(null);
  const [passphrase, setPassphrase] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    if (!file) {
      setError(new ClientError('BACKUP_INVALID', 'Choose the backup file first.'));
      return;
    }
    if (file.size > MAX_BACKUP_BYTES) {
      setError(new ClientError('BACKUP_INVALID', 'This file is far larger than a wallet backup; check you picked the right one.'));
      return;
    }
    setBusy(true);
    try {
      const contents = await importBackup(await file.text(), passphrase);
      // On an empty browser the backup's passphrase protects the restored wallet too.
      await restore(contents.accounts, passphrase);
      setPassphrase('');
    } catch (caught) {
      setError(quietCancel(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={(e) => void submit(e)} className="space-y-3 pt-3" noValidate>
      <Field label="Backup file">
        <Input type="file" accept="application/json,.json" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
      </Field>
      <Field label="Backup passphrase" hint="The passphrase chosen when the file was downloaded.">
        <Input type="password" autoComplete="off" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} />
      </Field>
      <Button type="submit" loading={busy} disabled={passphrase.length === 0}>
        Restore from file
      </Button>
      <WalletError error={error} />
    </form>
  );
}

function RestorePhrase({ restore, empty }: { restore: RestoreFn; empty: boolean }) {
  const [phrase, setPhrase] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function run(newPassphrase: string | null) {
    setError(null);
    setBusy(true);
    try {
      const restored = walletFromPhrase(phrase);
      await restore([{ did: restored.did, label: 'Restored account', secretKey: restored.secretKeyHex }], newPassphrase);
      setPhrase('');
    } catch (caught) {
      setError(quietCancel(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="space-y-3 pt-3">
      <Field label="Recovery phrase" hint="The 24 words, in order, separated by spaces.">
        <Textarea
          value={phrase}
          onChange={(e) => setPhrase(e.target.value)}
          rows={3}
          spellCheck={false}
          autoComplete="off"
          className="font-mono"
        />
      </Field>
      {empty ? (
        <NewPassphraseForm submitLabel="Restore account" busy={busy} onSubmit={(passphrase) => void run(passphrase)} />
      ) : (
        <Button loading={busy} disabled={phrase.trim().length === 0} onClick={() => void run(null)}>
          Restore account
        </Button>
      )}
      <WalletError error={error} />
    </div>
  );
}
