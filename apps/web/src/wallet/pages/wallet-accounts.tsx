'use client';

import { Button, CopyButton, Field, Input, shortenDid } from '@arc/ui';
import { type FormEvent, useState } from 'react';
import { z } from 'zod';
import { WalletError } from '../wallet-error.tsx';
import { useWallet } from '../wallet-provider.tsx';
import { UnlockMethods } from './unlock-methods.tsx';
import { RequireUnlocked, WalletFrame } from './wallet-frame.tsx';

const LabelSchema = z.string().trim().min(1, 'An account needs a name.').max(64, 'A name holds at most 64 characters.');

/** /wallet/accounts: every account of this wallet; select one, rename it, add another; the ways it unlocks. */
export function WalletAccounts() {
  return (
    <WalletFrame title="Accounts" description="Each account has its own key and DID. The selected one sends and signs.">
      <RequireUnlocked>
        <AccountList />
        <div className="mt-6">
          <UnlockMethods />
        </div>
      </RequireUnlocked>
    </WalletFrame>
  );
}

function AccountList() {
  const wallet = useWallet();
  const [label, setLabel] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [labelError, setLabelError] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);

  async function add(event: FormEvent) {
    event.preventDefault();
    const parsed = label.trim() ? LabelSchema.safeParse(label) : { success: true as const, data: undefined };
    if (!parsed.success) {
      setLabelError(parsed.error.issues[0]?.message ?? 'Check the name.');
      return;
    }
    setLabelError(null);
    setAdding(true);
    setError(null);
    try {
      await wallet.addAccount(parsed.data);
      setLabel('');
    } catch (caught) {
      setError(caught);
    } finally {
      setAdding(false);
    }
  }

  return (
    <div className="space-y-6">
      <ul
        aria-label="Accounts"
        className="divide-y divide-slate-100 overflow-hidden rounded-xl bg-white shadow-sm ring-1 ring-slate-200 dark:divide-slate-800 dark:bg-slate-900 dark:ring-slate-800"
      >
        {wallet.accounts.map((account) => (
          <AccountRow key={account.did} did={account.did} label={account.label} selected={wallet.active?.did === account.did} />
        ))}
      </ul>
      <form
        onSubmit={(e) => void add(e)}
        className="space-y-3 rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800"
      >
        <h2 className="text-sm font-semibold text-slate-900 dark:text-slate-100">Add an account</h2>
        <Field label="Name (optional)" error={labelError} hint={`Left empty, it is "Account ${wallet.accounts.length + 1}".`}>
          <Input value={label} onChange={(e) => setLabel(e.target.value)} maxLength={64} />
        </Field>
        <Button type="submit" loading={adding}>
          Add account
        </Button>
        <WalletError error={error} />
      </form>
    </div>
  );
}

function AccountRow({ did, label, selected }: { did: string; label: string; selected: boolean }) {
  const wallet = useWallet();
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(label);
  const [error, setError] = useState<unknown>(null);

  async function save(event: FormEvent) {
    event.preventDefault();
    const parsed = LabelSchema.safeParse(value);
    if (!parsed.success) {
      setError(new Error(parsed.error.issues[0]?.message ?? 'Check the name.'));
      return;
    }
    try {
      await wallet.renameAccount(did, parsed.data);
      setEditing(false);
      setError(null);
    } catch (caught) {
      setError(caught);
    }
  }

  return (
    <li className="flex flex-col gap-3 px-4 py-3 sm:flex-row sm:items-center sm:justify-between">
      {editing ? (
        <form onSubmit={(e) => void save(e)} className="flex flex-1 flex-wrap items-end gap-2">
          <Field label={`New name for ${label}`} className="min-w-0 flex-1">
            <Input value={value} onChange={(e) => setValue(e.target.value)} maxLength={64} autoFocus />
          </Field>
          <Button type="submit" size="sm">
            Save
          </Button>
          <Button
            size="sm"
            variant="ghost"
            onClick={() => {
              setEditing(false);
              setValue(label);
              setError(null);
            }}
          >
            Cancel
          </Button>
          <div className="w-full">
            <WalletError error={error} />
          </div>
        </form>
      ) : (
        <>
          <div className="min-w-0">
            <p className="flex items-center gap-2 font-medium text-slate-900 dark:text-slate-100">
              {label}
              {selected ? (
                <span className="rounded-full bg-indigo-100 px-2 py-0.5 text-xs font-medium text-indigo-800 dark:bg-indigo-500/20 dark:text-indigo-200">
                  Selected
                </span>
              ) : null}
            </p>
            <p className="flex items-center gap-1 font-mono text-xs text-slate-500 dark:text-slate-400">
              <span title={did}>{shortenDid(did, 10, 8)}</span>
              <CopyButton value={did} label={`DID of ${label}`} />
            </p>
          </div>
          <div className="flex shrink-0 gap-2">
            {selected ? null : (
              <Button size="sm" variant="secondary" onClick={() => wallet.select(did)}>
                Select<span className="sr-only"> {label}</span>
              </Button>
            )}
            <Button size="sm" variant="ghost" onClick={() => setEditing(true)}>
              Rename<span className="sr-only"> {label}</span>
            </Button>
          </div>
        </>
      )}
    </li>
  );
}
