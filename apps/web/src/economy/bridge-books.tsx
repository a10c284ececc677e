'use client';

import { formatAmount, Panel, Skeleton } from '@arc/ui';
import { useQuery } from '@tanstack/react-query';
import { TRPCClientError } from '@trpc/client';
import { nativeToken } from '../chain/live.ts';
import { useTRPC } from '../trpc/react.tsx';

/** How often the books are read again: the bridge moves a few times a minute; Ethereum makes a block every few seconds. */
export const BRIDGE_BOOKS_REFRESH_MS = 5_000;

/** What the books need of economy.bridge (the wallet's bridge page hands its own answer in). */
export interface BridgeBooksData {
  locked: string;
  totalSupply: string;
  ethereumBlock: number;
  inFlight: Flows;
  stuck: Flows;
  /** Who signs: the ledger's threshold of its signer set, and the signer blocklets this node runs. */
  signers?: { ledger: { dids: string[]; threshold: number }; local: { blocklet: string }[] };
  /** The relayer blocklet: it carries the signatures and holds no authority. */
  relayer?: { blocklet: string };
}
type Flows = { toEthereum: { amount: string }; toLedger: { amount: string } };

/** True when the node answered NOT_FOUND: it runs no bridge. */
export function isNoBridge(error: unknown): boolean {
  if (!(error instanceof TRPCClientError)) return false;
  const data = error.data as { code?: string; appCode?: string } | null | undefined;
  return data?.appCode === 'NOT_FOUND' || data?.code === 'NOT_FOUND';
}

const sumFlows = (f: Flows) => BigInt(f.toEthereum.amount) + BigInt(f.toLedger.amount);

/** Whether the bridge's invariant holds: locked on Arc = ERC-20 supply on Ethereum + what is on its way (+ stuck). */
export function booksBalance(books: BridgeBooksData): boolean {
  return BigInt(books.locked) === BigInt(books.totalSupply) + sumFlows(books.inFlight) + sumFlows(books.stuck);
}

const abt = (amount: bigint | string) => `${formatAmount(amount, nativeToken.decimals)} ${nativeToken.symbol}`;

/** The bridge's books as a panel: locked on Arc, supply on Ethereum, in flight (and stuck), and whether they balance. */
export function BridgeBooksPanel({ books, t = abt }: { books: BridgeBooksData; t?: (value: bigint | string) => string }) {
  const inFlight = sumFlows(books.inFlight);
  const stuck = sumFlows(books.stuck);
  const holds = booksBalance(books);
  return (
    <Panel title="The bridge's books" aside={`Ethereum block ${books.ethereumBlock}`}>
      <dl className="grid grid-cols-2 gap-x-4 gap-y-2 px-4 py-3 text-sm">
        <dt className="text-slate-600 dark:text-slate-400">Locked on Arc</dt>
        <dd data-testid="bridge-locked" className="text-right font-medium text-slate-900 tabular-nums dark:text-slate-100">
          {t(books.locked)}
        </dd>
        <dt className="text-slate-600 dark:text-slate-400">Supply on Ethereum</dt>
        <dd data-testid="bridge-supply" className="text-right font-medium text-slate-900 tabular-nums dark:text-slate-100">
          {t(books.totalSupply)}
        </dd>
        <dt className="text-slate-600 dark:text-slate-400">In flight</dt>
        <dd className="text-right font-medium text-slate-900 tabular-nums dark:text-slate-100">{t(inFlight)}</dd>
        {books.signers ? (
          <>
            <dt className="text-slate-600 dark:text-slate-400">Signers</dt>
            <dd data-testid="bridge-signers" className="text-right font-medium text-slate-900 dark:text-slate-100">
              {books.signers.ledger.threshold} of {books.signers.ledger.dids.length} must sign
            </dd>
            {books.signers.local.length > 0 ? (
              <dd data-testid="bridge-signer-blocklets" className="col-span-2 -mt-1 text-xs text-slate-600 dark:text-slate-400">
                Each signer is a blocklet of this node:{' '}
                {books.signers.local.map((s, i) => (
                  <span key={s.blocklet}>
                    {i > 0 ? ', ' : ''}
                    <span className="font-mono whitespace-nowrap">{s.blocklet}</span>
                  </span>
                ))}
              </dd>
            ) : null}
          </>
        ) : null}
        {books.relayer ? (
          <>
            <dt className="text-slate-600 dark:text-slate-400">Relayer</dt>
            <dd data-testid="bridge-relayer" className="text-right font-mono text-slate-900 dark:text-slate-100">
              {books.relayer.blocklet}
            </dd>
            <dd className="col-span-2 -mt-1 text-xs text-slate-600 dark:text-slate-400">
              A blocklet that carries the signers' signatures to Ethereum and to Arc; it pays gas and fees, and can authorise nothing.
            </dd>
          </>
        ) : null}
        {stuck > 0n ? (
          <>
            <dt className="text-slate-600 dark:text-slate-400">Stuck (an operator must look)</dt>
            <dd className="text-right font-medium text-slate-900 tabular-nums dark:text-slate-100">{t(stuck)}</dd>
          </>
        ) : null}
      </dl>
      <p
        data-testid="bridge-invariant"
        data-balanced={holds}
        className={`border-t border-slate-100 px-4 py-3 text-sm dark:border-slate-800 ${holds ? 'text-emerald-700 dark:text-emerald-300' : 'text-red-700 dark:text-red-300'}`}
      >
        {holds
          ? `Locked on Arc = supply on Ethereum + in flight${stuck > 0n ? ' + stuck' : ''}: the books balance.`
          : 'Locked on Arc ≠ supply on Ethereum + in flight: the books do not balance right now.'}
      </p>
    </Panel>
  );
}

/**
 * The bridge's books, live (asked again every BRIDGE_BOOKS_REFRESH_MS), for the explorer and the console. Shows
 * nothing on a node that runs no bridge.
 */
export function LiveBridgeBooks() {
  const trpc = useTRPC();
  const bridge = useQuery(
    trpc.economy.bridge.queryOptions(
      { limit: 1 },
      {
        refetchInterval: (query) => (isNoBridge(query.state.error) ? false : BRIDGE_BOOKS_REFRESH_MS),
        retry: (n, e) => !isNoBridge(e) && n < 2,
      },
    ),
  );
  if (bridge.error) {
    if (isNoBridge(bridge.error)) return null;
    return (
      <Panel title="The bridge's books">
        <p className="px-4 py-3 text-sm text-slate-600 dark:text-slate-400">
          The node could not read the bridge just now ({bridge.error.message}); it asks again in a few seconds.
        </p>
      </Panel>
    );
  }
  if (!bridge.data) {
    return (
      <Panel title="The bridge's books">
        <div className="p-4" aria-busy="true">
          <Skeleton className="h-20 w-full" />
        </div>
      </Panel>
    );
  }
  return <BridgeBooksPanel books={bridge.data} />;
}
