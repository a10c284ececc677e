'use client';

import { Badge, CopyButton, Panel, Skeleton } from '@arc/ui';
import { useQueries, useQuery } from '@tanstack/react-query';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { LiveBridgeBooks } from '../../economy/bridge-books.tsx';
import { useTopic } from '../../realtime/provider.tsx';
import { useTRPC } from '../../trpc/react.tsx';
import type { RouterOutputs } from '../../trpc/types.ts';
import { CAPABILITY_ROWS, type CapabilityValue, capabilityCell, chainFamily } from './capabilities.ts';

type Chain = RouterOutputs['ocap']['chains'][number];

/** How often the page asks each chain for its head (the native ledger's also moves with each block event). */
export const CHAIN_REFRESH_MS = 3000;

interface Head {
  status: 'checking' | 'live' | 'down';
  height: number | null;
  error: string | null;
}

/** The chains the node reaches through OCAP: what each is, whether it answers, its head, and what it can do. */
export function ChainsPage() {
  const trpc = useTRPC();
  const chains = useQuery(trpc.ocap.chains.queryOptions(undefined, { refetchInterval: CHAIN_REFRESH_MS }));
  const list = chains.data ?? [];
  const heads = useQueries({
    queries: list.map((chain) =>
      trpc.ocap.query.queryOptions({ chain: chain.name, method: 'getLatestBlock' }, { refetchInterval: CHAIN_REFRESH_MS, retry: false }),
    ),
  });
  const nativeIndex = list.findIndex((chain) => chain.adapter === 'native');
  // The native ledger tells every block over the gateway: its head follows at once instead of at the next poll.
  useTopic('chain:blocks', () => {
    if (nativeIndex >= 0) void heads[nativeIndex]?.refetch();
  });

  const headOf = (chain: Chain, index: number): Head => {
    if (chain.status === 'unavailable') return { status: 'down', height: null, error: chain.error };
    const head = heads[index];
    if (!head || head.isPending) return { status: 'checking', height: null, error: null };
    if (head.isError) return { status: 'down', height: null, error: head.error.message };
    const height = (head.data.result as { height?: unknown } | null)?.height;
    return { status: 'live', height: typeof height === 'number' ? height : null, error: null };
  };

  return (
    <div className="space-y-6">
      <div className="space-y-1">
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900 dark:text-slate-100">Chains</h1>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          The chains this node reaches through the Open Chain Access Protocol: blocklets and applications call each one by its name. Status
          and head heights refresh every {CHAIN_REFRESH_MS / 1000} seconds.
        </p>
      </div>
      {chains.error ? (
        <ErrorNotice error={chains.error} onRetry={() => chains.refetch()} />
      ) : chains.isPending ? (
        <section className="grid gap-4 sm:grid-cols-2" aria-busy="true" aria-label="Loading the chains">
          {[0, 1, 2, 3].map((i) => (
            <Skeleton key={i} className="h-52 w-full rounded-xl" />
          ))}
        </section>
      ) : list.length === 0 ? (
        <Panel title="No chains">
          <p className="px-4 py-6 text-sm text-slate-600 dark:text-slate-400">
            This node reaches no chain. List them in the file named by OCAP_CONFIG_FILE, or set ETHEREUM_RPC_URL, BITCOIN_RPC_URL or
            FABRIC_GATEWAY_URL, and restart the node; <code className="font-mono">npm start</code> starts local ones for you.
          </p>
        </Panel>
      ) : (
        <>
          <ul className="grid gap-4 sm:grid-cols-2" aria-label="Chains this node reaches">
            {list.map((chain, index) => (
              <li key={chain.name}>
                <ChainCard chain={chain} head={headOf(chain, index)} />
              </li>
            ))}
          </ul>
          <CapabilityMatrix chains={list} />
          <LiveBridgeBooks />
        </>
      )}
    </div>
  );
}

function StatusBadge({ head }: { head: Head }) {
  if (head.status === 'live') return <Badge tone="emerald">● Live</Badge>;
  if (head.status === 'down') return <Badge tone="red">● Unavailable</Badge>;
  return <Badge tone="amber">● Checking…</Badge>;
}

/** One chain: its name and status, CAIP-2 id, adapter, head height and coin; the error sentence when it is down. */
function ChainCard({ chain, head }: { chain: Chain; head: Head }) {
  const family = chainFamily(chain.info?.chainId);
  const headingId = `chain-${chain.name}`;
  return (
    <article
      aria-labelledby={headingId}
      className="flex h-full flex-col gap-4 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800"
    >
      <header className="flex items-start justify-between gap-3">
        <div className="min-w-0">
          <h2 id={headingId} className="truncate text-base font-semibold text-slate-900 dark:text-slate-100">
            {chain.name}
          </h2>
          <p className="text-xs text-slate-500 dark:text-slate-400">{chain.info?.name ?? family ?? `${chain.adapter} adapter`}</p>
        </div>
        <div
          role="status"
          aria-label={`${chain.name}: ${head.status === 'checking' ? 'checking' : head.status === 'live' ? 'live' : 'unavailable'}`}
        >
          <StatusBadge head={head} />
        </div>
      </header>
      <dl className="grid grid-cols-[auto_minmax(0,1fr)] items-center gap-x-4 gap-y-2 text-sm">
        <dt className="text-slate-500 dark:text-slate-400">CAIP-2 id</dt>
        <dd className="flex min-w-0 items-center gap-1">
          {chain.info ? (
            <>
              <span className="truncate font-mono text-xs text-slate-800 dark:text-slate-200" title={chain.info.chainId}>
                {chain.info.chainId}
              </span>
              <CopyButton value={chain.info.chainId} label={`CAIP-2 id of ${chain.name}`} />
            </>
          ) : (
            <span className="text-slate-500 dark:text-slate-400">not known until it answers</span>
          )}
        </dd>
        <dt className="text-slate-500 dark:text-slate-400">Adapter</dt>
        <dd className="text-slate-800 dark:text-slate-200">{chain.adapter}</dd>
        <dt className="text-slate-500 dark:text-slate-400">Head height</dt>
        <dd className="font-mono tabular-nums text-slate-800 dark:text-slate-200" data-testid={`head-${chain.name}`}>
          {head.height !== null ? (
            head.height.toLocaleString('en-US')
          ) : head.status === 'checking' ? (
            <Skeleton className="h-4 w-16" />
          ) : (
            '—'
          )}
        </dd>
        <dt className="text-slate-500 dark:text-slate-400">Native coin</dt>
        <dd className="text-slate-800 dark:text-slate-200">
          {chain.info
            ? `${chain.info.nativeSymbol} · ${chain.info.nativeDecimals} decimals · a block every ${formatBlockTime(chain.info.blockTimeMs)}`
            : '—'}
        </dd>
      </dl>
      {head.status === 'down' && head.error ? (
        <p className="mt-auto rounded-lg bg-red-50 px-3 py-2 text-sm text-red-800 ring-1 ring-red-200 dark:bg-red-500/10 dark:text-red-200 dark:ring-red-500/30">
          {sentence(head.error)} The node keeps trying; this card turns live when the chain answers.
        </p>
      ) : null}
    </article>
  );
}

/** Capabilities down, chains across: what a blocklet can ask of each chain. */
function CapabilityMatrix({ chains }: { chains: Chain[] }) {
  return (
    <Panel title="Capabilities" aside="✓ native · ≈ emulated · — not supported">
      {/* relative: the cells' sr-only words are positioned absolutely; without a containing block here, those of columns
          past the phone's edge escaped the scroll box and widened the page (five chains did). */}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: on a phone the matrix scrolls sideways; the keyboard must reach it (axe scrollable-region-focusable) */}
      <div className="relative overflow-x-auto focus-visible:outline-2 focus-visible:outline-indigo-500" tabIndex={0}>
        <table className="w-full text-sm" aria-label="Capabilities of each chain">
          <thead>
            <tr className="border-b border-slate-200 bg-slate-50/80 dark:border-slate-800 dark:bg-slate-800/40">
              <th
                scope="col"
                className="px-3 py-2.5 text-left text-xs font-medium tracking-wide text-slate-500 uppercase sm:px-4 dark:text-slate-400"
              >
                Capability
              </th>
              {chains.map((chain) => (
                <th
                  key={chain.name}
                  scope="col"
                  className="px-3 py-2.5 text-center text-xs font-medium tracking-wide whitespace-nowrap text-slate-500 uppercase dark:text-slate-400"
                >
                  {chain.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {CAPABILITY_ROWS.map((row) => (
              <tr key={row.key} className="border-b border-slate-100 last:border-b-0 dark:border-slate-800">
                <th scope="row" className="px-3 py-2.5 text-left font-normal sm:px-4">
                  <span className="block font-medium text-slate-800 dark:text-slate-200">{row.label}</span>
                  <span className="hidden text-xs text-slate-500 sm:block dark:text-slate-400">{row.hint}</span>
                </th>
                {chains.map((chain) => {
                  const cell = capabilityCell(chain.capabilities[row.key] as CapabilityValue);
                  const value = chain.capabilities[row.key];
                  return (
                    <td key={chain.name} className="px-3 py-2.5 text-center">
                      <span
                        aria-hidden="true"
                        title={cell.words}
                        className={
                          value === 'native'
                            ? 'font-semibold text-emerald-700 dark:text-emerald-400'
                            : value === 'emulated'
                              ? 'font-semibold text-amber-700 dark:text-amber-300'
                              : 'text-slate-500 dark:text-slate-400'
                        }
                      >
                        {cell.mark}
                      </span>
                      <span className="sr-only">{cell.words}</span>
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Panel>
  );
}

function formatBlockTime(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** An error message as a sentence (a capital first letter and a final stop). */
function sentence(message: string): string {
  const trimmed = message.trim();
  const first = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(first) ? first : `${first}.`;
}
