'use client';

import { Button, Field, Input } from '@arc/ui';
import { useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { toast } from '../../components/toast.tsx';
import { useTRPC, useTRPCClient } from '../../trpc/react.tsx';
import { useWallet } from '../../wallet/index.ts';
import { CreateApplicationForm, createApplication } from './create.ts';

/** Name an application and fund it; the wallet creates its key and signs. */
export function CreateApplication() {
  const wallet = useWallet();
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const router = useRouter();
  const [name, setName] = useState('');
  const [funding, setFunding] = useState('1');
  const [errors, setErrors] = useState<{ name?: string; funding?: string }>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = CreateApplicationForm.safeParse({ name, funding });
    if (!parsed.success) {
      const flat = parsed.error.flatten().fieldErrors;
      setErrors({ name: flat.name?.[0], funding: flat.funding?.[0] });
      return;
    }
    setErrors({});
    setError(null);
    setBusy(true);
    try {
      const { appDid } = await createApplication(wallet, client, parsed.data);
      await queryClient.invalidateQueries({ queryKey: trpc.console.pathKey() });
      toast({
        title: `Created ${parsed.data.name}`,
        body: 'Its key is in your wallet; the node records you as its owner.',
        kind: 'success',
      });
      router.push(`/console/applications/${encodeURIComponent(appDid)}`);
    } catch (caught) {
      if (!(caught instanceof Error && 'code' in caught && caught.code === 'CANCELLED')) setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate className="space-y-4" aria-label="Create an application">
      <div className="grid gap-4 sm:grid-cols-[2fr_1fr]">
        <Field label="Name" hint="Users see it when your application asks them to sign in." error={errors.name}>
          <Input value={name} onChange={(e) => setName(e.target.value)} placeholder="My shop" autoComplete="off" />
        </Field>
        <Field label="Funding (ABT)" hint="Moved from your account; it pays fees." error={errors.funding}>
          <Input value={funding} onChange={(e) => setFunding(e.target.value)} inputMode="decimal" autoComplete="off" />
        </Field>
      </div>
      <Button type="submit" loading={busy}>
        Create application
      </Button>
      {error ? <ErrorNotice error={error} /> : null}
    </form>
  );
}
