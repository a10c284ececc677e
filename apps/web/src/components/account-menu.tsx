'use client';

import { DropdownMenu, formatAmount, shortenDid } from '@arc/ui';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useTopic } from '../realtime/provider.tsx';
import { useSession } from '../session/session-provider.tsx';
import { useTRPC } from '../trpc/react.tsx';
import { useWallet } from '../wallet/wallet-provider.tsx';

/** The native token's decimals, as fixed by the node's API contract. */
const abtDecimals = 18;

/** The unlocked account in the header: its label, short DID and live ABT balance, and a menu of what to do with it. */
export function AccountMenu({ did, label }: { did: string; label: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const wallet = useWallet();
  const session = useSession();
  const signedIn = session.status === 'signed-in' && session.did === did;
  const account = useQuery(trpc.account.get.queryOptions({ did }));
  // A committed transaction touching the account may change its balance.
  // The header hears the account's transactions on every page: what is cached about the account goes stale with each
  // one, so a wallet page opened after it (its history, its stake) asks again instead of showing what it had before.
  useTopic(`account:${did}`, () => {
    void queryClient.invalidateQueries({ queryKey: trpc.account.get.queryKey({ did }) });
    void queryClient.invalidateQueries({ queryKey: trpc.tx.listByAccount.infiniteQueryKey({ did }) });
    void queryClient.invalidateQueries({ queryKey: trpc.economy.stake.queryKey({ did }) });
  });
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
