'use client';

import { ClientError } from '@arc/client';
import { Button, buttonClass, DropdownMenu, formatAmount, Skeleton, shortenDid } from '@arc/ui';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useTopic } from '../realtime/provider.tsx';
import { useSession } from '../session/index.ts';
import { useTRPC } from '../trpc/react.tsx';
import { useWallet } from '../wallet/index.ts';
import { toast } from './toast.tsx';

/** The native token's decimals, as fixed by the node's API contract. */
const abtDecimals = 18;

/** The account the page acts as: its label, short DID and ABT balance (live), or the way to get one. */
export function AccountStatus() {
  const wallet = useWallet();
  if (wallet.status === 'loading') return <Skeleton className="h-9 w-28 bg-white/10" />;
  if (wallet.status === 'empty')
    return (
      <Link href="/wallet" className={buttonClass({ size: 'sm' })}>
        Create wallet
      </Link>
    );
  if (wallet.status === 'locked' || !wallet.active)
    return (
      <Button
        size="sm"
        onClick={() =>
          wallet.unlock().catch((error: unknown) => {
            if (error instanceof ClientError && error.code === 'CANCELLED') return;
            toast({ kind: 'error', title: 'The wallet did not unlock', body: error instanceof Error ? error.message : String(error) });
          })
        }
      >
        Unlock
      </Button>
    );
  return <UnlockedAccount did={wallet.active.did} label={wallet.active.label} />;
}

function UnlockedAccount({ did, label }: { did: string; label: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const wallet = useWallet();
  const session = useSession();
  const signedIn = session.status === 'signed-in' && session.did === did;
  const account = useQuery(trpc.account.get.queryOptions({ did }));
  // A committed transaction touching the account may change its balance.
  useTopic(`account:${did}`, () => void queryClient.invalidateQueries({ queryKey: trpc.account.get.queryKey({ did }) }));
  const balance = account.data ? formatAmount(account.data.balance, abtDecimals, { maxFractionDigits: 4 }) : null;

  return (
    <DropdownMenu
      heading={
        <span className="block">
          <span className="block font-medium text-slate-900 dark:text-slate-100">{label}</span>
          <span className="block font-mono" title={did}>
            {shortenDid(did)}
          </span>
          {signedIn ? <span className="mt-1 block text-emerald-700 dark:text-emerald-400">Signed in to the console</span> : null}
        </span>
      }
      items={[
        { label: 'Wallet', onSelect: () => router.push('/wallet') },
        { label: 'Send', onSelect: () => router.push('/wallet/send') },
        { label: 'Receive', onSelect: () => router.push('/wallet/receive') },
        ...wallet.accounts
          .filter((other) => other.did !== did)
          .map((other) => ({ label: `Switch to ${other.label}`, onSelect: () => wallet.select(other.did) })),
        ...(signedIn ? [{ label: 'Sign out', onSelect: () => session.signOut() }] : []),
        { label: 'Lock wallet', onSelect: () => wallet.lock(), danger: true },
      ]}
      trigger={
        <button
          type="button"
          aria-label={`Account ${label}, ${balance ?? '…'} ABT`}
          data-testid="account-menu"
          className="flex h-9 max-w-52 items-center gap-2 rounded-lg bg-white/10 px-2.5 text-left text-xs text-white ring-1 ring-white/10 transition hover:bg-white/15 focus-visible:outline-2 focus-visible:outline-indigo-400"
        >
          <span aria-hidden="true" className="relative size-5 shrink-0 rounded-full bg-linear-to-br from-emerald-400 to-indigo-500">
            {signedIn ? (
              <span className="absolute -right-0.5 -bottom-0.5 size-2 rounded-full bg-emerald-400 ring-2 ring-slate-950" />
            ) : null}
          </span>
          <span className="hidden min-w-0 flex-col leading-tight sm:flex">
            <span className="truncate font-mono text-slate-200">{shortenDid(did, 4, 4)}</span>
            <span className="truncate text-slate-400 tabular-nums" data-testid="account-balance">
              {balance === null ? '… ABT' : `${balance} ABT`}
            </span>
          </span>
        </button>
      }
    />
  );
}
