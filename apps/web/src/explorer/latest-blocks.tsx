import { type Column, CubeIcon, EmptyState, formatTimeAgo, Hash, Panel, Table } from '@arc/ui';
import type { Block } from '../trpc/types.ts';

export function LatestBlocks({ blocks, loading, nowMs }: { blocks: Block[] | undefined; loading: boolean; nowMs: number }) {
  const columns: Column<Block>[] = [
    {
      key: 'height',
      header: 'Height',
      cell: (block) => (
        <span className="inline-flex flex-col align-middle leading-tight">
          <span className="font-medium text-indigo-600 tabular-nums">{block.height.toLocaleString('en-US')}</span>
          {/* Phones have no room for the Age column: the age goes under the height. */}
          <span className="text-xs text-slate-400 sm:hidden">{formatTimeAgo(block.timeMs, nowMs)}</span>
        </span>
      ),
    },
    { key: 'hash', header: 'Hash', cell: (block) => <Hash value={block.hash} label="block hash" /> },
    {
      key: 'age',
      header: 'Age',
      className: 'hidden sm:table-cell',
      cell: (block) => (
        <time
          dateTime={new Date(block.timeMs).toISOString()}
          title={new Date(block.timeMs).toLocaleString('en-GB')}
          className="text-slate-500"
        >
          {formatTimeAgo(block.timeMs, nowMs)}
        </time>
      ),
    },
    { key: 'txs', header: 'Txs', align: 'right', cell: (block) => <span className="tabular-nums">{block.txCount}</span> },
    {
      key: 'proposer',
      header: 'Proposer',
      className: 'hidden md:table-cell',
      cell: (block) => <Hash value={block.proposer} head={6} tail={6} label="proposer DID" />,
    },
  ];
  return (
    <Panel title="Latest blocks" aside="newest first">
      <Table
        label="Latest blocks"
        columns={columns}
        rows={blocks}
        rowKey={(block) => block.hash}
        loading={loading}
        empty={<EmptyState icon={<CubeIcon />} title="No blocks yet" description="The node has not produced a block." />}
      />
    </Panel>
  );
}
