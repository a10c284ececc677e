'use client';

import { Button, buttonClass, CopyButton, EmptyState, formatAmount, Panel, Skeleton, shortenDid } from '@arc/ui';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { toast } from '../../components/toast.tsx';
import { useTopic } from '../../realtime/provider.tsx';
import { useTRPC } from '../../trpc/react.tsx';
import { useWallet } from '../wallet-provider.tsx';
import { CreatePanel } from './create-panel.tsx';
import { HistoryRow } from './history-row.tsx';
import { UnlockPanel } from './unlock-panel.tsx';
import { WalletFrame } from './wallet-frame.tsx';

const HISTORY_PAGE = 10;
/** How long a faucet claim waits for its block before the page reads the balance again regardless. */
const FAUCET_WAIT_MS = 20_000;

/** /wallet: create or unlock; then the active account's balances, assets and history, live. */
export function WalletHome() {
  const wallet = useWallet();
  return (
    <WalletFrame title="Wallet" description="Your accounts on this chain, held in this browser.">
      {wallet.status === 'loading' ? (
        <Skeleton className="h-64 w-full rounded-xl" />
      ) : wallet.status === 'empty' ? (
        <CreatePanel />
      ) : wallet.status === 'locked' || !wallet.active ? (
        <UnlockPanel />
      ) : (
        <AccountOverview did={wallet.active.did} label={wallet.active.label} />
      )}
    </WalletFrame>
  );
}

function AccountOverview({ did, label }: { did: string; label: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const wallet = useWallet();
  const chain = useQuery(trpc.chain.info.queryOptions());
  const account = useQuery(trpc.account.get.queryOptions({ did }));
  const assets = useQuery(trpc.asset.listByOwner.queryOptions({ owner: did, limit: 20 }));
  const history = useInfiniteQuery(
    trpc.tx.listByAccount.infiniteQueryOptions({ did, limit: HISTORY_PAGE }, { getNextPageParam: (page) => page.nextCursor ?? undefined }),
  );
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.account.get.queryKey({ did }) });
    void queryClient.invalidateQueries({ queryKey: trpc.asset.listByOwner.queryKey({ owner: did }) });
    void queryClient.invalidateQueries({ queryKey: trpc.tx.listByAccount.infiniteQueryKey({ did }) });
  };
  // Each committed transaction touching the account: balances, assets and history again.
  useTopic(`account:${did}`, refresh);
  const faucet = useMutation(
    trpc.faucet.claim.mutationOptions({
      onSuccess: async ({ hash }) => {
        toast({ kind: 'success', title: 'Faucet ABT on the way', body: 'Your balance updates when the block commits.' });
        // The account's topic brings the commit; should it be missed (a new wallet's subscription still opening), the
        // wait for the transaction itself does.
        await queryClient.fetchQuery(trpc.tx.wait.queryOptions({ hash, timeoutMs: FAUCET_WAIT_MS })).catch(() => undefined);
        refresh();
      },
    }),
  );

  const symbol = chain.data?.nativeToken.symbol ?? 'ABT';
  const decimals = chain.data?.nativeToken.decimals ?? 18;
  const txs = history.data?.pages.flatMap((page) => page.items);

  return (
    <div className="space-y-6">
      <section
        aria-label="Account"
        className="space-y-4 rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800"
      >
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div className="min-w-0">
            <p className="text-sm font-medium text-slate-600 dark:text-slate-400">{label}</p>
            <p className="flex items-center gap-1 font-mono text-xs text-slate-500 dark:text-slate-400">
              <span className="truncate" title={did}>
                {shortenDid(did, 10, 8)}
              </span>
              <CopyButton value={did} label="DID" />
            </p>
          </div>
          <Button size="sm" variant="ghost" onClick={wallet.lock}>
            Lock
          </Button>
        </div>
        <div className="min-h-12">
          {account.data ? (
            <p className="text-3xl font-semibold tracking-tight text-slate-900 tabular-nums dark:text-slate-100" data-testid="abt-balance">
              {formatAmount(account.data.balance, decimals)} <span className="text-lg font-medium text-slate-500">{symbol}</span>
            </p>
          ) : account.error ? (
            <ErrorNotice error={account.error} onRetry={() => void account.refetch()} />
          ) : (
            <Skeleton className="h-9 w-48" />
          )}
        </div>
        <div className="flex flex-wrap gap-2">
          <Link href="/wallet/send" className={buttonClass()}>
            Send
          </Link>
          <Link href="/wallet/receive" className={buttonClass({ variant: 'secondary' })}>
            Receive
          </Link>
          {chain.data?.faucet.enabled ? (
            <Button
              variant="secondary"
              loading={faucet.isPending}
              onClick={() => faucet.mutate({ did, idempotencyKey: crypto.randomUUID() })}
            >
              Get {formatAmount(chain.data.faucet.amount, decimals)} test {symbol}
            </Button>
          ) : null}
        </div>
        {faucet.error ? <ErrorNotice error={faucet.error} /> : null}
      </section>

      <Panel title="Tokens" aside={account.data ? `${account.data.tokens.length} held` : undefined}>
        {account.data === undefined ? (
          <div className="space-y-2 p-4">
            <Skeleton className="h-5 w-full" />
            <Skeleton className="h-5 w-2/3" />
          </div>
        ) : account.data.tokens.length === 0 ? (
          <EmptyState title="No application tokens yet" description="Tokens other accounts send you, or that you create, show here." />
        ) : (
          <ul className="divide-y divide-slate-100 dark:divide-slate-800">
            {account.data.tokens.map((token) => (
              <li key={token.address} className="flex items-center justify-between gap-3 px-4 py-3 text-sm">
                <span className="font-medium text-slate-900 dark:text-slate-100">{token.symbol}</span>
                <span className="tabular-nums text-slate-700 dark:text-slate-300">{formatAmount(token.amount, token.decimals)}</span>
              </li>
            ))}
          </ul>
        )}
      </Panel>

      <Panel title="Assets" aside={assets.data ? `${assets.data.items.length}${assets.data.nextCursor ? '+' : ''}` : undefined}>
        {assets.data === undefined ? (
          <div className="p-4">
            <Skeleton className="h-5 w-full" />
          </div>
        ) : assets.data.items.length === 0 ? (
          <EmptyState title="No assets yet" description="Tickets, certificates and other assets sent to this account show here." />
        ) : (
          <ul className="divide-y divide-slate-100 dark:divide-slate-800">
            {assets.data.items.map((asset) => (
              <li key={asset.address} className="flex items-center justify-between gap-3 px-4 py-3 text-sm">
                <span className="min-w-0 truncate font-medium text-slate-900 dark:text-slate-100">{asset.moniker || 'Unnamed asset'}</span>
                <span className="shrink-0 font-mono text-xs text-slate-500" title={asset.address}>
                  {shortenDid(asset.address)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </Panel>

      <Panel title="History">
        {history.error ? (
          <div className="p-4">
            <ErrorNotice error={history.error} onRetry={() => void history.refetch()} />
          </div>
        ) : txs === undefined ? (
          <div className="space-y-2 p-4">
            <Skeleton className="h-5 w-full" />
            <Skeleton className="h-5 w-full" />
            <Skeleton className="h-5 w-2/3" />
          </div>
        ) : txs.length === 0 ? (
          <EmptyState
            title="No transactions yet"
            description={
              chain.data?.faucet.enabled
                ? `Get test ${symbol} from the faucet above, or receive some from another account.`
                : 'Receive some ABT to begin.'
            }
          />
        ) : (
          <>
            <ul aria-label="Transactions" className="divide-y divide-slate-100 dark:divide-slate-800">
              {txs.map((tx) => (
                <HistoryRow key={tx.hash} tx={tx} did={did} decimals={decimals} symbol={symbol} />
              ))}
            </ul>
            {history.hasNextPage ? (
              <div className="border-t border-slate-100 p-3 text-center dark:border-slate-800">
                <Button size="sm" variant="secondary" loading={history.isFetchingNextPage} onClick={() => void history.fetchNextPage()}>
                  Show older
                </Button>
              </div>
            ) : null}
          </>
        )}
      </Panel>
    </div>
  );
}
