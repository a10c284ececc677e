'use client';

import { Button, buttonClass, Skeleton } from '@arc/ui';
import dynamic from 'next/dynamic';
import Link from 'next/link';
import { isClientErrorCode } from '../wallet/client-error.ts';
import { useWallet } from '../wallet/wallet-provider.tsx';
import { toast } from './toast.tsx';

// The unlocked account's menu (Radix DropdownMenu) is downloaded once a wallet is unlocked, not with every page.
const AccountMenu = dynamic(() => import('./account-menu.tsx').then((m) => m.AccountMenu), {
  ssr: false,
  loading: () => <Skeleton className="h-9 w-28 bg-white/10" />,
});

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
            if (isClientErrorCode(error, 'CANCELLED')) return;
            toast({ kind: 'error', title: 'The wallet did not unlock', body: error instanceof Error ? error.message : String(error) });
          })
        }
      >
        Unlock
      </Button>
    );
  return <AccountMenu did={wallet.active.did} label={wallet.active.label} />;
}
