import { CopyButton, formatAmount, KeyValueList } from '@arc/ui';
import type { RouterOutputs } from '../trpc/types.ts';
import { AccountLink, BlockLink, TxLink } from './links.tsx';
import { ExplorerPage, Section } from './page-shell.tsx';

type Token = RouterOutputs['token']['get'];

/** A token: what it is called, how much of it exists, in how many decimals, who made it and when. */
export function TokenView({ token, createdBy }: { token: Token; createdBy: string | null }) {
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
              value: (
                <span className="text-slate-500 dark:text-slate-400">
                  not indexed by this node yet; an account’s page shows its balance of {token.symbol}
                </span>
              ),
            },
          ]}
        />
      </Section>
    </ExplorerPage>
  );
}
