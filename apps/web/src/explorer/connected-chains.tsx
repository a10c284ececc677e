import { Badge, type BadgeTone, type Column, EmptyState, Hash, Panel, PlugOffIcon, Table } from '@arc/ui';
import type { Chain } from '../trpc/types.ts';

/** Skeleton rows while the first answer loads: the default node reaches two chains. */
const chainsSkeletonRows = 2;

type Capability = Chain['capabilities'][keyof Chain['capabilities']];
type Feature = 'tokens' | 'assets' | 'events' | 'reorgs' | 'native';

/** The features beyond the basics, in the order they are shown, with what each means for a tooltip. */
const features: { key: Feature; meaning: string }[] = [
  { key: 'tokens', meaning: 'Fungible tokens' },
  { key: 'assets', meaning: 'Non-fungible assets' },
  { key: 'events', meaning: 'Resumable event stream' },
  { key: 'reorgs', meaning: 'Reorganisations' },
  { key: 'native', meaning: 'Chain-specific calls' },
];

/**
 * The chains this node reaches through OCAP (its own ledger, a mock, other chains it is configured for), with
 * what each offers and whether it answers. `error` is shown only while there is no list to show.
 */
export function ConnectedChains({ chains, loading, error }: { chains: Chain[] | undefined; loading: boolean; error: string | null }) {
  const columns: Column<Chain>[] = [
    {
      key: 'chain',
      header: 'Chain',
      cell: (chain) => (
        <span className="flex flex-col items-start gap-1 leading-tight">
          <span className="flex items-center justify-between gap-3 self-stretch">
            {/* A long chain name ("Hyperledger Fabric channel …") wraps on a phone instead of pushing the table sideways. */}
            <span className="whitespace-normal sm:whitespace-nowrap">
              <span className="font-medium text-slate-900">{chain.name}</span>
              {chain.info ? <span className="ml-2 text-xs text-slate-500">{chain.info.name}</span> : null}
            </span>
            {/* Phones have no room for the Status, Chain ID and Capabilities columns: they go with the name. */}
            <span className="sm:hidden">
              <ChainStatus chain={chain} />
            </span>
          </span>
          {chain.error ? (
            <span title={chain.error} className="max-w-56 truncate text-xs text-red-600 xl:max-w-72">
              {chain.error}
            </span>
          ) : null}
          {chain.info ? (
            <span className="text-xs text-slate-500 md:hidden">
              <ChainId chain={chain} />
            </span>
          ) : null}
          <span className="sm:hidden">
            <Capabilities capabilities={chain.capabilities} />
          </span>
        </span>
      ),
    },
    { key: 'chainId', header: 'Chain ID', className: 'hidden md:table-cell', cell: (chain) => <ChainId chain={chain} /> },
    {
      key: 'adapter',
      header: 'Adapter',
      className: 'hidden lg:table-cell',
      cell: (chain) => <span className="text-slate-600">{chain.adapter}</span>,
    },
    {
      key: 'symbol',
      header: 'Coin',
      className: 'hidden xl:table-cell',
      cell: (chain) =>
        chain.info ? (
          <span title={`${chain.info.nativeDecimals} decimals`} className="font-medium text-slate-700">
            {chain.info.nativeSymbol}
          </span>
        ) : (
          <Missing />
        ),
    },
    {
      key: 'capabilities',
      header: 'Capabilities',
      className: 'hidden sm:table-cell',
      cell: (chain) => <Capabilities capabilities={chain.capabilities} />,
    },
    { key: 'status', header: 'Status', align: 'right', className: 'hidden sm:table-cell', cell: (chain) => <ChainStatus chain={chain} /> },
  ];

  return (
    <Panel title="Connected chains" aside={<CapabilityLegend className="hidden sm:flex" />}>
      <Table
        label="Connected chains"
        columns={columns}
        rows={chains}
        rowKey={(chain) => chain.name}
        loading={loading}
        skeletonRows={chainsSkeletonRows}
        empty={
          <EmptyState
            icon={<PlugOffIcon />}
            title="No chains connected"
            description="This node reaches no chains through OCAP. List them in OCAP_CONFIG_FILE, or set ETHEREUM_RPC_URL, BITCOIN_RPC_URL or FABRIC_GATEWAY_URL."
          />
        }
      />
      {/* Later failures keep the last list on screen; the next refresh replaces it. */}
      {error && !chains ? <EmptyState tone="danger" icon={<PlugOffIcon />} title="Cannot list the chains" description={error} /> : null}
      {/* A phone's panel header has no room beside the title: the legend goes under the table. */}
      <footer className="border-t border-slate-100 px-3 py-2.5 text-xs text-slate-500 sm:hidden">
        <CapabilityLegend className="flex" />
      </footer>
    </Panel>
  );
}

function ChainId({ chain }: { chain: Chain }) {
  if (!chain.info) return <Missing />;
  return <Hash value={chain.info.chainId} head={20} tail={8} label="CAIP-2 chain id" />;
}

function Missing() {
  return <span className="text-slate-400">—</span>;
}

const capabilityTones: Record<'native' | 'emulated', BadgeTone> = { native: 'emerald', emulated: 'amber' };

/** One badge per feature, coloured by who provides it; features the chain lacks stay, greyed, so rows line up. */
function Capabilities({ capabilities }: { capabilities: Chain['capabilities'] }) {
  return (
    <ul aria-label="Capabilities" className="flex flex-wrap gap-1 whitespace-normal">
      {features.map(({ key, meaning }) => {
        const capability = capabilities[key];
        const description = describeCapability(key, capability);
        return (
          <li key={key} title={`${meaning}: ${description}`} data-capability={key} data-provided={capability || 'no'}>
            {capability ? (
              <Badge tone={capabilityTones[capability]}>{key}</Badge>
            ) : (
              <Badge>
                <span className="font-normal text-slate-600 line-through decoration-slate-400 dark:text-slate-400">{key}</span>
              </Badge>
            )}
            <span className="sr-only">: {description}</span>
          </li>
        );
      })}
    </ul>
  );
}

function describeCapability(feature: Feature, capability: Capability): string {
  if (capability === 'native') return 'native, the chain provides it';
  if (capability === 'emulated') return 'emulated by the adapter';
  // A chain with instant finality never reorganises: that is no missing feature.
  return feature === 'reorgs' ? 'none, blocks are final' : 'not supported';
}

function CapabilityLegend({ className }: { className: string }) {
  return (
    <span className={`items-center gap-3 whitespace-nowrap ${className}`}>
      <LegendDot className="bg-emerald-500" label="native" />
      <LegendDot className="bg-amber-400" label="emulated" />
      <LegendDot className="bg-slate-300" label="none" />
    </span>
  );
}

function LegendDot({ className, label }: { className: string; label: string }) {
  return (
    <span className="inline-flex items-center gap-1.5">
      <span aria-hidden="true" className={`size-2 rounded-full ${className}`} />
      {label}
    </span>
  );
}

/** Whether the node reaches the chain; the reason it does not, on hover. */
function ChainStatus({ chain }: { chain: Chain }) {
  const ok = chain.status === 'ok';
  return (
    <span
      title={chain.error ?? `${chain.name} answers`}
      className={`inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset ${
        ok ? 'bg-emerald-50 text-emerald-700 ring-emerald-200' : 'bg-red-50 text-red-700 ring-red-200'
      }`}
    >
      <span aria-hidden="true" className={`size-1.5 rounded-full ${ok ? 'bg-emerald-500' : 'bg-red-500'}`} />
      {ok ? 'Available' : 'Unavailable'}
    </span>
  );
}
