'use client';

import { Button, Dialog } from '@arc/ui';
import { useState } from 'react';
import { WalletError } from './wallet-error.tsx';

export interface ConsentRequest {
  title: string;
  /** Who asks (an application's name or origin); the wallet itself when left out. */
  origin?: string;
  details: { label: string; value: string }[];
}

export interface ConsentDialogProps {
  request: ConsentRequest | null;
  signerLabel: string;
  signerDid: string;
  onConfirm: () => Promise<void>;
  onCancel: () => void;
}

/** Says in words what will be signed, by which account, for whom; Sign or Cancel. */
export function ConsentDialog({ request, signerLabel, signerDid, onConfirm, onCancel }: ConsentDialogProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function confirm() {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog
      open={request !== null}
      onOpenChange={(next) => {
        if (!next && !busy) {
          setError(null);
          onCancel();
        }
      }}
      dismissible={!busy}
      title={request?.title ?? ''}
      description={request?.origin ? `${request.origin} asks your wallet to sign this.` : 'Your wallet will sign this with your key.'}
      footer={
        <>
          <Button
            variant="secondary"
            disabled={busy}
            onClick={() => {
              setError(null);
              onCancel();
            }}
          >
            Cancel
          </Button>
          <Button loading={busy} onClick={() => void confirm()}>
            {error ? 'Try again' : 'Sign'}
          </Button>
        </>
      }
    >
      <dl className="divide-y divide-slate-100 rounded-lg bg-slate-50 px-3 text-sm dark:divide-slate-800 dark:bg-slate-950/60">
        {request?.details.map((detail) => (
          <div key={detail.label} className="flex flex-col gap-0.5 py-2 sm:flex-row sm:justify-between sm:gap-4">
            <dt className="shrink-0 text-slate-500 dark:text-slate-400">{detail.label}</dt>
            <dd className="min-w-0 font-medium break-all text-slate-900 sm:text-right dark:text-slate-100">{detail.value}</dd>
          </div>
        ))}
        <div className="flex flex-col gap-0.5 py-2 sm:flex-row sm:justify-between sm:gap-4">
          <dt className="shrink-0 text-slate-500 dark:text-slate-400">Signed by</dt>
          <dd className="min-w-0 break-all text-slate-900 sm:text-right dark:text-slate-100">
            <span className="font-medium">{signerLabel}</span> <span className="font-mono text-xs">{signerDid}</span>
          </dd>
        </div>
      </dl>
      <WalletError error={error} />
    </Dialog>
  );
}
