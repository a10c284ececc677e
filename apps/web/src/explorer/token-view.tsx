import { buttonClass, type Column, CopyButton, EmptyState, formatAmount, InboxIcon, KeyValueList, Table } from '@arc/ui';
import Link from 'next/link';
import type { RouterOutputs } from '../trpc/types.ts';
import { AccountLink, BlockLink, TxLink } from './links.tsx';
import { ExplorerPage, Section } from './page-shell.tsx';

type Token = RouterOutputs['token']['get'];
type HoldersPage = RouterOutputs['token']['holders'];
type Holder = HoldersPage['items'][number];

/** A page of the token's holders and where the first and the next page are (null for the native token). */
export interface TokenHolders {
  page: HoldersPage;
  firstHref: string | undefined;
  nextHref: string | undefined;
}

/** A token: what it is called, how much of it exists, in how many decimals, who made it and when. */
export function TokenView({ token, createdBy, holders }: { token: Token; createdBy: string | null; holders: TokenHolders | null }) {
  return (
    <ExplorerPage
      kicker={token.native ? 'Native token' : 'Token'}
      title={
        <span>
          {token.name} <span className="text-slate-500 dark:text-slate-400">({token.symbol})</span>
        </span>
      }
    >
      <Section title="Overview">
        <KeyValueList
          items={[
            { label: 'Symbol', value: <span data-testid="token-symbol">{token.symbol}</span> },
            { label: 'Name', value: token.name },
            {
              label: 'Total supply',
              value: (
                <span className="tabular-nums" title={`${token.totalSupply} in the smallest unit`}>
                  {formatAmount(token.totalSupply, token.decimals)} {token.symbol}
                </span>
              ),
            },
            { label: 'Supply policy', value: <span data-testid="token-policy">{policyInWords(token)}</span> },
            { label: 'Decimals', value: <span className="tabular-nums">{token.decimals}</span> },
            {
              label: 'Address',
              value: token.native ? (
                'the chain’s own token (no address)'
              ) : (
                <span className="inline-flex max-w-full items-start gap-1">
                  <span className="font-mono break-all">{token.address}</span>
                  <CopyButton value={token.address} label="token address" className="-my-1 shrink-0" />
                </span>
              ),
            },
            {
              label: 'Owner',
              value: token.owner ? <AccountLink did={token.owner} full /> : 'none: minted at genesis',
            },
            { label: 'Created in block', value: <BlockLink height={token.createdAtHeight} /> },
            ...(createdBy ? [{ label: 'Created by transaction', value: <TxLink hash={createdBy} full /> }] : []),
            {
              label: 'Holders',
              value: holders ? (
                <span className="tabular-nums" data-testid="holder-count">
                  {holders.page.holderCount.toLocaleString('en-US')} {holders.page.holderCount === 1 ? 'account' : 'accounts'}
                </span>
              ) : (
                <span className="text-slate-500 dark:text-slate-400">
                  every account with a balance; an account’s page shows its balance of {token.symbol}
                </span>
              ),
            },
          ]}
        />
      </Section>
      {holders ? <HoldersSection token={token} holders={holders} /> : null}
    </ExplorerPage>
  );
}

/** The share of the supply a balance is, to two decimals ("< 0.01%" for a sliver, never a rounded-up 100%). */
/** How the token's supply may change, in words. */
function policyInWords(token: {
  policy: 'fixed' | 'mintable' | 'capped';
  cap: string;
  decimals: number;
  symbol: string;
  native: boolean;
}): string {
  if (token.native) return 'fixed at genesis (the bridge locks and releases ABT, it never creates any)';
  if (token.policy === 'mintable') return 'mintable by its owner; any holder can burn';
  if (token.policy === 'capped')
    return `mintable by its owner up to ${formatAmount(token.cap, token.decimals)} ${token.symbol}; any holder can burn`;
  return 'fixed: nobody can mint more; any holder can burn';
}

export function shareOfSupply(balance: string, totalSupply: string): string {
  const supply = BigInt(totalSupply);
  if (supply === 0n) return '—';
  const held = BigInt(balance);
  const basisPoints = (held * 10_000n) / supply;
  if (basisPoints === 0n && held > 0n) return '< 0.01%';
  const whole = basisPoints / 100n;
  const fraction = (basisPoints % 100n).toString().padStart(2, '0');
  return `${whole.toLocaleString('en-US')}.${fraction}%`;
}

function HoldersSection({ token, holders }: { token: Token; holders: TokenHolders }) {
  const { page, firstHref, nextHref } = holders;
  const first = page.items[0]?.rank;
  const last = page.items.at(-1)?.rank;
  const columns: Column<Holder>[] = [
    { key: 'rank', header: <abbr title="Rank">#</abbr>, className: 'w-12', cell: (h) => <span className="tabular-nums">{h.rank}</span> },
    { key: 'account', header: 'Account', cell: (h) => <AccountLink did={h.did} head={4} tail={4} /> },
    {
      key: 'balance',
      header: 'Balance',
      align: 'right',
      cell: (h) => (
        <span className="tabular-nums whitespace-nowrap" title={`${h.balance} in the smallest unit`}>
          {formatAmount(h.balance, token.decimals)} {token.symbol}
        </span>
      ),
    },
    {
      key: 'share',
      header: 'Share',
      align: 'right',
      // A phone keeps the balance in view; the share is a wider screen's extra.
      className: 'hidden sm:table-cell',
      cell: (h) => <span className="tabular-nums whitespace-nowrap">{shareOfSupply(h.balance, token.totalSupply)}</span>,
    },
  ];
  return (
    <Section
      title="Holders"
      id="holders"
      aside={
        first !== undefined && last !== undefined
          ? `ranks ${first}–${last} of ${page.holderCount.toLocaleString('en-US')}, largest first`
          : undefined
      }
    >
      <Table
        label="Token holders"
        columns={columns}
        rows={page.items}
        rowKey={(h) => h.did}
        empty={
          <EmptyState
            icon={<InboxIcon />}
            title="No holders"
            description={`No account holds ${token.symbol} right now; accounts that receive it appear here.`}
          />
        }
      />
      {firstHref || nextHref ? (
        <nav aria-label="Holders pages" className="flex items-center justify-between gap-3 px-4 py-3">
          {firstHref ? (
            <Link href={firstHref} scroll={false} className={buttonClass({ variant: 'secondary', size: 'sm' })}>
              ← Largest holders
            </Link>
          ) : (
            <span />
          )}
          {nextHref ? (
            <Link href={nextHref} rel="next" scroll={false} className={buttonClass({ variant: 'secondary', size: 'sm' })}>
              Next holders →
            </Link>
          ) : null}
        </nav>
      ) : null}
    </Section>
  );
}
